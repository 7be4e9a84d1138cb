import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { createEngine, type OwnedEngine } from "../../src/engine/engine.ts";
import { openDb } from "../../src/store/db.ts";
import { dbKinds, useBaton } from "../harness.ts";

/*
 * One item whose clocks cannot be computed, or whose write PostgreSQL refuses, must not hold up
 * the alerts of everybody else. The poison is put in with SQL, as an old row written before the
 * validation of today would be: the API refuses it now.
 */

const dueWork = `
key: due
name: Due work
prefix: DUE
steps:
  - {key: work, team: ops}
`;

const stepWork = (team: string, prefix: string) => `
key: ${team}-work
name: ${team} work
prefix: ${prefix}
steps:
  - {key: work, team: ${team}, complete_within: 1h}
`;

const UNRELATED = 200;

describe.each(dbKinds())("timer isolation on $name", (kind) => {
  const b = useBaton(kind);
  const nodes: OwnedEngine[] = [];
  afterAll(async () => {
    for (const n of nodes) {
      await n.close();
      await n.db.destroy();
    }
  });

  it("one poisoned item does not hold up other teams' alerts; it is retried with growing delays", async () => {
    for (const t of ["ops", "night", "old"]) await b.team(t);
    const user = await b.user("ops@example.com", ["ops", "night", "old"]);
    await b.workflow(dueWork);
    await b.workflow(stepWork("night", "NGT"));
    await b.workflow(stepWork("old", "OLD"));
    b.clock.now = new Date("2026-03-02T09:00:00Z"); // a Monday
    const keys: string[] = [];
    for (let i = 0; i < UNRELATED; i++) {
      const r = await user.post("/items", {
        workflow: "due",
        title: `Due ${i}`,
        due: "2026-03-02T10:00:00Z",
      });
      expect(r.status).toBe(201);
      keys.push(r.body.key);
    }
    const night = (await user.post("/items", { workflow: "night-work", title: "Night" })).body.key;
    const old = (await user.post("/items", { workflow: "old-work", title: "Old" })).body.key;
    const refused = (
      await user.post("/items", { workflow: "due", title: "Poison", due: "2026-03-02T10:00:00Z" })
    ).body.key;
    const poisoned = [night, old, refused];

    // The poison: a calendar whose zone does not exist, a workflow version whose limit is no
    // duration, and a title with a NUL (fine in the item's json document, refused by jsonb and
    // text columns, so the round's write of its alert fails).
    await sql`update teams set calendar = ${JSON.stringify({ timezone: "Mars/Olympus", hours: { mon: [["09:00", "17:00"]] } })}::jsonb
      where key = 'night'`.execute(b.engine.db);
    await sql`update workflow_versions
      set definition = jsonb_set(definition::jsonb, '{steps,0,complete_within}', '"4 fortnights"')
      where workflow_key = 'old-work'`.execute(b.engine.db);
    await sql`update items set doc = replace(doc::text, '"title":"Poison"', '"title":"Poi\\u0000son"')::json
      where key = ${refused}`.execute(b.engine.db);

    // A node that starts now (nothing cached) works the round off; its log is kept.
    const lines: { msg: string; item?: string; attempts?: number; retryAt?: string }[] = [];
    let now = new Date("2026-03-02T10:30:00Z");
    const db = openDb(b.databaseUrl, { max: 3 });
    const node = createEngine({
      db,
      clock: () => now,
      logger: {
        warn: (obj: object, msg: string) => lines.push({ ...obj, msg }),
        error: (obj: object, msg: string) => lines.push({ ...obj, msg }),
      },
      timerOptions: { batchSize: 1_000, retryBaseMs: 1_000, retryMaxMs: 4_000 },
    });
    nodes.push(node);

    const claimed = await node.timers.tick();
    expect(claimed).toBe(2 * UNRELATED + 2 * poisoned.length);
    const { rows: alerted } = await sql<{ key: string; n: string }>`
      select i.key, count(*) as n from items i join events e on e.item_id = i.id
      where e.type in ('sla.warning', 'sla.breached') group by i.key`.execute(b.engine.db);
    const alerts = new Map(alerted.map((r) => [r.key, Number(r.n)]));
    expect(keys.filter((k) => alerts.get(k) === 2)).toHaveLength(UNRELATED); // all in one round
    for (const k of poisoned) expect(alerts.get(k)).toBeUndefined();

    // Each failure is logged with the item and its error, and recorded on its timers.
    for (const k of poisoned)
      expect(lines.find((l) => l.item === k)).toMatchObject({ attempts: 1 });
    const failures = async () =>
      (
        await sql<{ key: string; attempts: number; last_error: string | null; retry_at: Date }>`
          select i.key, t.attempts, t.last_error, t.retry_at from timers t join items i on i.id = t.item_id
          where t.fired_at is null and t.key not like 'stall:%' order by i.key, t.key`.execute(
          b.engine.db,
        )
      ).rows;
    const first = await failures();
    expect(first.map((f) => f.key).sort()).toEqual(
      [...poisoned, ...poisoned].sort(), // each poisoned item's warning and breach wait
    );
    expect(first.every((f) => f.attempts === 1 && f.last_error)).toBe(true);
    expect(first.find((f) => f.key === night)?.last_error).toContain("night");
    expect(first.every((f) => f.retry_at.getTime() === now.getTime() + 1_000)).toBe(true);

    // Not before its retry time; then with delays doubling up to the cap.
    expect(await node.timers.tick()).toBe(0);
    const delays: number[] = [];
    for (let round = 2; round <= 5; round++) {
      const [waiting] = await failures();
      if (!waiting) throw new Error("no timer waits on a retry");
      now = waiting.retry_at;
      expect(await node.timers.tick()).toBe(2 * poisoned.length);
      const after = await failures();
      expect(after.every((f) => f.attempts === round)).toBe(true);
      delays.push((after[0]?.retry_at.getTime() ?? 0) - now.getTime());
    }
    expect(delays).toEqual([2_000, 4_000, 4_000, 4_000]);
    expect(lines.filter((l) => l.item === night).map((l) => l.attempts)).toEqual([1, 2, 3, 4, 5]);

    // The lead fixes the night calendar: its item's timers are recomputed and fire at once.
    b.clock.now = now;
    const fixed = await b.admin.put("/teams/night/calendar", {
      timezone: "UTC",
      hours: { mon: [["09:00", "17:00"]] },
    });
    expect(fixed.status).toBe(200);
    await b.engine.sla.idle();
    await b.engine.timers.tick();
    const events = (await user.get(`/items/${night}/events`)).body.events.map(
      (e: { type: string }) => e.type,
    );
    expect(events).toEqual(expect.arrayContaining(["sla.warning", "sla.breached"]));
  }, 60_000);
});

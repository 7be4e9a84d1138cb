import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { createEngine, type OwnedEngine } from "../../src/engine/engine.ts";
import { openDb } from "../../src/store/db.ts";
import { projectionSql } from "../../src/store/items.ts";
import { dbKinds, useBaton } from "../harness.ts";

const workflow = `
key: due
name: Due work
prefix: DUE
steps:
  - {key: work, team: ops}
`;

/** 10,000 timers on the server; fewer on the embedded database, which the whole suite shares. */
const itemsFor = { "postgres-server": 5_000, embedded: 1_000 } as const;

describe.each(dbKinds())("timers on $name", (kind) => {
  const b = useBaton(kind);
  const nodes: OwnedEngine[] = [];
  afterAll(async () => {
    for (const n of nodes) {
      await n.close();
      await n.db.destroy();
    }
  });

  it("three workers on three pools fire every timer exactly once, including those due while none ran", async () => {
    const items = itemsFor[kind.name];
    await b.team("ops");
    const ops = await b.user("ops@example.com", ["ops"]);
    await b.workflow(workflow);
    b.clock.now = new Date("2026-03-02T09:00:00Z");
    const template = await ops.post("/items", {
      workflow: "due",
      title: "Template",
      due: "2026-03-02T10:00:00Z",
    });
    expect(template.status).toBe(201);

    // Clone the item (row, first event, its two timers: warning and breach) in bulk.
    // Every column the store writes (projectionSql), the document renamed to the clone's key.
    const columns = projectionSql.columns;
    const values = projectionSql.list
      .map((c) =>
        c === "doc" ? "jsonb_set(doc::jsonb, '{key}', to_jsonb('DUE-c' || g))::json" : c,
      )
      .join(", ");
    await sql`
      insert into items (key, workflow_key, workflow_version, created_at, ${sql.raw(columns)})
      select 'DUE-c' || g, workflow_key, workflow_version, created_at, ${sql.raw(values)}
      from items, generate_series(2, ${items}) g where key = ${template.body.key}`.execute(
      b.engine.db,
    );
    await sql`
      insert into events (item_id, seq, type, actor, at, data)
      select c.id, e.seq, e.type, e.actor, e.at, e.data
      from items c, items t join events e on e.item_id = t.id
      where t.key = ${template.body.key} and c.key like 'DUE-c%'`.execute(b.engine.db);
    await sql`
      insert into timers (item_id, key, due_at, payload)
      select c.id, tm.key, tm.due_at, tm.payload
      from items c, items t join timers tm on tm.item_id = t.id
      where t.key = ${template.body.key} and c.key like 'DUE-c%'`.execute(b.engine.db);
    const { rows: pending } = await sql<{
      n: string;
    }>`select count(*) as n from timers where fired_at is null and key not like 'stall:%'`.execute(
      b.engine.db,
    );
    expect(Number(pending[0]?.n)).toBe(items * 2);

    // Baton was "down" past both marks; three fresh nodes now start and work the timers off.
    const now = new Date("2026-03-02T11:00:00Z");
    for (let i = 0; i < 3; i++) {
      const db = openDb(b.databaseUrl, { max: 3 });
      nodes.push(createEngine({ db, clock: () => now, timerOptions: { batchSize: 100 } }));
    }
    const fired = await Promise.all(
      nodes.map(async (n) => {
        let total = 0;
        for (let claimed = 1; claimed > 0; total += claimed) claimed = await n.timers.tick();
        return total;
      }),
    );
    expect(fired.reduce((a, c) => a + c, 0)).toBe(items * 2);
    expect(fired.every((n) => n > 0)).toBe(true); // all three took part

    const { rows } = await sql<{ type: string; n: string; items: string }>`
      select type, count(*) as n, count(distinct item_id) as items from events
      where type like 'sla.%' group by type order by type`.execute(b.engine.db);
    expect(rows.map((r) => ({ type: r.type, n: Number(r.n), items: Number(r.items) }))).toEqual([
      { type: "sla.breached", n: items, items },
      { type: "sla.warning", n: items, items },
    ]);
    const { rows: left } = await sql<{
      n: string;
    }>`select count(*) as n from timers where fired_at is null and key not like 'stall:%'`.execute(
      b.engine.db,
    );
    expect(Number(left[0]?.n)).toBe(0);
    b.clock.now = now;
    const item = await ops.get(`/items/${template.body.key}`);
    expect(item.body.sla).toBe("breached");
    expect([...item.body.alerts].sort()).toEqual(["due:breach", "due:warning"]);
  }, 120_000);
});

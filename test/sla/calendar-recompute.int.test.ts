import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { dbKinds, useBaton } from "../harness.ts";

/*
 * A team's calendar change moves the deadlines of the clocks that count on that calendar, and
 * only those: other teams' item rows are not written at all.
 */

// Beta works, then hands to Alpha; Alpha also has work of its own.
const workflows = [
  `
key: alpha-work
name: Alpha work
prefix: ALW
steps:
  - {key: work, team: alpha, complete_within: 4h}
`,
  `
key: beta-work
name: Beta work
prefix: BEW
steps:
  - key: work
    team: beta
    complete_within: 4h
    handoff: {to: review, accept_within: 4h}
  - {key: review, team: alpha}
questions:
  answer_within: 2h
`,
];

describe.each(dbKinds())("calendar recompute on $name", (kind) => {
  const b = useBaton(kind);

  it("a calendar change rewrites only the items whose clocks count on that team's calendar", async () => {
    for (const t of ["alpha", "beta"]) await b.team(t);
    const alpha = await b.user("al@example.com", ["alpha"]);
    const beta = await b.user("bea@example.com", ["beta"]);
    for (const w of workflows) await b.workflow(w);
    b.clock.now = new Date("2026-03-02T09:00:00Z"); // a Monday
    const create = async (who: typeof alpha, workflow: string) =>
      (await who.post("/items", { workflow, title: workflow })).body.key as string;
    const alphaOwn = [await create(alpha, "alpha-work"), await create(alpha, "alpha-work")];
    const betaOwn = [await create(beta, "beta-work"), await create(beta, "beta-work")];
    const handedToAlpha = await create(beta, "beta-work");
    expect((await beta.post(`/items/${handedToAlpha}/handoff`)).status).toBe(200);
    const askingAlpha = await create(beta, "beta-work");
    const asked = await beta.post(`/items/${askingAlpha}/questions`, {
      to_team: "alpha",
      body: "Which environment?",
    });
    expect(asked.status).toBe(201);

    const rows = async () =>
      new Map(
        (
          await sql<{ key: string; xmin: string; next_due_at: Date | null }>`
            select key, xmin::text as xmin, next_due_at from items`.execute(b.engine.db)
        ).rows.map((r) => [r.key, r]),
      );
    const before = await rows();

    // Alpha's day now starts at 10:00: its 4 h clocks started at 09:00 end at 14:00, not 13:00.
    const changed = await b.admin.put("/teams/alpha/calendar", {
      timezone: "UTC",
      hours: Object.fromEntries(
        ["mon", "tue", "wed", "thu", "fri"].map((d) => [d, [["10:00", "18:00"]]]),
      ),
    });
    expect(changed.status).toBe(200);
    await b.engine.sla.idle();
    const after = await rows();

    for (const k of betaOwn) expect(after.get(k)?.xmin).toBe(before.get(k)?.xmin); // untouched
    for (const k of alphaOwn)
      expect(after.get(k)?.next_due_at?.toISOString()).toBe("2026-03-02T14:00:00.000Z");
    // The handoff waits on Alpha's acceptance, the question on Alpha's answer: both moved.
    expect(after.get(handedToAlpha)?.next_due_at?.toISOString()).toBe("2026-03-02T14:00:00.000Z");
    expect(after.get(askingAlpha)?.xmin).not.toBe(before.get(askingAlpha)?.xmin);
    const { rows: timers } = await sql<{ key: string; due_at: Date }>`
      select t.key, t.due_at from timers t join items i on i.id = t.item_id
      where i.key = ${askingAlpha} and t.key like 'answer:%' order by t.key`.execute(b.engine.db);
    expect(timers.map((t) => [t.key, t.due_at.toISOString()])).toEqual([
      ["answer:1:breach", "2026-03-02T12:00:00.001Z"], // asked 09:00, Alpha starts at 10:00
      ["answer:1:warning", "2026-03-02T11:30:00.000Z"],
    ]);

    // The full recompute still works: nothing to do now, and it repairs a row gone stale.
    expect((await b.admin.post("/sla/recompute")).body).toEqual({ updated: 0 });
    await sql`update items set urgency = 3, next_due_at = null where key = ${betaOwn[0]}`.execute(
      b.engine.db,
    );
    expect((await b.admin.post("/sla/recompute")).body).toEqual({ updated: 1 });
    expect((await rows()).get(betaOwn[0] as string)?.next_due_at?.toISOString()).toBe(
      "2026-03-02T13:00:00.000Z",
    );
  });
});

import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { rolloutYaml } from "../fixtures.ts";
import { dbKinds, useBaton } from "../harness.ts";

const HOUR = 3_600_000;

const workflow = rolloutYaml();

describe.each(dbKinds())("service levels on $name", (kind) => {
  const b = useBaton(kind);
  const at = (iso: string) => {
    b.clock.now = new Date(iso);
  };

  it("teams have a default calendar; admins and leads change it; bad calendars name the path", async () => {
    for (const t of ["sales", "implementation", "ops"]) await b.team(t);
    const cal = await b.admin.get("/teams/sales/calendar");
    expect(cal.body).toMatchObject({
      timezone: "UTC",
      default: true,
      hours: { mon: [["09:00", "17:00"]], sat: [] },
    });

    const bad = await b.admin.put("/teams/sales/calendar", {
      timezone: "Mars/Olympus",
      hours: { mon: [["17:00", "09:00"]] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(["timezone", "hours.mon[0]"]),
    );

    const member = await b.user("sam@example.com", ["sales"]);
    expect(
      (
        await member.put("/teams/sales/calendar", {
          timezone: "UTC",
          hours: { mon: [["08:00", "16:00"]] },
        })
      ).body.code,
    ).toBe("admin_only");
    await b.user("lena@example.com", [{ key: "implementation", role: "lead" }]);
    await b.user("ivy@example.com", ["implementation"]);
    await b.user("otto@example.com", ["ops"]);
    await b.workflow(workflow);
  });

  it("an unaccepted handoff warns at 75%, breaches at its limit, escalates and jumps the queue", async () => {
    const sam = b.api((await b.admin.post("/users/sam@example.com/tokens", {})).body.token);
    const ivy = b.api((await b.admin.post("/users/ivy@example.com/tokens", {})).body.token);
    at("2026-03-02T09:00:00Z"); // a Monday
    const calm = (await sam.post("/items", { workflow: "rollout", title: "Calm" })).body.key;
    const late = (await sam.post("/items", { workflow: "rollout", title: "Late" })).body.key;
    at("2026-03-02T10:00:00Z");
    const submitted = await sam.post(`/items/${late}/handoff`);
    const accept = submitted.body.clocks.find((c: { kind: string }) => c.kind === "accept");
    expect(accept).toMatchObject({
      team: "implementation",
      limit: "4h",
      state: "running",
      remaining_s: 4 * 3600,
      due_at: "2026-03-02T14:00:00.000Z",
    });
    const complete = submitted.body.clocks.find((c: { kind: string }) => c.kind === "complete");
    expect(complete).toMatchObject({ state: "met", elapsed_s: 3600, ended_by: "submitted" });

    at("2026-03-02T12:00:00Z");
    await sam.post(`/items/${calm}/handoff`); // due 16:00, still calm when the other breaches
    at("2026-03-02T13:05:00Z");
    await b.engine.timers.tick();
    const warned = await ivy.get(`/items/${late}`);
    expect(warned.body.clocks.find((c: { kind: string }) => c.kind === "accept").state).toBe(
      "warning",
    );
    expect((await ivy.get(`/items/${late}/events`)).body.events.at(-1)).toMatchObject({
      type: "sla.warning",
      actor: "baton",
    });

    at("2026-03-02T14:00:01Z");
    expect(await b.engine.timers.tick()).toBeGreaterThan(0);
    const events = (await ivy.get(`/items/${late}/events`)).body.events.map(
      (e: { type: string }) => e.type,
    );
    expect(events.filter((t: string) => t === "sla.breached")).toHaveLength(1);
    expect(events.filter((t: string) => t === "sla.warning")).toHaveLength(1);
    const breached = await ivy.get(`/items/${late}`);
    expect(breached.body).toMatchObject({
      sla: "breached",
      alerts: expect.arrayContaining(["accept:1:breach"]),
    });

    // The breach is told to the team whose clock ran out, its lead and the escalation team,
    // once the notification worker has fanned the outbox out.
    await b.engine.notifications.tick();
    const outbox = await b.admin.get(`/outbox?item=${late}`);
    const breaches = outbox.body.messages.filter(
      (m: { kind: string }) => m.kind === "sla.breached",
    );
    expect(breaches.map((m: { recipient: string }) => m.recipient).sort()).toEqual([
      "ivy@example.com",
      "lena@example.com",
      "otto@example.com",
    ]);
    expect(breaches[0].subject).toContain(`${late} breached`);

    // Ticking again adds nothing: each alert is raised once.
    await b.engine.timers.tick();
    expect((await ivy.get(`/items/${late}/events`)).body.events).toHaveLength(events.length);

    const queue = await ivy.get("/teams/implementation/queue");
    expect(queue.body.stalled.map((i: { key: string }) => i.key)).toEqual([late]); // breached: stalled at once
    // Four untouched days later (past the default stall_after, 3 business days), the timer
    // worker finds the calm one stalled too.
    b.clock.advance(4 * 24 * HOUR);
    await b.engine.timers.tick();
    const later = await ivy.get("/teams/implementation/queue");
    expect(later.body.stalled.map((i: { key: string }) => i.key).sort()).toEqual(
      [calm, late].sort(),
    );
    expect(queue.body.incoming.map((i: { key: string }) => i.key).slice(0, 2)).toEqual([
      late,
      calm,
    ]);
    expect(queue.body.incoming[0]).toMatchObject({
      sla: "breached",
      next_deadline: { kind: "accept", due_at: "2026-03-02T14:00:00.000Z" },
    });
  });

  it("business time skips nights and weekends, follows the owning team's calendar, and recomputes when it changes", async () => {
    const sam = b.api((await b.admin.post("/users/sam@example.com/tokens", {})).body.token);
    at("2026-03-06T15:00:00Z"); // Friday 15:00
    const key = (await sam.post("/items", { workflow: "rollout", title: "Weekend" })).body.key;
    const r = await sam.post(`/items/${key}/handoff`);
    // 2 h on Friday, 2 h on Monday morning.
    expect(r.body.clocks.find((c: { kind: string }) => c.kind === "accept").due_at).toBe(
      "2026-03-09T11:00:00.000Z",
    );

    await b.admin.put("/teams/implementation/calendar", {
      timezone: "America/New_York",
      hours: {
        mon: [["09:00", "17:00"]],
        tue: [["09:00", "17:00"]],
        wed: [["09:00", "17:00"]],
        thu: [["09:00", "17:00"]],
        fri: [["09:00", "17:00"]],
      },
      holidays: [{ date: "2026-03-09", name: "Team offsite" }],
    });
    const after = await sam.get(`/items/${key}`);
    // New York: Friday 10:00-17:00 EST counts 2 h until 12:00 EST... submitted 15:00Z = 10:00 EST,
    // so 4 h land on Friday at 14:00 EST = 19:00Z.
    expect(after.body.clocks.find((c: { kind: string }) => c.kind === "accept").due_at).toBe(
      "2026-03-06T19:00:00.000Z",
    );
    // Stored timers follow: the calendar change recomputes its team's items in the background,
    // after which a full recompute finds nothing left to update.
    await b.engine.sla.idle();
    const recomputed = await b.admin.post("/sla/recompute");
    expect(recomputed.body.updated).toBe(0);
    const { rows } = await sql<{ due_at: Date }>`
      select t.due_at from timers t join items i on i.id = t.item_id
      where i.key = ${key} and t.key = 'accept:1:breach'`.execute(b.engine.db);
    expect(rows[0]?.due_at.toISOString()).toBe("2026-03-06T19:00:00.001Z");
    await b.app.inject({
      method: "DELETE",
      url: "/api/v1/teams/implementation/calendar",
      headers: { authorization: `Bearer ${b.admin.token}` },
    });
    expect((await b.admin.get("/teams/implementation/calendar")).body.default).toBe(true);
  });

  it("pausing stops the step's clock; resuming restarts it where it was", async () => {
    const sam = b.api((await b.admin.post("/users/sam@example.com/tokens", {})).body.token);
    at("2026-03-10T09:00:00Z"); // Tuesday
    const key = (await sam.post("/items", { workflow: "rollout", title: "Paused" })).body.key;
    at("2026-03-10T11:00:00Z");
    const paused = await sam.post(`/items/${key}/pause`, { reason: "Waiting on the customer" });
    expect(paused.body.clocks[0]).toMatchObject({
      kind: "complete",
      state: "paused",
      elapsed_s: 2 * 3600,
      due_at: null,
    });
    at("2026-03-11T11:00:00Z");
    expect((await sam.get(`/items/${key}`)).body.clocks[0].elapsed_s).toBe(2 * 3600);
    const resumed = await sam.post(`/items/${key}/resume`);
    // 8 h a day: 6 h left from Wednesday 11:00 is Wednesday 17:00.
    expect(resumed.body.clocks[0]).toMatchObject({
      state: "running",
      remaining_s: 6 * 3600,
      due_at: "2026-03-11T17:00:00.000Z",
    });
  });

  it("questions have an answer-by clock and show in the asked team's queue", async () => {
    const sam = b.api((await b.admin.post("/users/sam@example.com/tokens", {})).body.token);
    const ivy = b.api((await b.admin.post("/users/ivy@example.com/tokens", {})).body.token);
    at("2026-03-12T09:00:00Z");
    const key = (await sam.post("/items", { workflow: "rollout", title: "Questions" })).body.key;
    const q = await ivy.post(`/items/${key}/questions`, {
      to_team: "sales",
      body: "Which region?",
    });
    expect(q.status).toBe(201);
    const item = await sam.get(`/items/${key}`);
    expect(item.body.questions[0].due_at).toBe("2026-03-12T11:00:00.000Z");
    expect(item.body.clocks.find((c: { kind: string }) => c.kind === "answer")).toMatchObject({
      team: "sales",
      state: "running",
    });
    const queue = await sam.get("/teams/sales/queue");
    expect(queue.body.questions.map((i: { key: string }) => i.key)).toContain(key);
    await sam.post(`/items/${key}/questions/1/answer`, { body: "EU" });
    expect(
      (await sam.get("/teams/sales/queue")).body.questions.map((i: { key: string }) => i.key),
    ).not.toContain(key);
  });

  it("a due date shows its risk", async () => {
    const sam = b.api((await b.admin.post("/users/sam@example.com/tokens", {})).body.token);
    at("2026-03-12T09:00:00Z");
    const created = await sam.post("/items", {
      workflow: "rollout",
      title: "Due",
      due: "2026-03-13",
    });
    expect(created.body.due).toBe("2026-03-13T23:59:59.999Z");
    b.clock.advance(34 * HOUR);
    const item = await sam.get(`/items/${created.body.key}`);
    expect(item.body.clocks.find((c: { kind: string }) => c.kind === "due")).toMatchObject({
      state: "warning",
    });
    expect(
      (await sam.post("/items", { workflow: "rollout", title: "x", due: "soon" })).body.code,
    ).toBe("invalid_input");
  });
});

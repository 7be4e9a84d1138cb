import { describe, expect, it } from "vitest";
import { dbKinds, useBaton } from "../harness.ts";

/*
 * Stalled work on a controllable clock: an item with no activity for its step's stall_after
 * (business time of the team that must move) gets one `item.stalled`, its leads are told, the
 * queue's stalled tab and GET /stalled show it; any activity clears it, and it can stall again.
 */

const workflow = `
key: stall
name: Stall
prefix: ST
stall_after: 2d
steps:
  - key: intake
    team: sales
    stall_after: 8h
    handoff: {to: build}
  - key: build
    name: Setting it up
    team: impl
`;

describe.each(dbKinds())("stalled work on $name", (kind) => {
  const b = useBaton(kind);
  const at = (iso: string) => {
    b.clock.now = new Date(iso);
  };
  /** Runs the timer worker until nothing more is due now. */
  const fire = async () => {
    while ((await b.engine.timers.tick()) > 0);
  };

  it("an idle item stalls once after its step's business time, its leads are told, activity clears it", async () => {
    await b.team("sales");
    await b.team("impl", "Implementation");
    const sam = await b.user("sam@example.com", ["sales"]);
    await b.user("sue@example.com", [{ key: "sales", role: "lead" }]);
    const ivy = await b.user("ivy@example.com", [{ key: "impl", role: "lead" }]);
    await b.workflow(workflow);

    at("2026-03-02T09:00:00Z"); // Monday 09:00, default calendar Mon-Fri 09-17 UTC
    const key = (await sam.post("/items", { workflow: "stall", title: "Quiet" })).body.key;
    const other = (await sam.post("/items", { workflow: "stall", title: "Busy" })).body.key;

    // 8 business hours from Monday 09:00 end at Monday 17:00: not before.
    at("2026-03-02T16:59:00Z");
    await sam.post(`/items/${other}/comments`, { body: "still on it" });
    await fire();
    expect((await sam.get(`/items/${key}`)).body.stalled).toBeNull();
    expect((await sam.get("/teams/sales/queue")).body.stalled).toEqual([]);

    // Overnight is not business time: stalled at 17:00 Monday, seen Tuesday morning.
    at("2026-03-03T08:00:00Z");
    await fire();
    await fire(); // a second round (another node, say) adds nothing
    const item = (await sam.get(`/items/${key}`)).body;
    expect(item.stalled).toMatchObject({
      since: "2026-03-02T09:00:00.000Z",
      step: "intake",
      team: "sales",
      stall_after: "8h",
    });
    const events = (await sam.get(`/items/${key}/events`)).body.events;
    expect(events.filter((e: { type: string }) => e.type === "item.stalled")).toHaveLength(1);
    // Through the outbox: the fan-out tells the owner team's leads (Sue), not its members.
    await b.engine.notifications.tick();
    const outbox = await b.admin.get(`/outbox?item=${key}`);
    expect(outbox.body.messages.filter((m: { kind: string }) => m.kind === "item.stalled")).toEqual(
      [
        expect.objectContaining({
          kind: "item.stalled",
          recipient: "sue@example.com",
          reason: "lead",
        }),
      ],
    );
    const sue = b.api((await b.admin.post("/users/sue@example.com/tokens", {})).body.token);
    const line = (await sue.get("/me/notifications")).body.notifications[0];
    expect(line.title).toContain(
      `${key} “Quiet” has stalled with Sales: no activity for 8h of business time`,
    );
    expect(line.action).toBe("Find out why it is stuck and unblock it.");

    // The other item's comment at 16:59 moved its stall to Tuesday 16:59.
    expect((await sam.get(`/items/${other}`)).body.stalled).toBeNull();
    const queue = (await sam.get("/teams/sales/queue")).body;
    expect(queue.stalled.map((i: { key: string }) => i.key)).toEqual([key]);
    const list = (await sam.get("/stalled")).body.items;
    expect(list).toEqual([
      expect.objectContaining({
        key,
        stalled: expect.objectContaining({
          since: "2026-03-02T09:00:00.000Z",
          step: "intake",
          team: "sales",
          stall_after: "8h",
          idle_s: 23 * 3600,
        }),
      }),
    ]);

    // The other one stalls too, later: most stalled first, filters by team and workflow.
    at("2026-03-03T17:00:00Z");
    await fire();
    expect((await sam.get("/stalled")).body.items.map((i: { key: string }) => i.key)).toEqual([
      key,
      other,
    ]);
    expect((await sam.get("/stalled?team=impl")).body.items).toEqual([]);
    // A team or workflow that does not exist is named, not answered with an empty list.
    const noTeam = await sam.get("/stalled?team=nope");
    expect(noTeam.status).toBe(404);
    expect(noTeam.body.detail).toBe('No team "nope".');
    expect((await sam.get("/stalled?workflow=nope")).status).toBe(404);
    expect((await sam.get("/stalled?limit=0")).status).toBe(400);

    // Activity clears the stall; the handoff waits on Implementation, whose step allows 2d.
    at("2026-03-03T17:30:00Z");
    const handed = await sam.post(`/items/${key}/handoff`);
    expect(handed.status).toBe(200);
    expect(handed.body.stalled).toBeNull();
    expect((await sam.get("/stalled")).body.items.map((i: { key: string }) => i.key)).toEqual([
      other,
    ]);
    // Two business days of impl from Tuesday 17:00 (the next working moment) end Thursday 17:00.
    at("2026-03-05T16:59:00Z");
    await fire();
    expect((await ivy.get(`/items/${key}`)).body.stalled).toBeNull();
    at("2026-03-05T17:00:00Z");
    await fire();
    const again = (await ivy.get(`/items/${key}`)).body;
    expect(again.stalled).toMatchObject({ step: "build", team: "impl", stall_after: "2d" });
    expect(
      (await ivy.get(`/items/${key}/events`)).body.events.filter(
        (e: { type: string }) => e.type === "item.stalled",
      ),
    ).toHaveLength(2);
    expect(
      (await ivy.get("/teams/impl/queue")).body.stalled.map((i: { key: string }) => i.key),
    ).toEqual([key]);
    // Awaiting acceptance, the receiving team must move: its leads are told, once more.
    await b.engine.notifications.tick();
    const told = (await b.admin.get(`/outbox?item=${key}`)).body.messages
      .filter((m: { kind: string }) => m.kind === "item.stalled")
      .map((m: { recipient: string }) => m.recipient)
      .sort();
    expect(told).toEqual(["ivy@example.com", "sue@example.com"]);

    // The old wall-clock threshold can still be asked for.
    const wall = (await sam.get("/teams/sales/queue?stalled_after_days=30")).body;
    expect(wall.stalled).toEqual([]);
  });

  it("paused and closed work never stalls", async () => {
    const sam = b.api((await b.admin.post("/users/sam@example.com/tokens", {})).body.token);
    at("2026-03-09T09:00:00Z");
    const paused = (await sam.post("/items", { workflow: "stall", title: "Waiting" })).body.key;
    const done = (await sam.post("/items", { workflow: "stall", title: "Gone" })).body.key;
    await sam.post(`/items/${paused}/pause`, { reason: "customer is on holiday" });
    await sam.post(`/items/${done}/cancel`, { reason: "not needed" });
    at("2026-03-20T09:00:00Z");
    await fire();
    expect((await sam.get(`/items/${paused}`)).body.stalled).toBeNull();
    expect((await sam.get(`/items/${done}`)).body.stalled).toBeNull();
  });
});

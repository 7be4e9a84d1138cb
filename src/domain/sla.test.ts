import { describe, expect, it } from "vitest";
import { type BusinessCalendar, DEFAULT_CALENDAR } from "./calendar.ts";
import { type Command, decide } from "./decide.ts";
import { evolve, type Item, type ItemEvent } from "./item.ts";
import { itemClocks, itemTimers, stallOf, stallTimerStands, urgencyOf } from "./sla.ts";
import { onboarding, people } from "./test-fixtures.ts";
import { validateWorkflow } from "./workflow.ts";

/* Answer and due clocks, urgency, and the meeting rule, on the onboarding fixture. */

const def = { ...onboarding, questions: { answer_within: "2h" } };
const berlin: BusinessCalendar = { ...DEFAULT_CALENDAR, timezone: "Europe/Berlin" };
const calendarOf = (team: string) => (team === "implementation" ? berlin : DEFAULT_CALENDAR);

function run(commands: [keyof typeof people, Command, string][]): Item {
  let item: Item | null = null;
  for (const [who, cmd, at] of commands) {
    const actor = people[who];
    for (const body of decide(item, cmd, { actor, def, now: new Date(at) }))
      item = evolve(item, { ...body, actor: actor.email, at } as ItemEvent);
  }
  return item as Item;
}

const create: Command = { type: "create", key: "ONB-1", title: "ACME", workflowVersion: 1 };

describe("answer clocks", () => {
  it("run on the asked team's calendar and end when answered", () => {
    const item = run([
      ["alice", create, "2026-03-02T08:00:00.000Z"],
      [
        "alice",
        { type: "ask", toTeam: "implementation", body: "Capacity in April?" },
        "2026-03-02T08:00:00.000Z",
      ],
    ]);
    // 08:00 UTC is 09:00 in Berlin: two working hours later is 10:00 UTC.
    const clock = itemClocks({
      item,
      def,
      calendarOf,
      now: new Date("2026-03-02T09:00:00Z"),
    }).current.find((c) => c.kind === "answer");
    expect(clock).toMatchObject({
      id: "answer:1",
      team: "implementation",
      state: "running",
      dueAt: "2026-03-02T10:00:00.000Z",
      remainingSeconds: 3600,
    });

    const answered = run([
      ["alice", create, "2026-03-02T08:00:00.000Z"],
      [
        "alice",
        { type: "ask", toTeam: "implementation", body: "Capacity in April?" },
        "2026-03-02T08:00:00.000Z",
      ],
      ["ivan", { type: "answer", question: 1, body: "Yes" }, "2026-03-02T11:00:00.000Z"],
    ]);
    const { current, history } = itemClocks({
      item: answered,
      def,
      calendarOf,
      now: new Date("2026-03-02T12:00:00Z"),
    });
    expect(current.find((c) => c.kind === "answer")).toBeUndefined();
    expect(history.find((c) => c.kind === "answer")).toMatchObject({
      state: "breached",
      endedBy: "answered",
    });
  });
});

describe("due clocks and urgency", () => {
  const due = run([["alice", { ...create, due: "2026-03-03" }, "2026-03-02T00:00:00.000Z"]]);

  it("warn at 75% of the time to the due date and breach after it", () => {
    const at = (iso: string) =>
      itemClocks({ item: due, def, calendarOf, now: new Date(iso) }).current.find(
        (c) => c.kind === "due",
      );
    expect(at("2026-03-02T12:00:00Z")?.state).toBe("running");
    expect(at("2026-03-03T13:00:00Z")?.state).toBe("warning");
    expect(at("2026-03-04T00:00:01Z")?.state).toBe("breached");
  });

  it("give the worker a warning and a breach timer", () => {
    const timers = itemTimers({
      item: due,
      def,
      calendarOf,
      now: new Date("2026-03-02T12:00:00Z"),
    }).filter((t) => t.kind === "due");
    expect(timers.map((t) => t.fire)).toEqual(["warning", "breach"]);
  });

  it("sort breached before warning before running before none, nearest deadline first", () => {
    const clocks = (iso: string) =>
      itemClocks({ item: due, def, calendarOf, now: new Date(iso) }).current;
    expect(urgencyOf(clocks("2026-03-04T01:00:00Z")).urgency).toBe(0);
    expect(urgencyOf(clocks("2026-03-03T13:00:00Z")).urgency).toBe(1);
    expect(urgencyOf(clocks("2026-03-02T01:00:00Z"))).toEqual({
      urgency: 2,
      nextDueAt: "2026-03-03T23:59:59.999Z",
    });
    expect(urgencyOf([])).toEqual({ urgency: 3, nextDueAt: null });
  });
});

describe("handoff meetings", () => {
  const withMeeting = validateWorkflow(
    {
      key: "m",
      name: "M",
      prefix: "M",
      fields: [{ key: "tier", type: "choice", options: ["smb", "enterprise"] }],
      steps: [
        {
          key: "a",
          team: "sales",
          handoff: {
            to: "b",
            meeting: {
              required_when: { field: "tier", equals: "enterprise" },
              agenda: ["Walk through"],
            },
          },
        },
        { key: "b", team: "implementation" },
      ],
    },
    { teams: new Set(["sales", "implementation"]) },
  );
  const at = "2026-03-02T09:00:00.000Z";
  const ctx = (who: keyof typeof people) => ({
    actor: people[who],
    def: withMeeting,
    now: new Date(at),
  });
  function apply(item: Item | null, who: keyof typeof people, cmd: Command): Item {
    return decide(item, cmd, ctx(who)).reduce<Item | null>(
      (i, b) => evolve(i, { ...b, actor: people[who].email, at } as ItemEvent),
      item,
    ) as Item;
  }

  it("block acceptance until held with notes, when the rule says so", () => {
    let item = apply(null, "alice", {
      type: "create",
      key: "M-1",
      title: "x",
      workflowVersion: 1,
      fields: { tier: "enterprise" },
    });
    item = apply(item, "alice", { type: "submit" });
    expect(() => apply(item, "ivan", { type: "accept" })).toThrow(
      expect.objectContaining({ code: "meeting_required" }),
    );
    item = apply(item, "ivan", {
      type: "schedule_meeting",
      startsAt: at,
      durationMinutes: 30,
    });
    expect(item.meetings[0]).toMatchObject({
      handoff: 1,
      agenda: ["Walk through"],
      attendees: ["sales", "implementation"],
    });
    expect(() => apply(item, "ivan", { type: "accept" })).toThrow(
      expect.objectContaining({ code: "meeting_required" }),
    );
    expect(() => apply(item, "olga", { type: "meeting_held", meeting: 1, notes: "x" })).toThrow(
      expect.objectContaining({ code: "not_your_team" }),
    );
    item = apply(item, "ivan", {
      type: "meeting_held",
      meeting: 1,
      notes: "Walked through the scope and agreed the dates",
    });
    expect(apply(item, "ivan", { type: "accept" }).status).toBe("in_progress");
  });

  it("need no meeting when the rule does not match", () => {
    let item = apply(null, "alice", {
      type: "create",
      key: "M-2",
      title: "x",
      workflowVersion: 1,
      fields: { tier: "smb" },
    });
    item = apply(item, "alice", { type: "submit" });
    expect(apply(item, "ivan", { type: "accept" }).step).toBe("b");
  });
});

describe("the stall timer a write may leave as stored", () => {
  const stallDef = { ...onboarding, stall_after: "8h" };
  const check = (item: Item) => ({
    item,
    stall: stallOf({ item, def: stallDef, calendarOf: () => DEFAULT_CALENDAR }),
  });
  const created = run([["alice", create, "2026-03-02T09:00:00Z"]]);
  const commented = evolve(created, {
    type: "comment.added",
    actor: people.alice.email,
    at: "2026-03-02T11:00:00Z",
    data: { id: "c1", body: "on it", mentions: [] },
  } as ItemEvent);

  it("stands while activity only moves the moment later in the same idle spell", () => {
    expect(check(created).stall?.at).toBe("2026-03-02T17:00:00.000Z");
    expect(check(commented).stall?.at).toBe("2026-03-03T11:00:00.000Z");
    expect(stallTimerStands(check(created), check(commented))).toBe(true);
  });

  it("is rewritten when the moment comes earlier, the spell is another, or the item stalled", () => {
    expect(stallTimerStands(check(commented), check(created))).toBe(false);
    const stalled = { ...commented, stalled: { since: commented.updatedAt } } as unknown as Item;
    expect(stallTimerStands(check(created), check(stalled))).toBe(false);
    const nextSpell = { ...commented, stalls: (commented.stalls ?? 0) + 1 } as Item;
    expect(stallTimerStands(check(created), check(nextSpell))).toBe(false);
    const paused = { ...commented, status: "paused" } as Item;
    expect(stallTimerStands(check(created), check(paused))).toBe(false);
  });
});

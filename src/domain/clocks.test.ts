import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BusinessCalendar,
  DEFAULT_CALENDAR,
  parseCalendar,
  readStoredCalendar,
} from "./calendar.ts";
import {
  type Clock,
  type ClockInput,
  clockTimers,
  computeClocks,
  measureSpan,
  nextTimerAt,
} from "./clocks.ts";
import { type Actor, type Command, decide } from "./decide.ts";
import { evolve, type Item, type ItemEvent, type ItemEventBody } from "./item.ts";
import { onboarding } from "./test-fixtures.ts";
import { validateWorkflow, type WorkflowDef } from "./workflow.ts";

const H = 3600;

/**
 * sell (sales, Berlin) → implement (implementation, New York) → support (support, UTC).
 * Limits on both sides of every handoff; the second handoff's is wall-clock time.
 */
const def: WorkflowDef = validateWorkflow(
  {
    key: "onboarding",
    name: "Customer onboarding",
    prefix: "ONB",
    steps: [
      {
        key: "sell",
        team: "sales",
        complete_within: "1d",
        warn_at: "50%",
        escalate_to: "lead@acme.test",
        handoff: { to: "implement", accept_within: "4h", escalate_to: "implementation" },
      },
      {
        key: "implement",
        team: "implementation",
        complete_within: "2d",
        handoff: { to: "support", accept_within: "48h wall" },
      },
      { key: "support", team: "support", complete_within: "90m" },
    ],
  },
  { teams: new Set(["sales", "implementation", "support"]) },
);

const weekdays = (timezone: string): BusinessCalendar =>
  parseCalendar({
    timezone,
    hours: {
      mon: [["09:00", "17:00"]],
      tue: [["09:00", "17:00"]],
      wed: [["09:00", "17:00"]],
      thu: [["09:00", "17:00"]],
      fri: [["09:00", "17:00"]],
    },
  });
const calendars: Record<string, BusinessCalendar> = {
  sales: weekdays("Europe/Berlin"),
  implementation: weekdays("America/New_York"),
};
const calendarOf = (team: string) => calendars[team] ?? DEFAULT_CALENDAR;

// In early March 2026 Berlin is UTC+1 and New York UTC−5: 09:00 is 08:00Z and 14:00Z.
const ev = (at: string, body: ItemEventBody): ItemEvent => ({
  ...body,
  actor: "someone@acme.test",
  at: new Date(at).toISOString(),
});
const created = (at: string) =>
  ev(at, {
    type: "item.created",
    data: {
      key: "ONB-1",
      title: "Acme",
      workflow: "onboarding",
      workflowVersion: 1,
      step: "sell",
      team: "sales",
      fields: {},
    },
  });
const route = {
  sell: { fromStep: "sell", fromTeam: "sales", toStep: "implement", toTeam: "implementation" },
  implement: {
    fromStep: "implement",
    fromTeam: "implementation",
    toStep: "support",
    toTeam: "support",
  },
};
const submitted = (at: string, handoff: number, from: keyof typeof route) =>
  ev(at, {
    type: "handoff.submitted",
    data: { handoff, ...route[from], note: null, confirmed: [], package: {} },
  });
const accepted = (at: string, handoff: number) =>
  ev(at, { type: "handoff.accepted", data: { handoff, assignee: null } });
const rejected = (at: string, handoff: number) =>
  ev(at, {
    type: "handoff.rejected",
    data: {
      handoff,
      reason: "incomplete",
      comment: "No contract",
      failedCriteria: [],
      assignee: null,
    },
  });
const withdrawn = (at: string, handoff: number) =>
  ev(at, { type: "handoff.withdrawn", data: { handoff } });
const paused = (at: string) => ev(at, { type: "item.paused", data: { reason: "customer" } });
const resumed = (at: string) => ev(at, { type: "item.resumed", data: {} });
const completed = (at: string) => ev(at, { type: "item.completed", data: {} });
const cancelled = (at: string) => ev(at, { type: "item.cancelled", data: { reason: "lost" } });

function clocksAt(events: ItemEvent[], now: string, more: Partial<ClockInput> = {}) {
  return computeClocks({ events, def, calendarOf, now: new Date(now), ...more });
}

/** The figures a person reads, keyed by clock id. */
function summary(clocks: Clock[]) {
  return Object.fromEntries(
    clocks.map((c) => [
      c.id,
      {
        state: c.state,
        elapsed_h: c.elapsedSeconds / H,
        remaining_h: c.remainingSeconds / H,
        dueAt: c.dueAt,
      },
    ]),
  );
}

// One item's life, built up event by event.
const life = {
  created: created("2026-03-02T08:00:00Z"), // Mon 09:00 Berlin
  submitted1: submitted("2026-03-02T14:00:00Z", 1, "sell"), // 15:00 Berlin, 09:00 New York
  rejected1: rejected("2026-03-02T19:00:00Z", 1), // 14:00 New York, 20:00 Berlin
  submitted2: submitted("2026-03-03T11:00:00Z", 2, "sell"), // Tue 12:00 Berlin, 06:00 New York
  accepted2: accepted("2026-03-03T15:00:00Z", 2), // Tue 10:00 New York
  paused: paused("2026-03-04T14:00:00Z"), // Wed 09:00 New York
  resumed: resumed("2026-03-05T14:00:00Z"), // Thu 09:00 New York
  submitted3: submitted("2026-03-06T20:00:00Z", 3, "implement"), // Fri 15:00 New York
  accepted3: accepted("2026-03-09T09:00:00Z", 3), // Mon, UTC calendar
  completed: completed("2026-03-09T10:00:00Z"),
};
const upTo = (last: keyof typeof life) => {
  const keys = Object.keys(life) as (keyof typeof life)[];
  return keys.slice(0, keys.indexOf(last) + 1).map((k) => life[k]);
};

describe("limits stored before durations were bounded", () => {
  /** An old workflow version keeps its definition: these limits are refused today, not then. */
  const stored = (complete: string, accept: string): WorkflowDef => ({
    ...def,
    steps: def.steps.map((s) =>
      s.key === "sell"
        ? { ...s, complete_within: complete, handoff: { to: "implement", accept_within: accept } }
        : s,
    ),
  });

  it("a step limit of 99999999999999999999 weeks runs without a due time, and answers at once", () => {
    const old = stored("99999999999999999999w", "100000000w wall");
    const started = performance.now();
    const report = clocksAt([created("2026-03-02T08:00:00Z")], "2026-03-02T10:00:00Z", {
      def: old,
    });
    const [clock] = report.current;
    expect(clock).toMatchObject({ kind: "complete", state: "running", dueAt: null });
    expect(clock?.elapsedSeconds).toBe(2 * H);
    expect(Number.isSafeInteger(clock?.limitSeconds)).toBe(true);
    const events = [created("2026-03-02T08:00:00Z"), submitted("2026-03-02T09:00:00Z", 1, "sell")];
    const input = { events, def: old, calendarOf, now: new Date("2026-03-02T10:00:00Z") };
    // 1e8 weeks of wall time once failed with "Invalid time value": no due time, no timers.
    const accept = computeClocks(input).current.find((c) => c.kind === "accept");
    expect(accept).toMatchObject({ state: "running", dueAt: null, wall: true });
    expect(clockTimers(input)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("on a calendar stored without any working time, clocks have no due time instead of failing", () => {
    const idle = readStoredCalendar({ timezone: "UTC", hours: {} });
    const report = clocksAt([created("2026-03-02T08:00:00Z")], "2026-03-09T08:00:00Z", {
      calendarOf: () => idle,
    });
    expect(report.current[0]).toMatchObject({ state: "running", elapsedSeconds: 0, dueAt: null });
  });
});

describe("clocks over an item's life", () => {
  it("the sender's clock runs from creation on the sender's calendar", () => {
    const { current, history } = clocksAt(upTo("created"), "2026-03-02T10:00:00Z");
    expect(current).toEqual(history);
    expect(current).toEqual([
      {
        id: "complete:sell:1",
        kind: "complete",
        step: "sell",
        team: "sales",
        handoff: null,
        limit: "1d",
        limitSeconds: 8 * H,
        wall: false,
        elapsedSeconds: 2 * H,
        remainingSeconds: 6 * H,
        state: "running",
        startedAt: "2026-03-02T08:00:00.000Z",
        dueAt: "2026-03-02T16:00:00.000Z", // 17:00 Berlin
        warnSeconds: 4 * H,
        endedAt: null,
        endedBy: null,
        escalateTo: "lead@acme.test",
      },
    ]);
  });

  it("warns from the step's warn_at mark (50%)", () => {
    const [clock] = clocksAt(upTo("created"), "2026-03-02T12:30:00Z").current;
    expect(clock?.state).toBe("warning");
  });

  it("handing off stops the sender's clock in time and starts the receiver's", () => {
    const { current } = clocksAt(upTo("submitted1"), "2026-03-02T16:00:00Z");
    expect(summary(current)).toEqual({
      "complete:sell:1": {
        state: "met",
        elapsed_h: 6,
        remaining_h: 2,
        dueAt: "2026-03-02T16:00:00.000Z",
      },
      // 4h on New York's calendar from 09:00 New York: due 13:00 New York.
      "accept:1": {
        state: "running",
        elapsed_h: 2,
        remaining_h: 2,
        dueAt: "2026-03-02T18:00:00.000Z",
      },
    });
    expect(current[1]).toMatchObject({
      step: "implement",
      team: "implementation",
      handoff: 1,
      warnSeconds: 3 * H,
      escalateTo: "implementation",
    });
  });

  it("a late rejection breaches the receiver's clock; the returned work gets a fresh clock", () => {
    const { current, history } = clocksAt(upTo("rejected1"), "2026-03-03T10:00:00Z");
    expect(history.map((c) => c.id)).toEqual(["complete:sell:1", "accept:1", "complete:sell:2"]);
    expect(summary(current)).toEqual({
      "accept:1": {
        state: "breached",
        elapsed_h: 5,
        remaining_h: -1,
        dueAt: "2026-03-02T18:00:00.000Z",
      },
      // Returned at 20:00 Berlin, after hours: the clock starts counting at 09:00 on Tuesday.
      "complete:sell:2": {
        state: "running",
        elapsed_h: 2,
        remaining_h: 6,
        dueAt: "2026-03-03T16:00:00.000Z",
      },
    });
    expect(current[0]).toMatchObject({
      endedBy: "rejected",
      endedAt: "2026-03-02T19:00:00.000Z",
    });
  });

  it("accepting in time is met and starts the receiving step's clock", () => {
    const { current } = clocksAt(upTo("accepted2"), "2026-03-03T16:00:00Z");
    expect(summary(current)).toEqual({
      // Submitted at 06:00 New York: nothing counts before 09:00.
      "accept:2": {
        state: "met",
        elapsed_h: 1,
        remaining_h: 3,
        dueAt: "2026-03-03T18:00:00.000Z",
      },
      // 2d = 16h on New York's calendar from Tue 10:00: Thu 10:00 New York.
      "complete:implement:3": {
        state: "running",
        elapsed_h: 1,
        remaining_h: 15,
        dueAt: "2026-03-05T15:00:00.000Z",
      },
    });
  });

  it("pausing stops the clock and hides its due time; resuming pushes the due time back", () => {
    const whilePaused = clocksAt(upTo("paused"), "2026-03-04T20:00:00Z").current;
    expect(summary(whilePaused)["complete:implement:3"]).toEqual({
      state: "paused",
      elapsed_h: 7,
      remaining_h: 9,
      dueAt: null,
    });
    const afterResume = clocksAt(upTo("resumed"), "2026-03-05T16:00:00Z").current;
    // The whole of Wednesday was paused: 7h on Tuesday + 2h on Thursday; the due time moves
    // from Thursday 10:00 to Friday 10:00 New York.
    expect(summary(afterResume)["complete:implement:3"]).toEqual({
      state: "running",
      elapsed_h: 9,
      remaining_h: 7,
      dueAt: "2026-03-06T15:00:00.000Z",
    });
  });

  it("a clock that ends after its limit stays breached; a wall-clock limit counts the weekend", () => {
    const { current } = clocksAt(upTo("submitted3"), "2026-03-08T21:00:00Z");
    expect(summary(current)).toEqual({
      "complete:implement:3": {
        state: "breached",
        elapsed_h: 21,
        remaining_h: -5,
        dueAt: "2026-03-06T15:00:00.000Z",
      },
      // 48h wall from Friday 20:00 UTC, weekend included: due Sunday 20:00 UTC.
      "accept:3": {
        state: "breached",
        elapsed_h: 49,
        remaining_h: -1,
        dueAt: "2026-03-08T20:00:00.000Z",
      },
    });
  });

  it("completing the final step ends its clock; the closed item keeps its whole history", () => {
    const { current, history } = clocksAt(upTo("completed"), "2026-03-10T12:00:00Z");
    expect(summary(current)).toEqual({
      "accept:3": {
        state: "breached",
        elapsed_h: 61,
        remaining_h: -13,
        dueAt: "2026-03-08T20:00:00.000Z",
      },
      "complete:support:4": {
        state: "met",
        elapsed_h: 1,
        remaining_h: 0.5,
        dueAt: "2026-03-09T10:30:00.000Z",
      },
    });
    expect(history.map((c) => [c.id, c.state, c.endedBy])).toEqual([
      ["complete:sell:1", "met", "submitted"],
      ["accept:1", "breached", "rejected"],
      ["complete:sell:2", "met", "submitted"],
      ["accept:2", "met", "accepted"],
      ["complete:implement:3", "breached", "submitted"],
      ["accept:3", "breached", "accepted"],
      ["complete:support:4", "met", "completed"],
    ]);
  });

  it("replaying the log to an earlier moment gives that moment's figures", () => {
    const early = clocksAt(upTo("completed"), "2026-03-02T10:00:00Z");
    expect(early.history.find((c) => c.id === "complete:sell:1")).toMatchObject({
      elapsedSeconds: 2 * H,
    });
  });

  it("ending exactly at the limit is met", () => {
    const events = [
      ...upTo("accepted3"),
      completed("2026-03-09T10:30:00Z"), // 90m after acceptance
    ];
    const clock = clocksAt(events, "2026-03-09T11:00:00Z").current.at(-1);
    expect(clock).toMatchObject({ id: "complete:support:4", state: "met", remainingSeconds: 0 });
  });

  it("withdrawing a handoff resumes the sender's clock without the time the receiver held it", () => {
    const events = [
      created("2026-03-02T08:00:00Z"),
      submitted("2026-03-02T10:00:00Z", 1, "sell"),
      withdrawn("2026-03-02T12:00:00Z", 1),
    ];
    const { current, history } = clocksAt(events, "2026-03-02T13:00:00Z");
    expect(history.map((c) => c.id)).toEqual(["complete:sell:1", "accept:1"]);
    expect(summary(current)).toEqual({
      // Three hours left today (14:00–17:00 Berlin), two tomorrow: due 11:00 Berlin.
      "complete:sell:1": {
        state: "running",
        elapsed_h: 3,
        remaining_h: 5,
        dueAt: "2026-03-03T10:00:00.000Z",
      },
      "accept:1": {
        state: "met",
        elapsed_h: 0,
        remaining_h: 4,
        dueAt: "2026-03-02T18:00:00.000Z",
      },
    });
    expect(current[1]?.endedBy).toBe("withdrawn");
  });

  it("cancelling a paused item ends its clocks without counting the pause", () => {
    const events = [
      created("2026-03-02T08:00:00Z"),
      paused("2026-03-02T09:00:00Z"),
      cancelled("2026-03-04T09:00:00Z"),
    ];
    const [clock] = clocksAt(events, "2026-03-05T09:00:00Z").current;
    expect(clock).toMatchObject({
      state: "met",
      elapsedSeconds: H,
      endedBy: "cancelled",
      endedAt: "2026-03-04T09:00:00.000Z",
    });
  });

  it("steps and handoffs without a limit have no clocks", () => {
    const events = [created("2026-03-02T08:00:00Z")];
    expect(clocksAt(events, "2026-03-02T09:00:00Z", { def: onboarding }).history).toEqual([]);
  });

  it("changing a team's calendar and asking again recomputes closed work too", () => {
    const withHoliday: Record<string, BusinessCalendar> = {
      ...calendars,
      sales: { ...weekdays("Europe/Berlin"), holidays: [{ date: "2026-03-03" }] },
    };
    const { history } = clocksAt(upTo("completed"), "2026-03-10T12:00:00Z", {
      calendarOf: (team) => withHoliday[team] ?? DEFAULT_CALENDAR,
    });
    // Tuesday became a holiday for sales: the reworked sell step took no business time at all.
    expect(history.find((c) => c.id === "complete:sell:2")).toMatchObject({
      elapsedSeconds: 0,
      state: "met",
    });
  });
});

describe("timers", () => {
  const timersAt = (events: ItemEvent[], now: string) =>
    clockTimers({ events, def, calendarOf, now: new Date(now) });

  it("a running clock needs a warning and a breach timer", () => {
    expect(timersAt(upTo("created"), "2026-03-02T09:00:00Z")).toEqual([
      {
        clock_id: "complete:sell:1",
        kind: "complete",
        step: "sell",
        team: "sales",
        handoff: null,
        fire: "warning",
        fire_at: "2026-03-02T12:00:00.000Z",
        escalate_to: "lead@acme.test",
      },
      {
        clock_id: "complete:sell:1",
        kind: "complete",
        step: "sell",
        team: "sales",
        handoff: null,
        // Due at 17:00 Berlin, closing time: the clock breaches at 09:00:00.001 next morning.
        fire: "breach",
        fire_at: "2026-03-03T08:00:00.001Z",
        escalate_to: "lead@acme.test",
      },
    ]);
  });

  it("a limit reached at closing time breaches when work resumes next morning", () => {
    // Submitted 13:00 New York: 4h are up at 17:00, but no business time passes overnight.
    const events = [created("2026-03-02T08:00:00Z"), submitted("2026-03-02T18:00:00Z", 1, "sell")];
    const timers = timersAt(events, "2026-03-02T19:00:00Z");
    expect(timers.map((x) => [x.clock_id, x.fire, x.fire_at])).toEqual([
      ["accept:1", "warning", "2026-03-02T21:00:00.000Z"],
      ["accept:1", "breach", "2026-03-03T14:00:00.001Z"],
    ]);
    const overnight = clocksAt(events, "2026-03-03T13:00:00Z").current[1];
    expect(overnight).toMatchObject({
      state: "warning",
      remainingSeconds: 0,
      dueAt: "2026-03-02T22:00:00.000Z",
    });
    const morning = clocksAt(events, "2026-03-03T14:00:00.001Z").current[1];
    expect(morning?.state).toBe("breached");
  });

  it("marks already passed stay in the set, so a recomputation still fires them", () => {
    const timers = timersAt(upTo("created"), "2026-03-02T13:00:00Z");
    expect(timers.map((x) => [x.fire, x.fire_at])).toEqual([
      ["warning", "2026-03-02T12:00:00.000Z"],
      ["breach", "2026-03-03T08:00:00.001Z"],
    ]);
    expect(nextTimerAt(timers, new Date("2026-03-02T13:00:00Z"))?.toISOString()).toBe(
      "2026-03-03T08:00:00.001Z",
    );
  });

  it("paused and ended clocks need no timers", () => {
    expect(timersAt(upTo("paused"), "2026-03-04T20:00:00Z")).toEqual([]);
    expect(timersAt(upTo("completed"), "2026-03-10T12:00:00Z")).toEqual([]);
    expect(nextTimerAt([], new Date())).toBeNull();
  });

  it("firing at the breach moment finds the clock breached", () => {
    const [, breach] = timersAt(upTo("created"), "2026-03-02T09:00:00Z");
    const [clock] = clocksAt(upTo("created"), breach?.fire_at as string).current;
    expect(clock?.state).toBe("breached");
  });
});

describe("measureSpan, the generic clock", () => {
  it("measures an answer-style clock: one span, no pauses, business time", () => {
    const m = measureSpan(
      {
        segments: [{ from: Date.parse("2026-03-06T16:00:00Z"), to: null }],
        isEnded: false,
        calendar: DEFAULT_CALENDAR,
        wall: false,
        limitMs: 8 * H * 1000,
        warnMs: 6 * H * 1000,
      },
      Date.parse("2026-03-09T10:00:00Z"),
    );
    expect(m).toEqual({
      elapsedMs: 2 * H * 1000,
      state: "running",
      dueAt: Date.parse("2026-03-09T16:00:00Z"),
      warnAt: Date.parse("2026-03-09T14:00:00Z"),
      breachAt: Date.parse("2026-03-09T16:00:00.001Z"),
    });
  });

  it("finds the past moment of breach inside an earlier segment", () => {
    const m = measureSpan(
      {
        segments: [
          { from: Date.parse("2026-03-02T09:00:00Z"), to: Date.parse("2026-03-02T12:00:00Z") },
          { from: Date.parse("2026-03-03T09:00:00Z"), to: null },
        ],
        isEnded: false,
        calendar: DEFAULT_CALENDAR,
        wall: true,
        limitMs: 2 * H * 1000,
        warnMs: H * 1000,
      },
      Date.parse("2026-03-03T10:00:00Z"),
    );
    expect(m.state).toBe("breached");
    expect(m.dueAt).toBe(Date.parse("2026-03-02T11:00:00Z"));
  });
});

describe("clock properties", () => {
  const admin: Actor = { email: "root@acme.test", teams: [], isAdmin: true };
  const command = fc.constantFrom<Command>(
    { type: "submit" },
    { type: "submit" },
    { type: "accept" },
    { type: "accept" },
    { type: "reject", reason: "incomplete", comment: "Missing the contract" },
    { type: "withdraw" },
    { type: "pause", reason: "Waiting on the customer" },
    { type: "pause", reason: "Waiting on the customer" },
    { type: "resume" },
    { type: "complete" },
    { type: "cancel", reason: "Lost the deal" },
  );
  /** Minutes between commands: from moments to several days, so weekends and nights occur. */
  const gap = fc.oneof(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 5 * 24 * 60 }));
  const script = fc.record({
    start: fc.integer({
      min: Date.parse("2026-01-01T00:00:00Z"),
      max: Date.parse("2027-01-01T00:00:00Z"),
    }),
    steps: fc.array(fc.tuple(command, gap), { maxLength: 30 }),
    after: gap,
  });

  /** Plays commands through `decide` and `evolve`, so every log is one Baton could write. */
  function play({ start, steps }: { start: number; steps: [Command, number][] }): ItemEvent[] {
    let at = start;
    const stamp = (b: ItemEventBody): ItemEvent => ({
      ...b,
      actor: admin.email,
      at: new Date(at).toISOString(),
    });
    const events = decide(
      null,
      { type: "create", key: "ONB-1", title: "Acme", workflowVersion: 1 },
      { actor: admin, def, now: new Date(at) },
    ).map(stamp);
    let item = events.reduce<Item | null>(evolve, null) as Item;
    for (const [cmd, minutes] of steps) {
      at += minutes * 60_000;
      try {
        const next = decide(item, cmd, { actor: admin, def, now: new Date(at) }).map(stamp);
        item = next.reduce(evolve, item);
        events.push(...next);
      } catch {
        // Refused commands leave no trace, as in Baton.
      }
    }
    return events;
  }

  const byId = (clocks: Clock[]) => new Map(clocks.map((c) => [c.id, c]));

  it("pausing never increases elapsed time nor shortens the remaining time", () => {
    fc.assert(
      fc.property(script, (s) => {
        const events = play(s);
        const now = new Date(Date.parse((events.at(-1) as ItemEvent).at) + s.after * 60_000);
        const withPauses = byId(computeClocks({ events, def, calendarOf, now }).history);
        const unpaused = events.filter(
          (e) => e.type !== "item.paused" && e.type !== "item.resumed",
        );
        const without = byId(computeClocks({ events: unpaused, def, calendarOf, now }).history);
        expect([...withPauses.keys()]).toEqual([...without.keys()]);
        for (const [id, c] of withPauses) {
          const o = without.get(id) as Clock;
          expect(c.elapsedSeconds).toBeLessThanOrEqual(o.elapsedSeconds);
          expect(c.remainingSeconds).toBeGreaterThanOrEqual(o.remainingSeconds);
        }
      }),
    );
  });

  it("elapsed time never decreases as time goes on, and never exceeds the wall-clock time", () => {
    fc.assert(
      fc.property(script, gap, (s, later) => {
        const events = play(s);
        const t1 = Date.parse((events.at(-1) as ItemEvent).at) + s.after * 60_000;
        const t2 = t1 + later * 60_000;
        const first = computeClocks({ events, def, calendarOf, now: new Date(t1) }).history;
        const second = byId(computeClocks({ events, def, calendarOf, now: new Date(t2) }).history);
        for (const c of first) {
          expect((second.get(c.id) as Clock).elapsedSeconds).toBeGreaterThanOrEqual(
            c.elapsedSeconds,
          );
          const until = c.endedAt ? Date.parse(c.endedAt) : t1;
          expect(c.elapsedSeconds * 1000).toBeLessThanOrEqual(until - Date.parse(c.startedAt));
        }
      }),
    );
  });

  it("states agree with the figures", () => {
    fc.assert(
      fc.property(script, (s) => {
        const events = play(s);
        const now = new Date(Date.parse((events.at(-1) as ItemEvent).at) + s.after * 60_000);
        const { current, history } = computeClocks({ events, def, calendarOf, now });
        for (const c of history) {
          if (c.state === "breached")
            expect(c.elapsedSeconds).toBeGreaterThanOrEqual(c.limitSeconds);
          else expect(c.elapsedSeconds).toBeLessThanOrEqual(c.limitSeconds);
          if (c.endedAt !== null) expect(["met", "breached"]).toContain(c.state);
          if (c.state === "paused") expect(c.dueAt).toBeNull();
          // A counting clock with time left is due in the future.
          if (c.endedAt === null && c.state !== "paused" && c.remainingSeconds > 0)
            expect(Date.parse(c.dueAt as string)).toBeGreaterThanOrEqual(now.getTime());
        }
        // At most one clock of each kind runs at a time.
        const open = current.filter((c) => c.endedAt === null);
        expect(new Set(open.map((c) => c.kind)).size).toBe(open.length);
      }),
    );
  });
});

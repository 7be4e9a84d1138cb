import { addDuration, type BusinessCalendar, parseDuration } from "./calendar.ts";
import {
  type Clock,
  type ClockTimer,
  clockOf,
  clockTimers,
  computeClocks,
  measureSpan,
  warnMsOf,
} from "./clocks.ts";
import { activeAt, type Item, nextTeam, pendingHandoff, type Question } from "./item.ts";
import type { WorkflowDef } from "./workflow.ts";

/*
 * An item's service levels as a whole: the step and handoff clocks (clocks.ts, from the item's
 * clock log), one `answer` clock per question (the workflow's `questions.answer_within`, on the
 * asked team's calendar) and a `due` clock when the item has a due date (wall time). Pure.
 */

export interface SlaInput {
  item: Item;
  def: WorkflowDef;
  calendarOf: (team: string) => BusinessCalendar;
  now: Date;
}

/** How urgent an item is, for queue order: 0 breached, 1 warning, 2 a clock runs, 3 none. */
export type Urgency = 0 | 1 | 2 | 3;

function closedAt(item: Item): number | null {
  return item.closed ? Date.parse(item.closed.at) : null;
}

/** A clock with the moments its timers fire (null when it does not count now). */
interface Measured {
  clock: Clock;
  warnAt: number | null;
  breachAt: number | null;
}

function answerClock(
  item: Item,
  q: Question,
  limit: string,
  calendar: BusinessCalendar,
  now: number,
): Measured {
  const duration = parseDuration(limit, calendar);
  const limitMs = duration.seconds * 1000;
  const warnMs = warnMsOf(limitMs);
  const from = Date.parse(q.askedAt);
  const end = q.answer ? Date.parse(q.answer.at) : closedAt(item);
  const m = measureSpan(
    {
      segments: [{ from, to: end }],
      isEnded: end !== null,
      calendar,
      wall: duration.wall,
      limitMs,
      warnMs,
    },
    now,
  );
  const clock = clockOf({
    id: `answer:${q.id}`,
    kind: "answer",
    step: item.step,
    team: q.toTeam,
    handoff: null,
    limit,
    limitMs,
    wall: duration.wall,
    warnMs,
    measure: m,
    startedAt: q.askedAt,
    dueAt: m.dueAt === null ? null : new Date(m.dueAt).toISOString(),
    endedAt: end === null ? null : new Date(end).toISOString(),
    endedBy: q.answer
      ? "answered"
      : end === null
        ? null
        : item.status === "done"
          ? "completed"
          : "cancelled",
    escalateTo: null,
  });
  return { clock, warnAt: m.warnAt, breachAt: m.breachAt };
}

function dueClock(item: Item, due: string, now: number): Measured {
  const from = Date.parse(item.createdAt);
  const limitMs = Math.max(0, Date.parse(due) - from);
  const warnMs = warnMsOf(limitMs);
  const end = closedAt(item);
  const m = measureSpan(
    {
      segments: [{ from, to: end }],
      isEnded: end !== null,
      calendar: { timezone: "UTC", hours: {} as BusinessCalendar["hours"], holidays: [] },
      wall: true,
      limitMs,
      warnMs,
    },
    now,
  );
  const clock = clockOf({
    id: "due",
    kind: "due",
    step: item.step,
    team: item.ownerTeam,
    handoff: null,
    limit: due,
    limitMs,
    wall: true,
    warnMs,
    measure: m,
    startedAt: item.createdAt,
    dueAt: due,
    endedAt: end === null ? null : new Date(end).toISOString(),
    endedBy: end === null ? null : item.status === "done" ? "completed" : "cancelled",
    escalateTo: null,
  });
  return { clock, warnAt: m.warnAt, breachAt: m.breachAt };
}

/** Answer and due clocks, oldest first. */
function extraClocks({ item, def, calendarOf, now }: SlaInput): Measured[] {
  const t = now.getTime();
  const limit = def.questions?.answer_within;
  const answers = limit
    ? item.questions.map((q) => answerClock(item, q, limit, calendarOf(q.toTeam), t))
    : [];
  return item.due ? [...answers, dueClock(item, item.due, t)] : answers;
}

/**
 * The clocks an item shows now (`current`: running ones and those that just ended, open
 * questions' clocks and the due clock) and every clock it ever had (`history`, for metrics).
 */
export function itemClocks(input: SlaInput): { current: Clock[]; history: Clock[] } {
  const base = computeClocks({
    events: input.item.clockLog,
    def: input.def,
    calendarOf: input.calendarOf,
    now: input.now,
  });
  const extra = extraClocks(input).map((m) => m.clock);
  const isShown = (c: Clock) => c.kind === "due" || c.endedAt === null;
  return {
    current: [...base.current, ...extra.filter(isShown)],
    history: [...base.history, ...extra],
  };
}

/**
 * The moments the timer worker must look at the item: warning and breach of every clock that
 * counts now. Past moments are included (see clockTimers); keyed by clock id and `fire`.
 */
export function itemTimers(input: SlaInput): ClockTimer[] {
  const base = clockTimers({
    events: input.item.clockLog,
    def: input.def,
    calendarOf: input.calendarOf,
    now: input.now,
  });
  const extra: ClockTimer[] = [];
  for (const { clock: c, warnAt, breachAt } of extraClocks(input)) {
    if (c.endedAt !== null) continue;
    const common = {
      clock_id: c.id,
      kind: c.kind,
      step: c.step,
      team: c.team,
      handoff: null,
      escalate_to: null,
    };
    if (warnAt !== null)
      extra.push({ ...common, fire: "warning", fire_at: new Date(warnAt).toISOString() });
    if (breachAt !== null)
      extra.push({ ...common, fire: "breach", fire_at: new Date(breachAt).toISOString() });
  }
  return [...base, ...extra].sort((a, b) => Date.parse(a.fire_at) - Date.parse(b.fire_at));
}

/** The queue's sort key: the worst state of the clocks still counting, and the nearest deadline. */
export function urgencyOf(clocks: readonly Clock[]): {
  urgency: Urgency;
  nextDueAt: string | null;
} {
  let urgency: Urgency = 3;
  let next: string | null = null;
  for (const c of clocks) {
    if (c.endedAt !== null) continue;
    const u: Urgency = c.state === "breached" ? 0 : c.state === "warning" ? 1 : 2;
    if (u < urgency) urgency = u;
    if (c.dueAt !== null && (next === null || c.dueAt < next)) next = c.dueAt;
  }
  return { urgency, nextDueAt: next };
}

// ---------------------------------------------------------------------------------------------
// Stalled work

/** How long work may sit without activity when neither its step nor its workflow says. */
export const DEFAULT_STALL_AFTER = "3d";

/** Where an idle item sits and the moment it counts as stalled. */
export interface StallCheck {
  /** The step whose `stall_after` applies: the step being worked, or the one a handoff goes to. */
  step: string;
  /** The team that must move (its calendar measures the business time). */
  team: string;
  /** The last activity. */
  since: string;
  stallAfter: string;
  /** When the item stalls if nothing happens before. */
  at: string;
}

/**
 * When an item stalls: `stall_after` (the step's, else the workflow's, else 3 business days) of
 * the next team's business time after its last activity. Only work someone must move can
 * stall: in progress or awaiting acceptance. Paused work waits on purpose (its clocks stop too)
 * and closed work is over; those, and a limit past every deadline the calendar can compute, give
 * null. An item already stalled gives its check all the same (the caller sees `item.stalled`).
 */
export function stallOf({ item, def, calendarOf }: Omit<SlaInput, "now">): StallCheck | null {
  if (item.status !== "in_progress" && item.status !== "awaiting_acceptance") return null;
  const team = nextTeam(item);
  if (team === null) return null;
  const step = pendingHandoff(item)?.toStep ?? item.step;
  const stallAfter =
    def.steps.find((s) => s.key === step)?.stall_after ?? def.stall_after ?? DEFAULT_STALL_AFTER;
  const calendar = calendarOf(team);
  const since = activeAt(item);
  const at = addDuration(new Date(since), parseDuration(stallAfter, calendar), calendar);
  if (Number.isNaN(at.getTime())) return null;
  return { step, team, since, stallAfter, at: at.toISOString() };
}

/**
 * Whether a write may leave the item's stored stall timer as it is: the item waits on someone
 * before and after, in the same idle spell, and the moment it would stall only moved later (as
 * every activity moves it). The stored timer then comes due early, and the timer worker, which
 * re-checks the moment when it fires, sets it to the new one (timer-worker.ts): one write per
 * idle spell of `stall_after` instead of one per command.
 */
export function stallTimerStands(
  before: { item: Item; stall: Pick<StallCheck, "at"> | null },
  after: { item: Item; stall: Pick<StallCheck, "at"> | null },
): boolean {
  return (
    before.stall !== null &&
    after.stall !== null &&
    !before.item.stalled &&
    !after.item.stalled &&
    stallTimerKey(before.item) === stallTimerKey(after.item) &&
    Date.parse(after.stall.at) >= Date.parse(before.stall.at)
  );
}

/** The stall timer's key: one per idle spell (a fired one keeps its row, so each spell gets its own). */
export function stallTimerKey(item: Item): string {
  return `stall:${item.stalls ?? 0}`;
}

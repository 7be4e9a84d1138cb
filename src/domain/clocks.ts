import {
  addBusinessMs,
  type BusinessCalendar,
  businessMsBetween,
  type Duration,
  MAX_INSTANT,
  parseDuration,
} from "./calendar.ts";
import type { ItemEvent } from "./item.ts";
import type { StepDef, WorkflowDef } from "./workflow.ts";

/*
 * Service-level clocks, computed from an item's event log, its workflow version and the teams'
 * calendars. Nothing is stored: asking again after a calendar or limit changed recomputes the
 * figures for open and closed work alike.
 *
 * Two layers. `measureSpan` is the generic clock: active segments of time (start to end, minus
 * pauses) measured on one calendar against one limit. It knows nothing about items, so question
 * (`answer`) clocks and due dates can reuse it. `computeClocks` reads the event log and builds the
 * spans of the `complete` and `accept` clocks.
 */

const SECOND = 1000;

/** `answer` (questions) and `due` (item due dates) are built in sla.ts on `measureSpan`. */
export type ClockKind = "complete" | "accept" | "answer" | "due";

/**
 * - `running`: counting, below the warning mark.
 * - `warning`: counting (or stopped exactly at its limit outside working hours), at or past the mark.
 * - `paused`: stopped while the item is paused; not yet over its limit.
 * - `met`: ended within its limit.
 * - `breached`: elapsed time exceeds the limit, whether the clock still runs, is paused or ended.
 */
export type ClockState = "running" | "paused" | "met" | "warning" | "breached";

/** What stopped a clock for good. Cancelled clocks still say met or breached; metrics may skip them. */
export type ClockEnd =
  | "answered"
  | "submitted"
  | "accepted"
  | "rejected"
  | "withdrawn"
  | "completed"
  | "cancelled";

/** A stretch of time during which a clock counts; `to: null` while it still runs. Epoch ms. */
export interface Segment {
  from: number;
  to: number | null;
}

/** The generic clock: what `measureSpan` needs, independent of items and workflows. */
export interface ClockSpan {
  /** Ascending, non-overlapping; only the last may be open. Gaps are pauses. */
  segments: readonly Segment[];
  /** True once the clock stopped for good (its last segment is then closed). */
  isEnded: boolean;
  calendar: BusinessCalendar;
  /** Plain clock time instead of business time. */
  wall: boolean;
  limitMs: number;
  /** Elapsed time from which the clock is in `warning`. */
  warnMs: number;
}

/** Where a clock stands at `now`. All instants are epoch ms. */
export interface SpanMeasure {
  elapsedMs: number;
  state: ClockState;
  /**
   * When elapsed time reaches the limit: in the past once breached, projected forward from `now`
   * while running, projected from the end for an ended clock (the deadline it ran against);
   * null in state `paused`, because nobody knows when work resumes.
   */
  dueAt: number | null;
  /** When elapsed time reaches the warning mark (past or projected); null as for `dueAt`. */
  warnAt: number | null;
  /**
   * The first moment the state is `breached`: 1 ms of counted time after `dueAt`. With business
   * time a limit reached at 17:00 breaches only when work resumes (09:00:00.001 next morning):
   * accepting at 08:30 is still within "4h" of business time. Null as for `dueAt`.
   */
  breachAt: number | null;
}

function measure(span: ClockSpan, from: number, to: number): number {
  return span.wall ? to - from : businessMsBetween(from, to, span.calendar);
}

/**
 * The instant `ms` after `from`, or null when there is none to show: a business deadline beyond
 * the calendar's horizon (NO_DEADLINE) or any instant past MAX_INSTANT. Only limits stored before
 * durations were bounded, or calendars stored before they had to hold working time, get here;
 * their clocks keep counting and simply have no due time (and no timers).
 */
function advance(span: ClockSpan, from: number, ms: number): number | null {
  const at = span.wall ? from + ms : addBusinessMs(from, ms, span.calendar);
  return at <= MAX_INSTANT ? at : null;
}

/** What `measureSpan` learns in one pass over the segments. */
interface Pass {
  span: ClockSpan;
  now: number;
  /** Flat [from, ms, from, ms…] of the counted parts of each segment up to `now`. */
  parts: number[];
  elapsedMs: number;
  isRunning: boolean;
  /** Where projection continues: `now` while running, the end for an ended clock. */
  resumeAt: number | null;
}

function pass(span: ClockSpan, now: number): Pass {
  const parts: number[] = [];
  let elapsedMs = 0;
  let end: number | null = null;
  for (const seg of span.segments) {
    const to = Math.min(seg.to ?? now, now);
    if (to <= seg.from) continue;
    const ms = measure(span, seg.from, to);
    parts.push(seg.from, ms);
    elapsedMs += ms;
    end = to;
  }
  const last = span.segments.at(-1);
  const isRunning = !span.isEnded && last !== undefined && last.to === null && last.from <= now;
  const resumeAt = isRunning ? now : span.isEnded ? (end ?? last?.from ?? null) : null;
  return { span, now, parts, elapsedMs, isRunning, resumeAt };
}

/** The earliest instant at which the elapsed time reaches `target`, or null if unknowable. */
function instantAt(p: Pass, target: number): number | null {
  if (target > p.elapsedMs)
    return p.resumeAt === null ? null : advance(p.span, p.resumeAt, target - p.elapsedMs);
  let sum = 0;
  for (let i = 0; i < p.parts.length; i += 2) {
    const ms = p.parts[i + 1] as number;
    if (sum + ms >= target) return advance(p.span, p.parts[i] as number, target - sum);
    sum += ms;
  }
  return p.span.segments[0]?.from ?? null;
}

function stateOf(span: ClockSpan, p: Pass): ClockState {
  if (p.elapsedMs > span.limitMs) return "breached";
  if (span.isEnded) return "met";
  if (!p.isRunning) return "paused";
  return p.elapsedMs >= span.warnMs ? "warning" : "running";
}

/**
 * Measures a clock at `now`. Segments after `now` are ignored, so a log replayed to an earlier
 * moment gives that moment's figures. A clock breaches when elapsed time *exceeds* the limit:
 * ending exactly at the limit is `met`.
 */
export function measureSpan(span: ClockSpan, now: number): SpanMeasure {
  const p = pass(span, now);
  const state = stateOf(span, p);
  // A paused clock has no moments, even one paused exactly at its limit or past its warning mark:
  // nobody knows when work resumes, and a paused clock fires no timers.
  if (state === "paused")
    return { elapsedMs: p.elapsedMs, state, dueAt: null, warnAt: null, breachAt: null };
  return {
    elapsedMs: p.elapsedMs,
    state,
    dueAt: instantAt(p, span.limitMs),
    warnAt: instantAt(p, span.warnMs),
    breachAt: instantAt(p, span.limitMs + 1),
  };
}

/** `measureSpan` without the warning and breach moments, which only timers need. */
function measureDue(span: ClockSpan, now: number): Omit<SpanMeasure, "warnAt" | "breachAt"> {
  const p = pass(span, now);
  const state = stateOf(span, p);
  return {
    elapsedMs: p.elapsedMs,
    state,
    dueAt: state === "paused" ? null : instantAt(p, span.limitMs),
  };
}

/** A clock warns from this share of its limit unless its workflow says otherwise (`warn_at`). */
export const DEFAULT_WARN_PERCENT = 75;

/** The elapsed time from which a clock warns: `percent` of its limit, in whole seconds. */
export function warnMsOf(limitMs: number, percent = DEFAULT_WARN_PERCENT): number {
  return Math.round((limitMs * percent) / 100 / SECOND) * SECOND;
}

/** What a clock is made of; {@link clockOf} gives it the shape items carry. */
export interface ClockParts {
  id: string;
  kind: ClockKind;
  step: string;
  team: string;
  handoff: number | null;
  limit: string;
  limitMs: number;
  wall: boolean;
  warnMs: number;
  measure: Pick<SpanMeasure, "elapsedMs" | "state">;
  startedAt: string;
  dueAt: string | null;
  endedAt: string | null;
  endedBy: ClockEnd | null;
  escalateTo: string | null;
}

/** The one place a Clock is built: whole seconds elapsed (down) and remaining (up). */
export function clockOf(p: ClockParts): Clock {
  return {
    id: p.id,
    kind: p.kind,
    step: p.step,
    team: p.team,
    handoff: p.handoff,
    limit: p.limit,
    limitSeconds: Math.floor(p.limitMs / SECOND),
    wall: p.wall,
    elapsedSeconds: Math.floor(p.measure.elapsedMs / SECOND),
    remainingSeconds: Math.ceil((p.limitMs - p.measure.elapsedMs) / SECOND),
    state: p.measure.state,
    startedAt: p.startedAt,
    dueAt: p.dueAt,
    warnSeconds: Math.round(p.warnMs / SECOND),
    endedAt: p.endedAt,
    endedBy: p.endedBy,
    escalateTo: p.escalateTo,
  };
}

/**
 * One service-level clock of an item. Instants are ISO strings; durations are whole seconds,
 * the precision the API shows and metrics and forecasts count in. The API's snake_case shape is
 * the presenter's (`presentClock` in src/http/presenters.ts).
 */
export interface Clock {
  /** Stable across recomputation: `complete:<step>:<visit>` or `accept:<handoff>`. */
  id: string;
  kind: ClockKind;
  /** The step worked on (`complete`) or the step being handed to (`accept`). */
  step: string;
  /** The team that owns the clock; its calendar measures it. */
  team: string;
  /** The handoff an `accept` clock waits on; null for `complete`. */
  handoff: number | null;
  /** The limit as written in the workflow (`4h`, `2d`, `48h wall`). */
  limit: string;
  limitSeconds: number;
  wall: boolean;
  elapsedSeconds: number;
  /** `limitSeconds - elapsedSeconds`; negative once breached (how far over). */
  remainingSeconds: number;
  state: ClockState;
  startedAt: string;
  /** See {@link SpanMeasure.dueAt}. */
  dueAt: string | null;
  /** Elapsed seconds from which the clock warns (`warn_at`, default 75% of the limit). */
  warnSeconds: number;
  endedAt: string | null;
  endedBy: ClockEnd | null;
  /** Team or user to notify on breach, from the workflow; null if none. */
  escalateTo: string | null;
}

export interface ClockReport {
  /**
   * What an item shows now: every clock not yet ended, plus, per kind, the last clock that ended
   * during the current step visit or at its start (the accept clock that brought the item here,
   * the complete clock just handed off). Oldest first.
   */
  current: Clock[];
  /** Every clock in the log, oldest first, for metrics. */
  history: Clock[];
}

export interface ClockInput {
  /** The item's whole log in order, `item.created` first. */
  events: readonly ItemEvent[];
  /** The workflow version the item runs on. */
  def: WorkflowDef;
  /** Each team's calendar (the default calendar for teams without one). */
  calendarOf: (team: string) => BusinessCalendar;
  now: Date;
}

/** A moment the timer worker must act at. */
export interface ClockTimer {
  clock_id: string;
  kind: ClockKind;
  step: string;
  team: string;
  handoff: number | null;
  fire: "warning" | "breach";
  /** May lie in the past: the mark was passed before the timer existed (e.g. after a recompute). */
  fire_at: string;
  escalate_to: string | null;
}

/** The parts of a clock the log determines, before measuring. */
interface Draft {
  id: string;
  kind: ClockKind;
  step: string;
  team: string;
  handoff: number | null;
  limit: string;
  duration: Duration;
  warnPercent: number;
  escalateTo: string | null;
  calendar: BusinessCalendar;
  segments: Segment[];
  startedAt: number;
  endedAt: number | null;
  endedBy: ClockEnd | null;
}

interface Drafts {
  drafts: Draft[];
  /** The log's own ISO strings by instant, so presenting a clock need not format them again. */
  stamps: Map<number, string>;
  /** When the current step visit began (created, accepted into, returned to). */
  visitStart: number;
}

function percentOf(warnAt: string | undefined): number {
  return warnAt === undefined ? DEFAULT_WARN_PERCENT : Number.parseInt(warnAt, 10);
}

function isOpen(d: Draft): boolean {
  return d.endedAt === null && d.segments.at(-1)?.to === null;
}

/**
 * The last layout of each log. A command asks for an item's clocks several times (its queue
 * summary, its timers, the answer) and the layout does not depend on `now`, so it is made once
 * per log, workflow version and set of calendars. Logs are immutable (a new event makes a new
 * array), so the log itself is the key, and the entry goes when the item state does.
 */
const drafted = new WeakMap<
  readonly ItemEvent[],
  { def: WorkflowDef; calendarOf: ClockInput["calendarOf"]; drafts: Drafts }
>();

function draftClocksOnce(input: Omit<ClockInput, "now">): Drafts {
  const hit = drafted.get(input.events);
  if (hit && hit.def === input.def && hit.calendarOf === input.calendarOf) return hit.drafts;
  const drafts = draftClocks(input);
  drafted.set(input.events, { def: input.def, calendarOf: input.calendarOf, drafts });
  return drafts;
}

/** Walks the log once and lays out every clock's segments. */
function draftClocks({ events, def, calendarOf }: Omit<ClockInput, "now">): Drafts {
  const calendars = new Map<string, BusinessCalendar>();
  const calendarFor = (team: string) => {
    let c = calendars.get(team);
    if (!c) {
      c = calendarOf(team);
      calendars.set(team, c);
    }
    return c;
  };
  const steps = new Map<string, StepDef>(def.steps.map((s) => [s.key, s]));
  const drafts: Draft[] = [];
  let visits = 0;
  let visitStart = 0;
  let isPaused = false;
  let complete: Draft | null = null;
  let accept: Draft | null = null;
  const pending = new Map<
    number,
    { fromStep: string; fromTeam: string; toStep: string; toTeam: string }
  >();
  /** Clocks stopped by the current pause, restarted on resume. */
  let held: Draft[] = [];

  /** Starts a clock at its `startedAt`; one that starts while the item is paused waits for the resume. */
  const open = (draft: Draft) => {
    if (isPaused) held.push(draft);
    else draft.segments.push({ from: draft.startedAt, to: null });
    drafts.push(draft);
    return draft;
  };
  const end = (d: Draft | null, at: number, by: ClockEnd) => {
    if (!d || d.endedAt !== null) return;
    const last = d.segments.at(-1);
    if (last && last.to === null) last.to = at;
    d.endedAt = at;
    d.endedBy = by;
  };
  const enterStep = (stepKey: string, team: string, at: number) => {
    visits += 1;
    visitStart = at;
    complete = null;
    const step = steps.get(stepKey);
    if (!step?.complete_within) return;
    const calendar = calendarFor(team);
    complete = open({
      id: `complete:${stepKey}:${visits}`,
      kind: "complete",
      step: stepKey,
      team,
      handoff: null,
      limit: step.complete_within,
      duration: parseDuration(step.complete_within, calendar),
      warnPercent: percentOf(step.warn_at),
      escalateTo: step.escalate_to ?? null,
      calendar,
      // Listed rather than spread from a template: same-shaped literals keep V8's property
      // access fast, which tripled the speed of a queue page.
      segments: [],
      startedAt: at,
      endedAt: null,
      endedBy: null,
    });
  };

  const stamps = new Map<number, string>();
  for (const e of events) {
    const at = Date.parse(e.at);
    if (canonicalIso.test(e.at)) stamps.set(at, e.at);
    switch (e.type) {
      case "item.created":
        enterStep(e.data.step, e.data.team, at);
        break;
      case "handoff.submitted": {
        const d = e.data;
        end(complete, at, "submitted");
        pending.set(d.handoff, d);
        const handoff = steps.get(d.fromStep)?.handoff;
        accept = null;
        if (handoff?.accept_within) {
          const calendar = calendarFor(d.toTeam);
          accept = open({
            id: `accept:${d.handoff}`,
            kind: "accept",
            step: d.toStep,
            team: d.toTeam,
            handoff: d.handoff,
            limit: handoff.accept_within,
            duration: parseDuration(handoff.accept_within, calendar),
            warnPercent: percentOf(handoff.warn_at),
            escalateTo: handoff.escalate_to ?? null,
            calendar,
            segments: [],
            startedAt: at,
            endedAt: null,
            endedBy: null,
          });
        }
        break;
      }
      case "handoff.withdrawn": {
        end(accept, at, "withdrawn");
        accept = null;
        // The sender takes the work back: the same visit's clock runs on, so handing off and
        // withdrawing never resets it; the time the receiver held the item does not count.
        const c = complete as Draft | null;
        if (c && c.endedBy === "submitted") {
          c.endedAt = null;
          c.endedBy = null;
          if (isPaused) held.push(c);
          else c.segments.push({ from: at, to: null });
        }
        break;
      }
      case "handoff.accepted": {
        end(accept, at, "accepted");
        accept = null;
        const h = pending.get(e.data.handoff);
        if (h) enterStep(h.toStep, h.toTeam, at);
        break;
      }
      case "handoff.rejected": {
        end(accept, at, "rejected");
        accept = null;
        const h = pending.get(e.data.handoff);
        // Returned work starts a fresh clock: the sender gets the full limit again for the rework.
        if (h) enterStep(h.fromStep, h.fromTeam, at);
        break;
      }
      case "item.paused":
        if (isPaused) break;
        isPaused = true;
        held = drafts.filter(isOpen);
        for (const d of held) (d.segments.at(-1) as Segment).to = at;
        break;
      case "item.resumed":
        if (!isPaused) break;
        isPaused = false;
        for (const d of held) if (d.endedAt === null) d.segments.push({ from: at, to: null });
        held = [];
        break;
      case "item.completed":
        end(complete, at, "completed");
        end(accept, at, "completed");
        break;
      case "item.cancelled":
        for (const d of drafts) end(d, at, "cancelled");
        break;
      case "item.reopened":
        // Reopened work is a fresh visit of its last step, with a fresh clock (as returned work).
        enterStep(e.data.step, e.data.team, at);
        break;
      default:
        // Fields, checklists, comments, questions, meetings and the timer worker's own sla.*
        // events move no complete or accept clock. Not an exhaustive switch on purpose: new
        // event types must not break clocks. Answer clocks will read question.* events here.
        break;
    }
  }
  return { drafts, stamps, visitStart };
}

function spanOf(d: Draft): ClockSpan {
  const limitMs = d.duration.seconds * SECOND;
  return {
    segments: d.segments,
    isEnded: d.endedAt !== null,
    calendar: d.calendar,
    wall: d.duration.wall,
    limitMs,
    warnMs: warnMsOf(limitMs, d.warnPercent),
  };
}

/** The exact form `toISOString` writes; other spellings of an instant are formatted afresh. */
const canonicalIso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function iso(ms: number, stamps: ReadonlyMap<number, string>): string;
function iso(ms: number | null, stamps: ReadonlyMap<number, string>): string | null;
function iso(ms: number | null, stamps: ReadonlyMap<number, string>): string | null {
  return ms === null ? null : (stamps.get(ms) ?? new Date(ms).toISOString());
}

function present(
  d: Draft,
  m: Omit<SpanMeasure, "warnAt" | "breachAt">,
  stamps: ReadonlyMap<number, string>,
): Clock {
  const limitMs = d.duration.seconds * SECOND;
  return clockOf({
    id: d.id,
    kind: d.kind,
    step: d.step,
    team: d.team,
    handoff: d.handoff,
    limit: d.limit,
    limitMs,
    wall: d.duration.wall,
    warnMs: warnMsOf(limitMs, d.warnPercent),
    measure: m,
    startedAt: iso(d.startedAt, stamps),
    dueAt: iso(m.dueAt, stamps),
    endedAt: iso(d.endedAt, stamps),
    endedBy: d.endedBy,
    escalateTo: d.escalateTo,
  });
}

/**
 * An item's service-level clocks at `now`:
 * - `complete` — the step owner's clock, from entering the step (created, accepted into it, or
 *   returned to it by a rejection) to submitting the handoff (or completing a final step), on the
 *   owning team's calendar, against the step's `complete_within`. Withdrawing a handoff resumes
 *   the same clock.
 * - `accept` — the receiver's clock, from `handoff.submitted` to accepted, rejected or withdrawn,
 *   on the receiving team's calendar, against the handoff's `accept_within`.
 * Time while the item is paused never counts. Steps and handoffs without a limit have no clock.
 */
export function computeClocks(input: ClockInput): ClockReport {
  const { drafts, stamps, visitStart } = draftClocksOnce(input);
  const now = input.now.getTime();
  const history = drafts.map((d) => present(d, measureDue(spanOf(d), now), stamps));
  // Per kind: the clocks not yet ended, or else the last one that ended during this visit.
  const shown = new Map<ClockKind, number[]>();
  drafts.forEach((d, i) => {
    const isOpen = d.endedAt === null;
    const list = shown.get(d.kind) ?? [];
    const hasOpen = list.some((j) => drafts[j]?.endedAt === null);
    if (isOpen) shown.set(d.kind, hasOpen ? [...list, i] : [i]);
    else if (!hasOpen && (d.endedAt as number) >= visitStart) shown.set(d.kind, [i]);
  });
  const picked = new Set([...shown.values()].flat());
  const isCurrent = (_: Clock, i: number) => picked.has(i);
  return { current: history.filter(isCurrent), history };
}

/**
 * The timers to keep for an item: for every clock counting at `now` (not paused, not ended),
 * the moment it reaches its warning mark and the moment it breaches. Past moments are included
 * so that a recomputation which puts a clock past a mark still gets its event; the worker keys
 * timers by `clock_id` and `fire`, fires each once, and replaces an item's set after every
 * command (a paused or ended clock then has none). Sorted by `fire_at`.
 */
export function clockTimers(input: ClockInput): ClockTimer[] {
  const { drafts } = draftClocksOnce(input);
  const now = input.now.getTime();
  const timers: { at: number; timer: ClockTimer }[] = [];
  for (const d of drafts) {
    if (!isOpen(d) || (d.segments.at(-1) as Segment).from > now) continue;
    const m = measureSpan(spanOf(d), now);
    const base = {
      clock_id: d.id,
      kind: d.kind,
      step: d.step,
      team: d.team,
      handoff: d.handoff,
      escalate_to: d.escalateTo,
    };
    if (m.warnAt !== null)
      timers.push({
        at: m.warnAt,
        timer: { ...base, fire: "warning", fire_at: new Date(m.warnAt).toISOString() },
      });
    if (m.breachAt !== null)
      timers.push({
        at: m.breachAt,
        timer: { ...base, fire: "breach", fire_at: new Date(m.breachAt).toISOString() },
      });
  }
  return timers.sort((a, b) => a.at - b.at).map((t) => t.timer);
}

/** The earliest future moment among `timers` after `now`, or null: when the worker must wake. */
export function nextTimerAt(timers: readonly ClockTimer[], now: Date): Date | null {
  let best: number | null = null;
  for (const t of timers) {
    const at = Date.parse(t.fire_at);
    if (at > now.getTime() && (best === null || at < best)) best = at;
  }
  return best === null ? null : new Date(best);
}

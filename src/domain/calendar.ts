import type { z } from "zod";
import {
  type CompiledCalendar,
  compile,
  intervalsOf,
  overlapOn,
  wholeDays,
  yearTotal,
} from "./calendar/compiled.ts";
import { calendarSchema, calendarShape, type weekdays } from "./calendar/schema.ts";
import { DAY, SECOND, WEEK } from "./calendar/zone-offsets.ts";
import { DURATION_PATTERN } from "./duration.ts";
import { DomainError } from "./errors.ts";
import { describeIssue, formatPath } from "./workflow.ts";

/*
 * Business calendars and the time arithmetic service levels run on. Pure: every instant comes in
 * as an argument. Business time is real elapsed time (an hour of work is 3,600 SI seconds, also on
 * the night clocks change) that falls inside the calendar's working intervals. Working hours are
 * written as local wall-clock times in the calendar's IANA zone; luxon supplies the zone rules.
 *
 * The parts: calendar/schema.ts (what a calendar may say), calendar/zone-offsets.ts (UTC offsets
 * and local days: DST), calendar/compiled.ts (each day's working intervals, holidays, whole weeks
 * and years). This file is the API the rest of Baton uses: the calendar type, parsing, durations
 * and business time.
 *
 * Speed: a queue page computes hundreds of spans, and luxon needs ~15 µs per offset lookup, so
 * offsets are read once per zone and year into a table of transitions (module-level, shared by
 * every calendar in that zone); each local day's working intervals are then plain arithmetic,
 * cached per calendar. Long spans are summed a week at a time and corrected only on the few days
 * that differ from the weekly pattern (holidays, days on which the clocks change).
 *
 * Bounds: no input may make this arithmetic spin (a workflow stored with an absurd limit stays on
 * its version for good). Every loop runs over at most one horizon of 100 years: adding business
 * time walks two weeks day by day, then whole years (at most 101), then weeks (at most 53), then
 * days (at most 7); a deadline beyond the horizon, or on a calendar without working time, is
 * {@link NO_DEADLINE}. Measuring counts exactly inside one horizon of supported instants and the
 * weekly pattern outside it.
 */

/** The earliest instant business time is computed for exactly (1900-01-01T00:00Z). */
export const MIN_INSTANT = Date.UTC(1900, 0, 1);
/** The latest instant a deadline may fall on (9999-01-01T00:00Z: four-digit years everywhere). */
export const MAX_INSTANT = Date.UTC(9999, 0, 1);
/** How far ahead a deadline is sought, and the longest span measured exactly: 100 years. */
const HORIZON_MS = 36_525 * DAY;
/**
 * What {@link addBusinessMs} returns when the time does not elapse within the horizon (an absurd
 * limit stored before limits existed, or a calendar without working time): no deadline.
 */
export const NO_DEADLINE = Number.POSITIVE_INFINITY;

/** `mon` … `sun`: the keys of a calendar's `hours`. */
export type Weekday = (typeof weekdays)[number];

/** `["09:00", "17:00"]`: local wall-clock start (inclusive) and end (exclusive, `24:00` allowed). */
export type WorkingInterval = [start: string, end: string];

export interface Holiday {
  /** `YYYY-MM-DD`, a local date in the calendar's zone. */
  date: string;
  name?: string | undefined;
  /** Repeats on the same month and day every year (29 February only in leap years). */
  yearly?: boolean | undefined;
}

/** A team's business calendar, as `GET/PUT /api/v1/teams/{key}/calendar` carry it. */
export interface BusinessCalendar {
  /** IANA time zone name, e.g. `Europe/Berlin`. */
  timezone: string;
  hours: Record<Weekday, WorkingInterval[]>;
  /** Whole days without working time. A holiday on a weekend is not moved to a weekday. */
  holidays: Holiday[];
}

/** UTC, Monday to Friday 09:00–17:00, no holidays: for teams without a calendar of their own. */
export const DEFAULT_CALENDAR: BusinessCalendar = deepFreeze({
  timezone: "UTC",
  hours: {
    mon: [["09:00", "17:00"]],
    tue: [["09:00", "17:00"]],
    wed: [["09:00", "17:00"]],
    thu: [["09:00", "17:00"]],
    fri: [["09:00", "17:00"]],
    sat: [],
    sun: [],
  },
  holidays: [],
});

/** Calendars are cached by identity, so a shared constant must not change under the cache. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Parsing

export type CalendarInput = z.input<typeof calendarSchema>;

/**
 * Validates a calendar and returns it with every weekday present, or throws `invalid_input`
 * whose `errors` name each problem by path (`hours.mon[1]`, `holidays[0].date`, `timezone`).
 */
export function parseCalendar(input: unknown): BusinessCalendar {
  return parseWith(calendarSchema, input);
}

/**
 * Reads a calendar stored earlier. Checks that came later (working time in every year) are not
 * applied, so a calendar saved before them still loads and its clocks degrade instead of failing:
 * a deadline that never comes is {@link NO_DEADLINE} (shown as no due time).
 */
export function readStoredCalendar(input: unknown): BusinessCalendar {
  return parseWith(calendarShape, input);
}

function parseWith(schema: z.ZodType<BusinessCalendar, unknown>, input: unknown): BusinessCalendar {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.map((i) => ({
    path: formatPath(i.path),
    message: describeIssue(i),
  }));
  const first = errors[0] as { path: string; message: string };
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  throw new DomainError("invalid_input", `${first.path}: ${first.message}${more}`, { errors });
}

// ---------------------------------------------------------------------------------------------
// Durations

/** A service-level limit: seconds of business time, or of plain clock time when `wall`. */
export interface Duration {
  seconds: number;
  wall: boolean;
}

/** The largest number of seconds a duration is read as: its milliseconds stay a safe integer. */
const MAX_DURATION_SECONDS = Math.floor(Number.MAX_SAFE_INTEGER / SECOND);

/**
 * Parses the durations workflows use: `90m`, `4h`, `2d`, `1w`, `1.5h`, `48h wall`.
 *
 * Business `d` is the calendar's *standard working day* ({@link standardDaySeconds}: the most
 * common daily working length, 8 h for the default calendar), so `2d` started at 10:00 on a
 * Monday of a regular calendar ends at 10:00 on Wednesday. Business `w` is five standard working
 * days (40 h by default). With `wall`, `d` is 24 h and `w` is 7 × 24 h of clock time.
 * Seconds are rounded to whole seconds.
 *
 * The size limits (five years, `MAX_DURATION` in duration.ts) are checked where definitions are validated;
 * this reads definitions already stored, so a limit stored before them still parses (capped to a
 * safe integer of milliseconds) and its clock simply has no deadline (see {@link NO_DEADLINE}).
 */
export function parseDuration(text: string, cal: BusinessCalendar = DEFAULT_CALENDAR): Duration {
  const m = DURATION_PATTERN.exec(text.trim());
  if (!m)
    throw new DomainError(
      "invalid_input",
      `"${text}" is not a duration such as "90m", "4h", "2d" or "48h wall".`,
      { errors: [{ path: "duration", message: 'must be like "90m", "4h", "2d" or "48h wall"' }] },
    );
  const amount = Number(m[1]);
  const wall = m[3] !== undefined;
  const day = wall ? 86_400 : standardDaySeconds(cal);
  const unit = { m: 60, h: 3600, d: day, w: wall ? 7 * day : 5 * day }[
    m[2] as "m" | "h" | "d" | "w"
  ];
  return { seconds: Math.min(Math.round(amount * unit), MAX_DURATION_SECONDS), wall };
}

/**
 * The length of the calendar's standard working day, in seconds: the daily working length that
 * occurs on the most weekdays (ties go to the longer one). Mon–Fri 09:00–17:00 gives 8 h; split
 * hours 09:00–12:00 and 13:00–17:00 give 7 h; Mon–Thu 8 h plus Fri 6 h gives 8 h. Holidays and
 * DST do not change it. It is what one business `d` means on this calendar.
 */
export function standardDaySeconds(cal: BusinessCalendar): number {
  return compile(cal).standardDayMs / SECOND;
}

// ---------------------------------------------------------------------------------------------
// Business time

/** Working ms in `span` ms of the plain weekly pattern (no holidays, no clock changes). */
function nominalMs(c: CompiledCalendar, span: number): number {
  if (c.weekMs === 0 || span <= 0) return 0;
  if (span === Number.POSITIVE_INFINITY) return span;
  return Math.floor(span / WEEK) * c.weekMs + Math.floor(((span % WEEK) * c.weekMs) / WEEK);
}

/**
 * Business milliseconds from `a` to `b` (epoch ms). Antisymmetric: negative when `b < a`.
 * The allocation-free form of {@link businessSecondsBetween}. Exact from `a` (or
 * {@link MIN_INSTANT}) for up to 100 years and until {@link MAX_INSTANT}; time outside that
 * window, which no real clock reaches, counts the weekly pattern only, so any input answers fast.
 */
export function businessMsBetween(a: number, b: number, cal: BusinessCalendar): number {
  if (b < a) return -businessMsBetween(b, a, cal);
  if (a === b) return 0;
  if (Number.isNaN(a) || Number.isNaN(b))
    throw new RangeError(`cannot measure business time from ${a} to ${b}`);
  const c = compile(cal);
  const lo = Math.min(Math.max(a, MIN_INSTANT), MAX_INSTANT);
  const hi = Math.min(b, lo + HORIZON_MS, MAX_INSTANT);
  if (hi <= lo) return nominalMs(c, b - a);
  const outside = (lo > a ? nominalMs(c, lo - a) : 0) + (b > hi ? nominalMs(c, b - hi) : 0);
  return exactMs(c, lo, hi) + outside;
}

/** Working ms of [a, b) with a < b, both within one horizon: at most 102 rounds of years. */
function exactMs(c: CompiledCalendar, a: number, b: number): number {
  const da = c.zone.dayOf(a);
  const db = c.zone.dayOf(b);
  if (da === db) return overlapOn(c, da, a, b);
  return (
    overlapOn(c, da, a, Number.POSITIVE_INFINITY) +
    wholeDays(c, da + 1, db) +
    overlapOn(c, db, Number.NEGATIVE_INFINITY, b)
  );
}

/**
 * Walks the working intervals of the local days `from` … `to` (exclusive) for `left` ms of work:
 * the instant it is reached (or {@link NO_DEADLINE} past `limit`), or what is still left after
 * the last day.
 */
function walkDays(
  c: CompiledCalendar,
  from: number,
  to: number,
  left: number,
  limit: number,
): { at: number } | { left: number } {
  for (let day = from; day < to; day++) {
    const iv = intervalsOf(c, day);
    for (let i = 0; i < iv.length; i += 2) {
      const len = (iv[i + 1] as number) - (iv[i] as number);
      if (len >= left) {
        const at = (iv[i] as number) + left;
        return { at: at <= limit ? at : NO_DEADLINE };
      }
      left -= len;
    }
  }
  return { left };
}

/**
 * The earliest instant (epoch ms) at which `ms` business milliseconds have passed since `start`.
 * Zero returns `start` itself, even outside working hours; a limit reached at 17:00 sharp returns
 * 17:00, not the next morning. The allocation-free form of {@link addBusinessTime}.
 *
 * Returns {@link NO_DEADLINE} when the time does not elapse within 100 years of `start` (or before
 * {@link MAX_INSTANT}): never loops longer than that, whatever `ms` and the calendar are.
 */
export function addBusinessMs(start: number, ms: number, cal: BusinessCalendar): number {
  if (!(ms >= 0) || !(start >= MIN_INSTANT && start <= MAX_INSTANT))
    throw new RangeError(`cannot add ${ms} ms of business time to ${start}`);
  if (ms === 0) return start;
  const c = compile(cal);
  const limit = Math.min(start + HORIZON_MS, MAX_INSTANT);
  // No calendar holds more working time than clock time, so such a limit ends past the horizon.
  if (c.weekMs === 0 || ms > limit - start) return NO_DEADLINE;
  let left = ms;
  const firstDay = c.zone.dayOf(start);
  for (let i = 0, iv = intervalsOf(c, firstDay); i < iv.length; i += 2) {
    const s = Math.max(iv[i] as number, start);
    const e = iv[i + 1] as number;
    if (e <= s) continue;
    if (e - s >= left) return s + left;
    left -= e - s;
  }
  const lastDay = c.zone.dayOf(limit);
  let day = firstDay + 1;
  // Most limits end within two weeks: try those days one by one first (≤ 14 rounds).
  const stop = Math.min(day + 14, lastDay + 1);
  const soon = walkDays(c, day, stop, left, limit);
  if ("at" in soon) return soon.at;
  left = soon.left;
  day = Math.max(day, stop);
  // Then whole years (rest of this one first) while they hold less than is left: ≤ 101 rounds.
  let end = day;
  for (;;) {
    if (day > lastDay) return NO_DEADLINE;
    const year = new Date(day * DAY).getUTCFullYear();
    const next = Date.UTC(year + 1, 0, 1) / DAY;
    end = Math.min(next, lastDay + 1);
    const isWholeYear = end === next && day === Date.UTC(year, 0, 1) / DAY;
    const got = isWholeYear ? yearTotal(c, year) : wholeDays(c, day, end);
    if (got >= left) break;
    left -= got;
    day = end;
  }
  // Then whole weeks within that year (≤ 53 rounds), then its days (≤ 7).
  for (; day + 7 <= end; day += 7) {
    const got = wholeDays(c, day, day + 7);
    if (got >= left) break;
    left -= got;
  }
  const last = walkDays(c, day, end, left, limit);
  if ("at" in last) return last.at;
  return NO_DEADLINE;
}

/** Business seconds from `a` to `b` on `cal`; negative when `b` is before `a`. */
export function businessSecondsBetween(a: Date, b: Date, cal: BusinessCalendar): number {
  return businessMsBetween(a.getTime(), b.getTime(), cal) / SECOND;
}

/**
 * The earliest moment at which `seconds` (≥ 0) of business time have passed since `start`; an
 * invalid Date (`getTime()` is NaN) when there is no deadline ({@link NO_DEADLINE}).
 */
export function addBusinessTime(start: Date, seconds: number, cal: BusinessCalendar): Date {
  const at = addBusinessMs(start.getTime(), Math.round(seconds * SECOND), cal);
  return new Date(at === NO_DEADLINE ? Number.NaN : at);
}

/** Adds a parsed duration: plain clock time if `wall`, business time on `cal` otherwise. */
export function addDuration(start: Date, duration: Duration, cal: BusinessCalendar): Date {
  return duration.wall
    ? new Date(start.getTime() + duration.seconds * SECOND)
    : addBusinessTime(start, duration.seconds, cal);
}

/** True if `at` falls inside a working interval of `cal` (start inclusive, end exclusive). */
export function isWorkingTime(at: Date, cal: BusinessCalendar): boolean {
  const c = compile(cal);
  const ts = at.getTime();
  if (!(ts >= MIN_INSTANT && ts <= MAX_INSTANT)) return false;
  const iv = intervalsOf(c, c.zone.dayOf(ts));
  for (let i = 0; i < iv.length; i += 2)
    if (ts >= (iv[i] as number) && ts < (iv[i + 1] as number)) return true;
  return false;
}

import { IANAZone } from "luxon";
import { z } from "zod";
import { INSTANT_YEARS, isCalendarDate } from "./dates.ts";
import { DURATION_PATTERN } from "./duration.ts";
import { DomainError } from "./errors.ts";
import { text } from "./text.ts";
import { describeIssue, formatPath } from "./workflow.ts";

/*
 * Business calendars and the time arithmetic service levels run on. Pure: every instant comes in
 * as an argument. Business time is real elapsed time (an hour of work is 3,600 SI seconds, also on
 * the night clocks change) that falls inside the calendar's working intervals. Working hours are
 * written as local wall-clock times in the calendar's IANA zone; luxon supplies the zone rules.
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

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;
const WEEK = 7 * DAY;
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
/** At most this many holidays per calendar (dated and yearly together). */
export const MAX_HOLIDAYS = 1_000;
/** A calendar must have a working day in every run of this many consecutive days (a leap year). */
const MAX_IDLE_DAYS = 366;

export const weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
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
// Schema

const clockTime = z
  .string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be a time from "00:00" to "24:00"');

const intervalSchema = z.tuple([clockTime, clockTime], {
  error: 'must be a pair of times such as ["09:00", "17:00"]',
});

/** Minutes after local midnight of `HH:MM` (already checked by `clockTime`). */
function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

const dayHours = z
  .array(intervalSchema)
  .max(24, "at most 24 intervals a day")
  .default([])
  .superRefine((intervals, ctx) => {
    intervals.forEach(([start, end], i) => {
      if (minutesOf(start) >= minutesOf(end))
        ctx.addIssue({
          code: "custom",
          path: [i],
          message: `starts at ${start} but ends at ${end}: the end must come after the start`,
        });
    });
    const sorted = intervals
      .map(([start, end], i) => ({ start, end, i }))
      .filter((x) => minutesOf(x.start) < minutesOf(x.end))
      .sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
    for (let k = 1; k < sorted.length; k++) {
      const prev = sorted[k - 1] as (typeof sorted)[number];
      const cur = sorted[k] as (typeof sorted)[number];
      if (minutesOf(cur.start) < minutesOf(prev.end))
        ctx.addIssue({
          code: "custom",
          path: [Math.max(cur.i, prev.i)],
          message: `${cur.start}–${cur.end} overlaps ${prev.start}–${prev.end}`,
        });
    }
  });

const holidaySchema = z
  .object({
    date: z
      .string()
      .refine(
        (v) => isCalendarDate(v, INSTANT_YEARS),
        `must be a real date written YYYY-MM-DD, in the years ${INSTANT_YEARS.min}–${INSTANT_YEARS.max}`,
      ),
    name: text({ max: 200, min: 1 }).optional(),
    yearly: z.boolean().optional(),
  })
  .strict();

/** True for an IANA zone name this runtime knows (`Europe/Berlin`, `UTC`), not offsets like `+01:00`. */
export function isValidTimezone(name: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name) && IANAZone.isValidZone(name);
}

/** The calendar's shape, without the checks that it holds working time (see calendarSchema). */
const calendarShape = z
  .object({
    timezone: text({ max: 100 }).refine(
      isValidTimezone,
      'must be an IANA time zone such as "Europe/Berlin" or "UTC"',
    ),
    hours: z
      .object({
        mon: dayHours,
        tue: dayHours,
        wed: dayHours,
        thu: dayHours,
        fri: dayHours,
        sat: dayHours,
        sun: dayHours,
      })
      .strict(),
    holidays: z
      .array(holidaySchema)
      .max(MAX_HOLIDAYS, `at most ${MAX_HOLIDAYS.toLocaleString("en")} holidays`)
      .default([]),
  })
  .strict();

/**
 * The calendar as users send it. Weekdays left out have no working hours. Rejects unknown time
 * zones, times outside 00:00–24:00, inverted or overlapping intervals, impossible holiday dates,
 * more than {@link MAX_HOLIDAYS} holidays, a week without any working time, and holidays that
 * leave 366 consecutive days without a working day (business durations could then not elapse).
 */
export const calendarSchema = calendarShape.superRefine((cal, ctx) => {
  const hasWork = weekdays.some((d) => cal.hours[d].some(([s, e]) => minutesOf(s) < minutesOf(e)));
  if (!hasWork) {
    ctx.addIssue({
      code: "custom",
      path: ["hours"],
      message: "a calendar needs working hours on at least one weekday",
    });
    return;
  }
  const idle = idleYear(cal);
  if (idle)
    ctx.addIssue({
      code: "custom",
      path: ["holidays"],
      message: `leave no working day from ${idle.from} to ${idle.to}: every ${MAX_IDLE_DAYS} consecutive days need one`,
    });
});

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

/** Days of the months of `year`, 1-based month. */
function monthLength(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * The first run of {@link MAX_IDLE_DAYS} consecutive days without a working day (a weekday with
 * hours that is no holiday), as local dates, or undefined. Linear: yearly holidays repeat with
 * the 400-year Gregorian cycle, so one cycle is scanned (only when there are enough holidays to
 * cover a year's working days at all); dated holidays are scanned in the windows around them.
 */
function idleYear(cal: BusinessCalendar): { from: string; to: string } | undefined {
  const works = [0, 0, 0, 0, 0, 0, 0].map((_, wd) =>
    (cal.hours[weekdays[(wd + 6) % 7] as Weekday] ?? []).some(
      ([s, e]) => minutesOf(s) < minutesOf(e),
    ),
  );
  const workdaysPerWeek = works.filter(Boolean).length;
  // Each working weekday occurs at least 52 times in 366 days; fewer holidays cannot cover them.
  if (cal.holidays.length < 52 * workdaysPerWeek) return undefined;
  const yearly = new Set<number>();
  const dated = new Set<number>();
  for (const h of cal.holidays) {
    const [y, m, d] = h.date.split("-").map(Number) as [number, number, number];
    if (h.yearly) yearly.add(m * 100 + d);
    else dated.add(Date.UTC(y, m - 1, d) / DAY);
  }
  const scan = (from: number, to: number) => {
    const start = new Date(from * DAY);
    let year = start.getUTCFullYear();
    let month = start.getUTCMonth() + 1;
    let date = start.getUTCDate();
    let run = 0;
    for (let day = from; day < to; day++) {
      const isWork =
        works[weekdayOf(day)] === true && !yearly.has(month * 100 + date) && !dated.has(day);
      run = isWork ? 0 : run + 1;
      if (run >= MAX_IDLE_DAYS) {
        const iso = (d: number) => new Date(d * DAY).toISOString().slice(0, 10);
        return { from: iso(day - run + 1), to: iso(day) };
      }
      if (++date > monthLength(year, month)) {
        date = 1;
        if (++month > 12) {
          month = 1;
          year++;
        }
      }
    }
    return undefined;
  };
  if (yearly.size >= 52 * workdaysPerWeek) {
    // One 400-year cycle (146,097 days) and a run's length beyond it.
    const from = Date.UTC(2001, 0, 1) / DAY;
    const found = scan(from, from + 146_097 + MAX_IDLE_DAYS);
    if (found) return found;
  }
  // A run that contains a dated holiday lies within MAX_IDLE_DAYS of it: scan those windows.
  const days = [...dated].sort((a, b) => a - b);
  for (let i = 0; i < days.length; ) {
    const from = (days[i] as number) - MAX_IDLE_DAYS;
    let to = (days[i] as number) + MAX_IDLE_DAYS;
    while (++i < days.length && (days[i] as number) - MAX_IDLE_DAYS <= to)
      to = (days[i] as number) + MAX_IDLE_DAYS;
    const found = scan(from, to + 1);
    if (found) return found;
  }
  return undefined;
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
// Zone offsets

interface YearTable {
  /** [from, to): the UTC year this table covers. */
  from: number;
  to: number;
  /** `offset[i]` (ms to add to UTC for local time) holds from `at[i]`; `at[0] === from`. */
  at: number[];
  offset: number[];
}

/**
 * UTC offsets of one IANA zone, read from luxon once per year and kept as a transition table.
 * Sampling is weekly, then each change is pinned to the second by bisection; this assumes the
 * offset never changes twice within seven days, which holds for every rule in use (the shortest,
 * Morocco's Ramadan suspensions, last about a month).
 */
class ZoneOffsets {
  private readonly zone: IANAZone;
  private readonly years = new Map<number, YearTable>();
  private last: YearTable | undefined;
  private readonly fixed: number | null;

  constructor(name: string) {
    this.zone = IANAZone.create(name);
    this.fixed = /^(Etc\/)?(UTC|UCT|GMT|Zulu|Universal|Greenwich)$/i.test(name) ? 0 : null;
  }

  /** Milliseconds to add to `ts` (UTC) to get local wall-clock time. */
  offsetAt(ts: number): number {
    if (this.fixed !== null) return this.fixed;
    let t = this.last;
    if (t === undefined || ts < t.from || ts >= t.to) {
      t = this.table(new Date(ts).getUTCFullYear());
      this.last = t;
    }
    let i = t.at.length - 1;
    while (i > 0 && (t.at[i] as number) > ts) i--;
    return t.offset[i] as number;
  }

  /** Instants in [from, to) at which the offset changes. */
  transitionsIn(from: number, to: number): number[] {
    if (this.fixed !== null || to <= from) return [];
    const out: number[] = [];
    const y1 = new Date(to - 1).getUTCFullYear();
    for (let y = new Date(from).getUTCFullYear(); y <= y1; y++) {
      const t = this.table(y);
      if (t.from >= from && t.from < to && this.offsetAt(t.from - 1) !== t.offset[0])
        out.push(t.from);
      for (let i = 1; i < t.at.length; i++) {
        const at = t.at[i] as number;
        if (at >= from && at < to) out.push(at);
      }
    }
    return out;
  }

  /** The first transition after `ts`, searched up to a week ahead. */
  private transitionAfter(ts: number): number {
    return this.transitionsIn(ts + 1, ts + WEEK)[0] ?? ts;
  }

  /**
   * The instant at which local wall-clock time `local` (ms since 1970-01-01T00:00 local) occurs.
   * A wall time the clocks skipped maps to the instant they jumped; one they repeated maps to its
   * first occurrence. Both keep the mapping non-decreasing, so working intervals never invert.
   */
  toUtc(local: number): number {
    // Real instants lie within ±14 h of `local`, so these two bracket it by at least 10 h.
    const before = this.offsetAt(local - DAY);
    const after = this.offsetAt(local + DAY);
    if (before === after) return local - before;
    const early = local - before;
    const late = local - after;
    const isEarly = this.offsetAt(early) === before;
    const isLate = this.offsetAt(late) === after;
    if (isEarly && isLate) return Math.min(early, late);
    if (isEarly) return early;
    if (isLate) return late;
    return this.transitionAfter(Math.min(early, late));
  }

  /** The local day (days since 1970-01-01 in this zone) that contains instant `ts`. */
  dayOf(ts: number): number {
    return Math.floor((ts + this.offsetAt(ts)) / DAY);
  }

  private raw(ts: number): number {
    return Math.round(this.zone.offset(ts) * MINUTE);
  }

  private table(year: number): YearTable {
    const cached = this.years.get(year);
    if (cached) return cached;
    const from = Date.UTC(year, 0, 1);
    const to = Date.UTC(year + 1, 0, 1);
    const first = this.raw(from);
    const at = [from];
    const offset = [first];
    let prevT = from;
    let prevO = first;
    for (let t = from; t < to; ) {
      t = Math.min(t + WEEK, to);
      const o = this.raw(t);
      while (o !== prevO) {
        // Bisect (prevT, t] to the second for the first instant with a different offset.
        let lo = prevT;
        let hi = t;
        while (hi - lo > SECOND) {
          const mid = lo + Math.floor((hi - lo) / 2 / SECOND) * SECOND;
          if (this.raw(mid) === prevO) lo = mid;
          else hi = mid;
        }
        if (hi >= to) break;
        prevT = hi;
        prevO = this.raw(hi);
        at.push(hi);
        offset.push(prevO);
      }
      prevT = t;
      prevO = o;
    }
    const table = { from, to, at, offset };
    this.years.set(year, table);
    return table;
  }
}

const zones = new Map<string, ZoneOffsets>();

function zoneOf(name: string): ZoneOffsets {
  let z = zones.get(name);
  if (!z) {
    z = new ZoneOffsets(name);
    zones.set(name, z);
  }
  return z;
}

// ---------------------------------------------------------------------------------------------
// Compiled calendars

interface CompiledCalendar {
  timezone: string;
  zone: ZoneOffsets;
  /** Per JS weekday (0 = Sunday): flat [start, end, start, end…] in ms after local midnight. */
  week: number[][];
  /** Per JS weekday: working ms on a day without holiday or clock change. */
  nominal: number[];
  weekMs: number;
  standardDayMs: number;
  /** Local day numbers of one-off holidays, ascending. */
  holidays: number[];
  holidaySet: Set<number>;
  /** month × 100 + day of yearly holidays. */
  yearly: Set<number>;
  /** Working intervals per local day, as UTC ms [start, end, …]; bounded. */
  days: Map<number, number[]>;
  /** Per year, the days that differ from the weekly pattern (see `specialDaysOf`). */
  special: Map<number, number[]>;
  /** Working ms of whole local years; bounded by the years a horizon touches. */
  years: Map<number, number>;
}

const jsWeekday: Record<Weekday, number> = {
  sun: 0,
  mon: 1,
  tue: 2,
  wed: 3,
  thu: 4,
  fri: 5,
  sat: 6,
};

const byIdentity = new WeakMap<BusinessCalendar, CompiledCalendar>();
const byContent = new Map<string, CompiledCalendar>();

/** Everything that affects the arithmetic, as one string; cheaper than JSON.stringify. */
function contentKey(cal: BusinessCalendar): string {
  let key = cal.timezone;
  for (const d of weekdays) {
    key += "|";
    for (const [s, e] of cal.hours[d] ?? []) key += `${s}-${e},`;
  }
  key += "|";
  for (const h of cal.holidays) key += `${h.date}${h.yearly ? "y" : ""},`;
  return key;
}

/**
 * Compiles a calendar once. Callers often rebuild equal calendars from rows, so a content key
 * backs the identity cache; both stay small (a few hundred teams, cleared past 1,000 entries).
 * Calendars are values: a calendar object must not be changed after it has been used.
 */
function compile(cal: BusinessCalendar): CompiledCalendar {
  const known = byIdentity.get(cal);
  if (known) return known;
  const key = contentKey(cal);
  let c = byContent.get(key);
  if (!c) {
    c = build(cal);
    if (byContent.size >= 1000) byContent.clear();
    byContent.set(key, c);
  }
  byIdentity.set(cal, c);
  return c;
}

function build(cal: BusinessCalendar): CompiledCalendar {
  const week: number[][] = [[], [], [], [], [], [], []];
  const nominal = [0, 0, 0, 0, 0, 0, 0];
  for (const d of weekdays) {
    // Sort and merge touching intervals (09:00–12:00 + 12:00–17:00 is one stretch of work).
    const spans = (cal.hours[d] ?? [])
      .map(([s, e]) => [minutesOf(s) * MINUTE, minutesOf(e) * MINUTE] as [number, number])
      .filter(([s, e]) => s < e)
      .sort((a, b) => a[0] - b[0]);
    const flat: number[] = [];
    for (const [s, e] of spans) {
      const lastEnd = flat.at(-1);
      if (lastEnd !== undefined && s <= lastEnd) flat[flat.length - 1] = Math.max(lastEnd, e);
      else flat.push(s, e);
    }
    const wd = jsWeekday[d];
    week[wd] = flat;
    for (let i = 0; i < flat.length; i += 2)
      nominal[wd] = (nominal[wd] as number) + (flat[i + 1] as number) - (flat[i] as number);
  }
  // A week without work is refused by the schema; one read from an older row still computes
  // (every deadline is NO_DEADLINE), and its `d` keeps the default 8 h so limits stay finite.
  const weekMs = nominal.reduce((a, b) => a + b, 0);

  const counts = new Map<number, number>();
  for (const n of nominal) if (n > 0) counts.set(n, (counts.get(n) ?? 0) + 1);
  let standardDayMs = 8 * 60 * MINUTE;
  let best = 0;
  for (const [len, count] of counts)
    if (count > best || (count === best && len > standardDayMs)) {
      best = count;
      standardDayMs = len;
    }

  const holidays: number[] = [];
  const yearly = new Set<number>();
  for (const h of cal.holidays) {
    const [y, m, d] = h.date.split("-").map(Number) as [number, number, number];
    if (h.yearly) yearly.add(m * 100 + d);
    else holidays.push(Date.UTC(y, m - 1, d) / DAY);
  }
  holidays.sort((a, b) => a - b);
  return {
    timezone: cal.timezone,
    zone: zoneOf(cal.timezone),
    week,
    nominal,
    weekMs,
    standardDayMs,
    holidays,
    holidaySet: new Set(holidays),
    yearly,
    days: new Map(),
    special: new Map(),
    years: new Map(),
  };
}

function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7; // day 0, 1970-01-01, was a Thursday
}

function isHoliday(c: CompiledCalendar, day: number): boolean {
  if (c.holidaySet.has(day)) return true;
  if (c.yearly.size === 0) return false;
  const d = new Date(day * DAY);
  return c.yearly.has((d.getUTCMonth() + 1) * 100 + d.getUTCDate());
}

/** The working intervals of local day `day` as UTC instants, flat [start, end, …], ascending. */
function intervalsOf(c: CompiledCalendar, day: number): number[] {
  const cached = c.days.get(day);
  if (cached) return cached;
  const out = computeIntervals(c, day);
  if (c.days.size >= 20_000) c.days.clear();
  c.days.set(day, out);
  return out;
}

/** `intervalsOf` without its cache, for sweeps over many years that would only flush it. */
function computeIntervals(c: CompiledCalendar, day: number): number[] {
  const out: number[] = [];
  const spec = c.week[weekdayOf(day)] as number[];
  if (spec.length > 0 && !isHoliday(c, day)) {
    const base = day * DAY;
    // Nearly every day has one offset throughout; two lookups prove it and spare the rest.
    const o = c.zone.offsetAt(base - DAY);
    const isSteady = o === c.zone.offsetAt(base + 2 * DAY);
    let prevEnd = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < spec.length; i += 2) {
      const ls = base + (spec[i] as number);
      const le = base + (spec[i + 1] as number);
      const s = Math.max(isSteady ? ls - o : c.zone.toUtc(ls), prevEnd);
      const e = Math.max(isSteady ? le - o : c.zone.toUtc(le), s);
      if (e > s) out.push(s, e);
      prevEnd = e;
    }
  }
  return out;
}

function dayTotal(c: CompiledCalendar, day: number, isCached = true): number {
  const iv = isCached ? intervalsOf(c, day) : computeIntervals(c, day);
  let sum = 0;
  for (let i = 0; i < iv.length; i += 2) sum += (iv[i + 1] as number) - (iv[i] as number);
  return sum;
}

/** Working ms of [lo, hi) that fall on local day `day`. */
function overlapOn(c: CompiledCalendar, day: number, lo: number, hi: number): number {
  const iv = intervalsOf(c, day);
  let sum = 0;
  for (let i = 0; i < iv.length; i += 2) {
    const s = Math.max(iv[i] as number, lo);
    const e = Math.min(iv[i + 1] as number, hi);
    if (e > s) sum += e - s;
  }
  return sum;
}

/**
 * The days of one year (local day numbers, ascending) whose working time may differ from their
 * weekday's nominal: holidays and days on which the offset changes. Every other day follows the
 * weekly pattern exactly. Cached per calendar and year.
 */
function specialDaysOf(c: CompiledCalendar, year: number): number[] {
  const cached = c.special.get(year);
  if (cached) return cached;
  const first = Date.UTC(year, 0, 1) / DAY;
  const next = Date.UTC(year + 1, 0, 1) / DAY;
  const days = new Set<number>();
  for (const d of c.holidays) if (d >= first && d < next) days.add(d);
  for (const md of c.yearly) {
    const d = Date.UTC(year, Math.floor(md / 100) - 1, md % 100) / DAY;
    // Date.UTC rolls 29 February over to 1 March in common years; skip that.
    if (new Date(d * DAY).getUTCDate() === md % 100) days.add(d);
  }
  for (const t of c.zone.transitionsIn((first - 2) * DAY, (next + 2) * DAY))
    for (const d of [c.zone.dayOf(t), c.zone.dayOf(t - 1)]) if (d >= first && d < next) days.add(d);
  const out = [...days].sort((a, b) => a - b);
  c.special.set(year, out);
  return out;
}

/** Working ms of the whole local days [d0, d1), a week at a time. */
function wholeDays(c: CompiledCalendar, d0: number, d1: number): number {
  if (d1 <= d0) return 0;
  const n = d1 - d0;
  if (n <= 14) {
    // Short stretches (the usual case) are cheaper day by day from the cache.
    let sum = 0;
    for (let d = d0; d < d1; d++) sum += dayTotal(c, d);
    return sum;
  }
  let sum = Math.floor(n / 7) * c.weekMs;
  for (let d = d0 + n - (n % 7); d < d1; d++) sum += c.nominal[weekdayOf(d)] as number;
  const y1 = new Date((d1 - 1) * DAY).getUTCFullYear();
  for (let y = new Date(d0 * DAY).getUTCFullYear(); y <= y1; y++)
    for (const d of specialDaysOf(c, y))
      if (d >= d0 && d < d1) sum += dayTotal(c, d, false) - (c.nominal[weekdayOf(d)] as number);
  return sum;
}

/** Working ms of the whole local year `year`, cached per calendar. */
function yearTotal(c: CompiledCalendar, year: number): number {
  let ms = c.years.get(year);
  if (ms === undefined) {
    ms = wholeDays(c, Date.UTC(year, 0, 1) / DAY, Date.UTC(year + 1, 0, 1) / DAY);
    c.years.set(year, ms);
  }
  return ms;
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

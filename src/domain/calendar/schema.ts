import { IANAZone } from "luxon";
import { z } from "zod";
import type { BusinessCalendar, Weekday } from "../calendar.ts";
import { INSTANT_YEARS, isCalendarDate } from "../dates.ts";
import { text } from "../text.ts";
import { DAY, weekdayOf } from "./zone-offsets.ts";

/*
 * The calendar as users write it: zod schemas for hours, holidays and time zone, and the check
 * that a calendar leaves no year without a working day. parseCalendar/readStoredCalendar in
 * calendar.ts apply them and turn issues into `invalid_input`.
 */

/** At most this many holidays per calendar (dated and yearly together). */
export const MAX_HOLIDAYS = 1_000;
/** A calendar must have a working day in every run of this many consecutive days (a leap year). */
const MAX_IDLE_DAYS = 366;

export const weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

const clockTime = z
  .string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be a time from "00:00" to "24:00"');

const intervalSchema = z.tuple([clockTime, clockTime], {
  error: 'must be a pair of times such as ["09:00", "17:00"]',
});

/** Minutes after local midnight of `HH:MM` (already checked by `clockTime`). */
export function minutesOf(hhmm: string): number {
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
export const calendarShape = z
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

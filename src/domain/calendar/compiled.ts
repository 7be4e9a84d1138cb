import type { BusinessCalendar, Weekday } from "../calendar.ts";
import { minutesOf, weekdays } from "./schema.ts";
import { DAY, MINUTE, weekdayOf, type ZoneOffsets, zoneOf } from "./zone-offsets.ts";

/*
 * A calendar compiled for arithmetic (the weekly-pattern and holiday half of calendar.ts): each
 * local day's working intervals as UTC instants, cached per calendar; whole days summed a week at
 * a time and corrected only on the few days that differ from the weekly pattern (holidays, days
 * on which the clocks change); whole years cached.
 */

export interface CompiledCalendar {
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
export function compile(cal: BusinessCalendar): CompiledCalendar {
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

function isHoliday(c: CompiledCalendar, day: number): boolean {
  if (c.holidaySet.has(day)) return true;
  if (c.yearly.size === 0) return false;
  const d = new Date(day * DAY);
  return c.yearly.has((d.getUTCMonth() + 1) * 100 + d.getUTCDate());
}

/** The working intervals of local day `day` as UTC instants, flat [start, end, …], ascending. */
export function intervalsOf(c: CompiledCalendar, day: number): number[] {
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
export function overlapOn(c: CompiledCalendar, day: number, lo: number, hi: number): number {
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
export function wholeDays(c: CompiledCalendar, d0: number, d1: number): number {
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
export function yearTotal(c: CompiledCalendar, year: number): number {
  let ms = c.years.get(year);
  if (ms === undefined) {
    ms = wholeDays(c, Date.UTC(year, 0, 1) / DAY, Date.UTC(year + 1, 0, 1) / DAY);
    c.years.set(year, ms);
  }
  return ms;
}

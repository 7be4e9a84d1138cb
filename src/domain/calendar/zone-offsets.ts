import { IANAZone } from "luxon";

/*
 * UTC offsets of IANA zones and the local days they make (the DST half of calendar.ts). luxon
 * needs ~15 µs per offset lookup and a queue page computes hundreds of spans, so offsets are read
 * once per zone and year into a table of transitions, module-level and shared by every calendar
 * in that zone. Local days are numbered from 1970-01-01 (day 0) in the zone's wall-clock time.
 */

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const DAY = 24 * 60 * MINUTE;
export const WEEK = 7 * DAY;

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
export class ZoneOffsets {
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

/** The shared offset table of zone `name`, made on first use. */
export function zoneOf(name: string): ZoneOffsets {
  let z = zones.get(name);
  if (!z) {
    z = new ZoneOffsets(name);
    zones.set(name, z);
  }
  return z;
}

/** The JS weekday (0 = Sunday) of local day number `day`. */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7; // day 0, 1970-01-01, was a Thursday
}

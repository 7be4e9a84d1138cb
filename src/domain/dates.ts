import { text } from "./text.ts";

/*
 * Dates and instants people send, parsed strictly: written exactly as ISO 8601 / RFC 3339 says,
 * every part in range (no 31 February, no hour 25), and the year within a range Baton can
 * compute with and PostgreSQL can store. `Date.parse` alone is not enough: it rolls impossible
 * days over (2026-02-31 becomes 3 March) and accepts years 0 and 275760 that `timestamptz`
 * refuses.
 */

/** An inclusive range of years. */
export interface YearRange {
  min: number;
  max: number;
}

/**
 * The years of any instant people send (a meeting's start): what Baton computes with. Rules
 * that depend on the moment (a meeting not in the past) are the domain's, with their own words.
 */
export const INSTANT_YEARS: YearRange = { min: 1970, max: 2100 };

/** When an item may be due: work due before 2000 or after 2100 is a typo. */
export const DUE_YEARS: YearRange = { min: 2000, max: 2100 };

/** The dates a `date` field may hold: older than the schedule (a contract signed in 1990). */
export const FIELD_DATE_YEARS: YearRange = { min: 1900, max: 2100 };

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const instantPattern =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/** Latest UTC offset in use on Earth (Kiribati, +14:00); the earliest is −12:00. */
const MAX_OFFSET_MINUTES = 14 * 60;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isRealDay(year: number, month: number, day: number, years: YearRange): boolean {
  return (
    year >= years.min &&
    year <= years.max &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysIn(year, month)
  );
}

/** True for a real calendar day written YYYY-MM-DD whose year is within `years`. */
export function isCalendarDate(v: string, years: YearRange = FIELD_DATE_YEARS): boolean {
  const m = datePattern.exec(v);
  return m !== null && isRealDay(Number(m[1]), Number(m[2]), Number(m[3]), years);
}

/**
 * The instant `v` names, in ms since the epoch, or undefined unless it is written
 * `YYYY-MM-DDTHH:MM[:SS[.fraction]]` with `Z` or an offset `±HH:MM` (at most 14 hours), every
 * part in range, and its year (as written) within `years`.
 */
export function parseInstant(v: string, years: YearRange = INSTANT_YEARS): number | undefined {
  const m = instantPattern.exec(v);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (!isRealDay(year, month, day, years) || hour > 23 || minute > 59 || second > 59)
    return undefined;
  // Groups 7–11: fraction, "Z", or the offset's sign, hours and minutes.
  let offset = 0;
  if (m[8] !== "Z") {
    const [oh, om] = [Number(m[10]), Number(m[11])];
    offset = (m[9] === "-" ? -1 : 1) * (oh * 60 + om);
    if (om > 59 || Math.abs(offset) > MAX_OFFSET_MINUTES) return undefined;
  }
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0${m[7]}`) * 1000);
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset * 60_000;
}

/**
 * An item's `due`: a day (YYYY-MM-DD, meaning the end of that day, UTC) or an instant, as an
 * ISO string; undefined when it is neither or falls outside {@link DUE_YEARS}.
 */
export function parseDue(v: string): string | undefined {
  if (datePattern.test(v)) return isCalendarDate(v, DUE_YEARS) ? `${v}T23:59:59.999Z` : undefined;
  const t = parseInstant(v, DUE_YEARS);
  return t === undefined ? undefined : new Date(t).toISOString();
}

const years = (r: YearRange) => `years ${r.min} to ${r.max}`;

/** What {@link parseInstant} accepts, in words. */
export const INSTANT_MESSAGE = `must be an ISO 8601 date and time with a time zone, e.g. 2026-03-02T14:00:00Z (${years(INSTANT_YEARS)})`;
/** What {@link parseDue} accepts, in words. */
export const DUE_MESSAGE = `must be a date (YYYY-MM-DD) or an ISO 8601 date and time with a time zone (${years(DUE_YEARS)})`;
/** What a `date` field accepts, in words. */
export const FIELD_DATE_MESSAGE = `must be a date as YYYY-MM-DD (${years(FIELD_DATE_YEARS)})`;

/** A request's instant (a meeting's start): checked at the edge with the rule the domain applies. */
export const instantText = text({ max: 64 }).refine(
  (v) => parseInstant(v) !== undefined,
  INSTANT_MESSAGE,
);

/** A request's `due`, checked at the edge with the rule the domain applies. */
export const dueText = text({ max: 64 }).refine((v) => parseDue(v) !== undefined, DUE_MESSAGE);

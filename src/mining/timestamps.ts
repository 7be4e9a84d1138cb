/*
 * Timestamps of imported event logs. XES writes `2012-03-15T12:53:52.000+02:00`; CSV exports
 * write the same with a space (`2011-10-11 13:45:40.276000+02:00`), with microseconds, with or
 * without the offset. One strict pattern for all of them: `Date.parse` accepts too much (it
 * rolls 31 February over to March and reads `1/2/2011` the American way).
 */

const pattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Years an event of a ticket history can have; anything else is a typo or a placeholder. */
const MIN_YEAR = 1900;
const MAX_YEAR = 2200;

/**
 * Milliseconds since the epoch (fractions of a millisecond kept), or undefined when `text` is
 * not an ISO 8601 date-time with every part in range. A time without an offset is read as UTC.
 */
export function parseTimestamp(text: string): number | undefined {
  return parseFixed(text) ?? parseAny(text);
}

/** Digits at `at..at+n` as a number, or NaN when one is not a digit. */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    v = v * 10 + d;
  }
  return v;
}

/**
 * The shapes nearly every log uses, read without a regular expression (a million events spend
 * most of their parse time in it otherwise): `2012-03-15T12:53:52.000+02:00` as XES writes it,
 * `2011-10-11 13:45:40.276000+02:00` as CSV exports do; a fraction of 1–9 digits or none, then
 * `Z`, an offset `±hh:mm` or nothing. Anything else goes to the general pattern, whose result
 * this one equals wherever it gives one (a property test holds it to that).
 */
function parseFixed(s: string): number | undefined {
  const n = s.length;
  if (n < 19) return undefined;
  const c = (i: number) => s.charCodeAt(i);
  // "-", "-", "T" or " ", ":", ":"
  const sep = c(10);
  if (c(4) !== 45 || c(7) !== 45 || (sep !== 84 && sep !== 32) || c(13) !== 58 || c(16) !== 58)
    return undefined;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  // The fraction: its digits run from 20 to `at`.
  let at = 19;
  let fraction = 0;
  if (at < n && (c(at) === 46 || c(at) === 44)) {
    at++;
    while (at < n && c(at) >= 48 && c(at) <= 57) at++;
    const count = at - 20;
    if (count < 1 || count > 9) return undefined;
    // Three digits, the usual, are whole milliseconds (what `milliseconds` gives, without a slice).
    fraction = count === 3 ? digits(s, 20, 3) : milliseconds(s.slice(20, at));
  }
  let offset = 0;
  if (at === n - 1) {
    if (c(at) !== 90 && c(at) !== 122) return undefined;
  } else if (at === n - 6) {
    const sign = c(at) === 43 ? 1 : c(at) === 45 ? -1 : 0;
    if (sign === 0 || c(at + 3) !== 58) return undefined;
    const oh = digits(s, at + 1, 2);
    const om = digits(s, at + 4, 2);
    if (!(oh <= 14 && om <= 59)) return undefined;
    offset = sign * (oh * 60 + om) * 60_000;
  } else if (at !== n) return undefined;
  // NaN fails every comparison, so a non-digit anywhere ends here.
  if (!(year >= MIN_YEAR && year <= MAX_YEAR && month >= 1 && month <= 12 && day >= 1))
    return undefined;
  if (!(hour <= 23 && minute <= 59 && second <= 59)) return undefined;
  if (day > 28) {
    // 31 in January, March, May, July, August, October, December; 30 in the others but February.
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    const last = month === 2 ? (leap ? 29 : 28) : 30 + ((month + (month >> 3)) & 1);
    if (day > last) return undefined;
  }
  const seconds = ((epochDay(year, month, day) * 24 + hour) * 60 + minute) * 60 + second;
  return seconds * 1000 + fraction - offset;
}

/**
 * Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's
 * days_from_civil): what `Date.UTC` computes, without a call into the runtime per event.
 */
function epochDay(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The milliseconds a fraction of a second's digits stand for: "5" 500, "276000" 276. */
function milliseconds(fractionDigits: string): number {
  return Number(fractionDigits) / 10 ** (fractionDigits.length - 3);
}

/** The general pattern alone; exported for the property test that holds `parseFixed` to it. */
export function parseAny(text: string): number | undefined {
  const m = pattern.exec(text.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1) return undefined;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (m[7] !== undefined) ms += milliseconds(m[7]);
  const zone = m[8];
  if (zone !== undefined && zone !== "Z" && zone !== "z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (oh > 14 || om > 59) return undefined;
    ms -= sign * (oh * 60 + om) * 60_000;
  }
  return ms;
}

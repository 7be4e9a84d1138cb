import { duration } from "../../lib/format.ts";

/** Seconds as people say them ("2 h 10 m"), or a dash when nothing was measured. */
export function secs(s: number | null | undefined): string {
  return s === null || s === undefined ? "—" : duration(s * 1000);
}

/** A 0..1 share as a percentage ("33 %"), or a dash. */
export function pct(r: number | null | undefined): string {
  return r === null || r === undefined ? "—" : `${Math.round(r * 100)} %`;
}

/** A survey average out of 5 ("3.8 / 5 (12)"), or a dash. */
export function score(avg: number | null, n: number): string {
  return avg === null ? "—" : `${avg.toFixed(1)} / 5 (${n})`;
}

/** Rejection reasons in words. */
export const REASONS: Record<string, string> = {
  incomplete: "Incomplete",
  incorrect: "Incorrect",
  wrong_team: "Wrong team",
  other: "Other",
};

/** A day of an ISO instant, for date inputs (UTC). */
export const dayOf = (iso: string) => iso.slice(0, 10);

/** The day before an exclusive end instant: the last day a period includes (UTC). */
export const lastDayOf = (iso: string) => new Date(Date.parse(iso) - 1).toISOString().slice(0, 10);

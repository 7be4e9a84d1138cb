/*
 * The written form of service-level durations (`90m`, `4h`, `2d`, `1w`, `48h wall`) and their
 * limits. Shared by the workflow schema (which refuses what is out of bounds) and the calendar
 * (which turns the text into seconds on a team's calendar), so both read the same syntax.
 */

/** `<amount><unit>[ wall]`: a decimal amount, a unit m/h/d/w, and `wall` for plain clock time. */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(m|h|d|w)(\s+wall)?$/;

export type DurationUnit = "m" | "h" | "d" | "w";

/**
 * The largest amount per unit: five years. Business units count a standard 40-hour week
 * (260 weeks = 1,300 days = 10,400 hours); wall units count 5 × 365.25 days of clock time. A limit
 * beyond that is a typo, and bounding it keeps every deadline computable (see calendar.ts).
 */
export const MAX_DURATION: Readonly<Record<"business" | "wall", Record<DurationUnit, number>>> = {
  business: { w: 260, d: 1_300, h: 10_400, m: 624_000 },
  wall: { w: 260, d: 1_826, h: 43_830, m: 2_629_800 },
};

/** A duration split into its parts, or undefined if the text is not a duration. */
export function splitDuration(
  text: string,
): { amount: number; unit: DurationUnit; wall: boolean } | undefined {
  const m = DURATION_PATTERN.exec(text.trim());
  if (!m) return undefined;
  return { amount: Number(m[1]), unit: m[2] as DurationUnit, wall: m[3] !== undefined };
}

/**
 * What is wrong with a duration's size, or undefined when it is within {@link MAX_DURATION}:
 * `at most 5 years (260w)`. Text that is not a duration at all is left to the pattern check.
 */
export function durationLimitProblem(text: string): string | undefined {
  const d = splitDuration(text);
  if (!d) return undefined;
  const max = MAX_DURATION[d.wall ? "wall" : "business"][d.unit];
  return d.amount > max ? `at most 5 years (${max}${d.unit}${d.wall ? " wall" : ""})` : undefined;
}

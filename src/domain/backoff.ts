/*
 * When a failed job is tried again: exponential backoff with jitter, the one policy of every
 * background job (deliveries, outbox fan-out, timers). The delay doubles per attempt up to a
 * cap; "equal jitter" then keeps the upper half fixed and draws the lower half at random, so
 * jobs that failed together (a receiver down for a minute) spread out instead of retrying in
 * lock step, while each still waits at least half its nominal delay.
 */

/** How a failing job is retried. */
export interface RetryPolicy {
  /** The first delay (ms). */
  baseMs: number;
  /** The longest delay (ms). */
  maxMs: number;
  /** Share of the delay drawn at random, 0 (none) to 1; default 0.5. */
  jitter?: number;
}

/**
 * The delay before try `attempt + 1` after `attempt` failed tries (attempt ≥ 1):
 * `min(max, base · 2^(attempt − 1))`, of which the `jitter` share is scaled by `random()`.
 */
export function retryDelayMs(
  attempt: number,
  { baseMs, maxMs, jitter = 0.5 }: RetryPolicy,
  random: () => number = Math.random,
): number {
  // The exponent is capped so the power cannot overflow before the cap applies.
  const nominal = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, attempt - 1), 40));
  const share = Math.min(1, Math.max(0, jitter));
  return Math.round(nominal * (1 - share) + nominal * share * random());
}

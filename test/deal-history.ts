import type { TestClock } from "./harness.ts";

/*
 * Past work for the forecast and the queue's risk: Sales hands deals to Implementation, which
 * must accept within 4 business hours, one deal a weekday morning on a clock moved by hand.
 */

const DAY = 86_400_000;

/** Sales closes the deal and hands it to Implementation (accept within 4 h). */
export function dealsYaml({ key = "deals", name = "Deals", prefix = "DL" } = {}): string {
  return `
key: ${key}
name: ${name}
prefix: ${prefix}
steps:
  - {key: sell, name: Close the deal, team: sales, handoff: {to: implement, accept_within: 4h}}
  - {key: implement, name: Implement, team: implementation}
`;
}

/**
 * Runs `history` on the clock held at Monday 2 March 2026, 09:00 UTC and moved only by hand,
 * then gives the clock its own time back: in the browser tests, the present, as a person sees it.
 */
export async function inMarch(clock: TestClock, history: () => Promise<void>): Promise<void> {
  const ownTime = Object.getOwnPropertyDescriptor(clock, "now") as PropertyDescriptor;
  Object.defineProperty(clock, "now", {
    value: new Date("2026-03-02T09:00:00Z"),
    writable: true,
    configurable: true,
  });
  try {
    await history();
  } finally {
    Object.defineProperty(clock, "now", ownTime);
  }
}

/**
 * Runs `day` on `n` weekday mornings, the first at the clock's now; `start` is that morning (ms).
 * Whatever `day` does to the clock, the next morning is the next weekday's at the same time.
 */
export async function onWeekdayMornings(
  clock: TestClock,
  n: number,
  day: (i: number, start: number) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < n; i++) {
    const start = clock.now.getTime();
    await day(i, start);
    clock.now = new Date(start + (new Date(start).getUTCDay() === 5 ? 3 : 1) * DAY);
  }
}

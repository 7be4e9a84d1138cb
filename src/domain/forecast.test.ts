import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addBusinessMs, DEFAULT_CALENDAR } from "./calendar.ts";
import {
  breachChance,
  buildHistory,
  completionForecast,
  depthClass,
  MIN_SAMPLES,
  queueDepthAt,
  stagesOf,
} from "./forecast.ts";
import type { Item } from "./item.ts";
import { itemClocks } from "./sla.ts";
import { handoffWorkflow, itemLife } from "./test-fixtures.ts";

/*
 * Forecasts on hand-built histories with known answers: Sales hands to Implementation, which
 * must accept within 4 business hours (Monday to Friday 09:00-17:00 UTC), then works 2 hours.
 */

const def = handoffWorkflow;
const calendarOf = () => DEFAULT_CALENDAR;
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Monday 2 March 2026, 00:00 UTC. */
const MONDAY = Date.UTC(2026, 2, 2);
const iso = (t: number) => new Date(t).toISOString();

const life = itemLife;

const now = new Date(MONDAY + 200 * DAY);
const clocksOf = (item: Item) => itemClocks({ item, def, calendarOf, now }).history;

/** Calm: one handoff a week, accepted in 30 minutes, done 2 hours later. */
const calm = Array.from({ length: 30 }, (_, i) => {
  const day = MONDAY + 7 * i * DAY + 9 * HOUR;
  return life(`W-c${i}`, {
    created: day,
    submitted: day + HOUR,
    decided: day + 90 * MIN,
    done: day + 210 * MIN,
  });
});
/** Busy: 30 handoffs one minute apart on one Monday, accepted two business days later (breached). */
const busyMonday = MONDAY - 7 * DAY + 9 * HOUR;
const busy = Array.from({ length: 30 }, (_, k) =>
  life(`W-b${k}`, {
    created: busyMonday,
    submitted: busyMonday + k * MIN,
    decided: busyMonday + 2 * DAY + k * MIN,
    done: busyMonday + 2 * DAY + 2 * HOUR + k * MIN,
  }),
);

describe("the stages of an item's past", () => {
  it("a rejected handoff is a wait of its own; the step is left for good at the accepted one", () => {
    const t = MONDAY + 9 * HOUR;
    const item = [
      life("W-1", { created: t, submitted: t + HOUR, decided: t + 2 * HOUR, rejected: true }),
    ][0] as Item;
    expect(stagesOf(item)).toEqual([
      {
        kind: "accept",
        step: "implement",
        team: "implementation",
        start: t + HOUR,
        end: t + 2 * HOUR,
      },
    ]);
    const done = life("W-2", {
      created: t,
      submitted: t + HOUR,
      decided: t + 2 * HOUR,
      done: t + 5 * HOUR,
    });
    expect(stagesOf(done)).toEqual([
      {
        kind: "accept",
        step: "implement",
        team: "implementation",
        start: t + HOUR,
        end: t + 2 * HOUR,
      },
      { kind: "work", step: "sell", team: "sales", start: t, end: t + HOUR },
      {
        kind: "work",
        step: "implement",
        team: "implementation",
        start: t + 2 * HOUR,
        end: t + 5 * HOUR,
      },
    ]);
  });

  it("the queue depth at a moment counts the handoffs waiting then", () => {
    const h = buildHistory(busy, clocksOf, calendarOf);
    expect(queueDepthAt(h, "implementation", busyMonday + 10 * MIN + 1)).toBe(11);
    expect(queueDepthAt(h, "implementation", busyMonday - 1)).toBe(0);
    expect(queueDepthAt(h, "implementation", busyMonday + 3 * DAY)).toBe(0);
    expect(queueDepthAt(h, "sales", busyMonday + MIN)).toBe(0);
  });
});

describe("the chance a running clock breaches", () => {
  const history = buildHistory([...calm, ...busy], clocksOf, calendarOf);
  const running = (submitted: number, at: number) => {
    const item = life("W-now", { created: submitted - HOUR, submitted });
    const clock = itemClocks({ item, def, calendarOf, now: new Date(at) }).current.find(
      (c) => c.kind === "accept",
    );
    if (!clock) throw new Error("no accept clock");
    return clock;
  };
  /** A Monday 09:00 after all of the history. */
  const start = MONDAY + 301 * DAY + 9 * HOUR;

  it("is the smoothed share of past clocks that breached, among those that ran as long", () => {
    const fresh = breachChance(history, running(start, start), 0);
    // Depth 0: the 30 calm ones and the first busy one; one of 31 breached.
    expect(fresh).toMatchObject({ probability: 1.5 / 32, sampleSize: 31 });
    // Two business hours in, only clocks that lasted that long remain: all 30 busy ones, breached.
    const old = breachChance(history, running(start, start + 2 * HOUR), 0);
    expect(old).toMatchObject({ probability: 30.5 / 31, sampleSize: 30 });
  });

  it("learns from clocks that started behind a queue of similar depth", () => {
    const deep = breachChance(history, running(start, start), 20);
    // Class 5 (16-31 waiting) holds busy clocks 16..29, too few; with classes 4 and 6 it holds
    // clocks 8..29: 22 of them, all breached.
    expect(deep).toMatchObject({ probability: 22.5 / 23, sampleSize: 22 });
    expect(deep.probability as number).toBeGreaterThan(
      breachChance(history, running(start, start), 0).probability as number,
    );
  });

  it("says it does not know with fewer than MIN_SAMPLES past clocks", () => {
    const thin = buildHistory(calm.slice(0, MIN_SAMPLES - 1), clocksOf, calendarOf);
    expect(breachChance(thin, running(start, start), 0)).toMatchObject({
      probability: null,
      sampleSize: MIN_SAMPLES - 1,
    });
  });

  it("is always strictly between 0 and 1 and never rests on fewer than MIN_SAMPLES (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 * 3600 }),
        fc.integer({ min: 0, max: 200 }),
        (elapsed, depth) => {
          const clock = { ...running(start, start), elapsedSeconds: elapsed };
          const b = breachChance(history, clock, depth);
          if (b.probability === null) expect(b.sampleSize).toBeLessThan(MIN_SAMPLES);
          else {
            expect(b.sampleSize).toBeGreaterThanOrEqual(MIN_SAMPLES);
            expect(b.probability).toBeGreaterThan(0);
            expect(b.probability).toBeLessThan(1);
          }
        },
      ),
    );
  });

  it("classes queue depths by powers of two", () => {
    expect([0, 1, 2, 3, 4, 7, 8, 16, 63, 64, 10_000].map(depthClass)).toEqual([
      0, 1, 2, 2, 3, 3, 4, 5, 6, 7, 7,
    ]);
  });
});

describe("when the item may be done", () => {
  const history = buildHistory([...calm, ...busy], clocksOf, calendarOf);
  /** A Monday after all of the history. */
  const monday = MONDAY + 301 * DAY;

  it("lays the rest of the stage under way onto the team's calendar", () => {
    // Accepted into Implement at 10:00; every past Implement took 2 business hours. At 10:30,
    // 1.5 hours remain, whatever the draw: done at 12:00.
    const item = life("W-now", {
      created: monday + 8 * HOUR,
      submitted: monday + 9 * HOUR,
      decided: monday + 10 * HOUR,
    });
    const f = completionForecast(history, item, def, calendarOf, new Date(monday + 10.5 * HOUR));
    expect(f).toMatchObject({
      p50: iso(monday + 12 * HOUR),
      p85: iso(monday + 12 * HOUR),
      stages: 1,
    });
  });

  it("adds the wait for acceptance, drawn from the past, and crosses nights and weekends in business time", () => {
    // Friday 16:00, just submitted: past waits were 30 minutes (calm) or 16 business hours
    // (busy), half each; then 2 hours of work. Each future is one of the two.
    const friday = monday + 4 * DAY;
    const item = life("W-fri", { created: friday + 15 * HOUR, submitted: friday + 16 * HOUR });
    const f = completionForecast(history, item, def, calendarOf, new Date(friday + 16 * HOUR));
    if (f.p50 === null) throw new Error(f.reason);
    const finishAfter = (waitMs: number) =>
      iso(
        addBusinessMs(
          addBusinessMs(friday + 16 * HOUR, waitMs, DEFAULT_CALENDAR),
          2 * HOUR,
          DEFAULT_CALENDAR,
        ),
      );
    expect(finishAfter(30 * MIN)).toBe(iso(friday + 3 * DAY + 10.5 * HOUR)); // Monday 10:30
    expect([finishAfter(30 * MIN), finishAfter(16 * HOUR)]).toContain(f.p50);
    expect(f.p85).toBe(finishAfter(16 * HOUR)); // Wednesday 11:00
    expect(f.p95).toBe(finishAfter(16 * HOUR));
  });

  it("names the stage with too little history instead of guessing", () => {
    const thin = buildHistory(calm.slice(0, 5), clocksOf, calendarOf);
    const item = life("W-x", { created: monday + 9 * HOUR });
    expect(completionForecast(thin, item, def, calendarOf, new Date(monday + 9 * HOUR))).toEqual({
      p50: null,
      reason: 'too little history for the work at "Sell" (5 past cases, 20 needed)',
      sampleSize: 5,
    });
  });
});

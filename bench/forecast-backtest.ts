/*
 * Backtest of the breach forecast (src/domain/forecast.ts): replays a history handoff by
 * handoff, predicts at each handoff from what was known then, and scores the predictions
 * against what happened (Brier score, calibration), beside the warning service desks use (a
 * fixed mark at 75 % of the limit: "will breach" once it passes, "will not" before) and the
 * base rate (every handoff gets the share that breached so far).
 *
 * The history: one receiving team (Implementation) reviews handoffs from Sales first come, first
 * served during business hours (Monday to Friday 09:00-17:00 UTC), one at a time, each review an
 * exponential 35 business minutes; Sales hands off about 6 a day, 14 a day in every fourth week.
 * Accept within 4 business hours. Quiet weeks rarely breach, busy weeks pile up: what matters
 * is the queue in front of a handoff, which a fixed mark cannot see.
 *
 *   npm run backtest [-- --days 260 --seed 7]
 */
import { parseArgs } from "node:util";
import { addBusinessMs, businessMsBetween, DEFAULT_CALENDAR } from "../src/domain/calendar.ts";
import { breachChance, buildHistory, seededRandom } from "../src/domain/forecast.ts";
import type { Item } from "../src/domain/item.ts";
import { itemClocks } from "../src/domain/sla.ts";
import { handoffWorkflow, itemLife } from "../src/domain/test-fixtures.ts";

const { values } = parseArgs({
  options: { days: { type: "string", default: "260" }, seed: { type: "string", default: "7" } },
});
const DAYS = Number(values.days);
const random = seededRandom(`backtest:${values.seed}`);

const def = handoffWorkflow;
const cal = DEFAULT_CALENDAR;
const calendarOf = () => cal;
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const LIMIT_MS = 4 * HOUR;
const START = Date.UTC(2025, 0, 6); // a Monday

const exponential = (mean: number) => -Math.log(1 - random()) * mean;
function poisson(lambda: number): number {
  let k = 0;
  let p = Math.exp(-lambda);
  let s = p;
  const u = random();
  while (u > s && k < 1000) {
    k++;
    p *= lambda / k;
    s += p;
  }
  return k;
}

/** One simulated handoff: when it was submitted and accepted, and when the work was done. */
interface Case {
  key: string;
  created: number;
  submitted: number;
  accepted: number;
  done: number;
}

const cases: Case[] = [];
let reviewerFree = START;
for (let d = 0; d < DAYS; d++) {
  const day = START + d * DAY;
  const weekday = new Date(day).getUTCDay();
  if (weekday === 0 || weekday === 6) continue;
  const busy = Math.floor(d / 7) % 4 === 3;
  const arrivals = Array.from(
    { length: poisson(busy ? 14 : 6) },
    () => day + 9 * HOUR + random() * 8 * HOUR,
  ).sort((a, b) => a - b);
  for (const submitted of arrivals) {
    const begin = Math.max(submitted, reviewerFree);
    const accepted = addBusinessMs(begin, exponential(35 * MIN), cal);
    reviewerFree = accepted;
    cases.push({
      key: `W-${cases.length + 1}`,
      created: submitted - HOUR,
      submitted,
      accepted,
      done: addBusinessMs(accepted, exponential(2 * HOUR), cal),
    });
  }
}

/** The item as it stood at `t`: only what had happened by then. */
function asOf(c: Case, t: number): Item | null {
  if (c.created > t) return null;
  const by = (at: number) => (at <= t ? at : undefined);
  return itemLife(c.key, {
    created: c.created,
    submitted: by(c.submitted),
    decided: by(c.accepted),
    done: by(c.done),
  });
}

/** Predictions at each checkpoint: the forecast, the fixed 75 % mark, the base rate; and the outcome. */
interface Prediction {
  checkpoint: string;
  model: number | null;
  mark: number;
  base: number | null;
  breached: boolean;
}

const predictions: Prediction[] = [];
const warmUp = START + Math.floor(DAYS * 0.3) * DAY;
let history = buildHistory([], () => [], calendarOf);
let historyDay = -1;
let breachedSoFar = { n: 0, k: 0 };
const started = performance.now();
for (const c of cases) {
  const wait = businessMsBetween(c.submitted, c.accepted, cal);
  const breached = wait > LIMIT_MS;
  for (const [name, ageMs] of [
    ["at the handoff", 0],
    ["at 50 % of the limit", LIMIT_MS / 2],
    ["at 75 % of the limit", (LIMIT_MS * 3) / 4],
  ] as const) {
    const t = addBusinessMs(c.submitted, ageMs, cal);
    if (t >= c.accepted || t < warmUp) continue; // decided by then, or still warming up
    // History as of the start of that day (rebuilt once a day): what a node would have read.
    const day = Math.floor(t / DAY);
    if (day !== historyDay) {
      const known = cases.flatMap((x) => {
        const item = x.created < day * DAY ? asOf(x, day * DAY) : null;
        return item ? [item] : [];
      });
      const now = new Date(day * DAY);
      history = buildHistory(
        known,
        (item) => itemClocks({ item, def, calendarOf, now }).history,
        calendarOf,
      );
      const ended = cases.filter((x) => x.accepted < day * DAY);
      breachedSoFar = {
        n: ended.length,
        k: ended.filter((x) => businessMsBetween(x.submitted, x.accepted, cal) > LIMIT_MS).length,
      };
      historyDay = day;
    }
    const item = asOf(c, t) as Item;
    const clock = itemClocks({ item, def, calendarOf, now: new Date(t) }).current.find(
      (x) => x.kind === "accept",
    );
    if (!clock) throw new Error(`${c.key}: no accept clock at ${new Date(t).toISOString()}`);
    // The queue in front of it when it was handed off, as everybody could see then.
    const depth = cases.filter((x) => x.submitted < c.submitted && x.accepted > c.submitted).length;
    predictions.push({
      checkpoint: name,
      model: breachChance(history, clock, depth).probability,
      mark: ageMs >= (LIMIT_MS * 3) / 4 ? 1 : 0,
      base: breachedSoFar.n > 0 ? breachedSoFar.k / breachedSoFar.n : null,
      breached,
    });
  }
}
const seconds = (performance.now() - started) / 1000;

const brier = (ps: { p: number; o: boolean }[]) =>
  ps.reduce((s, { p, o }) => s + (p - (o ? 1 : 0)) ** 2, 0) / ps.length;

console.log(
  `Backtest of the breach forecast: ${cases.length} handoffs over ${DAYS} days, first 30 % as warm-up; ${predictions.length} predictions (${seconds.toFixed(1)} s)`,
);
console.log(
  `Breached: ${cases.filter((c) => businessMsBetween(c.submitted, c.accepted, cal) > LIMIT_MS).length} of ${cases.length} handoffs.`,
);
console.log("");
console.log("Brier score (lower is better; 0.25 is a coin flip):");
console.log(
  "checkpoint              n     forecast  75% mark  base rate  (forecast had too little history: n)",
);
for (const name of ["at the handoff", "at 50 % of the limit", "at 75 % of the limit", "all"]) {
  const rows = predictions.filter(
    (p) => (name === "all" || p.checkpoint === name) && p.model !== null && p.base !== null,
  );
  const unknown = predictions.filter(
    (p) => (name === "all" || p.checkpoint === name) && p.model === null,
  ).length;
  if (rows.length === 0) continue;
  const f = brier(rows.map((r) => ({ p: r.model as number, o: r.breached })));
  const m = brier(rows.map((r) => ({ p: r.mark, o: r.breached })));
  const b = brier(rows.map((r) => ({ p: r.base as number, o: r.breached })));
  console.log(
    `${name.padEnd(22)} ${String(rows.length).padStart(5)}   ${f.toFixed(3).padStart(8)}  ${m.toFixed(3).padStart(8)}  ${b.toFixed(3).padStart(9)}  ${unknown}`,
  );
}
console.log("");
console.log("Calibration of the forecast (all checkpoints): predicted → observed breach share");
for (let lo = 0; lo < 1; lo += 0.2) {
  const bin = predictions.filter((p) => p.model !== null && p.model >= lo && p.model < lo + 0.2);
  if (bin.length === 0) continue;
  const mean = bin.reduce((s, p) => s + (p.model as number), 0) / bin.length;
  const seen = bin.filter((p) => p.breached).length / bin.length;
  console.log(
    `  ${lo.toFixed(1)}–${(lo + 0.2).toFixed(1)}: ${String(bin.length).padStart(5)} predictions, mean ${mean.toFixed(2)}, breached ${seen.toFixed(2)}`,
  );
}

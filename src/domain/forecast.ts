import { addBusinessMs, type BusinessCalendar, businessMsBetween } from "./calendar.ts";
import type { Clock, ClockKind } from "./clocks.ts";
import { type Item, isClosed } from "./item.ts";
import { routeHandoff, stepOf, type WorkflowDef } from "./workflow.ts";

/*
 * When will it be done, and will it make its limits? Answered from what happened before: the
 * same step's (and the same handoff's) past durations in this Baton, conditioned on what is
 * known now. Pure: the engine hands in the history it read.
 *
 * - Breach: for each running clock, the past clocks of the same kind at the same step of the
 *   same workflow that had already run at least as long as this one has (those still open at
 *   this age), from the same class of queue depth at their start as this one (widened to the
 *   neighbouring classes until there are enough); the estimate is the share of those that
 *   breached, smoothed towards one half ((k + 1/2) / (n + 1)) so twenty samples never claim
 *   certainty.
 * - Completion: Monte Carlo over the stages still ahead on the item's path (the rest of the
 *   current one, conditioned on its age; then, per later step, waiting for acceptance and the
 *   work there), each drawn from that stage's past business durations and laid onto the owning
 *   team's calendar. Percentiles of the simulated finish are the expected dates.
 * With fewer than MIN_SAMPLES past cases for a clock or stage, it says so instead of guessing.
 */

/** Past cases below which no estimate is given. */
export const MIN_SAMPLES = 20;
/** Simulated futures per completion forecast. */
export const SIMULATIONS = 1_000;

/** One stretch of an item's past in one step: waiting to be accepted into it, or worked on. */
export interface Stage {
  kind: "accept" | "work";
  /** The step worked on, or the step being handed to. */
  step: string;
  team: string;
  /** Epoch ms. */
  start: number;
  end: number;
}

/** The closed stages of an item: each accepted or rejected handoff's wait, each step left for good. */
export function stagesOf(item: Item): Stage[] {
  const stages: Stage[] = [];
  let at = {
    step: item.handoffs[0]?.fromStep ?? item.step,
    team: item.handoffs[0]?.fromTeam ?? item.ownerTeam,
    since: Date.parse(item.createdAt),
  };
  for (const h of item.handoffs) {
    if ((h.outcome !== "accepted" && h.outcome !== "rejected") || h.decidedAt === null) continue;
    const submitted = Date.parse(h.submittedAt);
    const decided = Date.parse(h.decidedAt);
    stages.push({ kind: "accept", step: h.toStep, team: h.toTeam, start: submitted, end: decided });
    if (h.outcome === "accepted") {
      stages.push({
        kind: "work",
        step: h.fromStep,
        team: h.fromTeam,
        start: at.since,
        end: submitted,
      });
      at = { step: h.toStep, team: h.toTeam, since: decided };
    }
  }
  if (item.status === "done" && item.closed)
    stages.push({
      kind: "work",
      step: at.step,
      team: at.team,
      start: at.since,
      end: Date.parse(item.closed.at),
    });
  return stages;
}

/**
 * Ended clocks of one kind and step whose team had queues of similar depth when they started,
 * by elapsed time: survivors of any age and how many of them breached, in O(log n).
 */
export interface ClockPool {
  /** Final elapsed seconds, ascending. */
  elapsed: number[];
  /** `breachedFrom[i]`: how many of `elapsed[i..]` breached. */
  breachedFrom: number[];
}

/** Queue depth classes: 0, 1, 2–3, 4–7, 8–15, 16–31, 32–63, 64 and more. */
export const DEPTH_CLASSES = 8;
export function depthClass(depth: number): number {
  return depth <= 0 ? 0 : Math.min(DEPTH_CLASSES - 1, 1 + Math.floor(Math.log2(depth)));
}

/** What the history of one workflow holds, pooled by clock and stage. */
export interface History {
  /** Ended clocks by `kind:step`, then by the depth class of their team's queue at their start. */
  clocks: Map<string, ClockPool[]>;
  /** Business durations (ms) of closed stages by `kind:step`, ascending. */
  stages: Map<string, number[]>;
  /** Per team, sorted start and end instants of accept stages: the queue depth at any moment. */
  queues: Map<string, { starts: number[]; ends: number[] }>;
}

const poolKey = (kind: string, step: string) => `${kind}:${step}`;

/** Items waiting for `team` to accept them at instant `t` (accept stages open then). */
export function queueDepthAt(history: History, team: string, t: number): number {
  const q = history.queues.get(team);
  if (!q) return 0;
  return countBelow(q.starts, t) - countBelow(q.ends, t);
}

/** How many of the ascending `xs` are below `t` (binary search). */
function countBelow(xs: readonly number[], t: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Pools the history of one workflow: its items' closed stages, and their clocks that ended
 * (`clocksOf` gives an item's clock history, as the service levels compute it).
 */
export function buildHistory(
  items: readonly Item[],
  clocksOf: (item: Item) => readonly Clock[],
  calendarOf: (team: string) => BusinessCalendar,
): History {
  const history: History = { clocks: new Map(), stages: new Map(), queues: new Map() };
  const push = <T>(map: Map<string, T[]>, key: string, value: T) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  const accepts: Stage[] = [];
  for (const item of items) {
    for (const s of stagesOf(item)) {
      push(
        history.stages,
        poolKey(s.kind, s.step),
        businessMsBetween(s.start, s.end, calendarOf(s.team)),
      );
      if (s.kind === "accept") accepts.push(s);
    }
  }
  // Open handoffs count in the queues too: an item waiting now was in the queue of those before it.
  for (const item of items) {
    const h = item.handoffs.at(-1);
    if (h?.outcome === "pending")
      accepts.push({
        kind: "accept",
        step: h.toStep,
        team: h.toTeam,
        start: Date.parse(h.submittedAt),
        end: Number.POSITIVE_INFINITY,
      });
  }
  for (const s of accepts) {
    const q = history.queues.get(s.team) ?? { starts: [], ends: [] };
    q.starts.push(s.start);
    q.ends.push(s.end);
    history.queues.set(s.team, q);
  }
  for (const q of history.queues.values()) {
    q.starts.sort((a, b) => a - b);
    q.ends.sort((a, b) => a - b);
  }
  for (const list of history.stages.values()) list.sort((a, b) => a - b);
  const ended = new Map<string, { elapsed: number; breached: boolean }[][]>();
  for (const item of items)
    for (const c of clocksOf(item)) {
      if (c.endedAt === null || c.kind === "due") continue;
      const depth =
        c.kind === "accept" ? queueDepthAt(history, c.team, Date.parse(c.startedAt)) : 0;
      const key = poolKey(c.kind, c.step);
      const classes = ended.get(key) ?? Array.from({ length: DEPTH_CLASSES }, () => []);
      classes[depthClass(depth)]?.push({
        elapsed: c.elapsedSeconds,
        breached: c.state === "breached",
      });
      ended.set(key, classes);
    }
  for (const [key, classes] of ended)
    history.clocks.set(
      key,
      classes.map((list) => {
        list.sort((a, b) => a.elapsed - b.elapsed);
        const breachedFrom = new Array<number>(list.length + 1).fill(0);
        for (let i = list.length - 1; i >= 0; i--)
          breachedFrom[i] = (breachedFrom[i + 1] as number) + (list[i]?.breached ? 1 : 0);
        return { elapsed: list.map((x) => x.elapsed), breachedFrom };
      }),
    );
  return history;
}

/** The chance one running clock breaches, with what it rests on. */
export interface BreachForecast {
  clock: string;
  kind: ClockKind;
  /** 0..1, or null with too little history. */
  probability: number | null;
  /** Past clocks the estimate rests on (same kind and step, at least as old). */
  sampleSize: number;
}

/**
 * The chance that `clock` (running now; its team had `depth` items waiting when it started)
 * ends past its limit: among past clocks of its kind and step that ran at least as long, those
 * from the same queue depth class, widened to the neighbouring classes until there are enough.
 */
export function breachChance(history: History, clock: Clock, depth: number): BreachForecast {
  const base = { clock: clock.id, kind: clock.kind };
  const classes = history.clocks.get(poolKey(clock.kind, clock.step)) ?? [];
  const survivors = classes.map((pool) => {
    const from = countBelow(pool.elapsed, clock.elapsedSeconds);
    return { n: pool.elapsed.length - from, breached: pool.breachedFrom[from] ?? 0 };
  });
  const home = depthClass(depth);
  let n = 0;
  let breached = 0;
  for (let width = 0; width < DEPTH_CLASSES; width++) {
    n = 0;
    breached = 0;
    survivors.forEach((s, c) => {
      if (Math.abs(c - home) <= width) {
        n += s.n;
        breached += s.breached;
      }
    });
    if (n >= MIN_SAMPLES) break;
  }
  if (n < MIN_SAMPLES) return { ...base, probability: null, sampleSize: n };
  return { ...base, probability: (breached + 0.5) / (n + 1), sampleSize: n };
}

/** When the item may be done: the simulated finish's percentiles, or why there is none. */
export type CompletionForecast =
  | {
      p50: string;
      p85: string;
      p95: string;
      /** The share of simulated futures that finish after the item's due date; null without one. */
      lateProbability: number | null;
      sampleSize: number;
      stages: number;
    }
  | { p50: null; reason: string; sampleSize: number };

/** A small seeded generator (mulberry32): the same item gets the same forecast. */
export function seededRandom(seed: string): () => number {
  let a = 0;
  for (let i = 0; i < seed.length; i++) a = (Math.imul(a ^ seed.charCodeAt(i), 2654435761) + i) | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The stages still ahead of an open item, the first one possibly under way since `since`. */
function stagesAhead(
  item: Item,
  def: WorkflowDef,
): { kind: "accept" | "work"; step: string; team: string }[] {
  const ahead: { kind: "accept" | "work"; step: string; team: string }[] = [];
  const pending = item.handoffs.at(-1);
  let step = stepOf(def, item.step);
  if (item.status === "awaiting_acceptance" && pending?.outcome === "pending") {
    ahead.push({ kind: "accept", step: pending.toStep, team: pending.toTeam });
    step = stepOf(def, pending.toStep);
  }
  ahead.push({ kind: "work", step: step.key, team: step.team });
  // The rest of the path as the fields route it today; bounded by the number of steps.
  for (let i = 0; i < def.steps.length; i++) {
    const next = routeHandoff(step, item.fields);
    if (next === undefined) break;
    step = stepOf(def, next);
    ahead.push(
      { kind: "accept", step: step.key, team: step.team },
      { kind: "work", step: step.key, team: step.team },
    );
  }
  return ahead;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;

/** Simulates the item's remaining path `SIMULATIONS` times from `now`. */
export function completionForecast(
  history: History,
  item: Item,
  def: WorkflowDef,
  calendarOf: (team: string) => BusinessCalendar,
  now: Date,
): CompletionForecast {
  if (isClosed(item.status)) return { p50: null, reason: "the item is closed", sampleSize: 0 };
  const ahead = stagesAhead(item, def);
  const pools: number[][] = [];
  const nowMs = now.getTime();
  for (const [i, s] of ahead.entries()) {
    let pool = history.stages.get(poolKey(s.kind, s.step)) ?? [];
    if (i === 0) {
      // The stage under way: only past stages that lasted at least as long as this one has so far.
      const since =
        s.kind === "accept"
          ? Date.parse(item.handoffs.at(-1)?.submittedAt ?? item.stepSince)
          : Date.parse(item.stepSince);
      const age = businessMsBetween(since, nowMs, calendarOf(s.team));
      pool = pool.slice(countBelow(pool, age)).map((d) => d - age);
    }
    if (pool.length < MIN_SAMPLES)
      return {
        p50: null,
        reason: `too little history for ${s.kind === "accept" ? "accepting into" : "the work at"} "${stepOf(def, s.step).name ?? s.step}" (${pool.length} past cases, ${MIN_SAMPLES} needed)`,
        sampleSize: pool.length,
      };
    pools.push(pool);
  }
  const random = seededRandom(`${item.key}:${item.version}`);
  const finishes: number[] = [];
  for (let n = 0; n < SIMULATIONS; n++) {
    let t = nowMs;
    for (const [i, s] of ahead.entries()) {
      const pool = pools[i] as number[];
      t = addBusinessMs(t, pool[Math.floor(random() * pool.length)] as number, calendarOf(s.team));
      if (!Number.isFinite(t)) break;
    }
    finishes.push(t);
  }
  finishes.sort((a, b) => a - b);
  const due = item.due === null ? null : Date.parse(item.due);
  const lateProbability =
    due === null ? null : (SIMULATIONS - countBelow(finishes, due + 1)) / SIMULATIONS;
  const at = (p: number) => {
    const v = percentile(finishes, p);
    return Number.isFinite(v) ? new Date(v).toISOString() : null;
  };
  const [p50, p85, p95] = [at(50), at(85), at(95)];
  if (p50 === null || p85 === null || p95 === null)
    return { p50: null, reason: "a team's calendar leaves no working time ahead", sampleSize: 0 };
  return {
    p50,
    p85,
    p95,
    lateProbability,
    sampleSize: Math.min(...pools.map((p) => p.length)),
    stages: ahead.length,
  };
}

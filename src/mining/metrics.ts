import { DomainError } from "../domain/errors.ts";
import { MINING_LIMITS, type MiningLimits } from "./limits.ts";

/*
 * The handoff map of an event log, computed case by case. Pure: the readers (xes.ts, csv.ts)
 * push events in file order and say when a case is complete; nothing here reads a file or the
 * clock. Memory is the open cases' events (four numbers each) plus aggregates bounded by
 * MINING_LIMITS: a case's events are dropped as soon as the case is folded in.
 *
 * Definitions (docs/mining.md says the same in words, with a worked example):
 * - a case's events are taken in timestamp order, ties in file order;
 * - only events with a team take part in team sequences (the others are counted);
 * - a direct succession is two consecutive events of a case; a handoff is one whose teams differ;
 * - handover of work (van der Aalst, Reijers & Song 2005, beta = 0): direct successions from A
 *   to B over all direct successions of the log, self-successions included in both;
 * - transfer gap of a handoff: time of the receiving event minus time of the sending event;
 * - pickup latency: from the handoff (the receiving team's first event) to the receiving team's
 *   next event, when its next event comes before the case leaves it;
 * - the team path of a case: its team sequence with runs of the same team collapsed;
 * - ping-pong: the path contains A,B,A; revisit: the path returns to any earlier team.
 */

/** One event as a reader hands it over; strings are cut to the value limit by the miner. */
export interface MinedEvent {
  /** Milliseconds since the epoch. */
  time: number;
  team?: string | undefined;
  activity?: string | undefined;
  resource?: string | undefined;
}

/**
 * One case as folded, for a consumer beside the figures (the history import): its id, its first
 * and last event's times (all events), and its team path with the first and last event time of
 * each run of the same team, in timestamp order.
 */
export interface FoldedCase {
  id: string;
  first: number;
  last: number;
  /** Events of the case, with a team or without. */
  events: number;
  runs: { team: string; first: number; last: number }[];
}

/** Percentiles of durations in seconds, by nearest rank; null figures when there is no sample. */
export interface DurationStats {
  /** Durations measured (all of them, even when the percentiles rest on a sample). */
  n: number;
  mean_s: number | null;
  p50_s: number | null;
  p90_s: number | null;
  p95_s: number | null;
  max_s: number | null;
  /** True when more than MINING_LIMITS.samplesPerPair were measured and percentiles are sampled. */
  sampled: boolean;
}

export interface PairReport {
  from: string;
  to: string;
  /** Handoffs from `from` to `to`. */
  count: number;
  /** Cases with at least one such handoff. */
  cases: number;
  /** count / direct successions of the whole log (handover of work, beta = 0). */
  handover_of_work: number;
  transfer_gap: DurationStats;
  pickup_latency: DurationStats;
}

export interface TeamReport {
  team: string;
  events: number;
  cases: number;
  handoffs_out: number;
  handoffs_in: number;
  /** Distinct resources seen on this team's events (null without a resource mapping). */
  resources: number | null;
  /** The team's most frequent activities, most frequent first. */
  top_activities: { activity: string; events: number }[];
}

export interface CaseExample {
  case: string;
  /** The case's team path (runs collapsed), cut to MINING_LIMITS.pathLength. */
  path: string[];
}

export interface PathReport {
  teams: string[];
  cases: number;
  share: number;
}

/** Everything `baton mine` reports about one log. Field names are the JSON API's. */
export interface MiningReport {
  cases: number;
  events: number;
  teams: number;
  activities: number;
  resources: number | null;
  /** Events with no value in the team attribute: counted, left out of team sequences. */
  events_without_team: number;
  /** First and last event time (ISO 8601, UTC). */
  period: { first: string | null; last: string | null };
  /** Consecutive team-bearing events of a case, same team or not. */
  direct_successions: number;
  handoffs: { total: number; cases_with_handoff: number; per_case: number };
  ping_pong: { cases: number; share: number; examples: CaseExample[] };
  revisit: { cases: number; share: number; examples: CaseExample[] };
  cycle_time: DurationStats;
  team_list: TeamReport[];
  /** Handoff pairs (teams differ), most frequent first, at most MINING_LIMITS.pairs. */
  pairs: PairReport[];
  pairs_total: number;
  /** Handover-of-work values of every pair, self-successions included, largest first. */
  handover_of_work: { from: string; to: string; successions: number; value: number }[];
  /** Team paths by cases, most frequent first. */
  paths: PathReport[];
  /** Distinct paths told apart (at most MINING_LIMITS.paths). */
  paths_total: number;
  /** Cases whose path was past MINING_LIMITS.paths distinct paths and was not told apart. */
  paths_uncounted_cases: number;
}

/** A growable list of durations that stays bounded: a uniform reservoir past `cap`. */
class Samples {
  values: number[] = [];
  n = 0;
  sum = 0;
  max = Number.NEGATIVE_INFINITY;
  // xorshift32 with a fixed seed: the same log gives the same report.
  private seed = 0x9e3779b9;
  constructor(private readonly cap: number) {}

  add(v: number): void {
    this.n++;
    this.sum += v;
    if (v > this.max) this.max = v;
    if (this.values.length < this.cap) {
      this.values.push(v);
      return;
    }
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    const j = this.seed % this.n;
    if (j < this.cap) this.values[j] = v;
  }

  stats(): DurationStats {
    if (this.n === 0)
      return {
        n: 0,
        mean_s: null,
        p50_s: null,
        p90_s: null,
        p95_s: null,
        max_s: null,
        sampled: false,
      };
    const sorted = Float64Array.from(this.values).sort();
    return {
      n: this.n,
      mean_s: seconds(this.sum / this.n),
      p50_s: seconds(nearestRank(sorted, 50)),
      p90_s: seconds(nearestRank(sorted, 90)),
      p95_s: seconds(nearestRank(sorted, 95)),
      max_s: seconds(this.max),
      sampled: this.n > this.values.length,
    };
  }
}

/** The p-th percentile by nearest rank: the smallest value with at least p % at or below it. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** Milliseconds to seconds, rounded to the millisecond. */
function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}

interface PairStat {
  count: number;
  cases: number;
  lastCase: number;
  gaps: Samples | undefined;
  pickups: Samples | undefined;
}

/**
 * A case's events while it is open: two numbers an event (16 bytes), since a CSV holds every
 * case open to the end of the file. `codes` packs team, activity and resource ids (each + 1,
 * 0 for none) as team · 2^36 + activity · 2^18 + resource: exact in a double (52 bits).
 */
interface OpenCase {
  times: number[];
  codes: number[];
}

const FIELD = 2 ** 18;

function pack(team: number, activity: number, resource: number): number {
  return ((team + 1) * FIELD + (activity + 1)) * FIELD + (resource + 1);
}

/** The team id of a packed code (-1 for none). */
function teamOf(code: number): number {
  return Math.floor(code / (FIELD * FIELD)) - 1;
}

function activityOf(code: number): number {
  return (Math.floor(code / FIELD) % FIELD) - 1;
}

function resourceOf(code: number): number {
  return (code % FIELD) - 1;
}

/** Interns strings to small integers, with a cap and an overflow id. */
class Names {
  readonly ids = new Map<string, number>();
  readonly names: string[] = [];
  constructor(
    private readonly cap: number,
    private readonly overflow: string | undefined,
  ) {}

  idOf(name: string): number {
    const id = this.ids.get(name);
    if (id !== undefined) return id;
    if (this.names.length >= this.cap) {
      if (this.overflow === undefined) return -1;
      // The overflow name is the one entry past the cap.
      const other = this.ids.get(this.overflow);
      if (other !== undefined) return other;
      this.ids.set(this.overflow, this.names.length);
      this.names.push(this.overflow);
      return this.names.length - 1;
    }
    this.ids.set(name, this.names.length);
    this.names.push(name);
    return this.names.length - 1;
  }
}

/** Team ids fit below this; pairs are keyed as from * TEAM_KEY + to. */
const TEAM_KEY = 65_536;

/**
 * Folds events into the handoff map. Push events with `add` (in file order), call `closeCase`
 * when a case can have no more events (XES: at the end of its trace), then `report`.
 */
export class LogMiner {
  private readonly limits: MiningLimits;
  private readonly open = new Map<string, OpenCase>();
  private readonly teams: Names;
  private readonly activities: Names;
  private readonly resources: Names;
  private readonly hasResources: boolean;
  private readonly onCase: ((c: FoldedCase) => void) | undefined;

  private cases = 0;
  private events = 0;
  private eventsWithoutTeam = 0;
  private first = Number.POSITIVE_INFINITY;
  private last = Number.NEGATIVE_INFINITY;
  private successions = 0;
  private handoffs = 0;
  private casesWithHandoff = 0;
  private pingPong = 0;
  private revisit = 0;
  private readonly pingPongExamples: CaseExample[] = [];
  private readonly revisitExamples: CaseExample[] = [];
  private readonly cycle: Samples;
  private readonly pairs = new Map<number, PairStat>();
  private readonly paths = new Map<string, number>();
  private pathsUncounted = 0;
  private teamEvents: number[] = [];
  private teamCases: number[] = [];
  private teamLastCase: number[] = [];
  private teamOut: number[] = [];
  private teamIn: number[] = [];
  private readonly teamResources = new Map<number, Set<number>>();
  private readonly teamActivities = new Map<number, Map<number, number>>();

  constructor({
    limits = {},
    hasResources = false,
    onCase,
  }: {
    limits?: Partial<MiningLimits>;
    hasResources?: boolean;
    /** Called with each case as it is folded (synchronously, in fold order). */
    onCase?: ((c: FoldedCase) => void) | undefined;
  } = {}) {
    this.limits = { ...MINING_LIMITS, ...limits };
    this.onCase = onCase;
    this.teams = new Names(Math.min(this.limits.teams, TEAM_KEY - 1), undefined);
    // Below 2^18 - 2 with the overflow entry, so an id fits its field of a packed code.
    this.activities = new Names(Math.min(this.limits.activities, FIELD - 3), "(other)");
    this.resources = new Names(Math.min(this.limits.resources, FIELD - 3), "(other)");
    this.hasResources = hasResources;
    this.cycle = new Samples(this.limits.samplesPerPair * 4);
  }

  /** Cases open now (their events are held). */
  get openCases(): number {
    return this.open.size;
  }

  /** Adds one event of `caseId`; throws `invalid_log` past a limit. */
  add(caseId: string, e: MinedEvent): void {
    const id = this.cut(caseId);
    let c = this.open.get(id);
    if (c === undefined) {
      if (this.open.size >= this.limits.openCases)
        throw new DomainError(
          "invalid_log",
          `more than ${this.limits.openCases.toLocaleString("en")} cases: is the case column right?`,
        );
      c = { times: [], codes: [] };
      this.open.set(id, c);
    }
    if (c.times.length >= this.limits.eventsPerCase)
      throw new DomainError(
        "invalid_log",
        `case "${id}" has more than ${this.limits.eventsPerCase.toLocaleString("en")} events: is the case column right?`,
      );
    c.times.push(e.time);
    c.codes.push(
      pack(
        e.team ? this.teamId(e.team) : -1,
        e.activity ? this.activities.idOf(this.cut(e.activity)) : -1,
        this.hasResources && e.resource ? this.resources.idOf(this.cut(e.resource)) : -1,
      ),
    );
  }

  /** Folds a complete case into the figures and forgets its events. */
  closeCase(caseId: string): void {
    const id = this.cut(caseId);
    const c = this.open.get(id);
    if (c === undefined) return;
    this.open.delete(id);
    this.fold(id, c);
  }

  /**
   * Folds up to `max` open cases (the end of a CSV file, in slices, so a consumer of `onCase`
   * can write each slice away before the next); returns how many it folded.
   */
  foldOpen(max: number): number {
    let n = 0;
    for (const [id, c] of this.open) {
      if (n >= max) break;
      this.open.delete(id);
      this.fold(id, c);
      n++;
    }
    return n;
  }

  /** Folds every open case (the end of the file) and returns the report. */
  report(): MiningReport {
    for (const [id, c] of this.open) this.fold(id, c);
    this.open.clear();
    return this.present();
  }

  private cut(s: string): string {
    return s.length > this.limits.valueLength ? `${s.slice(0, this.limits.valueLength)}…` : s;
  }

  private teamId(name: string): number {
    const id = this.teams.idOf(this.cut(name));
    if (id < 0)
      throw new DomainError(
        "invalid_log",
        `more than ${this.teams.names.length.toLocaleString("en")} distinct teams: is the team column right?`,
      );
    if (id === this.teamEvents.length) {
      this.teamEvents.push(0);
      this.teamCases.push(0);
      this.teamLastCase.push(-1);
      this.teamOut.push(0);
      this.teamIn.push(0);
    }
    return id;
  }

  private fold(id: string, c: OpenCase): void {
    const n = c.times.length;
    if (n === 0) return;
    const caseNo = this.cases++;
    this.events += n;
    // Timestamp order, ties in file order: a stable sort of the positions (skipped when the
    // file already lists the case in order, as most do).
    let order: number[] | undefined;
    for (let i = 1; i < n; i++) {
      if ((c.times[i] as number) < (c.times[i - 1] as number)) {
        order = Array.from({ length: n }, (_, k) => k);
        const t = c.times;
        order.sort((a, b) => (t[a] as number) - (t[b] as number) || a - b);
        break;
      }
    }
    const at = (k: number) => (order === undefined ? k : (order[k] as number));
    const t0 = c.times[at(0)] as number;
    const t1 = c.times[at(n - 1)] as number;
    if (t0 < this.first) this.first = t0;
    if (t1 > this.last) this.last = t1;
    this.cycle.add(t1 - t0);

    // The team sequence: team-bearing events in order.
    const seq: number[] = [];
    const times: number[] = [];
    for (let k = 0; k < n; k++) {
      const i = at(k);
      const code = c.codes[i] as number;
      const team = teamOf(code);
      if (team < 0) {
        this.eventsWithoutTeam++;
        continue;
      }
      seq.push(team);
      times.push(c.times[i] as number);
      this.teamEvents[team] = (this.teamEvents[team] as number) + 1;
      if (this.teamLastCase[team] !== caseNo) {
        this.teamLastCase[team] = caseNo;
        this.teamCases[team] = (this.teamCases[team] as number) + 1;
      }
      const activity = activityOf(code);
      if (activity >= 0) {
        let counts = this.teamActivities.get(team);
        if (counts === undefined) {
          counts = new Map();
          this.teamActivities.set(team, counts);
        }
        counts.set(activity, (counts.get(activity) ?? 0) + 1);
      }
      if (this.hasResources) {
        const resource = resourceOf(code);
        if (resource >= 0) {
          let set = this.teamResources.get(team);
          if (set === undefined) {
            set = new Set();
            this.teamResources.set(team, set);
          }
          set.add(resource);
        }
      }
    }

    let caseHandoffs = 0;
    for (let k = 0; k + 1 < seq.length; k++) {
      const a = seq[k] as number;
      const b = seq[k + 1] as number;
      this.successions++;
      const key = a * TEAM_KEY + b;
      let p = this.pairs.get(key);
      if (p === undefined) {
        const handoff = a !== b;
        p = {
          count: 0,
          cases: 0,
          lastCase: -1,
          gaps: handoff ? new Samples(this.limits.samplesPerPair) : undefined,
          pickups: handoff ? new Samples(this.limits.samplesPerPair) : undefined,
        };
        this.pairs.set(key, p);
      }
      p.count++;
      if (p.lastCase !== caseNo) {
        p.lastCase = caseNo;
        p.cases++;
      }
      if (a === b) continue;
      caseHandoffs++;
      this.teamOut[a] = (this.teamOut[a] as number) + 1;
      this.teamIn[b] = (this.teamIn[b] as number) + 1;
      const handedAt = times[k + 1] as number;
      p.gaps?.add(handedAt - (times[k] as number));
      if (k + 2 < seq.length && seq[k + 2] === b)
        p.pickups?.add((times[k + 2] as number) - handedAt);
    }
    this.handoffs += caseHandoffs;
    if (caseHandoffs > 0) this.casesWithHandoff++;
    if (this.onCase !== undefined) {
      const runs: FoldedCase["runs"] = [];
      for (let k = 0; k < seq.length; k++) {
        const time = times[k] as number;
        const last = runs.at(-1);
        const team = this.teams.names[seq[k] as number] ?? "?";
        if (last !== undefined && last.team === team) last.last = time;
        else runs.push({ team, first: time, last: time });
      }
      this.onCase({ id, first: t0, last: t1, events: n, runs });
    }

    // The path: runs collapsed.
    const path: number[] = [];
    for (const team of seq) if (path.at(-1) !== team) path.push(team);
    let isPingPong = false;
    for (let k = 0; k + 2 < path.length; k++)
      if (path[k] === path[k + 2]) {
        isPingPong = true;
        break;
      }
    const isRevisit = new Set(path).size < path.length;
    if (isPingPong) {
      this.pingPong++;
      if (this.pingPongExamples.length < this.limits.examples)
        this.pingPongExamples.push({ case: id, path: this.pathNames(path) });
    }
    if (isRevisit) {
      this.revisit++;
      if (this.revisitExamples.length < this.limits.examples)
        this.revisitExamples.push({ case: id, path: this.pathNames(path) });
    }
    if (path.length > 0) {
      const key =
        path.length > this.limits.pathLength
          ? `${path.slice(0, this.limits.pathLength).join(",")},…`
          : path.join(",");
      const seen = this.paths.get(key);
      if (seen !== undefined) this.paths.set(key, seen + 1);
      else if (this.paths.size < this.limits.paths) this.paths.set(key, 1);
      else this.pathsUncounted++;
    }
  }

  private pathNames(path: number[]): string[] {
    const names = path.slice(0, this.limits.pathLength).map((t) => this.teams.names[t] ?? "?");
    if (path.length > this.limits.pathLength) names.push("…");
    return names;
  }

  private present(): MiningReport {
    const share = (x: number) => (this.cases === 0 ? 0 : round(x / this.cases));
    const name = (t: number) => this.teams.names[t] ?? "?";
    const pairs: PairReport[] = [];
    const how: MiningReport["handover_of_work"] = [];
    for (const [key, p] of this.pairs) {
      const from = name(Math.floor(key / TEAM_KEY));
      const to = name(key % TEAM_KEY);
      const value = this.successions === 0 ? 0 : round(p.count / this.successions);
      how.push({ from, to, successions: p.count, value });
      if (p.gaps === undefined || p.pickups === undefined) continue;
      pairs.push({
        from,
        to,
        count: p.count,
        cases: p.cases,
        handover_of_work: value,
        transfer_gap: p.gaps.stats(),
        pickup_latency: p.pickups.stats(),
      });
    }
    const byCount = (a: { count: number; from: string; to: string }, b: typeof a) =>
      b.count - a.count || compare(a.from, b.from) || compare(a.to, b.to);
    pairs.sort(byCount);
    how.sort(
      (a, b) => b.successions - a.successions || compare(a.from, b.from) || compare(a.to, b.to),
    );
    const paths = [...this.paths]
      .sort((a, b) => b[1] - a[1] || compare(a[0], b[0]))
      .slice(0, this.limits.reportPaths)
      .map(([key, cases]) => ({
        teams: key.split(",").map((t) => (t === "…" ? "…" : name(Number(t)))),
        cases,
        share: share(cases),
      }));
    const teamList: TeamReport[] = this.teams.names.map((team, t) => ({
      team,
      events: this.teamEvents[t] ?? 0,
      cases: this.teamCases[t] ?? 0,
      handoffs_out: this.teamOut[t] ?? 0,
      handoffs_in: this.teamIn[t] ?? 0,
      resources: this.hasResources ? (this.teamResources.get(t)?.size ?? 0) : null,
      top_activities: [...(this.teamActivities.get(t) ?? new Map<number, number>())]
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, this.limits.teamActivities)
        .map(([a, events]) => ({ activity: this.activities.names[a] ?? "?", events })),
    }));
    teamList.sort((a, b) => b.events - a.events || compare(a.team, b.team));
    return {
      cases: this.cases,
      events: this.events,
      teams: this.teams.names.length,
      activities: this.activities.names.length,
      resources: this.hasResources ? this.resources.names.length : null,
      events_without_team: this.eventsWithoutTeam,
      period: {
        first: this.cases === 0 ? null : new Date(this.first).toISOString(),
        last: this.cases === 0 ? null : new Date(this.last).toISOString(),
      },
      direct_successions: this.successions,
      handoffs: {
        total: this.handoffs,
        cases_with_handoff: this.casesWithHandoff,
        per_case: this.cases === 0 ? 0 : round(this.handoffs / this.cases),
      },
      ping_pong: {
        cases: this.pingPong,
        share: share(this.pingPong),
        examples: this.pingPongExamples,
      },
      revisit: { cases: this.revisit, share: share(this.revisit), examples: this.revisitExamples },
      cycle_time: this.cycle.stats(),
      team_list: teamList,
      pairs: pairs.slice(0, this.limits.pairs),
      pairs_total: pairs.length,
      handover_of_work: how.slice(0, this.limits.pairs),
      paths,
      paths_total: this.paths.size,
      paths_uncounted_cases: this.pathsUncounted,
    };
  }
}

/** Four significant decimals: shares and handover values read as 0.1234. */
function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/** Code-point order, the same in every locale, so reports are reproducible. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import { performance } from "node:perf_hooks";

/*
 * A fixed-duration closed-loop run: N clients each issue one request, wait for it, issue the
 * next. The first `warmupMs` are not measured (JIT, connection set-up, caches); after that, an
 * operation counts when it completes inside the measured window, so the rate is
 * completed operations / window length and no partial second is extrapolated. A recorder can
 * take several runs (rounds): windows add up, and so do counts and latencies.
 */

/** Timing of one kind of operation over the measured window. */
export interface OpSummary {
  /** Operations completed inside the measured window. */
  count: number;
  /** Operations completed successfully over the whole run, warm-up and tail included. */
  total: number;
  /** Failed operations over the whole run. */
  errors: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Records latencies of operations, keyed by kind ("create", "tx", …), over measured windows. */
export class Recorder {
  private readonly kinds = new Map<
    string,
    { latencies: number[]; total: number; errors: number }
  >();
  /** performance.now() at which the current window's measuring starts (end of warm-up). */
  private from = 0;
  /** performance.now() at which it stops. */
  until = 0;
  /** Length of the windows before the current one. */
  private earlierMs = 0;

  /** Starts a measured window (the previous one, if any, is over). */
  startWindow(from: number, until: number): void {
    this.earlierMs += this.until - this.from;
    this.from = from;
    this.until = until;
  }

  private entry(kind: string) {
    let e = this.kinds.get(kind);
    if (!e) {
      e = { latencies: [], total: 0, errors: 0 };
      this.kinds.set(kind, e);
    }
    return e;
  }

  /** Runs `op`, recording its latency when it succeeds and an error when it throws. */
  async time<T>(kind: string, op: () => Promise<T>): Promise<T> {
    const e = this.entry(kind);
    const started = performance.now();
    let result: T;
    try {
      result = await op();
    } catch (err) {
      e.errors++;
      throw err;
    }
    const ended = performance.now();
    e.total++;
    if (ended >= this.from && ended < this.until) e.latencies.push(ended - started);
    return result;
  }

  /** Summary of one kind, or of all kinds together when `kind` is omitted. */
  summary(kind?: string): OpSummary {
    const entries = kind === undefined ? [...this.kinds.values()] : [this.entry(kind)];
    const latencies = Float64Array.from(entries.flatMap((e) => e.latencies)).sort();
    const seconds = (this.earlierMs + this.until - this.from) / 1000;
    return {
      count: latencies.length,
      total: entries.reduce((n, e) => n + e.total, 0),
      errors: entries.reduce((n, e) => n + e.errors, 0),
      perSecond: latencies.length / seconds,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      maxMs: latencies.length > 0 ? (latencies[latencies.length - 1] as number) : Number.NaN,
    };
  }
}

/** Nearest-rank percentile of sorted values (NaN when there are none). */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1] as number;
}

/** How long to run and when to stop early. */
export interface RunOptions {
  clients: number;
  warmupMs: number;
  measureMs: number;
  signal: AbortSignal;
}

/**
 * Runs `clients` loops of `step` until the window ends (or `signal` aborts), recording into
 * `recorder` (a new one unless given). A loop checks the clock only between steps, so a step (a
 * whole handoff cycle, a whole transaction) is never cut in half: what the clients counted is
 * what the database holds. The first loop to throw ends the run and its error is rethrown once
 * all loops have stopped.
 */
export async function runClients(
  { clients, warmupMs, measureMs, signal }: RunOptions,
  step: (client: number, recorder: Recorder) => Promise<void>,
  recorder = new Recorder(),
): Promise<Recorder> {
  const start = performance.now();
  recorder.startWindow(start + warmupMs, start + warmupMs + measureMs);
  let failure: unknown;
  const isOver = () =>
    failure !== undefined || signal.aborted || performance.now() >= recorder.until;
  const loop = async (client: number) => {
    try {
      while (!isOver()) await step(client, recorder);
    } catch (err) {
      failure ??= err;
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, i) => loop(i)));
  if (failure !== undefined) throw failure;
  signal.throwIfAborted();
  return recorder;
}

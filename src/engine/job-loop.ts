/*
 * The one loop every background job of a Baton node runs in: service-level timers, the outbox
 * fan-out and the deliveries. A job is a `round` that claims a bounded batch of due rows (FOR
 * UPDATE SKIP LOCKED, with a lease, so any number of nodes share the work and a node that dies
 * loses nothing: its claims run out and another node takes them), does them, and says how many
 * it claimed. The loop runs rounds straight on while they come back full, sleeps `pollMs`
 * otherwise (or until `wake()`: a node that just committed work does not wait for the poll),
 * backs off while rounds fail (a database restarting costs a few log lines, not five a second),
 * and on `stop()` lets the round in flight finish: the round sees its signal aborted, takes no
 * new work, and gives back (releases) what it claimed but did not start.
 *
 * Retries of a single failed job (as opposed to a failed round) are the job's own, with the
 * shared policy of src/domain/backoff.ts.
 */

/** Claims and does one batch; returns how many it claimed. Stops early once `signal` aborts. */
export type JobRound = (signal: AbortSignal) => Promise<number>;

export interface JobLoopOptions {
  /** A full batch: the loop goes straight on to the next round. */
  batchSize: number;
  /** Sleep between rounds when there was nothing (or little) to do. */
  pollMs: number;
  /** Extra bounded work run every `housekeepingMs` (purging expired rows). */
  housekeeping?: (() => Promise<unknown>) | undefined;
  housekeepingMs?: number;
  /**
   * The least time between two rounds when woken (ms): work committed by many commands in a
   * burst is claimed in one round instead of one round per command.
   */
  coalesceMs?: number;
  /**
   * While work streams in faster than `busy.rowsPerSecond` (rows claimed per second since the
   * previous round began), the pause is `busy.pauseMs` instead: a round has a fixed cost (its
   * statements and commit), so under a heavy stream fewer, larger rounds leave the cores to the
   * commands. Below that rate the pause stays `coalesceMs` however long rounds take (a busy
   * machine makes them slow, not the stream heavy), so the latency of a trickle is unchanged.
   */
  busy?: { rowsPerSecond: number; pauseMs: number };
  onError?: (e: unknown) => void;
}

export class JobLoop {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private abort = new AbortController();
  /** Ends the coalescing pause early (on stop only: a wake must not shorten it). */
  private endPause: (() => void) | null = null;

  constructor(
    private readonly round: JobRound,
    private readonly options: JobLoopOptions,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  /** Runs rounds until stopped. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    const {
      batchSize,
      pollMs,
      housekeeping,
      housekeepingMs = 60_000,
      coalesceMs = 0,
      busy,
    } = this.options;
    let roundAt = 0;
    /** The pause after a round that began at `began` and claimed `claimed`. */
    const pauseAfter = (claimed: number, began: number) => {
      const rate = (claimed * 1000) / Math.max(1, began - roundAt);
      roundAt = began;
      return busy && rate >= busy.rowsPerSecond ? Math.max(coalesceMs, busy.pauseMs) : coalesceMs;
    };
    const onError = this.options.onError ?? (() => {});
    this.loop = (async () => {
      let housekeepAt = 0;
      let failures = 0;
      while (this.running) {
        if (housekeeping && Date.now() >= housekeepAt) {
          housekeepAt = Date.now() + housekeepingMs;
          await housekeeping().catch(onError);
        }
        this.woken = false;
        const began = Date.now();
        let claimed = 0;
        try {
          claimed = await this.round(this.abort.signal);
          failures = 0;
        } catch (e) {
          failures++;
          onError(e);
        }
        if (!this.running) break;
        if (claimed >= batchSize && failures === 0) continue;
        const sleepMs = failures ? Math.min(10_000, pollMs * 2 ** failures) : pollMs;
        const pause = pauseAfter(claimed, began);
        if (this.woken && failures === 0) {
          // Woken during the round: more work came in; go again after the coalescing pause.
          if (pause > 0) await this.pauseFor(pause);
          continue;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, sleepMs);
          this.wakeUp = () => {
            clearTimeout(timer);
            this.wakeUp = null;
            if (pause > 0 && this.running) void this.pauseFor(pause).then(resolve);
            else resolve();
          };
        });
        this.wakeUp = null;
      }
    })();
  }

  /** Waits `ms`, or less if the loop stops meanwhile. */
  private pauseFor(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.endPause = null;
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.endPause = end;
    });
  }

  /** Starts the next round soon instead of after the poll interval. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /**
   * Stops: the round in flight finishes what it started and releases what it did not (its
   * signal aborts), then this resolves. Nothing claimed stays locked until a lease runs out.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    const wake = this.wakeUp;
    this.wakeUp = null;
    if (wake) wake();
    this.endPause?.();
    await this.loop;
    this.loop = null;
  }
}

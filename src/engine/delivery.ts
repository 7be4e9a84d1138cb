import { randomUUID } from "node:crypto";
import { type RetryPolicy, retryDelayMs } from "../domain/backoff.ts";
import { DomainError } from "../domain/errors.ts";
import type { Db } from "../store/db.ts";
import { isConnectionError } from "../store/health.ts";
import {
  claimDeliveries,
  type DeliveryJob,
  type DeliveryOutcome,
  enqueueDeliveries,
  listDeliveries,
  type NewDelivery,
  recordDeliveries,
  releaseDeliveries,
} from "../store/notifications.ts";
import type { Principal } from "./directory.ts";
import { JobLoop } from "./job-loop.ts";
import { type EngineLogger, silentLogger } from "./logger.ts";

/*
 * Deliveries: the jobs that carry a message out of Baton over a channel (e-mail, a webhook).
 * A channel is a small plug-in: `deliver(job)` says delivered, or failed and whether trying
 * again can help. The worker claims due jobs (SKIP LOCKED, a lease), runs them a few at a time
 * per channel, and records each try in one statement per round: delivered; or tried again after
 * an exponential backoff with jitter; or, after `maxAttempts` tries or a permanent error,
 * `failed` (the dead state, kept with its log for operators). Every job carries an idempotency
 * id, the same on every try, so a receiver drops a duplicate (delivery is at least once: a
 * worker that dies after sending but before recording sends again when its lease runs out).
 */

export type { DeliveryJob, DeliveryRow, NewDelivery } from "../store/notifications.ts";

/** What one try of a delivery came to. */
export type DeliveryResult =
  | { ok: true }
  | {
      ok: false;
      /** Trying again cannot help (a 4xx of a webhook, a 5xx of SMTP): failed at once. */
      permanent?: boolean;
      error: string;
      /** The receiver asked to wait this long (Retry-After), instead of the backoff. */
      retryAfterMs?: number;
    };

/** A way out of Baton. Register one with `engine.deliveries.register(channel)`. */
export interface Channel {
  /** The `channel` column of its jobs: "email", "webhook", … */
  readonly name: string;
  /** Jobs of this channel tried at once per node (default 8). */
  readonly concurrency?: number;
  /**
   * Tries one job. Must not throw for a failure of the receiver (return it); a throw counts as
   * a retryable failure all the same. `signal` aborts when the node stops.
   */
  deliver(job: DeliveryJob, context: { signal: AbortSignal }): Promise<DeliveryResult>;
  /** What happens once a job is finally `failed` (a webhook disables its subscription). */
  onFailed?(job: DeliveryJob, error: string): Promise<void>;
}

export interface DeliveryOptions {
  /** Tries before a job is failed for good. */
  maxAttempts?: number;
  retry?: RetryPolicy;
  batchSize?: number;
  pollMs?: number;
  /** A claim not recorded within this is given to another worker. */
  leaseMs?: number;
  /** Longest a single try may take before it counts as failed (ms). */
  timeoutMs?: number;
  logger?: EngineLogger;
  onError?: (e: unknown) => void;
}

export class Deliveries {
  private readonly channels = new Map<string, Channel>();
  private readonly loop: JobLoop;
  private readonly maxAttempts: number;
  private readonly retry: RetryPolicy;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly timeoutMs: number;
  private readonly logger: EngineLogger;
  /** Called after a round recorded tries (tests wait on it). */
  onRound: (outcomes: readonly DeliveryOutcome[]) => void = () => {};

  constructor(
    private readonly db: Db,
    private readonly clock: () => Date,
    {
      maxAttempts = 8,
      retry = { baseMs: 10_000, maxMs: 60 * 60_000 },
      batchSize = 200,
      pollMs = 500,
      leaseMs = 120_000,
      timeoutMs = 30_000,
      logger = silentLogger,
      onError = () => {},
    }: DeliveryOptions = {},
  ) {
    this.maxAttempts = Math.max(1, maxAttempts);
    this.retry = retry;
    this.batchSize = batchSize;
    this.leaseMs = Math.max(leaseMs, timeoutMs * 2);
    this.timeoutMs = timeoutMs;
    this.logger = logger;
    this.loop = new JobLoop((signal) => this.tick({ signal }), {
      batchSize,
      pollMs,
      onError,
    });
  }

  /** Adds a channel; its jobs are claimed from now on. */
  register(channel: Channel): void {
    this.channels.set(channel.name, channel);
  }

  /** The channels registered (their jobs are the ones this node claims). */
  get channelNames(): string[] {
    return [...this.channels.keys()];
  }

  start(): void {
    this.loop.start();
  }

  /**
   * Queues jobs outside a fan-out (a webhook's test ping); an idempotency id already queued
   * adds nothing. Returns the ids of the jobs added.
   */
  async enqueue(jobs: readonly NewDelivery[]): Promise<string[]> {
    const ids = await enqueueDeliveries(this.db, jobs, this.clock());
    if (ids.length > 0) this.wake();
    return ids;
  }

  /** Jobs with their logs, newest first (see listDeliveries). */
  list(filter: Parameters<typeof listDeliveries>[1]) {
    return listDeliveries(this.db, filter);
  }

  /** The delivery log as a person reads it: every channel's jobs, for admins only. */
  log(by: Principal, filter: Parameters<typeof listDeliveries>[1]) {
    if (!by.isAdmin)
      throw new DomainError("admin_only", "Only an admin can read the delivery log.");
    return this.list(filter);
  }

  wake(): void {
    this.loop.wake();
  }

  /** Stops after the round in flight: tries started finish and are recorded, the rest released. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /**
   * One round: claims due jobs of the registered channels, tries them (up to each channel's
   * concurrency at once) and records every outcome. Returns how many it claimed.
   */
  async tick({
    now = this.clock(),
    signal = new AbortController().signal,
  }: {
    now?: Date;
    signal?: AbortSignal;
  } = {}): Promise<number> {
    const token = randomUUID();
    const jobs = await claimDeliveries(this.db, {
      now,
      limit: this.batchSize,
      leaseMs: this.leaseMs,
      token,
      channels: this.channelNames,
    });
    if (jobs.length === 0) return 0;
    const outcomes: DeliveryOutcome[] = [];
    const untried: string[] = [];
    const failed: { job: DeliveryJob; error: string }[] = [];
    const byChannel = new Map<string, DeliveryJob[]>();
    for (const j of jobs) byChannel.set(j.channel, [...(byChannel.get(j.channel) ?? []), j]);
    await Promise.all(
      [...byChannel].map(async ([name, queue]) => {
        const channel = this.channels.get(name) as Channel;
        const workers = Math.max(1, Math.min(channel.concurrency ?? 8, queue.length));
        await Promise.all(
          Array.from({ length: workers }, async () => {
            for (let job = queue.shift(); job; job = queue.shift()) {
              if (signal.aborted) {
                untried.push(job.id);
                continue;
              }
              const outcome = await this.tryOne(channel, job, signal);
              outcomes.push(outcome);
              if (outcome.status === "failed")
                failed.push({ job, error: outcome.error ?? "failed" });
            }
          }),
        );
      }),
    );
    try {
      await recordDeliveries(this.db, { token, outcomes });
      await releaseDeliveries(this.db, { ids: untried, token });
    } catch (e) {
      // Unrecorded tries are tried again when the lease runs out (at least once, same id).
      if (!isConnectionError(e)) this.logger.warn({ err: e }, "deliveries: recording failed");
      throw e;
    }
    for (const f of failed) {
      this.logger.warn(
        { delivery: f.job.idempotencyId, channel: f.job.channel, attempts: f.job.attempt },
        `delivery failed for good: ${f.error}`,
      );
      await this.channels
        .get(f.job.channel)
        ?.onFailed?.(f.job, f.error)
        .catch((e: unknown) => this.logger.warn({ err: e }, "deliveries: onFailed threw"));
    }
    this.onRound(outcomes);
    return jobs.length;
  }

  private async tryOne(
    channel: Channel,
    job: DeliveryJob,
    stopping: AbortSignal,
  ): Promise<DeliveryOutcome> {
    const started = performance.now();
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = AbortSignal.any([timeout, stopping]);
    let result: DeliveryResult;
    try {
      result = await Promise.race([
        channel.deliver(job, { signal }),
        new Promise<DeliveryResult>((resolve) =>
          timeout.addEventListener("abort", () =>
            resolve({ ok: false, error: `no answer within ${this.timeoutMs} ms` }),
          ),
        ),
      ]);
    } catch (e) {
      result = { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    const durationMs = performance.now() - started;
    const at = this.clock();
    if (result.ok)
      return {
        id: job.id,
        attempt: job.attempt,
        status: "delivered",
        error: null,
        durationMs,
        at: at.toISOString(),
        nextAttemptAt: null,
      };
    const error = result.error.slice(0, 1000);
    if (result.permanent || job.attempt >= this.maxAttempts)
      return {
        id: job.id,
        attempt: job.attempt,
        status: "failed",
        error,
        durationMs,
        at: at.toISOString(),
        nextAttemptAt: null,
      };
    const delay = result.retryAfterMs ?? retryDelayMs(job.attempt, this.retry);
    return {
      id: job.id,
      attempt: job.attempt,
      status: "retry",
      error,
      durationMs,
      at: at.toISOString(),
      nextAttemptAt: new Date(at.getTime() + Math.max(0, delay)).toISOString(),
    };
  }
}

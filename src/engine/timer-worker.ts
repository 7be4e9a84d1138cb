import type { BusinessCalendar } from "../domain/calendar.ts";
import type { Clock } from "../domain/clocks.ts";
import { alertKey, evolve, type Item, type ItemEvent, isClosed } from "../domain/item.ts";
import { itemClocks, type StallCheck, stallOf, stallTimerKey } from "../domain/sla.ts";
import type { Db } from "../store/db.ts";
import { isConnectionError } from "../store/health.ts";
import { appendEvents, appendMany, type OutboxEntry } from "../store/items.ts";
import {
  claimDueTimers,
  type DueTimer,
  findItemsById,
  markFired,
  type RetryPolicy,
  recordTimerFailures,
  rescheduleTimer,
} from "../store/timers.ts";
import { type ChangeFeed, changeOf } from "./changes.ts";
import type { Directory } from "./directory.ts";
import { JobLoop } from "./job-loop.ts";
import { type EngineLogger, silentLogger } from "./logger.ts";
import type { ServiceLevels } from "./service-levels.ts";
import type { Workflows } from "./workflows.ts";

/*
 * The worker inside every Baton process that turns due timers into service-level events:
 * `sla.warning` at a clock's warning mark, `sla.breached` past its limit, then escalation
 * messages in the outbox. Each timer is re-checked against the clocks computed now (a calendar
 * change or a pause may have moved the mark), and each alert is raised at most once per clock
 * (the item remembers it), so a timer claimed twice after a lost lease still adds one event.
 */

/** The part of a timer row's payload the worker reads (see clockTimers, and slaWith for stalls). */
interface TimerPayload {
  clock_id: string;
  fire: "warning" | "breach" | "stall";
}

export interface TimerWorkerOptions {
  /** Timers claimed per round. */
  batchSize?: number;
  /** Sleep between rounds when there was nothing (or little) to do. */
  pollMs?: number;
  /** A claim older than this is given to another worker. */
  leaseMs?: number;
  /** How often the loop also runs `housekeeping` (purging expired idempotency keys). */
  housekeepingMs?: number;
  /**
   * First delay before an item whose timers failed is tried again (ms); it doubles with every
   * further failure up to `retryMaxMs`. Retries never stop: an alert must not be dropped, and
   * fixing the cause (a calendar, say) makes the next try succeed.
   */
  retryBaseMs?: number;
  /** The longest delay between two tries of a failing item (ms). */
  retryMaxMs?: number;
  /** A failing item, with its key and the error (pino). */
  logger?: EngineLogger;
  onError?: (e: unknown) => void;
}

const MAX_ATTEMPTS = 5;

/** An item whose timers could not be fired this round. */
interface Failure {
  itemId: string;
  itemKey: string | null;
  timers: DueTimer[];
  error: unknown;
}

export class TimerWorker {
  private readonly loop: JobLoop;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly retry: RetryPolicy;
  private readonly logger: EngineLogger;
  private readonly onError: (e: unknown) => void;

  constructor(
    private readonly deps: {
      db: Db;
      workflows: Workflows;
      sla: ServiceLevels;
      directory: Directory;
      changes: ChangeFeed;
      clock: () => Date;
      /** Bounded clean-up run every `housekeepingMs` by the loop (not by `tick`). */
      housekeeping?: () => Promise<unknown>;
    },
    {
      batchSize = 200,
      pollMs = 200,
      leaseMs = 60_000,
      housekeepingMs = 60_000,
      retryBaseMs = 5_000,
      retryMaxMs = 15 * 60_000,
      logger = silentLogger,
      onError = () => {},
    }: TimerWorkerOptions = {},
  ) {
    this.batchSize = batchSize;
    this.leaseMs = leaseMs;
    this.retry = { baseMs: retryBaseMs, maxMs: Math.max(retryBaseMs, retryMaxMs) };
    this.logger = logger;
    this.onError = onError;
    // A round is short (one claim, one write) and never left half done: the signal is not read.
    this.loop = new JobLoop(() => this.tick(), {
      batchSize,
      pollMs,
      housekeeping: deps.housekeeping,
      housekeepingMs,
      onError,
    });
  }

  /** Runs rounds until stopped: straight on while batches come back full, else every pollMs. */
  start(): void {
    this.loop.start();
  }

  /** Stops after the round in flight (whose writes then are complete). */
  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /**
   * One round: claims due timers and fires them. Timers are grouped by item and all the round's
   * writes go out as one statement (one commit for the batch); an item changed meanwhile by a
   * user is retried on its own. An item that fails (its clocks cannot be computed, its write is
   * refused) is set aside with backoff and the rest of the round goes on; if the round's
   * statement fails, each item is written on its own so one bad row cannot sink the others.
   * Returns how many timers it claimed.
   */
  async tick(now = this.deps.clock()): Promise<number> {
    const timers = await claimDueTimers(this.deps.db, {
      now,
      limit: this.batchSize,
      leaseMs: this.leaseMs,
    });
    if (timers.length === 0) return 0;
    const byItem = new Map<string, DueTimer[]>();
    for (const t of timers) byItem.set(t.itemId, [...(byItem.get(t.itemId) ?? []), t]);
    const [items, calendarOf] = await Promise.all([
      findItemsById(this.deps.db, [...byItem.keys()]),
      this.deps.sla.calendarOf(),
    ]);
    const plans: Plan[] = [];
    const idle: string[] = [];
    const failed: Failure[] = [];
    for (const [itemId, itemTimers] of byItem) {
      const item = items.get(itemId);
      try {
        const plan = item
          ? await this.plan(itemId, item, itemTimers, now, calendarOf)
          : ({ idle: itemTimers.map((t) => t.id) } satisfies NothingDue);
        if (plan.write) plans.push(plan);
        else idle.push(...plan.idle);
      } catch (error) {
        // A lost database is no fault of the item: the round stops, its leases run out.
        if (isConnectionError(error)) throw error;
        failed.push({ itemId, itemKey: item?.key ?? null, timers: itemTimers, error });
      }
    }
    // All of the round in one statement (locking items in id order, so two workers whose rounds
    // share an item never deadlock); an item a user changed meanwhile is retried on its own.
    const written = await this.writeRound(plans, failed);
    const isFailed = new Set(failed.map((f) => f.itemId));
    try {
      await markFired(
        this.deps.db,
        [...idle, ...plans.filter((p) => written.has(p.write.id)).flatMap((p) => p.idle)],
        now,
      );
    } catch (e) {
      // Harmless to lose: those timers are claimed again after the lease and found idle again.
      this.onError(e);
    }
    for (const p of plans) {
      if (written.has(p.write.id)) this.deps.changes.publish(changeOf(p.write.item, p.lastType));
      else if (!isFailed.has(p.write.id))
        try {
          await this.fireAlone(p.timers, now);
        } catch (error) {
          failed.push({ itemId: p.write.id, itemKey: p.write.item.key, timers: p.timers, error });
        }
    }
    await this.recordFailures(failed, now);
    return timers.length;
  }

  /**
   * Writes the round's plans: in one statement, or, if that statement fails, one statement per
   * item, adding the items whose own write fails to `failed`. Returns the ids written; a plan
   * neither written nor failed lost a race with a user's command.
   */
  private async writeRound(plans: Plan[], failed: Failure[]): Promise<Set<string>> {
    try {
      return await appendMany(
        this.deps.db,
        plans.map((p) => p.write),
      );
    } catch (e) {
      if (isConnectionError(e)) throw e;
      if (plans.length === 1) {
        const p = plans[0] as Plan;
        failed.push({ itemId: p.write.id, itemKey: p.write.item.key, timers: p.timers, error: e });
        return new Set();
      }
      this.logger.warn(
        { err: e, items: plans.length },
        "timer round: the batch write failed; writing its items one by one",
      );
    }
    const written = new Set<string>();
    for (const p of plans)
      try {
        if ((await appendMany(this.deps.db, [p.write])).has(p.write.id)) written.add(p.write.id);
      } catch (error) {
        if (isConnectionError(error)) throw error;
        failed.push({ itemId: p.write.id, itemKey: p.write.item.key, timers: p.timers, error });
      }
    return written;
  }

  /**
   * Sets failed items aside: their timers are tried again after a delay that doubles with each
   * attempt (see RetryPolicy), and each failure is logged with the item and its error.
   */
  private async recordFailures(failed: readonly Failure[], now: Date): Promise<void> {
    for (const f of failed) {
      const message = errorText(f.error);
      try {
        const recorded = await recordTimerFailures(this.deps.db, {
          ids: f.timers.map((t) => t.id),
          error: message,
          now,
          retry: this.retry,
        });
        const attempts = Math.max(0, ...recorded.map((r) => r.attempts));
        const retryAt = recorded[0]?.retryAt.toISOString() ?? null;
        this.logger.warn(
          {
            item: f.itemKey ?? `#${f.itemId}`,
            timers: f.timers.map((t) => t.key),
            attempts,
            retryAt,
            err: f.error,
          },
          "timers of an item failed; retrying later",
        );
      } catch (e) {
        // Not even recorded (the database is away): the lease runs out and a round tries again.
        this.onError(e);
      }
    }
  }

  /**
   * What firing an item's due timers writes: an event per alert still due, the outbox messages,
   * the item's new timers. Without an event (the clock ended, paused or moved), just the timers
   * that need nothing any more; a stall timer whose moment moved later is set to it instead.
   */
  private async plan(
    itemId: string,
    item: Item,
    timers: DueTimer[],
    now: Date,
    calendarOf: (team: string) => BusinessCalendar,
  ): Promise<Plan | NothingDue> {
    if (isClosed(item.status)) return { idle: timers.map((t) => t.id) };
    const def = await this.deps.workflows.definition(item.workflow, item.workflowVersion);
    const clocks = itemClocks({ item, def, calendarOf, now }).history;
    let next = item;
    const events: ItemEvent[] = [];
    const outbox: OutboxEntry[] = [];
    const fired: string[] = [];
    const idle: string[] = [];
    for (const timer of timers) {
      const { clock_id, fire } = timer.payload as TimerPayload;
      if (fire === "stall") {
        const stall = stallOf({ item: next, def, calendarOf });
        const isCurrent = !next.stalled && stall !== null && clock_id === stallTimerKey(next);
        if (!isCurrent || stall === null) idle.push(timer.id);
        else if (Date.parse(stall.at) > now.getTime())
          // Moved later since it was written (activity since, which leaves the stored timer
          // early on purpose — see stallTimerStands — or a calendar change): wait for it.
          await rescheduleTimer(this.deps.db, { id: timer.id, dueAt: stall.at });
        else {
          const event = stallEvent(stall, now);
          next = evolve(next, event);
          events.push(event);
          fired.push(timer.id);
          // The owner team's leads are told (src/domain/notify.ts reads data.team).
          outbox.push({
            seq: item.version + events.length,
            kind: event.type,
            watch: false,
            data: { team: stall.team },
          });
        }
        continue;
      }
      const clock = clocks.find((c) => c.id === clock_id);
      const isDue =
        clock !== undefined &&
        clock.endedAt === null &&
        !next.alerts.includes(alertKey(clock_id, fire)) &&
        (clock.state === "breached" || (fire === "warning" && clock.state === "warning"));
      if (!clock || !isDue) {
        idle.push(timer.id);
        continue;
      }
      const event = alertEvent(clock, fire, now);
      next = evolve(next, event);
      events.push(event);
      fired.push(timer.id);
      // Who hears of it is the notification worker's to work out; the breach's escalation
      // target is the clock's, which the event does not carry.
      outbox.push({
        seq: item.version + events.length,
        kind: event.type,
        watch: false,
        data: { escalate_to: clock.escalateTo ?? null },
      });
    }
    if (events.length === 0) return { idle };
    return {
      timers,
      idle,
      lastType: events.at(-1)?.type ?? "",
      write: {
        id: itemId,
        fromVersion: item.version,
        item: next,
        events,
        sla: this.deps.sla.slaWith(next, def, calendarOf, now),
        firedTimers: fired,
        outbox,
        at: now.toISOString(),
      },
    };
  }

  /** The slow path for an item a user changed during the round: reload and retry alone. */
  private async fireAlone(timers: DueTimer[], now: Date): Promise<void> {
    const itemId = timers[0]?.itemId as string;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const item = (await findItemsById(this.deps.db, [itemId])).get(itemId);
      const calendarOf = await this.deps.sla.calendarOf();
      const plan = item
        ? await this.plan(itemId, item, timers, now, calendarOf)
        : ({ idle: timers.map((t) => t.id) } satisfies NothingDue);
      if (!plan.write) {
        await markFired(this.deps.db, plan.idle, now);
        return;
      }
      if (await appendEvents(this.deps.db, plan.write)) {
        await markFired(this.deps.db, plan.idle, now);
        this.deps.changes.publish(changeOf(plan.write.item, plan.lastType));
        return;
      }
    }
    throw new Error(`timers of item ${itemId}: the item kept changing`);
  }
}

/** An item of the round with no event to add: the timers to mark done. */
interface NothingDue {
  write?: undefined;
  idle: string[];
}

/** One item's share of a round. */
interface Plan {
  timers: DueTimer[];
  /** Timers of this item that need no event. */
  idle: string[];
  lastType: string;
  write: Parameters<typeof appendEvents>[1];
}

/**
 * An error as a line for the timer row: at most 1,000 characters, and text PostgreSQL stores
 * (no NUL, no lone surrogate; an error about a bad value may quote it).
 */
function errorText(e: unknown): string {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return Buffer.from(text.slice(0, 1000).replaceAll("\u0000", "\\0"), "utf8").toString("utf8");
}

function alertEvent(clock: Clock, fire: "warning" | "breach", now: Date): ItemEvent {
  return {
    type: fire === "breach" ? "sla.breached" : "sla.warning",
    actor: "baton",
    at: now.toISOString(),
    data: {
      clock: clock.id,
      kind: clock.kind,
      step: clock.step,
      team: clock.team,
      handoff: clock.handoff,
      limitSeconds: clock.limitSeconds,
      dueAt: clock.dueAt,
    },
  };
}

function stallEvent(stall: StallCheck, now: Date): ItemEvent {
  const { step, team, since, stallAfter } = stall;
  return {
    type: "item.stalled",
    actor: "baton",
    at: now.toISOString(),
    data: { step, team, since, stallAfter },
  };
}

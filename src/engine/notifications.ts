import { type RetryPolicy, retryDelayMs } from "../domain/backoff.ts";
import { DomainError } from "../domain/errors.ts";
import type { Item, ItemEvent } from "../domain/item.ts";
import {
  defaultPreferences,
  describe,
  type NotificationPreferences,
  type NotifyTeam,
  type OutboxExtra,
  type Reason,
  recipientsOf,
  routeFor,
  watchersOf,
} from "../domain/notify.ts";
import { type Db, inSavepoint } from "../store/db.ts";
import { isConnectionError } from "../store/health.ts";
import { findItem } from "../store/items.ts";
import * as store from "../store/notifications.ts";
import { ChangeFeed } from "./changes.ts";
import type { Deliveries } from "./delivery.ts";
import type { Directory, Principal } from "./directory.ts";
import { renderDigest, renderMail } from "./email.ts";
import { JobLoop } from "./job-loop.ts";
import { type EngineLogger, silentLogger } from "./logger.ts";

/*
 * Notifications: the worker that fans the outbox out, and what people read and set.
 *
 * A command writes one outbox row per notifiable event, in its own statement. The fan-out
 * round (in every node, see JobLoop) claims a batch, works out who is told and how
 * (src/domain/notify.ts: rules; the person's preferences: inbox, e-mail now or in the daily
 * digest, muted workflows), and in one statement deletes the rows and writes the inbox lines
 * and the delivery jobs (e-mail, plus whatever `addFanout` extensions add: webhooks). After
 * that commit it tells the live stream (the reader's own connections, any node) and wakes the
 * delivery worker.
 */

/** The live notice of a new inbox line, on every node's stream (for the reader's own connections). */
export interface NotificationNotice {
  recipient: string;
  notification: store.NotificationRow;
}

export const NOTIFICATIONS_CHANNEL = "baton_notifications";

/** What a fan-out extension sees of one outbox row. */
export interface FanoutEvent {
  outboxId: string;
  kind: string;
  event: ItemEvent & { seq: number };
  item: Item;
  /** The people the rules told (before preferences). */
  recipients: readonly { email: string; reason: Reason }[];
  now: Date;
}

/**
 * Adds deliveries for an outbox row (a webhook subscription per matching event); they are
 * written in the fan-out's own statement, so they exist exactly when the row was fanned out.
 */
export type Fanout = (event: FanoutEvent) => Promise<store.NewDelivery[]> | store.NewDelivery[];

export interface NotificationOptions {
  /** Links in messages point here (BATON_PUBLIC_URL). */
  publicUrl?: string;
  /** Whether e-mail deliveries are made (an SMTP server is configured). */
  email?: boolean;
  batchSize?: number;
  pollMs?: number;
  retry?: RetryPolicy;
  logger?: EngineLogger;
  onError?: (e: unknown) => void;
}

/** An outbox row whose fan-out failed, and why. */
interface Failure {
  w: store.OutboxWork;
  error: unknown;
}

/** The database refused a round's write as a whole (the round is then done row by row). */
class RoundRefused extends Error {
  constructor(
    override readonly cause: unknown,
    readonly rows: number,
  ) {
    super("the fan-out's write was refused");
  }
}

/** Lines one digest mail lists; more are counted. */
const DIGEST_LINES = 100;

export class Notifications {
  /** New inbox lines, across nodes (LISTEN/NOTIFY). */
  readonly feed: ChangeFeed<NotificationNotice>;
  private readonly fanouts: Fanout[] = [];
  private readonly loop: JobLoop;
  private readonly publicUrl: string;
  private readonly email: boolean;
  private readonly batchSize: number;
  private readonly retry: RetryPolicy;
  private readonly logger: EngineLogger;

  constructor(
    private readonly deps: {
      db: Db;
      url: string | undefined;
      directory: Directory;
      deliveries: Deliveries;
      clock: () => Date;
    },
    {
      publicUrl = "http://localhost:7400",
      email = false,
      batchSize = 200,
      pollMs = 500,
      retry = { baseMs: 5_000, maxMs: 15 * 60_000 },
      logger = silentLogger,
      onError = () => {},
    }: NotificationOptions = {},
  ) {
    this.publicUrl = publicUrl;
    this.email = email;
    this.batchSize = batchSize;
    this.retry = retry;
    this.logger = logger;
    this.feed = new ChangeFeed<NotificationNotice>(
      deps.db,
      deps.url,
      onError,
      NOTIFICATIONS_CHANNEL,
    );
    this.loop = new JobLoop(() => this.tick(), {
      batchSize,
      pollMs,
      // Commands at hundreds a second each wake the loop: one round per few ms, not per
      // command; from 500 rows a second on, a round every 50 ms or so (a round's own
      // statements and commit cost about what fanning out ten rows does).
      coalesceMs: 10,
      busy: { rowsPerSecond: 500, pauseMs: 50 },
      // The digest is checked once a minute.
      housekeeping: () => this.digest(),
      housekeepingMs: 60_000,
      onError,
    });
  }

  /** Adds deliveries per outbox row (see Fanout). */
  addFanout(fanout: Fanout): void {
    this.fanouts.push(fanout);
  }

  start(): void {
    this.loop.start();
  }

  /**
   * An inbox line about Baton itself, not an item's event (a webhook of the reader's was
   * disabled): written at once and sent on the live stream.
   */
  async notice(n: {
    recipient: string;
    kind: string;
    title: string;
    action: string;
  }): Promise<void> {
    const row = await store.insertNotice(this.deps.db, {
      ...n,
      recipient: n.recipient.toLowerCase(),
      reason: "owner",
      title: n.title.slice(0, 500),
      at: this.deps.clock().toISOString(),
    });
    this.feed.publish({ recipient: row.recipient, notification: row });
  }

  /** A command committed outbox rows: fan them out now rather than at the next poll. */
  wake(): void {
    this.loop.wake();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.feed.close();
  }

  /**
   * One fan-out round; returns how many outbox rows it took. The round is one transaction:
   * lock due rows, work out what they fan out into, write that and delete them, commit (one
   * commit, no lease written). Rows whose fan-out cannot be computed are retried with backoff;
   * the rest of the round goes on. If the database refuses the round's write, the round is
   * done again row by row, so a row it refuses (retried with backoff) holds back only itself.
   */
  async tick(now = this.deps.clock()): Promise<number> {
    try {
      return await this.round(now, { rowByRow: false });
    } catch (e) {
      if (!(e instanceof RoundRefused)) throw e;
      this.logger.warn(
        { err: e.cause, rows: e.rows },
        "outbox: the round's write failed; row by row",
      );
      return this.round(now, { rowByRow: true });
    }
  }

  private async round(now: Date, { rowByRow }: { rowByRow: boolean }): Promise<number> {
    const failed: Failure[] = [];
    let delivering = false;
    const taken = await this.deps.db.transaction().execute(async (tx) => {
      const work = await store.lockOutbox(tx, { now, limit: this.batchSize });
      if (work.length === 0) return 0;
      const { notifications, deliveries } = await this.plan(tx, work, now, failed);
      const bad = new Set(failed.map((f) => f.w.id));
      const ok = work.filter((w) => !bad.has(w.id));
      const write = (rows: readonly store.OutboxWork[]) => {
        const ids = new Set(rows.map((w) => w.id));
        return store.writeFanout(tx, {
          outboxIds: [...ids],
          notifications: notifications.filter((n) => ids.has(n.outboxId)),
          deliveries: deliveries.filter((d) => d.outboxId !== undefined && ids.has(d.outboxId)),
          now,
          channel: NOTIFICATIONS_CHANNEL,
        });
      };
      if (!rowByRow) {
        try {
          await write(ok);
        } catch (e) {
          if (isConnectionError(e)) throw e;
          throw new RoundRefused(e, ok.length);
        }
      } else
        for (const w of ok) {
          try {
            await inSavepoint(tx, "fanout_row", () => write([w]));
          } catch (e) {
            if (isConnectionError(e)) throw e;
            failed.push({ w, error: e });
          }
        }
      for (const f of failed) {
        const message = f.error instanceof Error ? f.error.message : String(f.error);
        await store.recordOutboxFailure(tx, {
          ids: [f.w.id],
          error: message.slice(0, 1000),
          retryAt: new Date(now.getTime() + retryDelayMs(f.w.attempts + 1, this.retry)),
        });
      }
      delivering = deliveries.length > 0;
      return work.length;
    });
    if (delivering) this.deps.deliveries.wake();
    for (const f of failed)
      this.logger.warn(
        { item: f.w.item.key, seq: f.w.event.seq, attempts: f.w.attempts + 1, err: f.error },
        "outbox: could not fan out an event; retrying later",
      );
    return taken;
  }

  /**
   * What the rows fan out into: who is told (rules), how (their preferences), and what the
   * extensions add. A row whose fan-out cannot be computed goes to `failed` instead.
   */
  private async plan(
    db: Db,
    work: readonly store.OutboxWork[],
    now: Date,
    failed: Failure[],
  ): Promise<{ notifications: store.NewNotification[]; deliveries: store.NewDelivery[] }> {
    const teams: NotifyTeam[] = await this.deps.directory.cachedTeams();
    const teamName = (key: string) => teams.find((t) => t.key === key)?.name ?? key;
    const planned = work.map((w) => {
      try {
        const recipients = recipientsOf({
          event: w.event,
          item: w.item,
          teams,
          watchers: watchersOf(w.item, w.watcherRows),
          watch: w.watch,
          extra: w.data as OutboxExtra | null,
        });
        return { w, recipients, error: null };
      } catch (error) {
        return { w, recipients: [], error };
      }
    });
    const people = [...new Set(planned.flatMap((p) => p.recipients.map((r) => r.email)))];
    const prefs = await this.preferencesOf(people, db);
    const notifications: store.NewNotification[] = [];
    const deliveries: store.NewDelivery[] = [];
    for (const { w, recipients, error } of planned) {
      if (error) {
        failed.push({ w, error });
        continue;
      }
      try {
        for (const r of recipients) {
          const route = routeFor(prefs.get(r.email) ?? defaultPreferences, {
            kind: w.kind,
            workflow: w.item.workflow,
          });
          const email = this.email ? route.email : "no";
          if (!route.inbox && email === "no") continue;
          const text = describe({
            event: w.event,
            item: w.item,
            reason: r.reason,
            teamName,
            by: w.nextDueAt,
          });
          notifications.push({
            outboxId: w.id,
            recipient: r.email,
            createdAt: w.event.at,
            kind: w.kind,
            reason: r.reason,
            itemKey: w.item.key,
            eventSeq: w.event.seq,
            actor: w.event.actor,
            title: text.title,
            action: text.action,
            dueAt: w.nextDueAt,
            inbox: route.inbox,
            digestPending: email === "digest",
          });
          if (email === "now") {
            const idempotencyId = `${w.item.key}:${w.event.seq}:email:${r.email}`;
            deliveries.push({
              outboxId: w.id,
              idempotencyId,
              channel: "email",
              target: r.email,
              kind: w.kind,
              itemKey: w.item.key,
              payload: renderMail({
                idempotencyId,
                itemKey: w.item.key,
                itemTitle: w.item.title,
                title: text.title,
                action: text.action,
                dueAt: w.nextDueAt,
                publicUrl: this.publicUrl,
              }),
              createdAt: now.toISOString(),
            });
          }
        }
        for (const f of this.fanouts)
          deliveries.push(
            ...(
              await f({
                outboxId: w.id,
                kind: w.kind,
                event: w.event,
                item: w.item,
                recipients,
                now,
              })
            ).map((d) => ({ ...d, outboxId: w.id })),
          );
      } catch (e) {
        if (isConnectionError(e)) throw e;
        failed.push({ w, error: e });
      }
    }
    return { notifications, deliveries };
  }

  /**
   * Queues the daily digest of everyone who chose it, whose digest hour has come today and who
   * has lines waiting: one mail per person per day (its idempotency id names the day).
   * Returns how many digests it queued.
   */
  async digest(now = this.deps.clock()): Promise<number> {
    if (!this.email) return 0;
    const people = await store.digestRecipients(this.deps.db, 500);
    const prefs = await this.preferencesOf(people);
    const day = now.toISOString().slice(0, 10);
    let queued = 0;
    for (const email of people) {
      const p = prefs.get(email) ?? defaultPreferences;
      if (now.getUTCHours() < p.digest_hour_utc) continue;
      const idempotencyId = `digest:${day}:${email}`;
      if (await store.hasDelivery(this.deps.db, idempotencyId)) continue;
      const lines = await store.digestLines(this.deps.db, { recipient: email, limit: 1_000 });
      if (lines.length === 0) continue;
      const shown = lines.slice(0, DIGEST_LINES);
      const ok = await store.queueDigest(this.deps.db, {
        delivery: {
          idempotencyId,
          channel: "email",
          target: email,
          kind: "digest",
          itemKey: null,
          payload: renderDigest({
            idempotencyId,
            day,
            lines: shown,
            more: lines.length - shown.length,
            publicUrl: this.publicUrl,
          }),
          createdAt: now.toISOString(),
        },
        lineIds: lines.map((l) => l.id),
        now,
      });
      if (ok) queued++;
    }
    if (queued > 0) this.deps.deliveries.wake();
    return queued;
  }

  /** Preferences of each person, the defaults filled in. */
  async preferencesOf(
    emails: readonly string[],
    db: Db = this.deps.db,
  ): Promise<Map<string, NotificationPreferences>> {
    const stored = await store.findPreferences(db, emails);
    return new Map(
      emails.map((e) => [e, { ...defaultPreferences, ...(stored.get(e) as object | undefined) }]),
    );
  }

  async preferences(by: Principal): Promise<NotificationPreferences> {
    return (await this.preferencesOf([by.email])).get(by.email) ?? defaultPreferences;
  }

  async setPreferences(
    by: Principal,
    prefs: NotificationPreferences,
  ): Promise<NotificationPreferences> {
    await store.savePreferences(this.deps.db, { email: by.email, prefs, at: this.deps.clock() });
    return prefs;
  }

  /** The reader's inbox, newest first; `before` is the last id of the previous page. */
  inbox(
    by: Principal,
    {
      before,
      limit,
      unreadOnly,
    }: { before?: string | undefined; limit: number; unreadOnly?: boolean },
  ) {
    return store.listNotifications(this.deps.db, {
      recipient: by.email,
      beforeId: before,
      limit,
      unreadOnly: unreadOnly ?? false,
    });
  }

  async markRead(by: Principal, ids: readonly string[] | "all"): Promise<number> {
    return store.markRead(this.deps.db, { recipient: by.email, ids, at: this.deps.clock() });
  }

  /** Starts or stops the reader watching an item; returns whether they watch it now. */
  async watch(by: Principal, key: string, watching: boolean): Promise<boolean> {
    const row = await findItem(this.deps.db, key);
    if (!row) throw new DomainError("not_found", `No item "${key}".`);
    await store.setWatching(this.deps.db, { itemId: row.id, email: by.email, watching });
    return watching;
  }

  /** Who watches an item, and whether the reader does. */
  async watchers(by: Principal, key: string): Promise<{ watching: boolean; watchers: string[] }> {
    const row = await findItem(this.deps.db, key);
    if (!row) throw new DomainError("not_found", `No item "${key}".`);
    const watchers = watchersOf(row.item, await store.watcherRows(this.deps.db, row.id)).sort();
    return { watching: watchers.includes(by.email), watchers };
  }

  /** Who was told what, newest first: the outbox view, for admins only. */
  told(by: Principal, filter: { itemKey?: string | undefined; limit: number }) {
    if (!by.isAdmin) throw new DomainError("admin_only", "Only an admin can read the outbox.");
    return store.listTold(this.deps.db, filter);
  }
}

import { teamKeyOf } from "../mining/propose.ts";
import type { Db } from "../store/db.ts";
import { ChangeFeed } from "./changes.ts";
import { type Channel, Deliveries } from "./delivery.ts";
import { Directory } from "./directory.ts";
import { emailChannel } from "./email.ts";
import { Forecasts } from "./forecasts.ts";
import { checkReadiness, type Readiness } from "./health.ts";
import { HistoryImports, type IMPORT_LIMITS } from "./history-import.ts";
import { IdempotencyKeys } from "./idempotency.ts";
import { CacheInvalidation } from "./invalidation.ts";
import { Items } from "./items.ts";
import type { EngineLogger } from "./logger.ts";
import { Metrics } from "./metrics.ts";
import { MiningJobs } from "./mining-jobs.ts";
import { Notifications } from "./notifications.ts";
import { ReviewDigests } from "./review-digest.ts";
import { ServiceLevels } from "./service-levels.ts";
import { Shares } from "./shares.ts";
import { StatusUpdates } from "./status-updates.ts";
import { Surveys } from "./surveys.ts";
import { TimerWorker, type TimerWorkerOptions } from "./timer-worker.ts";
import { Views } from "./views.ts";
import {
  defaultWebhookSettings,
  deliveryLogEntry,
  WEBHOOK_CHANNEL,
  type WebhookSettings,
  Webhooks,
  webhookChannel,
} from "./webhooks.ts";
import { WORKERS, type Worker } from "./workers.ts";
import { Workflows } from "./workflows.ts";

/** Everything the HTTP routes and the CLI may call. Nothing above this layer touches SQL. */
export interface Engine {
  directory: Directory;
  workflows: Workflows;
  items: Items;
  /** Calendars, clocks, urgency and timers. */
  sla: ServiceLevels;
  /** Breach chances and expected completion of open items, from their workflow's history. */
  forecasts: Forecasts;
  /** The requester's status links. */
  shares: Shares;
  /** E-mail updates the requester asks for on a status page. */
  statusUpdates: StatusUpdates;
  /** Webhook subscriptions and their delivery channel. */
  webhooks: Webhooks;
  /** Fires service-level timers; started by the server, ticked by hand in tests. */
  timers: TimerWorker;
  /** Metrics rollups (kept by a worker after commit) and the metrics queries. */
  metrics: Metrics;
  /** Two-sided handoff surveys: what an item asks of someone, and their answers. */
  surveys: Surveys;
  /** Fans the outbox out into inboxes and delivery jobs; inbox, watchers, preferences. */
  notifications: Notifications;
  /** The weekly review digest to team leads (runs with the notifications worker). */
  reviewDigests: ReviewDigests;
  /** Delivery jobs over channels (e-mail, webhooks): `deliveries.register(channel)`. */
  deliveries: Deliveries;
  /** Starts the background work of a serving node: timers, the outbox fan-out, deliveries. */
  /** Starts the background workers named (default: all of them). */
  startWorkers(options?: { which?: readonly Worker[]; metricsSweepMs?: number }): void;
  /** Live item changes across nodes (LISTEN/NOTIFY). */
  changes: ChangeFeed;
  /** Clears every node's caches when what they hold changes (LISTEN/NOTIFY). */
  caches: CacheInvalidation;
  /** First answers of requests sent with an Idempotency-Key, for their retries. */
  idempotency: IdempotencyKeys;
  /** Saved views: named list filters, personal or shared with a team. */
  views: Views;
  /** Whether this node may take traffic: the database answers in time, its migrations are ours. */
  readiness(options?: { timeoutMs?: number }): Promise<Readiness>;
  /** Uploaded event logs being mined, and their reports (this node's memory). */
  mining: MiningJobs;
  /** The time as the engine sees it; tests pass a clock they control. */
  clock: () => Date;
  /** Sends pending notices and stops listening; the caller closes the database. */
  close(): Promise<void>;
}

/**
 * The engine with the database it runs on, for whoever opened both (the server, the tests) and
 * closes them; the routes and the CLI get only the {@link Engine}.
 */
export interface OwnedEngine extends Engine {
  readonly db: Db;
}

export function createEngine({
  db,
  url,
  clock = () => new Date(),
  onError,
  logger,
  timerOptions = {},
  historyMaxAgeMs,
  readDb,
  notify = {},
  channels = [],
  importLimits = {},
  webhooks: webhookSettings = {},
}: {
  db: Db;
  /** The database URL, for the LISTEN connection of the live feed. */
  url?: string;
  clock?: () => Date;
  onError?: (e: unknown) => void;
  /** Where background work logs an item it skipped or will retry (the server's pino logger). */
  logger?: EngineLogger;
  timerOptions?: TimerWorkerOptions;
  /** How long forecasts reuse a workflow's history (ms); default a minute, 0 in tests. */
  historyMaxAgeMs?: number;
  /** Where metrics reads go (a read replica, DATABASE_READ_URL); `db` when left out. */
  readDb?: Db;
  /** How notifications are made and delivered (from the config). */
  notify?: NotifySettings;
  /** Delivery channels besides e-mail (tests add their own). */
  channels?: Channel[];
  /** Bounds of one history import (cases, events); IMPORT_LIMITS when left out. */
  importLimits?: Partial<typeof IMPORT_LIMITS>;
  /** Webhook delivery settings (BATON_WEBHOOKS_*); the defaults refuse private targets. */
  webhooks?: Partial<WebhookSettings>;
}): OwnedEngine {
  const caches = new CacheInvalidation(db, url, onError);
  const directory = new Directory(db, clock, caches);
  const workflows = new Workflows(db, directory, caches);
  const changes = new ChangeFeed(db, url, onError);
  const idempotency = new IdempotencyKeys(db, clock);
  const sla = new ServiceLevels(
    db,
    clock,
    (key, version) => workflows.definition(key, version),
    onError,
    caches,
    logger,
  );
  const background = { ...(onError ? { onError } : {}), ...(logger ? { logger } : {}) };
  const deliveries = new Deliveries(db, clock, {
    ...(notify.maxAttempts !== undefined ? { maxAttempts: notify.maxAttempts } : {}),
    ...(notify.deliveryRetry ? { retry: notify.deliveryRetry } : {}),
    ...(notify.pollMs !== undefined ? { pollMs: notify.pollMs } : {}),
    ...background,
  });
  const email = notify.smtpUrl
    ? emailChannel({ smtpUrl: notify.smtpUrl, from: notify.mailFrom ?? "Baton <baton@localhost>" })
    : null;
  if (email) deliveries.register(email);
  for (const c of channels) deliveries.register(c);
  const notifications = new Notifications(
    { db, url, directory, deliveries, clock },
    {
      email: email !== null,
      ...(notify.publicUrl ? { publicUrl: notify.publicUrl } : {}),
      ...(notify.pollMs !== undefined ? { pollMs: notify.pollMs } : {}),
      ...(notify.batchSize !== undefined ? { batchSize: notify.batchSize } : {}),
      ...background,
    },
  );
  const items = new Items(
    db,
    directory,
    workflows,
    changes,
    sla,
    clock,
    () => notifications.wake(),
    // The metrics worker derives what a command wrote from the item it committed.
    (written) => metrics.written(written),
  );
  const forecasts = new Forecasts(db, workflows, sla, clock, historyMaxAgeMs);
  const shares = new Shares(db, directory, workflows, sla, forecasts, clock, notify.publicUrl);
  const webhooks = new Webhooks(db, clock, {
    ...defaultWebhookSettings,
    ...(notify.publicUrl ? { publicUrl: notify.publicUrl } : {}),
    ...webhookSettings,
  });
  // Webhooks ride the shared machinery: the fan-out queues one job per subscription that wants
  // an outbox event (in the fan-out's own statement), the delivery worker tries, retries and
  // logs them, and a subscription that keeps failing is disabled with a line in its owner's inbox.
  deliveries.register(webhookChannel(webhooks));
  notifications.addFanout((e) => webhooks.fanout(e));
  const statusUpdates = new StatusUpdates({
    db,
    shares,
    deliveries,
    clock,
    email: email !== null,
    publicUrl: notify.publicUrl ?? "http://localhost:7400",
  });
  notifications.addFanout((e) => statusUpdates.fanout(e));
  webhooks.enqueue = (jobs) => deliveries.enqueue(jobs);
  webhooks.listDeliveries = async ({ subscription, limit }) =>
    (await deliveries.list({ subscription, channel: WEBHOOK_CHANNEL, limit })).map(
      deliveryLogEntry,
    );
  webhooks.notifyOwner = async (row, reason) => {
    await notifications.notice({
      recipient: row.createdBy,
      kind: "webhook.disabled",
      title: `Webhook ${row.id} to ${row.url} was disabled: ${reason}`,
      action: `Fix the receiver, then turn it on again (POST /api/v1/webhooks/${row.id}/enable).`,
    });
  };
  const timers = new TimerWorker(
    {
      db,
      workflows,
      sla,
      directory,
      changes,
      clock,
      housekeeping: () => idempotency.purgeExpired(),
    },
    { ...(onError ? { onError } : {}), ...(logger ? { logger } : {}), ...timerOptions },
  );
  const metrics = new Metrics({
    db,
    readDb: readDb ?? db,
    workflows,
    sla,
    changes,
    caches,
    clock,
    onError: onError ?? (() => {}),
    logger,
  });
  const reviewDigests = new ReviewDigests({
    db,
    directory,
    workflows,
    metrics,
    sla,
    notifications,
    deliveries,
    clock,
    email: email !== null,
    publicUrl: notify.publicUrl ?? "http://localhost:7400",
    ...(onError ? { onError } : {}),
  });
  return {
    reviewDigests,
    db,
    metrics,
    surveys: new Surveys(db, workflows, clock),
    directory,
    workflows,
    items,
    sla,
    forecasts,
    shares,
    statusUpdates,
    webhooks,
    timers,
    notifications,
    deliveries,
    startWorkers: ({ which = WORKERS, metricsSweepMs } = {}) => {
      if (which.includes("timers")) timers.start();
      if (which.includes("notifications")) {
        notifications.start();
        reviewDigests.start();
      }
      if (which.includes("deliveries")) deliveries.start();
      if (which.includes("metrics"))
        metrics.start(metricsSweepMs === undefined ? {} : { sweepMs: metricsSweepMs });
    },
    changes,
    caches,
    idempotency,
    views: new Views(db, directory),
    readiness: (options) => checkReadiness(db, options),
    mining: new MiningJobs(
      clock,
      {},
      new HistoryImports({ db, workflows, metrics, clock, keyOf: teamKeyOf }, importLimits),
    ),
    clock,
    close: async () => {
      // Each stops after its round in flight, which finishes or releases what it claimed.
      await Promise.all([
        timers.stop(),
        notifications.stop(),
        reviewDigests.stop(),
        deliveries.stop(),
        metrics.stop(),
      ]);
      email?.close();
      await sla.idle();
      await changes.close();
      await caches.close();
    },
  };
}

/** How notifications are made and delivered (see the BATON_SMTP_URL … settings). */
export interface NotifySettings {
  /** SMTP server for e-mail; without one, e-mail is off and the inbox still works. */
  smtpUrl?: string | undefined;
  mailFrom?: string | undefined;
  /** Links in messages point here. */
  publicUrl?: string | undefined;
  /** Tries of a delivery before it is failed for good. */
  maxAttempts?: number | undefined;
  deliveryRetry?: { baseMs: number; maxMs: number } | undefined;
  /** How often idle fan-out and delivery workers look for work (another node's, a retry due) (ms). */
  pollMs?: number | undefined;
  /** Outbox rows one fan-out round claims. */
  batchSize?: number | undefined;
}

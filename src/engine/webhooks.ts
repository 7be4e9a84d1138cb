import { randomBytes, randomUUID } from "node:crypto";
import { DomainError } from "../domain/errors.ts";
import type { Item, ItemEvent } from "../domain/item.ts";
import {
  secretFrom,
  signedHeaders,
  TEST_EVENT,
  type WebhookFormat,
  wantsEvent,
  webhookBody,
  webhookItem,
} from "../domain/webhooks.ts";
import type { Db } from "../store/db.ts";
import {
  deleteWebhook,
  enableWebhook,
  findWebhook,
  insertWebhook,
  listWebhooks,
  recordDeliveredMessage,
  recordFailedMessage,
  rotateSecret,
  type WebhookRow,
} from "../store/webhooks.ts";
import { TtlCache } from "./cache.ts";
import type { Channel, DeliveryRow } from "./delivery.ts";
import type { Principal } from "./directory.ts";
import { checkTarget, type SendResult, sendWebhook, URL_MAX } from "./webhook-http.ts";

/*
 * Webhook subscriptions and their channel. A subscription names a URL, the event types it wants
 * and the team whose items it hears of (admins may subscribe to all items). The notification
 * fan-out asks `fanout` which subscriptions want each outbox event and queues one delivery job
 * per subscription, with a body fixed at that moment; the shared delivery worker then tries it
 * through `channel` (Standard Webhooks headers signed at each try) with its retries and backoff.
 * A subscription whose messages end failed `disableAfter` times in a row is disabled and its
 * owner told; a delivered message resets the count.
 */

/** A delivery job as the worker hands it to a channel (the fields this channel reads). */
export interface WebhookJob {
  id: string;
  idempotencyId: string;
  target: string;
  subscription: string | null;
  payload: unknown;
}

/** A job to queue (the delivery worker's NewDelivery). */
export interface WebhookDelivery {
  idempotencyId: string;
  channel: string;
  target: string;
  kind: string;
  itemKey: string | null;
  subscription: string;
  payload: { body: string };
  createdAt: string;
}

export const WEBHOOK_CHANNEL = "webhook";

/** One message of the delivery log, as the API shows it. */
export interface DeliveryLogEntry {
  id: string;
  message_id: string;
  kind: string;
  item_key: string | null;
  status: "pending" | "delivered" | "failed";
  attempts: {
    attempt: number;
    at: string;
    status: string;
    error: string | null;
    duration_ms: number;
  }[];
  created_at: string;
}

export interface WebhookSettings {
  /** BATON_WEBHOOKS_ALLOW_PRIVATE: send to loopback and private networks too. */
  allowPrivate: boolean;
  /** Messages failed in a row after which a subscription is disabled. */
  disableAfter: number;
  /** One try's time limit (ms). */
  timeoutMs: number;
  /** Response bytes read at most. */
  maxResponseBytes: number;
  /** How long the previous secret still signs after a rotation (ms). */
  rotationGraceMs: number;
  /** Links in Slack messages (BATON_PUBLIC_URL), if known. */
  publicUrl?: string | undefined;
}

export const defaultWebhookSettings: WebhookSettings = {
  allowPrivate: false,
  disableAfter: 5,
  timeoutMs: 10_000,
  maxResponseBytes: 64 * 1024,
  rotationGraceMs: 24 * 3_600_000,
};

/** Subscriptions a node reads per fan-out round, kept this long (a change is local at once). */
const CACHE_MS = 2_000;

/** The most subscriptions one installation keeps (each event is checked against all). */
export const MAX_WEBHOOKS = 1_000;

export class Webhooks {
  private readonly active = new TtlCache<"all", WebhookRow[]>(CACHE_MS);
  /** Subscriptions by id for the tries (a burst of jobs to one URL reads it once). */
  private readonly byId = new TtlCache<string, WebhookRow | undefined>(CACHE_MS);
  /** Queues jobs (the delivery worker's enqueue), wired once it exists. */
  enqueue: (jobs: WebhookDelivery[]) => Promise<unknown> = async () => {
    throw new Error("no delivery worker");
  };
  /** The delivery log of a subscription (the delivery worker's), wired by the engine. */
  listDeliveries: (filter: { subscription: string; limit: number }) => Promise<DeliveryLogEntry[]> =
    async () => [];
  /** Tells a subscription's owner it was disabled (an in-app notice), wired by the engine. */
  notifyOwner: (row: WebhookRow, reason: string) => Promise<void> = async () => {};

  constructor(
    private readonly db: Db,
    private readonly clock: () => Date,
    readonly settings: WebhookSettings = defaultWebhookSettings,
    /** The moment a try is signed at: real time (receivers check it against theirs). */
    private readonly wallClock: () => Date = () => new Date(),
  ) {}

  private leadTeams(by: Principal): string[] {
    return by.user.teams.filter((t) => t.role === "lead").map((t) => t.key);
  }

  /** Admins manage every subscription; a lead those of the teams they lead. */
  private canManage(by: Principal, row: { team: string | null }): boolean {
    return by.isAdmin || (row.team !== null && this.leadTeams(by).includes(row.team));
  }

  private async manageable(by: Principal, id: string): Promise<WebhookRow> {
    const row = /^\d{1,18}$/.test(id) ? await findWebhook(this.db, id) : undefined;
    if (!row || !this.canManage(by, row)) throw new DomainError("not_found", `No webhook ${id}.`);
    return row;
  }

  private changed(): void {
    this.active.clear();
    this.byId.clear();
  }

  async create(
    by: Principal,
    input: {
      url: string;
      events: string[];
      description?: string | null | undefined;
      format?: WebhookFormat | undefined;
      team?: string | null | undefined;
    },
  ): Promise<{ row: WebhookRow; secret: string }> {
    const team = input.team ?? null;
    if (team === null && !by.isAdmin)
      throw new DomainError(
        "admin_only",
        "Only an admin can subscribe to every item; a team lead names their team.",
        { errors: [{ path: "team", message: "name a team you lead" }] },
      );
    if (team !== null && !by.isAdmin && !this.leadTeams(by).includes(team))
      throw new DomainError(
        "not_your_team",
        `Only a lead of ${team} (or an admin) can subscribe to its items.`,
      );
    if (input.url.length > URL_MAX)
      throw new DomainError("invalid_input", `The URL is longer than ${URL_MAX} characters.`, {
        errors: [{ path: "url", message: `at most ${URL_MAX} characters` }],
      });
    await checkTarget(input.url, { allowPrivate: this.settings.allowPrivate });
    if ((await listWebhooks(this.db)).length >= MAX_WEBHOOKS)
      throw new DomainError(
        "invalid_input",
        `An installation keeps at most ${MAX_WEBHOOKS} webhooks.`,
      );
    const secret = secretFrom(randomBytes(32));
    let row: WebhookRow;
    try {
      row = await insertWebhook(this.db, {
        url: input.url,
        events: [...new Set(input.events)],
        description: input.description ?? null,
        format: input.format ?? "standard",
        team,
        createdBy: by.email,
        at: this.clock().toISOString(),
        secret,
      });
    } catch (e) {
      if ((e as { code?: string }).code === "23503")
        throw new DomainError("not_found", `No team "${team}".`);
      throw e;
    }
    this.changed();
    return { row, secret };
  }

  /** The subscriptions the caller manages. */
  list(by: Principal): Promise<WebhookRow[]> {
    return listWebhooks(this.db, by.isAdmin ? {} : { teams: this.leadTeams(by) });
  }

  get(by: Principal, id: string): Promise<WebhookRow> {
    return this.manageable(by, id);
  }

  async delete(by: Principal, id: string): Promise<void> {
    await this.manageable(by, id);
    await deleteWebhook(this.db, { id, at: this.clock().toISOString() });
    this.changed();
  }

  /**
   * A new secret. The old one keeps signing (a second signature in `webhook-signature`) for the
   * grace period, so receivers can switch without losing a message; `graceHours: 0` drops it now.
   */
  async rotate(
    by: Principal,
    id: string,
    { graceHours }: { graceHours?: number | undefined } = {},
  ): Promise<{ row: WebhookRow; secret: string }> {
    await this.manageable(by, id);
    const graceMs =
      graceHours === undefined ? this.settings.rotationGraceMs : graceHours * 3_600_000;
    const secret = secretFrom(randomBytes(32));
    const row = await rotateSecret(this.db, {
      id,
      secret,
      graceUntil: graceMs > 0 ? new Date(this.clock().getTime() + graceMs).toISOString() : null,
    });
    if (!row) throw new DomainError("not_found", `No webhook ${id}.`);
    this.changed();
    return { row, secret };
  }

  /** Turns a disabled subscription on again. */
  async enable(by: Principal, id: string): Promise<WebhookRow> {
    await this.manageable(by, id);
    await enableWebhook(this.db, id);
    this.changed();
    return this.manageable(by, id);
  }

  /** The subscription's messages with their tries, newest first. */
  async deliveries(
    by: Principal,
    id: string,
    { limit }: { limit: number },
  ): Promise<DeliveryLogEntry[]> {
    await this.manageable(by, id);
    return this.listDeliveries({ subscription: id, limit });
  }

  /** Queues a `webhook.test` message to the subscription (even a disabled one); returns its id. */
  async test(by: Principal, id: string): Promise<string> {
    const row = await this.manageable(by, id);
    const at = this.clock().toISOString();
    const messageId = `msg_test_${randomUUID()}`;
    await this.enqueue([
      {
        idempotencyId: messageId,
        channel: WEBHOOK_CHANNEL,
        target: row.url,
        kind: TEST_EVENT,
        itemKey: null,
        subscription: row.id,
        payload: {
          body: webhookBody({ format: row.format, type: TEST_EVENT, at, item: null, event: null }),
        },
        createdAt: at,
      },
    ]);
    return messageId;
  }

  /** Subscriptions that are on, from a short cache (a fan-out round asks for every event). */
  private activeRows(): Promise<WebhookRow[]> {
    return this.active.get("all", async () =>
      (await listWebhooks(this.db)).filter((w) => w.disabledAt === null),
    );
  }

  /**
   * The deliveries an outbox event makes: one per enabled subscription that wants its type and
   * whose team the item concerns (the team has owned or been handed it).
   */
  async fanout({
    kind,
    event,
    item,
    now,
  }: {
    kind: string;
    event: ItemEvent & { seq: number };
    item: Item;
    now: Date;
  }): Promise<WebhookDelivery[]> {
    const rows = (await this.activeRows()).filter(
      (w) => wantsEvent(w.events, kind) && (w.team === null || item.teams.includes(w.team)),
    );
    if (rows.length === 0) return [];
    const at = now.toISOString();
    const itemJson = webhookItem(item);
    const itemUrl = this.settings.publicUrl
      ? `${this.settings.publicUrl.replace(/\/$/, "")}/items/${item.key}`
      : undefined;
    const bodies = new Map<WebhookFormat, string>();
    const bodyOf = (format: WebhookFormat) => {
      let body = bodies.get(format);
      if (body === undefined) {
        body = webhookBody({ format, type: kind, at, item: itemJson, event, itemUrl });
        bodies.set(format, body);
      }
      return body;
    };
    return rows.map((w) => ({
      idempotencyId: `msg_${item.key}_${event.seq}_${w.id}`,
      channel: WEBHOOK_CHANNEL,
      target: w.url,
      kind,
      itemKey: item.key,
      subscription: w.id,
      payload: { body: bodyOf(w.format) },
      createdAt: at,
    }));
  }

  /** The secrets a try is signed with now: the current one, and the previous during its grace. */
  private secretsOf(row: WebhookRow, now: Date): string[] {
    const grace =
      row.previousSecret !== null &&
      row.previousSecretUntil !== null &&
      Date.parse(row.previousSecretUntil) > now.getTime();
    return grace ? [row.secret, row.previousSecret as string] : [row.secret];
  }

  /** One try of a job: signed now, sent to the subscription's current URL. */
  async deliver(job: WebhookJob, { signal }: { signal?: AbortSignal } = {}): Promise<SendResult> {
    const id = job.subscription;
    const row = id ? await this.byId.get(id, () => findWebhook(this.db, id)) : undefined;
    if (!row)
      return {
        ok: false,
        status: null,
        error: "the subscription was deleted",
        permanent: true,
        durationMs: 0,
      };
    if (row.disabledAt !== null && !job.idempotencyId.startsWith("msg_test_"))
      return {
        ok: false,
        status: null,
        error: "the subscription is disabled",
        permanent: true,
        durationMs: 0,
      };
    const body = (job.payload as { body: string }).body;
    const headers = signedHeaders({
      secrets: this.secretsOf(row, this.clock()),
      id: job.idempotencyId,
      at: this.wallClock(),
      body,
    });
    const result = await sendWebhook(
      row.url,
      { headers, body, ...(signal ? { signal } : {}) },
      {
        timeoutMs: this.settings.timeoutMs,
        maxResponseBytes: this.settings.maxResponseBytes,
        allowPrivate: this.settings.allowPrivate,
      },
    );
    if (result.ok && row.consecutiveFailures > 0) {
      await recordDeliveredMessage(this.db, row.id);
      this.byId.clear();
    }
    return result;
  }

  /** A message ended failed: counted, and at the limit the subscription is disabled and its owner told. */
  async failed(job: WebhookJob, error: string): Promise<void> {
    if (!job.subscription || job.idempotencyId.startsWith("msg_test_")) return;
    const reason = `${this.settings.disableAfter} messages in a row could not be delivered (last: ${error.slice(0, 300)})`;
    const disabled = await recordFailedMessage(this.db, {
      id: job.subscription,
      limit: this.settings.disableAfter,
      at: this.clock().toISOString(),
      reason,
    });
    this.byId.clear();
    if (disabled) {
      this.changed();
      await this.notifyOwner(disabled, reason);
    }
  }
}

/** The webhook channel for the shared delivery worker (registered by createEngine). */
export function webhookChannel(webhooks: Webhooks): Channel {
  return {
    name: WEBHOOK_CHANNEL,
    // Tries at once per node: a slow receiver holds one slot for at most its timeout.
    concurrency: 64,
    async deliver(job, { signal }) {
      const r = await webhooks.deliver(job, { signal });
      if (r.ok) return { ok: true };
      return {
        ok: false,
        error: r.error,
        ...(r.permanent ? { permanent: true } : {}),
        ...(r.retryAfterMs === undefined ? {} : { retryAfterMs: r.retryAfterMs }),
      };
    },
    onFailed: (job, error) => webhooks.failed(job, error),
  };
}

/** A delivery job as a subscription's log shows it. */
export function deliveryLogEntry(d: DeliveryRow): DeliveryLogEntry {
  return {
    id: d.id,
    message_id: d.idempotencyId,
    kind: d.kind,
    item_key: d.itemKey,
    status: d.status,
    attempts: d.log.map((a) => ({
      attempt: a.attempt,
      at: a.at,
      status: a.status,
      error: a.error,
      duration_ms: a.durationMs,
    })),
    created_at: d.createdAt,
  };
}

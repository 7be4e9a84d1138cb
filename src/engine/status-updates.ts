import { createHash, randomBytes } from "node:crypto";
import { DomainError } from "../domain/errors.ts";
import type { StatusView } from "../domain/status-page.ts";
import type { Db } from "../store/db.ts";
import type { NewDelivery } from "../store/notifications.ts";
import {
  findSubscription,
  liveSubscriptions,
  setSubscription,
  subscribe,
} from "../store/status-subscriptions.ts";
import { TtlCache } from "./cache.ts";
import type { Deliveries } from "./delivery.ts";
import { renderStatusMail } from "./email.ts";
import type { FanoutEvent } from "./notifications.ts";
import type { Shares } from "./shares.ts";

/*
 * E-mail updates for the requester, asked for on the status page. Double opt-in: typing an
 * address sends one confirmation mail with the subscriber's own link; only once they confirm
 * there does the notification fan-out (an extension of it, like webhooks) write an update mail
 * whenever the work moves in a way the page shows. A mail says what the page says and nothing
 * more (it is built from the same status view). Every mail carries a one-click unsubscribe, and
 * revoking the status link stops every subscription made through it.
 */

/** The events whose news a requester gets: the work changed hands, state or date. */
export const REQUESTER_KINDS: ReadonlySet<string> = new Set([
  "handoff.accepted",
  "item.paused",
  "item.resumed",
  "item.completed",
  "item.cancelled",
  "item.changed",
]);

/** A plausible address, at most 254 characters (what SMTP takes). */
const EMAIL = /^[^\s@<>()",;:]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

/** How long a node reuses the list of live subscriptions (ms); a change here clears it. */
const CACHE_MS = 2_000;

/** What a subscriber's own page shows. */
export interface SubscriberPage {
  view: StatusView;
  confirmed: boolean;
  unsubscribed: boolean;
}

export class StatusUpdates {
  private readonly live = new TtlCache<"all", Map<string, { email: string; secret: string }[]>>(
    CACHE_MS,
  );

  constructor(
    private readonly deps: {
      db: Db;
      shares: Shares;
      deliveries: Deliveries;
      clock: () => Date;
      /** Whether e-mail is set up (BATON_SMTP_URL): without it the page offers no updates. */
      email: boolean;
      publicUrl: string;
    },
  ) {}

  /** Whether a status page offers e-mail updates. */
  get isOffered(): boolean {
    return this.deps.email;
  }

  private link(secret: string, what: "" | "/unsubscribe" = ""): string {
    return `${this.deps.publicUrl.replace(/\/+$/, "")}/status/updates/${secret}${what}`;
  }

  /**
   * Asks for updates of the item behind a status link: sends the confirmation mail (again, for
   * an address still pending); an address already confirmed gets nothing new. The answer is the
   * same either way, so the page tells no one who else follows the item.
   */
  async subscribe(token: string, rawEmail: string): Promise<void> {
    if (!this.deps.email)
      throw new DomainError("not_found", "This status page does not offer e-mail updates.");
    const email = rawEmail.trim().toLowerCase();
    if (email.length > 254 || !EMAIL.test(email))
      throw new DomainError("invalid_input", "That is not an e-mail address.", {
        errors: [{ path: "email", message: "must be an e-mail address" }],
      });
    const { item, shareHash } = await this.deps.shares.resolve(token);
    const at = this.deps.clock().toISOString();
    const { secret, confirmed } = await subscribe(this.deps.db, {
      shareHash,
      itemKey: item.key,
      email,
      secret: randomBytes(32).toString("base64url"),
      at,
    });
    this.live.clear();
    if (confirmed) return;
    const view = await this.deps.shares.viewOf(item);
    const idempotencyId = `status-confirm:${digest(secret)}:${at}`;
    await this.deps.deliveries.enqueue([
      {
        idempotencyId,
        channel: "email",
        target: email,
        kind: "status.confirm",
        itemKey: item.key,
        payload: renderStatusMail({
          idempotencyId,
          view,
          kind: "confirm",
          pageUrl: this.link(secret),
          unsubscribeUrl: this.link(secret, "/unsubscribe"),
          publicUrl: this.deps.publicUrl,
        }),
        createdAt: at,
      },
    ]);
  }

  /** A subscriber's own page: the item's status and where their subscription stands. */
  async page(secret: string): Promise<SubscriberPage> {
    const s = await this.find(secret);
    return {
      view: await this.deps.shares.viewOf(s.item),
      confirmed: s.confirmed,
      unsubscribed: s.unsubscribed,
    };
  }

  /** Confirms or ends the subscription behind a secret (the subscriber's own link). */
  async change(secret: string, change: "confirm" | "unsubscribe"): Promise<SubscriberPage> {
    const s = await this.find(secret);
    if (change === "confirm" && s.unsubscribed)
      throw new DomainError("wrong_state", "This subscription was ended; ask again on the page.");
    await setSubscription(this.deps.db, { id: s.id, change, at: this.deps.clock().toISOString() });
    this.live.clear();
    return this.page(secret);
  }

  private async find(secret: string) {
    const s = /^[A-Za-z0-9_-]{43}$/.test(secret)
      ? await findSubscription(this.deps.db, {
          secret,
          now: this.deps.clock().toISOString(),
        })
      : undefined;
    if (!s) throw new DomainError("not_found", "No such subscription.");
    return s;
  }

  /** The fan-out extension: an update mail per confirmed subscriber of the item, for news they see. */
  async fanout(e: FanoutEvent): Promise<NewDelivery[]> {
    if (!this.deps.email || !REQUESTER_KINDS.has(e.kind)) return [];
    const bySubject = await this.live.get("all", async () => {
      const m = new Map<string, { email: string; secret: string }[]>();
      for (const s of await liveSubscriptions(this.deps.db, e.now.toISOString()))
        m.set(s.itemKey, [...(m.get(s.itemKey) ?? []), s]);
      return m;
    });
    const subscribers = bySubject.get(e.item.key) ?? [];
    if (subscribers.length === 0) return [];
    const view = await this.deps.shares.viewOf(e.item);
    const at = e.now.toISOString();
    return subscribers.map((s) => {
      const idempotencyId = `status:${e.item.key}:${e.event.seq}:${digest(s.email)}`;
      return {
        idempotencyId,
        channel: "email",
        target: s.email,
        kind: e.kind,
        itemKey: e.item.key,
        payload: renderStatusMail({
          idempotencyId,
          view,
          kind: "update",
          pageUrl: this.link(s.secret),
          unsubscribeUrl: this.link(s.secret, "/unsubscribe"),
          publicUrl: this.deps.publicUrl,
        }),
        createdAt: at,
      };
    });
  }
}

function digest(s: string): string {
  return createHash("sha256").update(s).digest("hex").slice(0, 24);
}

import { sql } from "kysely";
import type { Item } from "../domain/item.ts";
import type { Db } from "./db.ts";

/*
 * Requesters' e-mail updates from a status page (see migration 017b). A subscription counts only
 * while the status link it was made through is live (not revoked, not expired).
 */

/** A subscription as its own link finds it, with the item it follows. */
export interface StatusSubscription {
  id: string;
  itemKey: string;
  email: string;
  secret: string;
  confirmed: boolean;
  unsubscribed: boolean;
  item: Item;
}

/**
 * Asks for updates of the item behind a live link. A new address (or one that had left) starts
 * pending under `secret`; a pending one keeps its secret (the confirmation mail is sent again);
 * a confirmed one is left as it is. Returns the subscription's secret and state.
 */
export async function subscribe(
  db: Db,
  s: { shareHash: string; itemKey: string; email: string; secret: string; at: string },
): Promise<{ secret: string; confirmed: boolean }> {
  const { rows } = await sql<{ secret: string; confirmed: boolean }>`
    insert into status_subscriptions (share_hash, item_key, email, secret, created_at)
    values (${s.shareHash}, ${s.itemKey}, ${s.email}, ${s.secret}, ${s.at}::timestamptz)
    on conflict (share_hash, email) do update set
      secret = case when status_subscriptions.unsubscribed_at is null
        then status_subscriptions.secret else excluded.secret end,
      confirmed_at = case when status_subscriptions.unsubscribed_at is null
        then status_subscriptions.confirmed_at else null end,
      created_at = case when status_subscriptions.unsubscribed_at is null
        then status_subscriptions.created_at else excluded.created_at end,
      unsubscribed_at = null
    returning secret, confirmed_at is not null as confirmed`.execute(db);
  return rows[0] as { secret: string; confirmed: boolean };
}

/** The subscription behind a secret, while its status link is live. */
export async function findSubscription(
  db: Db,
  { secret, now }: { secret: string; now: string },
): Promise<StatusSubscription | undefined> {
  const { rows } = await sql<{
    id: string;
    item_key: string;
    email: string;
    secret: string;
    confirmed: boolean;
    unsubscribed: boolean;
    doc: Item;
  }>`
    select s.id, s.item_key, s.email, s.secret, s.confirmed_at is not null as confirmed,
      s.unsubscribed_at is not null as unsubscribed, i.doc
    from status_subscriptions s
      join item_shares h on h.token_hash = s.share_hash
      join items i on i.id = h.item_id
    where s.secret = ${secret} and h.revoked_at is null
      and (h.expires_at is null or h.expires_at > ${now}::timestamptz)`.execute(db);
  const r = rows[0];
  return r
    ? {
        id: String(r.id),
        itemKey: r.item_key,
        email: r.email,
        secret: r.secret,
        confirmed: r.confirmed,
        unsubscribed: r.unsubscribed,
        item: r.doc,
      }
    : undefined;
}

/** Confirms (double opt-in) or ends a subscription. */
export async function setSubscription(
  db: Db,
  { id, change, at }: { id: string; change: "confirm" | "unsubscribe"; at: string },
): Promise<void> {
  await db
    .updateTable("status_subscriptions")
    .set(change === "confirm" ? { confirmed_at: at } : { unsubscribed_at: at })
    .where("id", "=", id)
    .execute();
}

/** Every confirmed subscription whose link is live: who gets which item's updates. */
export async function liveSubscriptions(
  db: Db,
  now: string,
): Promise<{ itemKey: string; email: string; secret: string }[]> {
  const { rows } = await sql<{ item_key: string; email: string; secret: string }>`
    select s.item_key, s.email, s.secret
    from status_subscriptions s join item_shares h on h.token_hash = s.share_hash
    where s.confirmed_at is not null and s.unsubscribed_at is null and h.revoked_at is null
      and (h.expires_at is null or h.expires_at > ${now}::timestamptz)`.execute(db);
  return rows.map((r) => ({ itemKey: r.item_key, email: r.email, secret: r.secret }));
}

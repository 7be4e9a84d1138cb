import { type Kysely, sql } from "kysely";

/*
 * E-mail updates a requester asks for on a status page. A row belongs to the status link it
 * was made through (`share_hash`): when that link is revoked or expires, no more mail goes out.
 * `secret` is the subscriber's own link (confirm, their page, unsubscribe); it is kept as given,
 * like a webhook's secret, because every update mail must carry it — it opens only this item's
 * public status and this subscription. Nothing is sent before `confirmed_at` (double opt-in: a
 * stranger's address typed in gets one confirmation mail, then nothing).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table status_subscriptions (
      id bigserial primary key,
      share_hash text not null references item_shares (token_hash),
      item_key text not null,
      email text not null,
      secret text not null unique,
      created_at timestamptz not null,
      confirmed_at timestamptz,
      unsubscribed_at timestamptz,
      unique (share_hash, email)
    );
    create index status_subscriptions_live on status_subscriptions (item_key)
      where confirmed_at is not null and unsubscribed_at is null;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table status_subscriptions`.execute(db);
}

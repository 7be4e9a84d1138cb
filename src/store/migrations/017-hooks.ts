import { type Kysely, sql } from "kysely";

/*
 * Stalled work, the requester's status link and webhook subscriptions (issue 9).
 * - items.stalled_at: when the timer worker found the item stalled (`item.stalled`); null again
 *   on the next activity. Its partial index holds only stalled rows, so it costs a write only
 *   when an item stalls or wakes, and `GET /stalled` reads it most stalled first.
 * - item_shares: status links. Only the SHA-256 of a token is kept, so the table leaks no
 *   usable link; revoking sets revoked_at (a revoked or expired link is a 404).
 * - webhooks: subscriptions. `team` scopes one to the items a team moves (null: all items,
 *   admins only). The secret is kept as given to the subscriber (it must sign with it); after a
 *   rotation the previous one signs too until previous_secret_until. consecutive_failures counts
 *   messages that ended failed in a row; past the limit the subscription is disabled.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table items add column stalled_at timestamptz;
    create index items_stalled on items (stalled_at) where stalled_at is not null;

    create table item_shares (
      token_hash text primary key,
      item_id bigint not null references items (id),
      created_by text not null,
      created_at timestamptz not null,
      expires_at timestamptz,
      revoked_at timestamptz
    );
    create index item_shares_item on item_shares (item_id);

    create table webhooks (
      id bigserial primary key,
      url text not null,
      events text[] not null,
      description text,
      format text not null default 'standard',
      team text references teams (key),
      created_by text not null,
      created_at timestamptz not null,
      secret text not null,
      previous_secret text,
      previous_secret_until timestamptz,
      consecutive_failures int not null default 0,
      disabled_at timestamptz,
      disabled_reason text,
      deleted_at timestamptz
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table webhooks, item_shares;
    drop index items_stalled;
    alter table items drop column stalled_at;
  `.execute(db);
}

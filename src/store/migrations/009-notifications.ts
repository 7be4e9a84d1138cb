import { type Kysely, sql } from "kysely";

/*
 * Notifications, delivered after commit.
 *
 * - `outbox` becomes the queue of notifiable events: ONE row per event that may tell someone
 *   (a handoff submitted, an alert raised), written by the very statement that appends the event
 *   and claimed after commit by the worker of any node (FOR UPDATE SKIP LOCKED, a lease in
 *   `claimed_until`). The worker works out who is told (src/domain/notify.ts) and, in one
 *   transaction, deletes the row and writes what it fans out into: so the table only holds
 *   work not yet done, and a row is fanned out exactly once. Its only index is the primary key:
 *   the command's write pays for one index entry. The per-recipient messages the timer worker
 *   wrote before (escalations that nobody delivered) move into the inbox as they were.
 * - `notifications`: one line per person per event, the in-app inbox (and what a daily digest
 *   collects).
 * - `deliveries`: one job per message and channel (e-mail, a webhook), with its idempotency id,
 *   status (pending → delivered | failed, the dead state after N attempts), attempts, the next
 *   attempt's time (exponential backoff with jitter) and a claim lease; `delivery_attempts` logs
 *   every try (status, error, duration).
 * - `watchers`: who watches an item. The creator watches without a row (one write fewer on
 *   create); a row with `watching = false` is someone who stopped.
 * - `notification_preferences`: one document per person (channels per kind, muted workflows,
 *   digest), absent meaning the defaults.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table notifications (
      id bigserial primary key,
      recipient text not null,
      created_at timestamptz not null,
      kind text not null,
      reason text not null,
      item_key text,
      event_seq int,
      actor text,
      title text not null,
      action text not null,
      due_at timestamptz,
      -- false: the reader turned the inbox off for this kind (kept for the e-mail digest).
      inbox boolean not null default true,
      read_at timestamptz,
      -- Waiting for this person's next daily digest.
      digest_pending boolean not null default false,
      unique (recipient, item_key, event_seq)
    );
    create index notifications_inbox on notifications (recipient, id desc) where inbox;
    create index notifications_unread on notifications (recipient) where inbox and read_at is null;
    create index notifications_digest on notifications (recipient) where digest_pending;
    create index notifications_item on notifications (item_key, id desc);

    insert into notifications (recipient, created_at, kind, reason, item_key, title, action)
    select recipient, created_at, kind, 'escalation', item_key, subject, body from outbox;
    drop table outbox;

    create table outbox (
      id bigserial primary key,
      created_at timestamptz not null default now(),
      item_id bigint not null,
      seq int not null,
      kind text not null,
      -- Owner, state or due date changed: the item's watchers hear of it.
      watch boolean not null default false,
      -- What the event does not say (a breach's escalate_to).
      data jsonb,
      claimed_until timestamptz,
      attempts int not null default 0,
      retry_at timestamptz,
      last_error text
    );

    create table deliveries (
      id bigserial primary key,
      idempotency_id text not null unique,
      channel text not null,
      target text not null,
      kind text not null,
      item_key text,
      notification_id bigint,
      -- The channel's own reference (a webhook subscription's id), if any.
      subscription text,
      payload jsonb not null,
      status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
      attempts int not null default 0,
      created_at timestamptz not null,
      next_attempt_at timestamptz not null,
      claimed_until timestamptz,
      claim_token text,
      last_error text,
      delivered_at timestamptz
    );
    create index deliveries_due on deliveries (next_attempt_at) where status = 'pending';
    create index deliveries_subscription on deliveries (subscription, id desc) where subscription is not null;
    create index deliveries_item on deliveries (item_key, id desc);

    create table delivery_attempts (
      delivery_id bigint not null references deliveries (id) on delete cascade,
      attempt int not null,
      at timestamptz not null,
      status text not null check (status in ('delivered', 'retry', 'failed')),
      error text,
      duration_ms int not null,
      primary key (delivery_id, attempt)
    );

    create table watchers (
      item_id bigint not null references items (id),
      email text not null,
      watching boolean not null,
      primary key (item_id, email)
    );

    create table notification_preferences (
      email text primary key,
      prefs jsonb not null,
      updated_at timestamptz not null
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table notification_preferences, watchers, delivery_attempts, deliveries, outbox, notifications;
    create table outbox (
      id bigserial primary key,
      created_at timestamptz not null default now(),
      kind text not null,
      recipient text not null,
      subject text not null,
      body text not null,
      item_key text,
      idempotency_key text not null unique,
      delivered_at timestamptz,
      attempts int not null default 0
    );
    create index outbox_pending on outbox (created_at) where delivered_at is null;
  `.execute(db);
}

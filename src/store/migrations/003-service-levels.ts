import { type Kysely, sql } from "kysely";

/*
 * Service levels: team calendars, the queue's urgency columns, timers fired exactly once by any
 * node, and the outbox of messages (escalations, warnings) that the notifications work delivers.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- null: the default calendar (UTC, Monday to Friday 09:00-17:00).
    alter table teams add column calendar jsonb;

    -- Kept by every write and every fired timer, so queues sort by urgency in SQL:
    -- 0 breached, 1 warning, 2 a clock runs, 3 no clock.
    alter table items add column urgency smallint not null default 3;
    alter table items add column next_due_at timestamptz;
    create index items_next_team_urgency on items (next_team, urgency, next_due_at) where next_team is not null;
    -- Teams with an open question on the item: the "questions" part of their queue.
    alter table items add column question_teams text[] not null default '{}';
    create index items_question_teams on items using gin (question_teams);

    -- One row per moment a clock must be looked at (warning mark, breach). Claimed with
    -- FOR UPDATE SKIP LOCKED and marked fired in the same transaction as what firing writes.
    create table timers (
      id bigserial primary key,
      item_id bigint not null references items (id),
      key text not null,
      due_at timestamptz not null,
      payload jsonb not null,
      fired_at timestamptz,
      -- A worker's lease: a timer claimed but not fired within the lease is claimed again.
      claimed_at timestamptz,
      unique (item_id, key)
    );
    create index timers_due on timers (due_at) where fired_at is null;

    -- Messages written in the same transaction as the event that causes them; a delivery worker
    -- sends them after commit. idempotency_key makes a retried write add nothing.
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

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table outbox, timers;
    alter table items drop column question_teams, drop column next_due_at, drop column urgency;
    alter table teams drop column calendar;
  `.execute(db);
}

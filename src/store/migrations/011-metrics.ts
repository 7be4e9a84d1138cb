import { type Kysely, sql } from "kysely";

/*
 * Metrics rollups and handoff surveys. The metric_* tables hold the facts of src/domain/metrics.ts
 * for every item, derived from its projection (= the replay of its events) by the metrics worker
 * after the command committed, never in the command's own statement: the write path stays as it
 * was. metric_items.version is the item version the facts were derived from; a row behind
 * items.version (or missing) is stale and the worker derives it again. Each item's rows are
 * replaced whole, so they are always the facts of exactly one version.
 *
 * Surveys are not events: answering one must not move the item's version (and so must not
 * conflict with the teams' If-Match writes); one answer per person, handoff and role.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table metric_items (
      item_id bigint primary key,
      version int not null,
      key text not null,
      workflow_key text not null,
      workflow_version int not null,
      status text not null,
      created_at timestamptz not null,
      closed_at timestamptz,
      cycle_ms bigint
    );
    create index metric_items_closed on metric_items (workflow_key, closed_at);
    create index metric_items_open on metric_items (workflow_key) where closed_at is null;

    create table metric_handoffs (
      item_id bigint not null,
      handoff int not null,
      workflow_key text not null,
      workflow_version int not null,
      from_step text not null,
      to_step text not null,
      from_team text not null,
      to_team text not null,
      submitted_at timestamptz not null,
      decided_at timestamptz,
      outcome text not null,
      reason text,
      comment text,
      failed_criteria text[] not null,
      limbo_ms bigint,
      limbo_business_ms bigint,
      is_bounce boolean not null,
      questions_after_accept int not null,
      primary key (item_id, handoff)
    );
    create index metric_handoffs_submitted on metric_handoffs (workflow_key, submitted_at);
    create index metric_handoffs_pending on metric_handoffs (workflow_key) where outcome = 'pending';

    create table metric_visits (
      item_id bigint not null,
      visit int not null,
      workflow_key text not null,
      workflow_version int not null,
      step text not null,
      team text not null,
      entered_at timestamptz not null,
      left_at timestamptz,
      waiting_ms bigint,
      active_ms bigint,
      primary key (item_id, visit)
    );
    create index metric_visits_left on metric_visits (workflow_key, left_at);
    create index metric_visits_entered on metric_visits (workflow_key, entered_at);
    create index metric_visits_team on metric_visits (team, left_at);

    create table metric_clocks (
      item_id bigint not null,
      clock text not null,
      workflow_key text not null,
      workflow_version int not null,
      kind text not null,
      team text not null,
      step text not null,
      from_step text,
      handoff int,
      met boolean not null,
      ended_at timestamptz not null,
      elapsed_ms bigint not null,
      limit_ms bigint not null,
      primary key (item_id, clock)
    );
    create index metric_clocks_ended on metric_clocks (workflow_key, ended_at);
    create index metric_clocks_team on metric_clocks (team, ended_at);

    create table metric_questions (
      item_id bigint not null,
      question int not null,
      workflow_key text not null,
      workflow_version int not null,
      from_team text not null,
      to_team text not null,
      asked_at timestamptz not null,
      answered_at timestamptz,
      body text not null,
      after_handoff int,
      primary key (item_id, question)
    );
    create index metric_questions_asked on metric_questions (workflow_key, asked_at);

    create table surveys (
      item_id bigint not null,
      handoff int not null,
      role text not null check (role in ('receiver', 'sender')),
      user_id bigint not null,
      score smallint not null check (score between 1 and 5),
      comment text,
      answered_at timestamptz not null,
      primary key (item_id, handoff, role, user_id)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table surveys, metric_questions, metric_clocks, metric_visits, metric_handoffs, metric_items`.execute(
    db,
  );
}

import { type Kysely, sql } from "kysely";

/*
 * Queue reads without sorting: each section of a team's queue is one index range in the order
 * the queue shows (most urgent, nearest deadline, longest waiting). "Waiting on others" gets a
 * column of its own so it no longer scans every item a team ever touched.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table items add column waiting_teams text[] not null default '{}';
    update items set waiting_teams = array(select t from unnest(teams) t where t <> next_team)
      where next_team is not null;
    create index items_waiting_teams on items using gin (waiting_teams);
    drop index items_next_team_urgency;
    create index items_queue_next on items (next_team, status, urgency, next_due_at, updated_at, id);
    create index items_queue_owner on items (owner_team, status, urgency, next_due_at, updated_at, id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index items_queue_owner, items_queue_next, items_waiting_teams;
    create index items_next_team_urgency on items (next_team, urgency, next_due_at) where next_team is not null;
    alter table items drop column waiting_teams;
  `.execute(db);
}

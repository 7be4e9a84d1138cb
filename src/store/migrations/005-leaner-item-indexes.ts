import { type Kysely, sql } from "kysely";

/*
 * Every command updates indexed columns of its item, so each index costs every write. These
 * three are covered by the queue indexes of 004 (next_team / owner_team ranges) or no longer
 * read (teams: "waiting on others" uses waiting_teams).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index items_teams, items_next_team, items_owner_team`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    create index items_next_team on items (next_team, updated_at) where next_team is not null;
    create index items_owner_team on items (owner_team, status);
    create index items_teams on items using gin (teams);
  `.execute(db);
}

import { type Kysely, sql } from "kysely";

/*
 * Surveys a person chose to skip (the item page's "Skip"): one row per person, handoff and role,
 * beside `surveys` and like it not an event, so skipping never moves the item's version. A
 * skipped survey is no longer offered to that person; it counts in no figure.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table survey_skips (
      item_id bigint not null,
      handoff int not null,
      role text not null check (role in ('receiver', 'sender')),
      user_id bigint not null,
      skipped_at timestamptz not null,
      primary key (item_id, handoff, role, user_id)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table survey_skips`.execute(db);
}

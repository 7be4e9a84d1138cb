import { type Kysely, sql } from "kysely";

/*
 * The weekly review digest (docs/metrics.md): one row per team and ISO week once its digest is
 * written. Every node checks once a minute whether a week is due; the row is inserted in the
 * same statement as the leads' inbox lines and mail deliveries, and only the statement whose
 * insert took the row writes them, so any number of nodes send each team's digest once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table review_digests (
      week date not null,
      team text not null,
      sent_at timestamptz not null,
      recipients int not null,
      edges int not null,
      primary key (week, team)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table review_digests`.execute(db);
}

import { type Kysely, sql } from "kysely";

/*
 * One index fewer on every inbox line. The unique (recipient, item_key, event_seq) guarded
 * against fanning one event out twice, but the fan-out already cannot: it inserts only the lines
 * of outbox rows its own statement deleted, so a second worker holding the same (expired) claim
 * deletes nothing and writes nothing. Every handoff paid for the index entry all the same.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table notifications drop constraint notifications_recipient_item_key_event_seq_key
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table notifications add unique (recipient, item_key, event_seq)
  `.execute(db);
}

import { type Kysely, sql } from "kysely";

/*
 * Every command rewrites its item's row and appends events, so what each row carries is paid on
 * every write:
 * - items_queue_owner goes: an item in progress or paused is always in its owner's hands
 *   (next_team = owner_team), so the queue reads those sections from items_queue_next.
 * - items_question_teams indexes only items with an open question (a handful), not every row.
 * - events lose their surrogate id: (item_id, seq) was already unique and is the only way events
 *   are read, so it becomes the primary key (one index and one sequence fewer per event). Their
 *   foreign key to items goes too: an event is only ever inserted by the statement that writes
 *   its item's row (it selects the item id from that write), so the check could never fail, yet
 *   it ran a lookup and took a row lock for every event.
 * - an item's document (1–4 kB) is stored as json, not jsonb: it is only ever read whole, and
 *   json is checked and kept as sent, where jsonb is parsed into its binary form on every write
 *   and printed back on every read. It stays uncompressed in its row up to a page: compressing
 *   it on every write cost more CPU than the bytes it saved.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index items_queue_owner;
    drop index items_question_teams;
    create index items_question_teams on items using gin (question_teams) where question_teams <> '{}';
    alter table events drop constraint events_pkey;
    alter table events drop column id;
    alter table events drop constraint events_item_id_seq_key;
    alter table events drop constraint events_item_id_fkey;
    alter table events add primary key (item_id, seq);
    alter table items alter column doc type json using doc::json;
    alter table items set (toast_tuple_target = 8160);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table items reset (toast_tuple_target);
    alter table items alter column doc type jsonb using doc::jsonb;
    alter table events drop constraint events_pkey;
    alter table events add constraint events_item_id_seq_key unique (item_id, seq);
    alter table events add constraint events_item_id_fkey foreign key (item_id) references items (id);
    alter table events add column id bigserial primary key;
    drop index items_question_teams;
    create index items_question_teams on items using gin (question_teams);
    create index items_queue_owner on items (owner_team, status, urgency, next_due_at, updated_at, id);
  `.execute(db);
}

import { type Kysely, sql } from "kysely";

/*
 * Files uploaded to items (deliverables such as a signed contract). The bytes live in
 * PostgreSQL, beside the event that records the upload and in the same transaction, so a file
 * is never half there, one backup holds everything and every node serves every file without a
 * shared disk. A file row is written only together with its `file.attached` event.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table files (
      id uuid primary key,
      item_id bigint not null references items (id),
      name text not null,
      content_type text not null,
      size int not null,
      sha256 text not null,
      data bytea not null,
      uploaded_by text not null,
      uploaded_at timestamptz not null
    );
    create index files_item on files (item_id, uploaded_at);
    -- Bytes are compressed where that helps already (PDFs, images, office files are), so TOAST
    -- should not spend time trying again.
    alter table files alter column data set storage external;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table files`.execute(db);
}

import { type Kysely, sql } from "kysely";

/* Sign-in for the web app: a password per user (argon2id) and server-side sessions. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table users add column password_hash text;

    -- The cookie holds a random id; only its SHA-256 is stored, like API tokens.
    create table sessions (
      id_hash text primary key,
      user_id bigint not null references users (id) on delete cascade,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null
    );
    create index sessions_user on sessions (user_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table sessions; alter table users drop column password_hash`.execute(db);
}

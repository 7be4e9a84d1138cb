import { type Kysely, sql } from "kysely";

/*
 * Single sign-on: which account at which identity provider is which Baton user. A user is
 * matched by (issuer, subject) once linked, so an e-mail address that changes or is handed to
 * someone else at the provider never opens another person's account.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table user_identities (
      issuer text not null,
      subject text not null,
      user_id bigint not null references users (id) on delete cascade,
      created_at timestamptz not null default now(),
      primary key (issuer, subject)
    );
    create index user_identities_user on user_identities (user_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table user_identities`.execute(db);
}

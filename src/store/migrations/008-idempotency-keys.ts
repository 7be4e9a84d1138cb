import { type Kysely, sql } from "kysely";

/*
 * Idempotency keys: the first answer to a POST sent with `Idempotency-Key`, kept for 24 hours so
 * a retry (on any node) gets that answer instead of a second effect. Keyed by the caller (user)
 * and the key they chose; `fingerprint` (method, path and body hashed) tells a retry from a
 * different request reusing the key. `status` is null while the first request is in flight;
 * `locked_at` dates that claim, so one left behind by a node that died can be taken over.
 * No foreign key to users: rows only ever expire, and the insert needs no lookup.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table idempotency_keys (
      user_id bigint not null,
      key text not null,
      fingerprint text not null,
      status smallint,
      headers json,
      body text,
      locked_at timestamptz not null,
      expires_at timestamptz not null,
      primary key (user_id, key)
    );
    create index idempotency_keys_expiry on idempotency_keys (expires_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table idempotency_keys`.execute(db);
}

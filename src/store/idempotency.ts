import { type Db, runCount, runStatement, type Statement } from "./db.ts";

/*
 * Idempotency keys (migration 008): claiming a key for a request, holding it while the request
 * runs, storing its answer, purging expired keys. Only requests that carry an Idempotency-Key
 * ever reach these statements.
 *
 * A request claims its key in a statement of its own (committed, so a duplicate sees it), then
 * runs in one transaction that first locks the key's row and ends by storing the answer: the
 * command and its answer commit together or not at all. A claim whose row nobody holds locked
 * (its transaction rolled back, or its node died) is taken over by the next retry, which is safe
 * because nothing of the first attempt committed. `locked_at` (the database's clock, to the
 * microsecond, carried as text) identifies a claim.
 */

/** The first answer given under a key. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A key as stored. */
interface KeyRow {
  fingerprint: string;
  status: number | null;
  headers: Record<string, string> | null;
  body: string | null;
  locked_at: string;
  expired: boolean;
}

/** What claiming found. */
export type ClaimResult =
  | { claimed: string }
  | { fingerprint: string; response: StoredResponse | null }
  | { vanished: true };

const INSERT: Statement = {
  name: "idempotency_insert",
  // DO NOTHING, not DO UPDATE: the latter would wait on the row lock of a request in flight.
  text: `insert into idempotency_keys (user_id, key, fingerprint, locked_at, expires_at)
    values ($1, $2, $3, clock_timestamp(), $4)
    on conflict (user_id, key) do nothing
    returning locked_at::text`,
};

const FIND: Statement = {
  name: "idempotency_find",
  text: `select fingerprint, status, headers, body, locked_at::text, expires_at <= $3 as expired
    from idempotency_keys where user_id = $1 and key = $2`,
};

const RENEW: Statement = {
  name: "idempotency_renew",
  // An expired key starts afresh for a new request.
  text: `update idempotency_keys
    set fingerprint = $4, status = null, headers = null, body = null,
        locked_at = clock_timestamp(), expires_at = $5
    where user_id = $1 and key = $2 and locked_at = $3::timestamptz
    returning locked_at::text`,
};

const TAKE_OVER: Statement = {
  name: "idempotency_take_over",
  // Only a claim nobody holds: a live request keeps its row locked until it commits.
  text: `update idempotency_keys set locked_at = clock_timestamp()
    where (user_id, key) in (
      select user_id, key from idempotency_keys
      where user_id = $1 and key = $2 and locked_at = $3::timestamptz and status is null
      for update skip locked)
    returning locked_at::text`,
};

/** Claims `key` for a request of `userId` with `fingerprint`, or says what holds it. */
export async function claimIdempotencyKey(
  db: Db,
  k: { userId: string; key: string; fingerprint: string; now: Date; expiresAt: Date },
): Promise<ClaimResult> {
  const [inserted] = await runStatement<{ locked_at: string }>(db, INSERT, [
    k.userId,
    k.key,
    k.fingerprint,
    k.expiresAt,
  ]);
  if (inserted) return { claimed: inserted.locked_at };
  const [row] = await runStatement<KeyRow>(db, FIND, [k.userId, k.key, k.now]);
  if (!row) return { vanished: true };
  if (row.expired) {
    const [renewed] = await runStatement<{ locked_at: string }>(db, RENEW, [
      k.userId,
      k.key,
      row.locked_at,
      k.fingerprint,
      k.expiresAt,
    ]);
    return renewed ? { claimed: renewed.locked_at } : { vanished: true };
  }
  if (row.fingerprint !== k.fingerprint || row.status !== null)
    return {
      fingerprint: row.fingerprint,
      response:
        row.status === null
          ? null
          : { status: row.status, headers: row.headers ?? {}, body: row.body ?? "" },
    };
  const [taken] = await runStatement<{ locked_at: string }>(db, TAKE_OVER, [
    k.userId,
    k.key,
    row.locked_at,
  ]);
  return taken ? { claimed: taken.locked_at } : { fingerprint: row.fingerprint, response: null };
}

const LOCK: Statement = {
  name: "idempotency_lock",
  text: `select 1 from idempotency_keys
    where user_id = $1 and key = $2 and locked_at = $3::timestamptz and status is null
    for update`,
};

/** Locks the claimed row for the transaction `db` runs in; false if another request took it. */
export async function lockIdempotencyKey(
  db: Db,
  k: { userId: string; key: string; lockedAt: string },
): Promise<boolean> {
  return (await runStatement(db, LOCK, [k.userId, k.key, k.lockedAt])).length === 1;
}

const COMPLETE: Statement = {
  name: "idempotency_complete",
  text: `update idempotency_keys set status = $4, headers = $5, body = $6
    where user_id = $1 and key = $2 and locked_at = $3::timestamptz and status is null`,
};

/** Stores the answer of the request holding the claim made at `lockedAt`. */
export async function completeIdempotencyKey(
  db: Db,
  k: { userId: string; key: string; lockedAt: string; response: StoredResponse },
): Promise<void> {
  await runCount(db, COMPLETE, [
    k.userId,
    k.key,
    k.lockedAt,
    k.response.status,
    JSON.stringify(k.response.headers),
    k.response.body,
  ]);
}

const RELEASE: Statement = {
  name: "idempotency_release",
  text: `delete from idempotency_keys
    where user_id = $1 and key = $2 and locked_at = $3::timestamptz and status is null`,
};

/** Gives up the claim made at `lockedAt` (its request failed; nothing of it committed). */
export async function releaseIdempotencyKey(
  db: Db,
  k: { userId: string; key: string; lockedAt: string },
): Promise<void> {
  await runCount(db, RELEASE, [k.userId, k.key, k.lockedAt]);
}

const PURGE: Statement = {
  name: "idempotency_purge",
  // By primary key rather than ctid, which distributed engines do not have.
  text: `delete from idempotency_keys where (user_id, key) in (
    select user_id, key from idempotency_keys where expires_at <= $1 order by expires_at limit $2)`,
};

/** Deletes up to `limit` keys expired at `now`; returns how many. */
export async function purgeIdempotencyKeys(db: Db, now: Date, limit: number): Promise<number> {
  return runCount(db, PURGE, [now, limit]);
}

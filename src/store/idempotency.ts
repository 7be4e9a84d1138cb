import { type Db, runCount, runStatement, type Statement } from "./db.ts";

/*
 * Idempotency keys (migration 008): claiming a key for a request, storing its answer, and purging
 * expired keys. Only requests that carry an Idempotency-Key ever reach these statements.
 */

/** The first answer given under a key. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A key as stored: its request's fingerprint and, once the request finished, its answer. */
export interface IdempotencyRow {
  fingerprint: string;
  response: StoredResponse | null;
}

const CLAIM: Statement = {
  name: "idempotency_claim",
  // A key is taken fresh when new, when expired, or when its first request was left in flight
  // (claimed before $6) by a node that died: the same request may then run again.
  text: `insert into idempotency_keys as k (user_id, key, fingerprint, locked_at, expires_at)
    values ($1, $2, $3, $4, $5)
    on conflict (user_id, key) do update
      set fingerprint = excluded.fingerprint, locked_at = excluded.locked_at,
          expires_at = excluded.expires_at, status = null, headers = null, body = null
      where k.expires_at <= excluded.locked_at
         or (k.status is null and k.locked_at < $6 and k.fingerprint = excluded.fingerprint)
    returning 1 as claimed`,
};

const FIND: Statement = {
  name: "idempotency_find",
  text: `select fingerprint, status, headers, body from idempotency_keys
    where user_id = $1 and key = $2 and expires_at > $3`,
};

/**
 * Claims `key` for a request of `userId`. Returns null when claimed (the request may run), else
 * the key as stored (a request under it ran or runs). `undefined` if the key vanished between
 * the two statements (expired and purged): the caller tries again.
 */
export async function claimIdempotencyKey(
  db: Db,
  k: {
    userId: string;
    key: string;
    fingerprint: string;
    now: Date;
    expiresAt: Date;
    abandonedBefore: Date;
  },
): Promise<IdempotencyRow | null | undefined> {
  const claimed = await runStatement(db, CLAIM, [
    k.userId,
    k.key,
    k.fingerprint,
    k.now,
    k.expiresAt,
    k.abandonedBefore,
  ]);
  if (claimed.length > 0) return null;
  const [row] = await runStatement<{
    fingerprint: string;
    status: number | null;
    headers: Record<string, string> | null;
    body: string | null;
  }>(db, FIND, [k.userId, k.key, k.now]);
  if (!row) return undefined;
  return {
    fingerprint: row.fingerprint,
    response:
      row.status === null
        ? null
        : { status: row.status, headers: row.headers ?? {}, body: row.body ?? "" },
  };
}

const COMPLETE: Statement = {
  name: "idempotency_complete",
  text: `update idempotency_keys set status = $4, headers = $5, body = $6
    where user_id = $1 and key = $2 and locked_at = $3 and status is null`,
};

/** Stores the answer of the request that claimed the key at `lockedAt`. */
export async function completeIdempotencyKey(
  db: Db,
  k: { userId: string; key: string; lockedAt: Date; response: StoredResponse },
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
    where user_id = $1 and key = $2 and locked_at = $3 and status is null`,
};

/** Gives up the claim made at `lockedAt` (the request failed on our side): a retry runs again. */
export async function releaseIdempotencyKey(
  db: Db,
  k: { userId: string; key: string; lockedAt: Date },
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

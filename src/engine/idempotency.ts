import { DomainError } from "../domain/errors.ts";
import type { Db } from "../store/db.ts";
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  purgeIdempotencyKeys,
  releaseIdempotencyKey,
  type StoredResponse,
} from "../store/idempotency.ts";

/*
 * Retries without double effects (the convention of payment APIs and of the IETF draft "The
 * Idempotency-Key HTTP Header Field"): the first request under a key runs and its answer is kept
 * for `ttlMs`; a retry with the same request gets that answer again, whichever node it reaches;
 * the same key on a different request is refused, and so is a retry while the first is running.
 */

export type { StoredResponse };

/** How long a key's first answer is kept. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

/** A request holding a key: it runs, then `complete` or `release` it. */
export interface IdempotencyClaim {
  userId: string;
  key: string;
  lockedAt: Date;
}

export class IdempotencyKeys {
  constructor(
    private readonly db: Db,
    private readonly clock: () => Date,
    private readonly options: {
      ttlMs?: number;
      /** A claim older than this counts as abandoned (its node died mid-request). */
      leaseMs?: number;
    } = {},
  ) {}

  /**
   * Claims `key` for the caller's request with this `fingerprint`. Returns the claim (the
   * request runs) or the first answer (a retry: send it again). Throws `idempotency_key_reused`
   * if the key was used for a different request, `idempotency_in_progress` if that one still
   * runs.
   */
  async begin({
    userId,
    key,
    fingerprint,
  }: {
    userId: string;
    key: string;
    fingerprint: string;
  }): Promise<{ claim: IdempotencyClaim } | { replay: StoredResponse }> {
    const { ttlMs = IDEMPOTENCY_TTL_MS, leaseMs = 60_000 } = this.options;
    // Twice at most: the second only if the key expired and was purged between two statements.
    for (let attempt = 0; ; attempt++) {
      const now = this.clock();
      const found = await claimIdempotencyKey(this.db, {
        userId,
        key,
        fingerprint,
        now,
        expiresAt: new Date(now.getTime() + ttlMs),
        abandonedBefore: new Date(now.getTime() - leaseMs),
      });
      if (found === null) return { claim: { userId, key, lockedAt: now } };
      if (found === undefined) {
        if (attempt < 1) continue;
        throw new DomainError("idempotency_in_progress", "The key is changing hands; retry.");
      }
      if (found.fingerprint !== fingerprint)
        throw new DomainError(
          "idempotency_key_reused",
          "This Idempotency-Key was already used for a different request (method, path or body); use a new key for a new request.",
        );
      if (!found.response)
        throw new DomainError(
          "idempotency_in_progress",
          "A request with this Idempotency-Key is still being processed; retry in a moment.",
        );
      return { replay: found.response };
    }
  }

  /** Keeps the answer of a claimed request for retries. */
  complete(claim: IdempotencyClaim, response: StoredResponse): Promise<void> {
    return completeIdempotencyKey(this.db, { ...claim, response });
  }

  /** Frees the key of a request that failed on our side, so that a retry runs it again. */
  release(claim: IdempotencyClaim): Promise<void> {
    return releaseIdempotencyKey(this.db, claim);
  }

  /** Deletes expired keys in bounded batches; returns how many went. */
  async purgeExpired({
    batchSize = 1_000,
    maxBatches = 20,
  }: {
    batchSize?: number;
    maxBatches?: number;
  } = {}): Promise<number> {
    const now = this.clock();
    let purged = 0;
    for (let i = 0; i < maxBatches; i++) {
      const n = await purgeIdempotencyKeys(this.db, now, batchSize);
      purged += n;
      if (n < batchSize) break;
    }
    return purged;
  }
}

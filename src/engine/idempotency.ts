import { DomainError } from "../domain/errors.ts";
import { type Db, openTransactionScope } from "../store/db.ts";
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  lockIdempotencyKey,
  purgeIdempotencyKeys,
  releaseIdempotencyKey,
  type StoredResponse,
} from "../store/idempotency.ts";

/*
 * Retries without double effects (the convention of payment APIs and of the IETF draft "The
 * Idempotency-Key HTTP Header Field"): the first request under a key runs and its answer is kept
 * for `ttlMs`; a retry with the same request gets that answer again, whichever node it reaches;
 * the same key on a different request is refused, and so is a retry while the first is running.
 *
 * The request runs in one transaction with the storing of its answer, so a node that dies
 * mid-request leaves either both (the retry gets the answer) or neither (the retry runs it, at
 * once: nothing holds the key any more). See store/idempotency.ts.
 */

export type { StoredResponse };

/** How long a key's first answer is kept. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

/** A request holding a key. */
export interface IdempotencyClaim {
  userId: string;
  key: string;
  /** Identifies this claim (the database's clock when it was made, as text). */
  lockedAt: string;
}

/** A claimed request running in its transaction: `enter` its work, then `finish` or `abort`. */
export interface IdempotentRun {
  enter<T>(fn: () => T): T;
  /** Stores the answer with the request's changes, in one commit. */
  finish(response: StoredResponse): Promise<void>;
  /** Rolls the request back and frees its key, so that a retry runs it again. */
  abort(): Promise<void>;
}

const inProgress = () =>
  new DomainError(
    "idempotency_in_progress",
    "A request with this Idempotency-Key is still being processed; retry in a moment.",
  );

export class IdempotencyKeys {
  constructor(
    private readonly db: Db,
    private readonly clock: () => Date,
    private readonly ttlMs = IDEMPOTENCY_TTL_MS,
  ) {}

  /**
   * Claims `key` for the caller's request with this `fingerprint`. Returns the claim (the
   * request may run: `start` it) or the first answer (a retry: send it again). Throws
   * `idempotency_key_reused` if the key was used for a different request,
   * `idempotency_in_progress` if the first one still runs.
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
    // Twice at most: the second only if the key expired and was purged between two statements.
    for (let attempt = 0; attempt < 2; attempt++) {
      const now = this.clock();
      const found = await claimIdempotencyKey(this.db, {
        userId,
        key,
        fingerprint,
        now,
        expiresAt: new Date(now.getTime() + this.ttlMs),
      });
      if ("vanished" in found) continue;
      if ("claimed" in found) return { claim: { userId, key, lockedAt: found.claimed } };
      if (found.fingerprint !== fingerprint)
        throw new DomainError(
          "idempotency_key_reused",
          "This Idempotency-Key was already used for a different request (method, path or body); use a new key for a new request.",
        );
      if (!found.response) throw inProgress();
      return { replay: found.response };
    }
    throw inProgress();
  }

  /**
   * Opens the claimed request's transaction and locks its key in it. Throws
   * `idempotency_in_progress` if a retry took the key over in the moment between.
   */
  async start(claim: IdempotencyClaim): Promise<IdempotentRun> {
    const scope = await openTransactionScope(this.db);
    let locked = false;
    try {
      locked = await scope.enter(() => lockIdempotencyKey(this.db, claim));
    } finally {
      if (!locked) await scope.rollback();
    }
    if (!locked) throw inProgress();
    return {
      enter: (fn) => scope.enter(fn),
      finish: async (response) => {
        try {
          await scope.enter(() => completeIdempotencyKey(this.db, { ...claim, response }));
          await scope.commit();
        } catch (e) {
          await scope.rollback().catch(() => {});
          await releaseIdempotencyKey(this.db, claim).catch(() => {});
          throw e;
        }
      },
      abort: async () => {
        await scope.rollback().catch(() => {});
        await releaseIdempotencyKey(this.db, claim);
      },
    };
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

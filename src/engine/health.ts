import { DomainError } from "../domain/errors.ts";
import type { Db } from "../store/db.ts";
import { isConnectionError, migrationStatus, ping } from "../store/health.ts";

/*
 * Readiness (may this node take traffic?) and the translation of a lost database into the
 * `unavailable` error that every caller sees as 503 with Retry-After.
 */

/** Seconds a client is told to wait before retrying while the database is out of reach. */
export const RETRY_AFTER_S = 2;

/** What /readyz reports. */
export interface Readiness {
  ready: boolean;
  /**
   * "ok"; "unreachable" (refused, or the connection dropped); "timeout" (no answer in time);
   * "error" (it answered with an error, e.g. no such database).
   */
  database: "ok" | "unreachable" | "timeout" | "error";
  /** "current", or which migrations are pending or unknown to this Baton. */
  migrations: string;
  /** The error behind a database other than "ok", for the log (it names hosts and ports). */
  cause?: unknown;
}

/**
 * Checks that the database answers within `timeoutMs` and that its migrations are exactly the
 * ones this Baton ships: a pending one means the schema is behind, an unknown one that a newer
 * Baton migrated it, and either way this node's statements may not fit the tables.
 */
export async function checkReadiness(db: Db, { timeoutMs = 1000 } = {}): Promise<Readiness> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Error(`the database did not answer within ${timeoutMs} ms`);
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut), timeoutMs);
  });
  const check = (async () => {
    await ping(db);
    return migrationStatus(db);
  })();
  // The check may still settle after the deadline; its outcome is then of no interest.
  check.catch(() => {});
  try {
    const { pending, unknown } = await Promise.race([check, deadline]);
    const problems = [
      ...(pending.length ? [`pending: ${pending.join(", ")}`] : []),
      ...(unknown.length ? [`unknown to this Baton: ${unknown.join(", ")}`] : []),
    ];
    return {
      ready: problems.length === 0,
      database: "ok",
      migrations: problems.length ? problems.join("; ") : "current",
    };
  } catch (e) {
    const database = e === timedOut ? "timeout" : isConnectionError(e) ? "unreachable" : "error";
    return { ready: false, database, migrations: "unknown", cause: e };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The `unavailable` error for an error that says the database is out of reach, else null.
 * The cause's message stays out of the answer (it names hosts and ports).
 */
export function asUnavailable(e: unknown): DomainError | null {
  if (!isConnectionError(e)) return null;
  return new DomainError(
    "unavailable",
    "Baton cannot reach its database right now; try again shortly.",
    { retry_after: RETRY_AFTER_S },
  );
}

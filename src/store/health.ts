import { sql } from "kysely";
import { type Db, migrationNames } from "./db.ts";

/*
 * Is the database there, and is its schema the one this Baton expects? The one place that
 * knows which pg errors mean "the connection is gone" rather than "the statement was wrong".
 */

/** Node socket errors met when the server is down or the network between us dropped. */
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNABORTED",
]);

/**
 * SQLSTATEs of a server that is going away or not accepting us yet: 57P01 admin_shutdown
 * ("terminating connection due to administrator command"), 57P02 crash_shutdown, 57P03
 * cannot_connect_now ("the database system is starting up"), 53300 too_many_connections.
 * Class 08 (connection exception) is matched as a whole.
 */
const SERVER_CODES = new Set(["57P01", "57P02", "57P03", "53300"]);

/** Messages pg gives without a code when a connection dies under it or cannot be had. */
const LOST_MESSAGES = [
  "Connection terminated",
  "connection error and is not queryable",
  "Client was closed and is not queryable",
  "timeout exceeded when trying to connect",
  "Cannot use a pool after calling end",
  "the database system is",
];

/**
 * Whether `e` says the database could not be reached or dropped the connection — a condition
 * that passes (restart, failover) — as opposed to a statement the database refused.
 */
export function isConnectionError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string") {
    if (SOCKET_CODES.has(code) || SERVER_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))
      return true;
  }
  if (LOST_MESSAGES.some((m) => e.message.includes(m))) return true;
  // Node's happy-eyeballs connect reports every address tried in an AggregateError.
  if (e instanceof AggregateError) return e.errors.some(isConnectionError);
  return false;
}

/** Which migrations the database lacks, and which it has that this Baton does not know. */
export interface MigrationStatus {
  pending: string[];
  unknown: string[];
}

/** Compares the migrations recorded in the database with the ones this Baton ships. */
export async function migrationStatus(db: Db): Promise<MigrationStatus> {
  const known = migrationNames();
  let applied: string[] = [];
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    applied = rows.map((r) => r.name);
  } catch (e) {
    // 42P01 undefined_table: a database never migrated has every migration pending.
    if ((e as { code?: unknown }).code !== "42P01") throw e;
  }
  const have = new Set(applied);
  return {
    pending: known.filter((n) => !have.has(n)),
    unknown: applied.filter((n) => !known.includes(n)).sort(),
  };
}

/** The database answers a trivial statement (any error, including a lost connection, throws). */
export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}

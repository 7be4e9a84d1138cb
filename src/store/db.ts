import { createHash } from "node:crypto";
import { Kysely, Migrator, PostgresDialect } from "kysely";
import pg from "pg";
import * as spine from "./migrations/001-spine.ts";
import * as sessions from "./migrations/002-sessions.ts";
import * as serviceLevels from "./migrations/003-service-levels.ts";
import * as queueIndexes from "./migrations/004-queue-indexes.ts";
import * as leanerItems from "./migrations/005-leaner-item-indexes.ts";
import type { Database } from "./schema.ts";

export type Db = Kysely<Database>;

/** How many statements one connection keeps prepared; texts beyond that run unprepared. */
const PREPARED_PER_CONNECTION = 200;

/**
 * A connection that prepares each parameterised statement once (a named statement in the
 * extended protocol) instead of having PostgreSQL parse and plan it on every call: the hot
 * write statement costs about as much to plan as to run. The set is bounded because texts
 * with variable IN-lists differ; statements without parameters (DDL, LISTEN) stay unnamed.
 */
class PreparingClient extends pg.Client {
  private readonly prepared = new Set<string>();

  // biome-ignore lint/suspicious/noExplicitAny: pg's query() is heavily overloaded.
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === "string" && Array.isArray(values) && values.length > 0) {
      const name = `b${createHash("sha1").update(config).digest("base64url")}`;
      if (this.prepared.has(name) || this.prepared.size < PREPARED_PER_CONNECTION) {
        this.prepared.add(name);
        return super.query({ name, text: config, values }, callback);
      }
    }
    return super.query(config, values, callback);
  }
}

/** Opens a pooled connection to PostgreSQL. `max` bounds the pool (one per concurrent command). */
export function openDb(url: string, { max = 20 }: { max?: number } = {}): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    application_name: "baton",
    Client: PreparingClient,
  });
  // An idle client that loses its server must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Migrations in order. Kysely's migrator takes a lock, so several nodes may start at once. */
const migrations = {
  "001-spine": spine,
  "002-sessions": sessions,
  "003-service-levels": serviceLevels,
  "004-queue-indexes": queueIndexes,
  "005-leaner-item-indexes": leanerItems,
};

export async function migrate(db: Db): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

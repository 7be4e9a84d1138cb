import { Kysely, Migrator, PostgresDialect } from "kysely";
import pg from "pg";
import * as spine from "./migrations/001-spine.ts";
import * as sessions from "./migrations/002-sessions.ts";
import * as serviceLevels from "./migrations/003-service-levels.ts";
import * as queueIndexes from "./migrations/004-queue-indexes.ts";
import type { Database } from "./schema.ts";

export type Db = Kysely<Database>;

/** Opens a pooled connection to PostgreSQL. `max` bounds the pool (one per concurrent command). */
export function openDb(url: string, { max = 20 }: { max?: number } = {}): Db {
  const pool = new pg.Pool({ connectionString: url, max, application_name: "baton" });
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

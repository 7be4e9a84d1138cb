import { CompiledQuery, Kysely, Migrator, PostgresDialect } from "kysely";
import pg from "pg";
import * as spine from "./migrations/001-spine.ts";
import * as sessions from "./migrations/002-sessions.ts";
import * as serviceLevels from "./migrations/003-service-levels.ts";
import * as queueIndexes from "./migrations/004-queue-indexes.ts";
import * as leanerItems from "./migrations/005-leaner-item-indexes.ts";
import * as cheaperWrites from "./migrations/006-cheaper-writes.ts";
import * as timerRetries from "./migrations/007-timer-retries.ts";
import * as idempotencyKeys from "./migrations/008-idempotency-keys.ts";
import * as notifications from "./migrations/009-notifications.ts";
import * as metrics from "./migrations/011-metrics.ts";
import * as searchAndViews from "./migrations/012-search-and-views.ts";
import * as oidc from "./migrations/013-oidc.ts";
import * as files from "./migrations/016-files.ts";
import * as hooks from "./migrations/017-hooks.ts";
import * as statusSubscriptions from "./migrations/017b-status-subscriptions.ts";
import * as importedHistory from "./migrations/018-imported-history.ts";
import * as reviewDigests from "./migrations/018b-review-digests.ts";
import * as surveySkips from "./migrations/019-survey-skips.ts";
import * as leanerNotifications from "./migrations/022-leaner-notifications.ts";
import type { Database } from "./schema.ts";
import { inOpenScope, type OpenScope, openScope, ScopedPool } from "./scope.ts";

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
  private readonly prepared = new Map<string, string>();

  // biome-ignore lint/suspicious/noExplicitAny: pg.Client's constructor takes its config as is.
  constructor(config?: any) {
    super(config);
    // The pool listens for errors only on idle clients, and a running query gets its own; a
    // connection that dies while checked out between two queries would otherwise emit an
    // `error` nobody listens to, which crashes the process. Its next query fails instead
    // (503) and the pool drops it on release.
    this.on("error", () => {});
  }

  // biome-ignore lint/suspicious/noExplicitAny: pg's query() is heavily overloaded.
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === "string" && Array.isArray(values) && values.length > 0) {
      let name = this.prepared.get(config);
      if (name === undefined && this.prepared.size < PREPARED_PER_CONNECTION) {
        name = `k${this.prepared.size}`;
        this.prepared.set(config, name);
      }
      if (name !== undefined) return super.query({ name, text: config, values }, callback);
    }
    return super.query(config, values, callback);
  }
}

const pools = new WeakMap<Db, ScopedPool>();

/** Opens a pooled connection to PostgreSQL. `max` bounds the pool (one per concurrent command). */
export function openDb(url: string, { max = 20 }: { max?: number } = {}): Db {
  const pool = new ScopedPool({
    connectionString: url,
    max,
    application_name: "baton",
    Client: PreparingClient,
    // A connection whose server vanished without a word (a failover, a dropped network) is
    // found dead by TCP keepalive instead of hanging a command.
    keepAlive: true,
  });
  // An idle client that loses its server must not crash the process; the pool replaces it
  // (and drops a client that broke while checked out when it is released), so a server that
  // comes back is used again without a restart.
  pool.on("error", () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  return db;
}

/**
 * Begins a transaction that every statement of the work later `enter`ed into it joins, whichever
 * way it reaches the database (see scope.ts).
 */
export function openTransactionScope(db: Db): Promise<OpenScope> {
  const pool = pools.get(db);
  if (!pool) throw new Error("a transaction scope needs the database itself, not a transaction");
  return openScope(pool);
}

/**
 * Runs `fn` so that all it writes commits together or not at all: in the scope the caller is
 * already in (a request with an Idempotency-Key), else in a scope of its own.
 */
export async function inTransactionScope<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  if (inOpenScope()) return fn();
  const scope = await openTransactionScope(db);
  try {
    const result = await scope.enter(fn);
    await scope.commit();
    return result;
  } catch (e) {
    await scope.rollback().catch(() => {});
    throw e;
  }
}

/** A fixed statement of the hot path, prepared on each connection under its own name. */
export interface Statement {
  name: string;
  text: string;
}

/**
 * Runs a hot-path statement straight on the pool, skipping the query builder (its cost shows
 * at thousands of commands a second). Inside a transaction (`db` is then Kysely's transaction
 * object) it runs on the transaction's connection instead.
 */
async function execute<R>(
  db: Db,
  statement: Statement,
  values: unknown[],
): Promise<{ rows: R[]; count: number }> {
  const pool = pools.get(db);
  if (pool) {
    const result = await pool.query({ ...statement, values });
    return { rows: result.rows as R[], count: result.rowCount ?? 0 };
  }
  const result = await db.executeQuery<R>(CompiledQuery.raw(statement.text, values));
  return { rows: result.rows, count: Number(result.numAffectedRows ?? 0) };
}

/** A hot-path statement's rows. */
export async function runStatement<R>(
  db: Db,
  statement: Statement,
  values: unknown[],
): Promise<R[]> {
  return (await execute<R>(db, statement, values)).rows;
}

/** A hot-path statement that returns no rows: how many rows it inserted or changed. */
export async function runCount(db: Db, statement: Statement, values: unknown[]): Promise<number> {
  return (await execute(db, statement, values)).count;
}

/** Migrations in order. Kysely's migrator takes a lock, so several nodes may start at once. */
const migrations = {
  "001-spine": spine,
  "002-sessions": sessions,
  "003-service-levels": serviceLevels,
  "004-queue-indexes": queueIndexes,
  "005-leaner-item-indexes": leanerItems,
  "006-cheaper-writes": cheaperWrites,
  "007-timer-retries": timerRetries,
  "008-idempotency-keys": idempotencyKeys,
  "009-notifications": notifications,
  "011-metrics": metrics,
  "012-search-and-views": searchAndViews,
  "013-oidc": oidc,
  "016-files": files,
  "017-hooks": hooks,
  "017b-status-subscriptions": statusSubscriptions,
  "018-imported-history": importedHistory,
  "018b-review-digests": reviewDigests,
  "019-survey-skips": surveySkips,
  "022-leaner-notifications": leanerNotifications,
};

/** The names of the migrations this Baton ships, in order. */
export function migrationNames(): string[] {
  return Object.keys(migrations);
}

export async function migrate(db: Db): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    // Numbers are handed out ahead of landing, so a database may have run 008 before 007 exists;
    // each migration stands alone, so a missing earlier one simply runs next.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/**
 * Runs `fn` inside a savepoint of the transaction `tx`: if it fails, what it wrote is undone
 * and the transaction goes on (the error is thrown on; a rollback that itself fails, as on a
 * lost connection, leaves the first error to be thrown).
 */
export async function inSavepoint<T>(tx: Db, name: string, fn: () => Promise<T>): Promise<T> {
  await tx.executeQuery(CompiledQuery.raw(`savepoint ${name}`));
  try {
    const value = await fn();
    await tx.executeQuery(CompiledQuery.raw(`release savepoint ${name}`));
    return value;
  } catch (e) {
    await tx.executeQuery(CompiledQuery.raw(`rollback to savepoint ${name}`)).catch(() => {});
    throw e;
  }
}

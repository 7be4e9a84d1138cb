import { AsyncLocalStorage } from "node:async_hooks";
import pg from "pg";

/*
 * A transaction that spans everything one piece of work does (a request sent with an
 * Idempotency-Key: its command and the storing of its answer must commit together or not at
 * all). While a scope is open, every statement issued from its async context — through Kysely or
 * straight on the pool — runs on the scope's one connection; a Kysely transaction inside it
 * becomes a savepoint. Outside a scope nothing changes (one AsyncLocalStorage lookup per
 * statement).
 */

interface Scope {
  client: pg.PoolClient;
  open: boolean;
  /** Work to do once the transaction committed (live notices: nobody may see them earlier). */
  afterCommit: (() => void)[];
}

const scopes = new AsyncLocalStorage<Scope>();
let savepoints = 0;
/**
 * Scopes open now. On Node.js 20 the first `run()` installs async hooks that tax every promise
 * of the process from then on (measured: a promise-heavy loop 2.5 times slower), so the storage
 * is disabled again whenever no scope is open: requests without an Idempotency-Key pay nothing
 * once the last keyed one is done. A later `run()` enables it again.
 */
let openScopes = 0;

/** Kysely's transaction statements, turned into savepoints inside a scope. */
function leaseOf(scope: Scope): pg.PoolClient {
  let savepoint: string | null = null;
  const lease = {
    // biome-ignore lint/suspicious/noExplicitAny: pg's query() is heavily overloaded.
    query(config: any, values?: any, callback?: any): any {
      if (typeof config === "string") {
        const text = config.trim().toLowerCase();
        if (text === "begin" || text.startsWith("start transaction")) {
          savepoint = `baton_sp_${++savepoints}`;
          return scope.client.query(`savepoint ${savepoint}`);
        }
        if (text === "commit" && savepoint)
          return scope.client.query(`release savepoint ${savepoint}`);
        if (text === "rollback" && savepoint)
          return scope.client.query(`rollback to savepoint ${savepoint}`);
      }
      return scope.client.query(config, values, callback);
    },
    release() {},
  };
  return lease as unknown as pg.PoolClient;
}

/** A pg pool whose statements go to the open scope's connection, if there is one. */
export class ScopedPool extends pg.Pool {
  // biome-ignore lint/suspicious/noExplicitAny: pg's connect() is overloaded (promise or callback).
  override connect(callback?: any): any {
    const scope = scopes.getStore();
    if (scope?.open && callback === undefined) return Promise.resolve(leaseOf(scope));
    return super.connect(callback);
  }

  // biome-ignore lint/suspicious/noExplicitAny: pg's query() is heavily overloaded.
  override query(config: any, values?: any, callback?: any): any {
    const scope = scopes.getStore();
    if (scope?.open) return scope.client.query(config, values, callback);
    return super.query(config, values, callback);
  }

  /** A connection of the pool itself, whatever scope the caller is in. */
  connectOwn(): Promise<pg.PoolClient> {
    return super.connect();
  }
}

/** An open scope: `enter` runs work inside it; then `commit` or `rollback`, once. */
export interface OpenScope {
  /** Runs `fn` (and everything it starts) inside the scope's transaction. */
  enter<T>(fn: () => T): T;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** Begins a transaction on a connection of `pool` for work to `enter`. */
export async function openScope(pool: ScopedPool): Promise<OpenScope> {
  const client = await pool.connectOwn();
  try {
    await client.query("begin");
  } catch (e) {
    client.release(e as Error);
    throw e;
  }
  const scope: Scope = { client, open: true, afterCommit: [] };
  openScopes++;
  const end = async (sql: "commit" | "rollback") => {
    if (!scope.open) return;
    // Closed first: statements issued from now on go to the pool, not into this transaction.
    scope.open = false;
    if (--openScopes === 0) scopes.disable();
    try {
      await client.query(sql);
      client.release();
    } catch (e) {
      client.release(e as Error);
      throw e;
    }
  };
  return {
    enter: (fn) => scopes.run(scope, fn),
    commit: async () => {
      await end("commit");
      for (const fn of scope.afterCommit.splice(0)) fn();
    },
    rollback: async () => {
      scope.afterCommit.length = 0;
      await end("rollback");
    },
  };
}

/** Whether the caller runs inside an open scope (its statements join that transaction). */
export function inOpenScope(): boolean {
  return scopes.getStore()?.open === true;
}

/**
 * Runs `fn` now, or, inside an open scope, once its transaction committed (never if it rolls
 * back). For effects others may see, such as live notices.
 */
export function afterCommit(fn: () => void): void {
  const scope = scopes.getStore();
  if (scope?.open) scope.afterCommit.push(fn);
  else fn();
}

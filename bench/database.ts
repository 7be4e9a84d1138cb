import pg from "pg";

/*
 * The bench's own database on the PostgreSQL server under test. It is created fresh for one
 * run and dropped afterwards, so nothing that lives on that server is read or changed.
 */

/** A database created for this run; `drop` removes it (forcing out any leftover connection). */
export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Server settings that decide what a commit costs; printed beside the figures. */
export interface ServerSettings {
  version: string;
  synchronousCommit: string;
  fsync: string;
  walSyncMethod: string;
  commitDelay: string;
  maxConnections: number;
}

/** The same server URL pointing at another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Runs `fn` on one short-lived connection. */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: "baton-bench" });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

let created = 0;

/**
 * Creates `baton_bench_<pid>` (then `_2`, `_3`… for further calls in the same process) on the
 * server behind `adminUrl`. The name carries the pid so two benches on one server never share
 * a database; a leftover of a killed run with the same pid is ours by that name, so it is
 * dropped first.
 */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  created++;
  const name = `baton_bench_${process.pid}${created > 1 ? `_${created}` : ""}`;
  const drop = () =>
    withClient(adminUrl, async (c) => {
      await c.query(`drop database if exists ${name} with (force)`);
    });
  await drop();
  await withClient(adminUrl, (c) => c.query(`create database ${name}`));
  return { name, url: withDatabase(adminUrl, name), drop };
}

/** Reads the settings that make a commit durable (or not) and bound the connections. */
export async function readServerSettings(url: string): Promise<ServerSettings> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<Record<string, string>>(`
      select current_setting('server_version') as version,
             current_setting('synchronous_commit') as synchronous_commit,
             current_setting('fsync') as fsync,
             current_setting('wal_sync_method') as wal_sync_method,
             current_setting('commit_delay') as commit_delay,
             current_setting('max_connections') as max_connections`);
    const r = rows[0] ?? {};
    return {
      version: r.version ?? "?",
      synchronousCommit: r.synchronous_commit ?? "?",
      fsync: r.fsync ?? "?",
      walSyncMethod: r.wal_sync_method ?? "?",
      commitDelay: r.commit_delay ?? "?",
      maxConnections: Number(r.max_connections),
    };
  });
}

/**
 * Flushes dirty pages before a measurement so that a checkpoint triggered by the previous
 * phase's writes does not land in this one. Needs superuser (or pg_checkpoint); without it the
 * measurement runs anyway and says so.
 */
export async function checkpoint(url: string): Promise<boolean> {
  try {
    await withClient(url, (c) => c.query("checkpoint"));
    return true;
  } catch {
    return false;
  }
}

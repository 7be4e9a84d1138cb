import { randomBytes } from "node:crypto";
import { openApi, runHandoffCycles, setUpTenant } from "./baton-load.ts";
import { startBatonProcess } from "./baton-server.ts";
import { createBenchDatabase, withClient } from "./database.ts";
import { Recorder } from "./timed-run.ts";

/*
 * `npm run bench:cost`: what one handoff transition costs the database, counted rather than
 * timed, so it reads the same on a busy machine as on a quiet one. For each BATON_WORKERS
 * setting it runs handoff cycles against a fresh database, lets the background workers finish
 * (outbox fanned out, rollups derived), and divides PostgreSQL's own counters for that database
 * by the transitions: transactions, rows read, rows written per table and index entries written
 * (an insert or a non-HOT update writes one entry per index of its table; a partial index is
 * counted as if the row matched it, so this is an upper bound). The rows come from
 * the commands and the workers together — which is what the machine pays for.
 */

const settings = (process.env.BENCH_WORKERS ?? "all;none").split(";");
const seconds = Number(process.env.BENCH_SECONDS ?? 6);
const clients = Number(process.env.BENCH_CLIENTS ?? 16);
const adminUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";

interface TableCost {
  table: string;
  indexes: number;
  inserted: number;
  updated: number;
  hot: number;
  deleted: number;
  indexEntries: number;
  /** Rows read from the table (sequential scans and index fetches). */
  read: number;
}

async function measure(workers: string) {
  const db = await createBenchDatabase(adminUrl);
  const adminToken = `bt_bench_${randomBytes(16).toString("hex")}`;
  const signal = new AbortController().signal;
  const server = await startBatonProcess({
    databaseUrl: db.url,
    adminToken,
    pool: undefined,
    env: { BATON_WORKERS: workers },
    signal,
  });
  const api = openApi(server.url, clients);
  try {
    const users = await setUpTenant(api, adminToken);
    // An idle backend publishes its pending counters within 10 s (PGSTAT_IDLE_INTERVAL).
    await new Promise((r) => setTimeout(r, 11_000));
    const before = await counters(db.url);
    const rec = new Recorder();
    await runHandoffCycles(
      api,
      users,
      { clients, warmupMs: 0, measureMs: seconds * 1000, signal },
      rec,
      { samples: [] },
    );
    // The workers' share: wait until the outbox is drained and the rollups caught up.
    await drained(db.url, workers);
    // A backend publishes its counters when it exits at the latest: stop the server first.
    await api.destroy();
    await server.stop();
    await new Promise((r) => setTimeout(r, 1000));
    const after = await counters(db.url);
    const transitions = rec.summary().total;
    return { workers, transitions, ...diff(before, after, transitions) };
  } finally {
    await api.destroy().catch(() => {});
    await server.stop();
    if (process.env.BENCH_KEEP) console.log(`kept ${db.url}`);
    else await db.drop();
  }
}

async function drained(url: string, workers: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const left = await withClient(url, async (c) => {
      const outbox = workers.includes("notifications") || workers === "all";
      const metrics = workers.includes("metrics") || workers === "all";
      const r = await c.query<{ n: string }>(
        `select (case when $1 then (select count(*) from outbox) else 0 end)
              + (case when $2 then (select count(*) from items i
                                     left join metric_items f on f.item_id = i.id
                                     where f.item_id is null or f.version <> i.version) else 0 end) as n`,
        [outbox, metrics],
      );
      return Number(r.rows[0]?.n ?? 0);
    });
    if (left === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
}

type Counters = Awaited<ReturnType<typeof counters>>;

async function counters(url: string) {
  return withClient(url, async (c) => {
    const dbRow = (
      await c.query<Record<string, string>>(
        `select xact_commit, tup_returned, tup_fetched from pg_stat_database
          where datname = current_database()`,
      )
    ).rows[0];
    const tables = (
      await c.query<{
        table: string;
        indexes: string;
        ins: string;
        upd: string;
        hot: string;
        del: string;
        read: string;
      }>(
        `select t.relname as table, (select count(*) from pg_index x where x.indrelid = t.relid) as indexes,
                n_tup_ins as ins, n_tup_upd as upd, n_tup_hot_upd as hot, n_tup_del as del,
                coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) as read
           from pg_stat_user_tables t where schemaname = 'public'`,
      )
    ).rows;
    return {
      commits: Number(dbRow?.xact_commit),
      read: Number(dbRow?.tup_returned) + Number(dbRow?.tup_fetched),
      tables: new Map(tables.map((t) => [t.table, t])),
    };
  });
}

function diff(a: Counters, b: Counters, transitions: number) {
  const per = (n: number) => n / transitions;
  const tables: TableCost[] = [];
  for (const [name, t] of b.tables) {
    const was = a.tables.get(name);
    const d = (k: "ins" | "upd" | "hot" | "del" | "read") => Number(t[k]) - Number(was?.[k] ?? 0);
    const indexes = Number(t.indexes);
    const cost: TableCost = {
      table: name,
      indexes,
      inserted: per(d("ins")),
      updated: per(d("upd")),
      hot: per(d("hot")),
      deleted: per(d("del")),
      indexEntries: per((d("ins") + d("upd") - d("hot")) * indexes),
      read: per(d("read")),
    };
    if (cost.inserted + cost.updated + cost.deleted + cost.read > 0.001) tables.push(cost);
  }
  tables.sort((x, y) => y.indexEntries + y.inserted - (x.indexEntries + x.inserted));
  return {
    // The counters also hold this script's own few reads; they are noise next to thousands.
    commitsPerTransition: per(b.commits - a.commits),
    rowsReadPerTransition: per(b.read - a.read),
    rowsWrittenPerTransition: tables.reduce((s, t) => s + t.inserted + t.updated + t.deleted, 0),
    indexEntriesPerTransition: tables.reduce((s, t) => s + t.indexEntries, 0),
    tables,
  };
}

const f = (n: number) => n.toFixed(2).padStart(7);
for (const workers of settings) {
  const r = await measure(workers);
  console.log(`\nBATON_WORKERS=${r.workers}: ${r.transitions} transitions`);
  console.log(
    `  per transition: ${f(r.commitsPerTransition)} commits, ${f(r.rowsReadPerTransition)} rows read, ` +
      `${f(r.rowsWrittenPerTransition)} rows written, ${f(r.indexEntriesPerTransition)} index entries`,
  );
  console.log(
    `  ${"table".padEnd(26)}indexes  inserted  updated (HOT)  deleted  index entries  rows read`,
  );
  for (const t of r.tables)
    console.log(
      `  ${t.table.padEnd(26)}${String(t.indexes).padStart(7)}  ${f(t.inserted)}  ${f(t.updated)} (${f(t.hot).trim()})  ${f(t.deleted)}  ${f(t.indexEntries)}  ${f(t.read)}`,
    );
}

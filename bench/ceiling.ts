import pg from "pg";
import { withClient } from "./database.ts";
import { type Recorder, type RunOptions, runClients } from "./timed-run.ts";

/*
 * The ceiling: how many times per second this PostgreSQL commits the bare transaction a
 * handoff needs, with nothing in front of it — no HTTP, no JSON API, no rules:
 *
 *   BEGIN; SELECT item FOR UPDATE; UPDATE item; INSERT event + outbox row; upsert timer; COMMIT
 *
 * The outbox row is the notification Baton writes with a handoff (one row per notifiable event,
 * fanned out to people after commit), shaped like Baton's: a bigserial key and nothing else
 * indexed.
 * Each connection works on rows of its own, so no transaction waits for another's lock; what
 * is left is round trips, WAL and the commit flush (group commit across connections). Tables
 * live in their own schema so they can never be mistaken for Baton's.
 */

const SCHEMA = "ceiling";
/** Rows per connection: a handful, cycled, so the working set stays hot like Baton's. */
const ROWS_PER_CLIENT = 64;

const statements = {
  lock: `select version from ${SCHEMA}.items where id = $1 for update`,
  update: `update ${SCHEMA}.items set version = $2, doc = $3, updated_at = now() where id = $1`,
  // The outbox row rides on the event's statement, as Baton writes it (no extra round trip).
  event: `with notice as (
            insert into ${SCHEMA}.outbox (item_id, seq, kind, watch)
            values ($1, $2, 'handoff.accepted', true))
          insert into ${SCHEMA}.events (item_id, seq, type, actor, at, data)
          values ($1, $2, 'handoff.accepted', 'bench@bench.local', now(), $3)`,
  timer: `insert into ${SCHEMA}.timers (item_id, kind, due_at)
          values ($1, 'accept_within', now() + interval '4 hours')
          on conflict (item_id, kind) do update set due_at = excluded.due_at`,
};

/**
 * Creates the schema and `clients × ROWS_PER_CLIENT` items. Events carry the same unique
 * (item_id, seq) key as Baton's, so the insert pays for the same index check.
 */
export async function prepareCeiling(url: string, clients: number): Promise<void> {
  await withClient(url, async (c) => {
    await c.query(`
      create schema ${SCHEMA};
      create table ${SCHEMA}.items (
        id bigint primary key, version int not null, doc jsonb not null,
        updated_at timestamptz not null);
      create table ${SCHEMA}.events (
        id bigserial primary key, item_id bigint not null references ${SCHEMA}.items (id),
        seq int not null, type text not null, actor text not null, at timestamptz not null,
        data jsonb not null, unique (item_id, seq));
      create table ${SCHEMA}.timers (
        item_id bigint not null, kind text not null, due_at timestamptz not null,
        primary key (item_id, kind));
      create table ${SCHEMA}.outbox (
        id bigserial primary key, created_at timestamptz not null default now(),
        item_id bigint not null, seq int not null, kind text not null,
        watch boolean not null default false, data jsonb, claimed_until timestamptz,
        attempts int not null default 0, retry_at timestamptz, last_error text);`);
    await c.query(
      `insert into ${SCHEMA}.items (id, version, doc, updated_at)
       select g, 0, $1::jsonb, now() from generate_series(1, $2) g`,
      [itemDoc(0), clients * ROWS_PER_CLIENT],
    );
  });
}

/**
 * A projection document about the size of a Baton item's after a handoff (~1 kB), so the
 * UPDATE writes as many WAL bytes as Baton's does.
 */
function itemDoc(version: number): string {
  return JSON.stringify({
    key: "BENCH-1",
    title: "Bench item",
    status: "in_progress",
    version,
    padding: "x".repeat(900),
  });
}

const eventData = JSON.stringify({ handoff: 1, assignee: "bench@bench.local" });

/** One transaction on `id`; rolls back and rethrows on any error. */
async function runTransaction(c: pg.Client, id: number): Promise<void> {
  await c.query("begin");
  try {
    const { rows } = await c.query<{ version: number }>({
      name: "lock",
      text: statements.lock,
      values: [id],
    });
    const next = (rows[0]?.version ?? 0) + 1;
    await c.query({ name: "update", text: statements.update, values: [id, next, itemDoc(next)] });
    await c.query({ name: "event", text: statements.event, values: [id, next, eventData] });
    await c.query({ name: "timer", text: statements.timer, values: [id] });
    await c.query("commit");
  } catch (err) {
    await c.query("rollback").catch(() => {});
    throw err;
  }
}

/** Runs the bare transaction from `opts.clients` connections, each on its own rows. */
export async function runCeiling(
  url: string,
  opts: RunOptions,
  recorder: Recorder,
): Promise<Recorder> {
  const connections = await Promise.all(
    Array.from({ length: opts.clients }, async () => {
      const c = new pg.Client({ connectionString: url, application_name: "baton-bench" });
      await c.connect();
      return c;
    }),
  );
  const turns = new Array<number>(opts.clients).fill(0);
  try {
    return await runClients(
      opts,
      async (client, rec) => {
        const c = connections[client] as pg.Client;
        const turn = (turns[client] ?? 0) + 1;
        turns[client] = turn;
        const id = client * ROWS_PER_CLIENT + (turn % ROWS_PER_CLIENT) + 1;
        await rec.time("tx", () => runTransaction(c, id));
      },
      recorder,
    );
  } finally {
    await Promise.all(connections.map((c) => c.end()));
  }
}

/** Checks that every committed transaction left its event (the ceiling loses nothing either). */
export async function countCeilingEvents(url: string): Promise<number> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ n: string }>(`select count(*) as n from ${SCHEMA}.events`);
    return Number(rows[0]?.n ?? 0);
  });
}

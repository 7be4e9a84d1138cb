import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { type Running, startBaton } from "../../src/server.ts";
import { relayYaml } from "../fixtures.ts";
import { findPostgresBin, type Replicated, startPrimaryAndReplica } from "../replica.ts";

/*
 * DATABASE_READ_URL against a real streaming replica (test/replica.ts starts a primary and a
 * pg_basebackup -R copy of it on ports of their own): a Baton node started as the server starts
 * it, with DATABASE_URL on the primary and DATABASE_READ_URL on the replica. Commands are
 * written to the primary; the metrics and review reads come from the replica — shown by
 * pausing the replica's replay: a handoff made meanwhile is in the primary's rollups and on
 * its item page at once, but not in the metrics until replay resumes.
 */

const bin = findPostgresBin();
const token = "bt_replica_admin_0123456789";

const yaml = relayYaml({
  teams: ["alpha", "beta"],
  steps: ["one", "two"],
  fields: [],
  checklist: [],
  handoff: "accept_within: 4h wall",
});

describe.runIf(bin)("metrics reads on a streaming read replica", { timeout: 120_000 }, () => {
  let cluster: Replicated;
  let node: Running;
  let primary: pg.Client;
  let replica: pg.Client;
  let alice = "";

  const call = async (method: string, path: string, body?: unknown, as = token) => {
    const r = await fetch(`${node.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${as}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  const submitted = async () => {
    const r = await call("GET", "/metrics/edges?workflow=relay");
    expect(r.status).toBe(200);
    return r.body.edges.reduce((n: number, e: { submitted: number }) => n + e.submitted, 0);
  };
  /** Polls (bounded) until the metrics show `n` handoffs. */
  const eventually = async (n: number) => {
    for (let i = 0; i < 200; i++) {
      if ((await submitted()) === n) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await submitted()).toBe(n);
  };
  const handOff = async (title: string) => {
    const c = await call("POST", "/items", { workflow: "relay", title }, alice);
    expect(c.status).toBe(201);
    const h = await call("POST", `/items/${c.body.key}/handoff`, {}, alice);
    expect(h.status).toBe(200);
    return c.body.key as string;
  };

  beforeAll(async () => {
    cluster = await startPrimaryAndReplica(bin as string);
    const admin = new pg.Client({ connectionString: cluster.primaryUrl });
    await admin.connect();
    await admin.query("create database baton");
    await admin.end();
    const url = (u: string) => u.replace(/\/postgres$/, "/baton");
    node = await startBaton(
      loadConfig({
        DATABASE_URL: url(cluster.primaryUrl),
        DATABASE_READ_URL: url(cluster.replicaUrl),
        PORT: "0",
        BATON_DEMO: "false",
        BATON_ADMIN_TOKEN: token,
        LOG_LEVEL: "silent",
      }),
    );
    primary = new pg.Client({ connectionString: url(cluster.primaryUrl) });
    replica = new pg.Client({ connectionString: url(cluster.replicaUrl) });
    await primary.connect();
    // The database was created on the primary a moment ago: the replica has it once replayed.
    for (let i = 0; ; i++) {
      try {
        await replica.connect();
        break;
      } catch (e) {
        if (i > 100) throw e;
        replica = new pg.Client({ connectionString: url(cluster.replicaUrl) });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    for (const key of ["alpha", "beta"])
      expect((await call("POST", "/teams", { key, name: key })).status).toBe(201);
    expect(
      (
        await call("POST", "/users", {
          email: "alice@example.com",
          name: "Alice",
          teams: ["alpha"],
        })
      ).status,
    ).toBe(201);
    alice = (await call("POST", "/users/alice@example.com/tokens", {})).body.token;
    const w = await fetch(`${node.url}/api/v1/workflows/relay`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/yaml" },
      body: yaml,
    });
    expect(w.status).toBe(201);
    // The node migrated the primary just now: metrics reads need the tables on the replica too.
    // Under load replay can lag by seconds, and a read before it ends in "relation … does not
    // exist". Wait until the replica has replayed everything written so far.
    const { rows } = await primary.query("select pg_current_wal_lsn()::text as lsn");
    for (let i = 0; ; i++) {
      const r = await replica.query("select pg_last_wal_replay_lsn() >= $1::pg_lsn as done", [
        rows[0].lsn,
      ]);
      if (r.rows[0].done) break;
      if (i > 300) throw new Error("the replica did not catch up with the primary in 30 s");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  afterAll(async () => {
    await replica?.query("select pg_wal_replay_resume()").catch(() => {});
    await replica?.end().catch(() => {});
    await primary?.end().catch(() => {});
    await node?.close();
    await cluster?.stop();
  });

  it("the read database is a streaming replica of the primary", async () => {
    expect((await replica.query("select pg_is_in_recovery() as r")).rows[0].r).toBe(true);
    expect((await primary.query("select pg_is_in_recovery() as r")).rows[0].r).toBe(false);
    const { rows } = await primary.query("select state from pg_stat_replication");
    expect(rows.map((r) => r.state)).toEqual(["streaming"]);
  });

  it("commands go to the primary and the metrics come from the replica", async () => {
    await handOff("First");
    await eventually(1);

    // Replay stops: the replica keeps what it has, the primary goes on.
    await replica.query("select pg_wal_replay_pause()");
    for (let i = 0; i < 100; i++) {
      const { rows } = await replica.query("select pg_get_wal_replay_pause_state() as s");
      if (rows[0].s === "paused") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const key = await handOff("Second");
    // The command's read (the item) comes from the primary: the handoff is there at once.
    const item = await call("GET", `/items/${key}`);
    expect(item.body.state).toBe("awaiting_acceptance");
    // The metrics read first derives this node's writes into the primary's rollups…
    expect(await submitted()).toBe(1);
    const onPrimary = await primary.query("select count(*)::int as n from metric_handoffs");
    expect(onPrimary.rows[0].n).toBe(2);
    // …and then reads the replica, which has not replayed them: still one, however often asked.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await submitted()).toBe(1);
    const review = await call("GET", "/review/relay");
    expect(review.status).toBe(200);
    expect(review.body.edges[0].submitted).toBe(1);
    const onReplica = await replica.query("select count(*)::int as n from metric_handoffs");
    expect(onReplica.rows[0].n).toBe(1);

    // Replay resumes: the metrics catch up.
    await replica.query("select pg_wal_replay_resume()");
    await eventually(2);
    expect((await call("GET", "/review/relay")).body.edges[0].submitted).toBe(2);
  });
});

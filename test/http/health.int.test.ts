import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { describe, expect, it } from "vitest";
import type { ItemChange } from "../../src/engine/changes.ts";
import { defaultHttpSettings } from "../../src/http/limits.ts";
import { castOnboarding } from "../fixtures.ts";
import { dbKinds, useBaton } from "../harness.ts";

/*
 * Readiness and lost connections on a database Baton does not own (a server from DATABASE_URL):
 * /readyz tells the truth about the schema, and connections the server drops (a restart, a
 * failover, an admin's pg_terminate_backend) are replaced without restarting Baton.
 */

/** Drops every connection to the test's database but this one, as a server restart would. */
async function dropConnections(url: string): Promise<number> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    const { rowCount } = await c.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
    );
    return rowCount ?? 0;
  } finally {
    await c.end();
  }
}

describe.each(dbKinds())("health on $name", (kind) => {
  const b = useBaton(kind);

  it("says ready when the database answers and its migrations are this Baton's", async () => {
    const res = await b.app.inject({ method: "GET", url: "/readyz" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true, database: "ok", migrations: "current" });
    expect((await b.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
  });

  it("is not ready, with a problem+json and Retry-After, while a newer Baton's migration is in the database", async () => {
    const c = new pg.Client(b.databaseUrl);
    await c.connect();
    try {
      await c.query(
        "insert into kysely_migration (name, timestamp) values ('999-from-a-newer-baton', now())",
      );
      const res = await b.app.inject({ method: "GET", url: "/readyz" });
      expect(res.statusCode).toBe(503);
      expect(res.headers["content-type"]).toContain("application/problem+json");
      expect(res.headers["retry-after"]).toMatch(/^\d+$/);
      expect(res.json()).toMatchObject({
        code: "unavailable",
        database: "ok",
        migrations: "unknown to this Baton: 999-from-a-newer-baton",
      });
      // Alive all the same: restarting this node would not help.
      expect((await b.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    } finally {
      await c.query("delete from kysely_migration where name = '999-from-a-newer-baton'");
      await c.end();
    }
    expect((await b.app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
  });

  it("keeps serving after the database drops every connection, without a restart", async () => {
    const { sales } = await castOnboarding(b);
    const changes: ItemChange[] = [];
    let resyncs = 0;
    const feed = b.engine.changes.subscribe((c) => changes.push(c), {
      onResync: () => resyncs++,
    });
    await feed.ready;
    // Every pooled connection in use once, so all of them are dropped below.
    await Promise.all(Array.from({ length: 10 }, () => b.admin.get("/teams")));

    expect(await dropConnections(b.databaseUrl)).toBeGreaterThan(0);
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) statuses.push((await b.admin.get("/teams")).status);
    // A request that met a connection while it died may get a 503 to retry; never a 500.
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(statuses.at(-1)).toBe(200);

    // The live feed listens again (and tells its subscribers they may have missed changes).
    const until = Date.now() + 15_000;
    while (resyncs === 0 && Date.now() < until) await sleep(50);
    expect(resyncs).toBe(1);
    const created = await sales.post("/items", { workflow: "onboarding", title: "After the drop" });
    expect(created.status).toBe(201);
    while (!changes.some((c) => c.key === created.body.key) && Date.now() < until) await sleep(20);
    await sleep(200);
    expect(changes.filter((c) => c.key === created.body.key)).toHaveLength(1);
    feed.unsubscribe();
  });
});

describe("health probes under a global rate limit", () => {
  const [kind] = dbKinds();
  const b = useBaton(kind as NonNullable<typeof kind>, {
    http: {
      ...defaultHttpSettings,
      rateLimits: { ...defaultHttpSettings.rateLimits, global: 3 },
    },
  });

  it("are never rate limited, so a load balancer probing often does not take a node out", async () => {
    const statuses = async (url: string) => {
      const out: number[] = [];
      for (let i = 0; i < 8; i++) out.push((await b.app.inject({ method: "GET", url })).statusCode);
      return out;
    };
    expect(await statuses("/readyz")).toEqual(Array(8).fill(200));
    expect(await statuses("/healthz")).toEqual(Array(8).fill(200));
    expect(await statuses("/api/v1/nothing-here")).toContain(429); // the limit is on
  });
});

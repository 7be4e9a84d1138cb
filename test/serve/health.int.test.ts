import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { embeddedUrl, postmasterPid, type Served, startServe, stopServe } from "./serve-process.ts";

/*
 * The embedded PostgreSQL dies under a running `baton serve` (kill -9 of its postmaster): Baton
 * says so truthfully (503 with Retry-After, /readyz 503, /healthz still 200), starts it again by
 * itself, and writes succeed afterwards.
 */

const adminToken = "bt_health_test_admin_token_1234";

interface Answer {
  status: number;
  type: string;
  retryAfter: string | null;
  body: any;
}

async function call(url: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${adminToken}`,
      "content-type": "application/json",
      ...init.headers,
    },
  });
  return {
    status: res.status,
    type: res.headers.get("content-type") ?? "",
    retryAfter: res.headers.get("retry-after"),
    body: await res.json(),
  };
}

describe("baton serve when its embedded PostgreSQL dies", () => {
  let dataDir = "";
  let served: Served | undefined;
  afterAll(async () => {
    await stopServe(served);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("answers 503 with Retry-After while it restarts the database, then recovers by itself", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "baton-health-"));
    served = await startServe({ dataDir, env: { BATON_ADMIN_TOKEN: adminToken } });
    const { url } = served;
    expect((await call(url, "/readyz")).body).toEqual({
      ok: true,
      database: "ok",
      migrations: "current",
    });
    expect(
      (await call(url, "/api/v1/teams", { method: "POST", body: '{"key":"before","name":"B"}' }))
        .status,
    ).toBe(201);

    process.kill(await postmasterPid(dataDir), "SIGKILL");
    // While it is down: every answer is a 503 to retry or (once it is back) a success, never 500.
    const seen: Answer[] = [];
    const readiness: Answer[] = [];
    const until = Date.now() + 45_000;
    let healthzDuringOutage = 0;
    for (;;) {
      const [api, ready, alive] = await Promise.all([
        call(url, "/api/v1/teams"),
        call(url, "/readyz"),
        call(url, "/healthz"),
      ]);
      seen.push(api);
      readiness.push(ready);
      if (ready.status === 503) healthzDuringOutage = alive.status;
      if (api.status === 200 && ready.status === 200 && seen.some((a) => a.status === 503)) break;
      if (Date.now() > until) throw new Error(`no recovery:\n${served.output()}`);
      await sleep(20);
    }
    expect(new Set(seen.map((a) => a.status))).toEqual(new Set([503, 200]));
    const unavailable = seen.find((a) => a.status === 503) as Answer;
    expect(unavailable.retryAfter).toMatch(/^\d+$/);
    expect(unavailable.type).toContain("application/problem+json");
    expect(unavailable.body).toMatchObject({ status: 503, code: "unavailable" });
    const notReady = readiness.find((a) => a.status === 503) as Answer;
    expect(notReady.body).toMatchObject({ code: "unavailable", database: "unreachable" });
    expect(notReady.retryAfter).toMatch(/^\d+$/);
    expect(healthzDuringOutage).toBe(200);

    // Back by itself: a write goes through, and the log said what happened.
    expect(
      (await call(url, "/api/v1/teams", { method: "POST", body: '{"key":"after","name":"A"}' }))
        .status,
    ).toBe(201);
    expect(served.output()).toMatch(/embedded PostgreSQL \(pid \d+\) died \(SIGKILL\)/);
    expect(served.output()).toContain("embedded PostgreSQL is running again");
  }, 90_000);

  it("is not ready while the database has migrations this Baton does not know, or lacks one", async () => {
    if (!served) throw new Error("needs the server of the first test");
    const { url } = served;
    const db = new pg.Client(await embeddedUrl(dataDir));
    await db.connect();
    try {
      await db.query(
        "insert into kysely_migration (name, timestamp) values ('999-from-a-newer-baton', now())",
      );
      const extra = await call(url, "/readyz");
      expect(extra.status).toBe(503);
      expect(extra.body.migrations).toContain("unknown to this Baton: 999-from-a-newer-baton");
      await db.query("delete from kysely_migration where name = '999-from-a-newer-baton'");

      const { rows } = await db.query(
        "delete from kysely_migration where name = (select max(name) from kysely_migration) returning *",
      );
      const missing = await call(url, "/readyz");
      expect(missing.status).toBe(503);
      expect(missing.body.migrations).toContain(`pending: ${rows[0].name}`);
      await db.query("insert into kysely_migration (name, timestamp) values ($1, $2)", [
        rows[0].name,
        rows[0].timestamp,
      ]);
      expect((await call(url, "/readyz")).status).toBe(200);
      expect((await call(url, "/healthz")).status).toBe(200); // alive all along
    } finally {
      await db.end();
    }
  });
});

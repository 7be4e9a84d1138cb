import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { type Running, startBaton } from "../../src/server.ts";
import { createTestDatabase } from "../db.ts";
import { rolloutYaml } from "../fixtures.ts";
import { dbKinds } from "../harness.ts";

/*
 * BATON_WORKERS: a node that runs no background workers serves commands but fans nothing out;
 * the events it wrote wait in the outbox, and another node that runs the fan-out tells people.
 * Server database only: two nodes share one database.
 */
const server = dbKinds().find((k) => k.name === "postgres-server");
const token = "bt_workers_admin_0123456789";

describe.runIf(server)("BATON_WORKERS", () => {
  const nodes: Running[] = [];
  let drop = async () => {};
  afterAll(async () => {
    for (const n of nodes) await n.close();
    await drop();
  });

  const start = async (url: string, workers: string) => {
    const node = await startBaton(
      loadConfig({
        DATABASE_URL: url,
        PORT: "0",
        BATON_DEMO: "false",
        BATON_ADMIN_TOKEN: token,
        BATON_WORKERS: workers,
        LOG_LEVEL: "silent",
      }),
    );
    nodes.push(node);
    return node;
  };
  const call = async (node: Running, method: string, path: string, body?: unknown, as = token) => {
    const r = await fetch(`${node.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${as}`,
        ...(typeof body === "string"
          ? { "content-type": "application/yaml" }
          : body
            ? { "content-type": "application/json" }
            : {}),
      },
      body: typeof body === "string" ? body : body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, body: (await r.json()) as Record<string, any> };
  };

  it("a node without workers leaves the fan-out to a node that runs it", async () => {
    if (!server) return;
    const database = await createTestDatabase(server);
    drop = database.drop;
    const web = await start(database.url, "none");
    for (const key of ["sales", "implementation", "ops"])
      expect((await call(web, "POST", "/teams", { key, name: key })).status).toBe(201);
    const person = async (email: string, team: string) => {
      await call(web, "POST", "/users", { email, name: email, teams: [team] });
      return (await call(web, "POST", `/users/${email}/tokens`, {})).body.token as string;
    };
    const sam = await person("sam@example.com", "sales");
    const ivy = await person("ivy@example.com", "implementation");
    expect((await call(web, "PUT", "/workflows/rollout", rolloutYaml())).status).toBeLessThan(300);
    const key = (await call(web, "POST", "/items", { workflow: "rollout", title: "Acme" }, sam))
      .body.key as string;
    expect((await call(web, "POST", `/items/${key}/handoff`, {}, sam)).status).toBe(200);

    // Well past the fan-out's poll interval: nobody on this node tells Ivy.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await call(web, "GET", "/me/notifications", undefined, ivy)).body.unread).toBe(0);
    const db = new pg.Client(database.url);
    await db.connect();
    try {
      expect(
        Number((await db.query("select count(*) as n from outbox")).rows[0].n),
      ).toBeGreaterThan(0);
    } finally {
      await db.end();
    }

    // A worker node picks the waiting event up; Ivy reads it through the web node.
    await start(database.url, "notifications");
    const deadline = Date.now() + 10_000;
    let inbox = await call(web, "GET", "/me/notifications", undefined, ivy);
    while (inbox.body.unread === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      inbox = await call(web, "GET", "/me/notifications", undefined, ivy);
    }
    expect(inbox.body.notifications[0]).toMatchObject({ kind: "handoff.submitted", item: key });
  }, 60_000);
});

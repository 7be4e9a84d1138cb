import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";

/*
 * `baton serve` as a user runs it, on the embedded PostgreSQL: first start loads the demo, a
 * `kill -9` loses nothing and the next start recovers, `admin token` works beside a running
 * server, SIGTERM stops Baton and its database.
 */

const bin = join(import.meta.dirname, "../../bin/baton.js");
const adminToken = "bt_serve_test_admin_token_1234";
const run = promisify(execFile);

interface Started {
  proc: ChildProcess;
  url: string;
  output: () => string;
}

function startServe(dataDir: string): Promise<Started> {
  const proc = spawn(process.execPath, [bin, "serve", "--port", "0", "--data-dir", dataDir], {
    env: { ...process.env, BATON_ADMIN_TOKEN: adminToken, DATABASE_URL: "", LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Baton is running at (http:\/\/\S+) /.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ proc, url: m[1], output: () => out });
      }
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", (c: Buffer) => {
      out += c.toString();
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${out}`));
    });
  });
}

async function api(url: string, token: string, path: string, init: RequestInit = {}) {
  const res = await fetch(`${url}/api/v1${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      ...init.headers,
    },
  });
  return { status: res.status, body: (await res.json()) as any };
}

function exited(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve(proc.exitCode);
    else proc.once("exit", (code) => resolve(code));
  });
}

describe("baton serve on the embedded PostgreSQL", () => {
  let dataDir = "";
  const running: ChildProcess[] = [];
  afterAll(async () => {
    for (const p of running) if (p.exitCode === null) p.kill("SIGTERM");
    await Promise.all(running.map(exited));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("starts on an empty data directory, loads the demo, survives kill -9 and stops cleanly", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "baton-serve-"));
    const first = await startServe(dataDir);
    running.push(first.proc);
    expect(first.output()).toContain("sam@example.com");
    const samToken = /sam@example\.com.*token (bt_\S+)/.exec(first.output())?.[1] as string;

    const teams = await api(first.url, adminToken, "/teams");
    expect(teams.body.teams.map((t: { key: string }) => t.key)).toContain("implementation");
    const created = await api(first.url, samToken, "/items", {
      method: "POST",
      body: JSON.stringify({ workflow: "onboarding", title: "Survives a crash" }),
    });
    expect(created.status).toBe(201);

    // The embedded server listens on loopback only, with no Unix socket.
    const settings = JSON.parse(await readFile(join(dataDir, "embedded.json"), "utf8"));
    const c = new pg.Client({
      host: "127.0.0.1",
      port: settings.port,
      user: "postgres",
      password: settings.password,
      database: "baton",
    });
    await c.connect();
    const { rows } = await c.query(
      "select current_setting('listen_addresses') as l, current_setting('unix_socket_directories') as u",
    );
    await c.end();
    expect(rows[0]).toEqual({ l: "127.0.0.1", u: "" });

    // A second command beside the running server attaches to its database.
    const { stdout } = await run(process.execPath, [bin, "admin", "token", "--data-dir", dataDir], {
      env: { ...process.env, DATABASE_URL: "" },
    });
    const minted = stdout.trim();
    expect((await api(first.url, minted, "/users/me")).body).toMatchObject({
      email: "admin@baton.local",
      admin: true,
    });

    first.proc.kill("SIGKILL");
    await exited(first.proc);
    expect(existsSync(join(dataDir, "pg", "postmaster.pid"))).toBe(true); // the orphaned postgres

    const second = await startServe(dataDir);
    running.push(second.proc);
    const again = await api(second.url, samToken, `/items/${created.body.key}`);
    expect(again.body).toMatchObject({ title: "Survives a crash", state: "in_progress" });
    expect(second.output()).not.toContain("Baton is set up"); // no second demo load

    second.proc.kill("SIGTERM");
    expect(await exited(second.proc)).toBe(0);
    expect(existsSync(join(dataDir, "pg", "postmaster.pid"))).toBe(false);
  }, 90_000);
});

import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { findFreePort } from "../bench/baton-server.ts";
import { readFingerprint } from "../test/fuzz/fingerprint.ts";
import { fuzzCase } from "../test/fuzz/generators.ts";
import { loadOperations } from "../test/fuzz/operations.ts";
import { type FuzzTarget, formatReport, runFuzz } from "../test/fuzz/runner.ts";
import { httpSend } from "../test/fuzz/targets.ts";
import { type Send, seedWorld } from "../test/fuzz/world.ts";

/*
 * `npm run fuzz -- [--seed N] [--runs N]`: the fuzz suite at full size (10,000 cases by default)
 * against a Baton in its own process, over real HTTP, on a database of its own on the
 * PostgreSQL server (DATABASE_URL, default the local one). The world is seeded once into a
 * template database; each Baton runs on a clone of it, and a request that gets no answer at all
 * (a stuck process) is reported, the process killed and a fresh clone started, so one such
 * defect does not hide the rest. Prints the seed, the cases tried and every failure group with a
 * minimal reproduction (method, path, headers, body); exits 1 if anything failed. Everything it
 * creates is removed before it exits.
 */

const repoRoot = fileURLToPath(new URL("..", import.meta.url));

const { values: args } = parseArgs({
  options: {
    seed: { type: "string" },
    runs: { type: "string", default: "10000" },
    "time-bound": { type: "string", default: "2000" },
    "hard-limit": { type: "string", default: "15000" },
    exclude: { type: "string", default: "" },
    shrink: { type: "string", default: "30" },
    report: { type: "string" },
  },
});
const seed = args.seed === undefined ? randomBytes(4).readUInt32BE() >>> 1 : Number(args.seed);
const numRuns = Number(args.runs);
const timeBoundMs = Number(args["time-bound"]);
const hardLimitMs = Number(args["hard-limit"]);
const adminUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
const adminToken = `bt_fuzz_admin_${randomBytes(12).toString("hex")}`;

const withDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

async function onAdmin(sql: string): Promise<void> {
  const c = new pg.Client(adminUrl);
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

const template = `baton_fuzz_${process.pid}_tpl`;
const working = `baton_fuzz_${process.pid}`;

/** A Baton process; its log lines (pino JSON) are kept by error id to explain 500s. */
interface Node {
  origin: string;
  child: ChildProcess;
  causes: Map<string, string>;
}

async function startNode(database: string): Promise<Node> {
  const port = await findFreePort();
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "test/fuzz/target-server.ts",
      "--database-url",
      withDatabase(adminUrl, database),
      "--port",
      String(port),
      "--admin-token",
      adminToken,
    ],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  const causes = new Map<string, string>();
  let tail = "";
  const read = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-100_000);
    const lines = tail.split("\n");
    tail = lines.pop() ?? "";
    for (const line of lines) {
      const id = /"errorId":"([^"]+)"/.exec(line)?.[1];
      if (!id) continue;
      try {
        const entry = JSON.parse(line) as { err?: { message?: string; type?: string } };
        causes.set(id, `${entry.err?.type ?? "Error"}: ${entry.err?.message ?? "?"}`.slice(0, 300));
      } catch {
        causes.set(id, line.slice(0, 300));
      }
    }
  };
  child.stdout?.on("data", read);
  child.stderr?.on("data", read);
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the fuzz target exited: ${tail}`);
    try {
      if ((await fetch(`${origin}/healthz`)).ok) return { origin, child, causes };
    } catch {}
    await sleep(100);
  }
  child.kill("SIGKILL");
  throw new Error(`the fuzz target did not start: ${tail}`);
}

async function stopNode(node: Node | undefined, signal: NodeJS.Signals = "SIGTERM") {
  if (!node || node.child.exitCode !== null || node.child.signalCode !== null) return;
  const exited = once(node.child, "exit");
  node.child.kill(signal);
  const timer = setTimeout(() => node.child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

let node: Node | undefined;
let http: ReturnType<typeof httpSend> | undefined;
let fingerprintClient: pg.Client | undefined;

async function cleanUp() {
  await http?.close().catch(() => {});
  await fingerprintClient?.end().catch(() => {});
  await stopNode(node, "SIGKILL");
  await onAdmin(`drop database if exists ${working} with (force)`).catch(() => {});
  await onAdmin(`drop database if exists ${template} with (force)`).catch(() => {});
}
process.once("SIGINT", () => {
  void cleanUp().finally(() => process.exit(130));
});

/** A fresh clone of the seeded world, a Baton on it, and a connection to read fingerprints. */
async function startOnFreshClone(): Promise<void> {
  await http?.close().catch(() => {});
  await fingerprintClient?.end().catch(() => {});
  await stopNode(node, "SIGKILL");
  await onAdmin(`drop database if exists ${working} with (force)`);
  await onAdmin(`create database ${working} template ${template}`);
  node = await startNode(working);
  http = httpSend(node.origin, hardLimitMs);
  fingerprintClient = new pg.Client(withDatabase(adminUrl, working));
  await fingerprintClient.connect();
}

try {
  console.log(`fuzz: seed ${seed}, ${numRuns} cases, time bound ${timeBoundMs} ms`);
  await onAdmin(`drop database if exists ${template} with (force)`);
  await onAdmin(`create database ${template}`);
  const seeding = await startNode(template);
  const seedHttp = httpSend(seeding.origin, hardLimitMs);
  const world = await seedWorld(seedHttp.send, adminToken);
  const ops = await loadOperations(seedHttp.send);
  await seedHttp.close();
  await stopNode(seeding);
  console.log(`fuzz: ${ops.length} operations, ${world.principals.length} principals`);

  await startOnFreshClone();
  const send: Send = (req) => (http as NonNullable<typeof http>).send(req);
  const target: FuzzTarget = {
    send,
    fingerprint: () =>
      readFingerprint(
        async (text) =>
          (await (fingerprintClient as pg.Client).query<{ fingerprint: string }>(text)).rows,
      ),
    recover: async () => {
      console.log("fuzz: no answer; restarting Baton on a fresh copy of the world");
      await startOnFreshClone();
    },
    explain: async (body) => {
      const id = /"error_id":"([^"]+)"/.exec(body)?.[1];
      if (!id || !node) return undefined;
      // The log line is written before the answer, but may be read after it.
      for (let i = 0; i < 20 && !node.causes.has(id); i++) await sleep(5);
      return node.causes.get(id);
    },
  };
  const report = await runFuzz({
    target,
    arbitrary: fuzzCase(world, ops, {
      exclude: (args.exclude ?? "").split(",").filter((x) => x !== ""),
    }),
    seed,
    numRuns,
    timeBoundMs,
    shrinkGroups: Number(args.shrink),
    shrinkMs: 20_000,
    onProgress: (tried, failures) => {
      if (tried % 1000 === 0) console.log(`fuzz: ${tried} cases, ${failures} failures so far`);
    },
  });
  const text = formatReport(report);
  console.log(`\n${text}`);
  if (args.report) writeFileSync(args.report, text);
  process.exitCode = report.groups.length > 0 ? 1 : 0;
} finally {
  await cleanUp();
}

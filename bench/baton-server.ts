import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

/*
 * Baton as its own process, started the way an operator starts it (`baton serve`), so the load
 * generator does not share its event loop and the figures include nothing the bench does.
 */

const repoRoot = fileURLToPath(new URL("..", import.meta.url));

/** A running Baton child process. */
export interface BatonProcess {
  url: string;
  pid: number;
  /** Stops it (SIGTERM, then SIGKILL after a grace period); safe to call twice. */
  stop(): Promise<void>;
}

/** Options for one Baton server process. */
export interface BatonProcessOptions {
  databaseUrl: string;
  adminToken: string;
  /** BATON_DB_POOL; undefined leaves Baton's default. */
  pool: number | undefined;
  /** Directory for a V8 CPU profile of the server (written when it exits), if wanted. */
  profileDir?: string | undefined;
  /** More settings for the server (BATON_SMTP_URL, say). */
  env?: Record<string, string> | undefined;
  /**
   * Another checkout to run Baton from (its bin/, src/ and built web/dist), to compare two
   * versions side by side; this repository when left out.
   */
  root?: string | undefined;
  signal: AbortSignal;
}

/** A TCP port that was free a moment ago (the server binds it right after). */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const addr = server.address();
  server.close();
  if (!addr || typeof addr === "string") throw new Error("could not find a free port");
  return addr.port;
}

/** Starts `node bin/baton.js serve` on a free port and waits until /healthz answers. */
export async function startBatonProcess(opts: BatonProcessOptions): Promise<BatonProcess> {
  const port = await findFreePort();
  // --cpu-prof is refused in NODE_OPTIONS, so it goes on the command line.
  const profile = opts.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${opts.profileDir}`] : [];
  const child = spawn(
    process.execPath,
    [...profile, "bin/baton.js", "serve", "--port", String(port)],
    {
      cwd: opts.root ?? repoRoot,
      env: {
        ...process.env,
        DATABASE_URL: opts.databaseUrl,
        BATON_ADMIN_TOKEN: opts.adminToken,
        BATON_DEMO: "false",
        ...(opts.pool === undefined ? {} : { BATON_DB_POOL: String(opts.pool) }),
        LOG_LEVEL: "warn",
        HOST: "127.0.0.1",
        ...opts.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  // Keep the tail of its output: it is the only explanation when the server fails to start.
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  // Resolves on exit, or on a spawn error (then there is no process to wait for).
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", (err) => {
      keep(Buffer.from(`\n${err.message}`));
      resolve();
    });
  });
  const stop = () => stopChild(child, exited);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilHealthy(url, exited, () => output, opts.signal);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, pid: child.pid as number, stop };
}

async function waitUntilHealthy(
  url: string,
  exited: Promise<void>,
  output: () => string,
  signal: AbortSignal,
): Promise<void> {
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  // Generous: several nodes may start at once on a busy machine (scripts/multi-node.ts).
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    signal.throwIfAborted();
    if (hasExited) throw new Error(`Baton exited while starting:\n${output()}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`Baton did not answer ${url}/healthz within 60 s:\n${output()}`);
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  // SIGTERM lets Baton close its pool (and write a CPU profile); SIGKILL only if it hangs.
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

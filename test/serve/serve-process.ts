import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

/*
 * `baton serve` as a child process on the embedded PostgreSQL in a data directory, the way a
 * user runs it; for the tests and scripts that kill it or its database.
 */

const bin = join(import.meta.dirname, "../../bin/baton.js");

/** A running `baton serve`. */
export interface Served {
  proc: ChildProcess;
  url: string;
  /** Everything it printed so far (stdout and stderr). */
  output: () => string;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

/** Starts `baton serve` on `dataDir` and resolves once it says it is running. */
export function startServe({
  dataDir,
  port = 0,
  env = {},
  timeoutMs = 60_000,
}: {
  dataDir: string;
  /** 0 for any free port. */
  port?: number;
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<Served> {
  const proc = spawn(
    process.execPath,
    [bin, "serve", "--port", String(port), "--data-dir", dataDir],
    {
      env: { ...process.env, DATABASE_URL: "", LOG_LEVEL: "warn", BATON_DEMO: "false", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  const exited = new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once("exit", () => resolve());
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve did not start within ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    proc.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Baton is running at (http:\/\/\S+) /.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ proc, url: m[1], output: () => out, exited });
      }
    });
    proc.stderr?.on("data", (c: Buffer) => {
      out += c.toString();
    });
    proc.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${signal ?? code}) while starting:\n${out}`));
    });
  });
}

/** Stops a `baton serve` with SIGTERM (SIGKILL if it hangs) and waits for it to exit. */
export async function stopServe(s: Served | undefined): Promise<void> {
  if (!s || s.proc.exitCode !== null || s.proc.signalCode !== null) return;
  s.proc.kill("SIGTERM");
  const timer = setTimeout(() => s.proc.kill("SIGKILL"), 15_000);
  await s.exited;
  clearTimeout(timer);
}

/** The pid of the embedded PostgreSQL's postmaster serving `dataDir`, from its pid file. */
export async function postmasterPid(dataDir: string): Promise<number> {
  const pid = Number.parseInt(
    (await readFile(join(dataDir, "pg", "postmaster.pid"), "utf8")).split("\n")[0] ?? "",
    10,
  );
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no postmaster pid in ${dataDir}`);
  return pid;
}

/** Connection settings of the embedded PostgreSQL in `dataDir` (for checks behind Baton's back). */
export async function embeddedUrl(dataDir: string): Promise<string> {
  const { port, password } = JSON.parse(await readFile(join(dataDir, "embedded.json"), "utf8"));
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/baton`;
}

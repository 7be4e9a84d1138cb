import { execFile } from "node:child_process";
import { join } from "node:path";

/** What a run of the `baton` command left: exit code and output. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The `baton` command a user runs. */
export const batonBin = join(import.meta.dirname, "../../bin/baton.js");

/**
 * Runs `baton ARGS` as a user does: the real command in its own process, with only the
 * environment a user would set (the server's URL and a token), in UTC unless `tz` says otherwise.
 */
export function runBaton(
  args: string[],
  { url, token, tz }: { url: string; token: string; tz?: string },
): Promise<Run> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      ...(tz ? { TZ: tz } : {}),
      BATON_URL: url,
      BATON_TOKEN: token,
    };
    execFile(
      process.execPath,
      [batonBin, ...args],
      { env, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/*
 * The README's "A short tour", run as a newcomer runs it: `npm start` on a fresh data directory
 * (the embedded PostgreSQL and the demo), then every command of the tour's code blocks in order,
 * in bash, with the tokens the server printed. The README is the script, so it cannot drift:
 *
 * - every command must succeed, unless the comment line under it reads `# error: TEXT`; then it
 *   must fail and print `error: TEXT` (up to the first "…", "..." or " — ");
 * - a curl command whose trailing comment starts with a status (`# 422 criteria_not_met …`)
 *   must answer that status (and that `code`); any other curl command must answer 2xx;
 * - `<Sam's token>` stands for the token printed for sam@example.com, and so on;
 *   `localhost:7400` for the port the test's server listens on.
 */

const root = resolve(import.meta.dirname, "../..");

interface TourCommand {
  /** The command as bash runs it (continuation lines joined). */
  line: string;
  /** `# error: …` under it: the start of the error it must print. */
  error?: string;
  /** The trailing `# comment`, if any. */
  note?: string;
}

/** The tour's commands: the sh blocks between "## A short tour" and the next section. */
function tourCommands(readme: string): TourCommand[] {
  const start = readme.indexOf("## A short tour");
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const commands: TourCommand[] = [];
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const joined = (block[1] as string).replace(/\\\n\s*/g, "");
    for (const raw of joined.split("\n")) {
      const line = raw.trim();
      const last = commands.at(-1);
      if (line.startsWith("# error: ") && last) {
        last.error = (line.slice("# error: ".length).split(/…|\.\.\.| — /)[0] as string).trim();
        continue;
      }
      if (line === "" || line.startsWith("#")) continue;
      const note = line.match(/\s{2,}#\s*(.*)$/)?.[1];
      commands.push({ line, ...(note ? { note } : {}) });
    }
  }
  return commands;
}

/** Only variable assignments (`export A=1`, `H="…"`): kept for the commands after them. */
const isAssignment = (line: string) =>
  /^(export\s+)?([A-Za-z_]\w*=("[^"]*"|'[^']*'|\S+)\s*)+(\s#.*)?$/.test(line);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as { port: number };
  await new Promise((ok) => server.close(ok));
  return port;
}

function bash(
  script: string,
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, TERM: "dumb" };
    execFile(
      "bash",
      ["--noprofile", "--norc", "-c", script],
      { cwd, env, timeout: 60_000 },
      (err, stdout, stderr) =>
        ok({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

describe("the README's short tour", () => {
  let server: ChildProcess;
  let dataDir: string;
  let port: number;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "baton-tour-"));
    port = await freePort();
    server = spawn(
      process.execPath,
      ["bin/baton.js", "serve", "--port", String(port), "--data-dir", dataDir],
      {
        cwd: root,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: "warn" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`Baton did not start:\n${out}`)), 60_000);
      const read = (d: Buffer) => {
        out += d;
        if (out.includes("Baton is running at")) {
          clearTimeout(timer);
          ok();
        }
      };
      server.stdout?.on("data", read);
      server.stderr?.on("data", read);
      server.on("exit", (code) => fail(new Error(`Baton exited with ${code}:\n${out}`)));
    });
    for (const m of out.matchAll(/^\s*(\S+@\S+)\s.*\stoken (bt_\S+)/gm))
      tokens.set(m[1] as string, m[2] as string);
  }, 90_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((ok) => server.once("exit", ok));
      server.kill("SIGTERM");
      await exited;
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("runs as written, every command doing what the README says", async () => {
    const readme = await readFile(join(root, "README.md"), "utf8");
    const commands = tourCommands(readme);
    expect(commands.length).toBeGreaterThan(10);
    const substitute = (line: string) =>
      line
        .replaceAll("localhost:7400", `localhost:${port}`)
        .replace(/<(\w+)'s token>/g, (_, name: string) => {
          const token = tokens.get(`${name.toLowerCase()}@example.com`);
          if (!token) throw new Error(`the server printed no token for ${name}`);
          return token;
        });
    let setup = "set -o pipefail\n";
    for (const command of commands) {
      const line = substitute(command.line);
      if (isAssignment(line)) {
        setup += `${line}\n`;
        continue;
      }
      const isCurl = /^curl\s/.test(line);
      const run = await bash(
        setup + (isCurl ? line.replace(/^curl /, `curl -w '\\n%{http_code}' `) : line),
        root,
      );
      const where = `\n$ ${command.line}\n${run.stdout}${run.stderr}`;
      if (isCurl) {
        const status = Number(run.stdout.trim().split("\n").at(-1));
        const body = run.stdout.trim().split("\n").slice(0, -1).join("\n");
        const expected = command.note?.match(/^(\d{3})(?:\s+([a-z_]+))?/);
        if (expected) {
          expect(status, where).toBe(Number(expected[1]));
          if (expected[2] && status >= 400) expect(JSON.parse(body).code, where).toBe(expected[2]);
        } else {
          expect(status, where).toBeGreaterThanOrEqual(200);
          expect(status, where).toBeLessThan(300);
        }
      } else if (command.error) {
        expect(run.code, where).not.toBe(0);
        expect(run.stderr, where).toContain(`error: ${command.error}`);
      } else {
        expect(run.code, where).toBe(0);
      }
    }
  }, 240_000);
});

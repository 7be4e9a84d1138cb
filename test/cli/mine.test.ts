import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validateWorkflow } from "../../src/domain/workflow.ts";
import { batonBin, type Run } from "./run-baton.ts";

/*
 * `baton mine` as a user runs it: the real command in a subprocess, with no server anywhere
 * (BATON_URL points at a closed port), on a shared log.
 */

const data = join(import.meta.dirname, "../../../shared/data");
let dir: string;

function mine(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [batonBin, "mine", ...args],
      {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, BATON_URL: "http://127.0.0.1:9" },
        timeout: 60_000,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "baton-mine-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Each test starts Node (and tsx) at least once: far past the unit default of 5 s when the
// shared machine is busy.
describe("baton mine", { timeout: 60_000 }, () => {
  it("summarises a log, writes the HTML report and a workflow proposal, offline", async () => {
    const html = join(dir, "report.html");
    const yaml = join(dir, "proposal.yaml");
    const run = await mine([join(data, "receipt.csv.gz"), "--html", html, "--propose", yaml]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^receipt\.csv\.gz \(CSV, gzip\): 1,434 cases, 8,577 events, 10 teams/,
    );
    expect(run.stdout).toMatch(/\nTOP HANDOFFS \(10 of \d+ pairs\)\n +FROM +TO +COUNT/);
    expect(run.stdout).toMatch(/\nMAIN PATHS/);
    const page = await readFile(html, "utf8");
    expect(page).toMatch(/<svg [^>]*aria-label="Team handoff map"/);
    expect(page).toMatch(/<table id="pairs" class="sortable">/);
    expect(page).not.toMatch(/<(script|link|img)[^>]+(src|href)=/); // self-contained
    const proposal = parse(await readFile(yaml, "utf8"));
    const teams = new Set<string>(proposal.steps.map((s: { team: string }) => s.team));
    expect(validateWorkflow(proposal, { teams }).steps.length).toBeGreaterThan(1);
  });

  it("prints the report as JSON with --json", async () => {
    const run = await mine([join(data, "bpic2013-closed-problems.xes.gz"), "--json"]);
    expect(run.code).toBe(0);
    const body = JSON.parse(run.stdout);
    expect(body).toMatchObject({ cases: 1487, events: 6660, teams: 15, source: { format: "xes" } });
  });

  it("explains a broken file and exits 1", async () => {
    const bad = join(dir, "bad.xes");
    await writeFile(bad, "<log>\n  <trace>\n    <event>\n</log>\n");
    const run = await mine([bad]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: bad\.xes|^error: .*bad\.xes: line 4, column \d+: /);
    expect(run.stdout).toBe("");
  });

  it("names the columns when the team column is wrong", async () => {
    const run = await mine([join(data, "receipt.csv.gz"), "--team", "team"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no column "team" .*--team.*"org:group"/);
  });
});

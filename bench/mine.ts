import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateLog } from "./mine-generate.ts";

/*
 * The mining benchmark (`npm run bench:mine`, part of `npm run bench`; no database):
 *
 * 1. A 65,000-event .xes.gz, end to end: `node bin/baton.js mine FILE --json` from process start
 *    to exit, against bench/mine_reference.py computing the same counts with Python's standard
 *    library, both readers of it (ElementTree.iterparse, xml.sax). Interleaved rounds (Baton,
 *    iterparse, sax, Baton, …) so a machine that speeds up or slows down during the run
 *    affects all of them alike; medians. Goal: Baton ≤ half the Python time. The counts of
 *    every run are compared (cases, events, teams, successions, handoffs, ping-pong, revisits,
 *    paths, every pair's count): a fast wrong answer fails the bench.
 * 2. 1,000,000 events, .xes.gz and .csv.gz: wall time and peak RSS (GNU time's maximum
 *    resident set size, else the child's resourceUsage). Goal: ≤ 15 s and ≤ 400 MB.
 *
 * The logs are generated (bench/mine-generate.ts) in a temporary directory removed at the end.
 *   BENCH_MINE_ROUNDS (default 5)   rounds of part 1
 *   BENCH_MINE_EVENTS (1,000,000)   events of part 2
 */

const root = join(import.meta.dirname, "..");
const ROUNDS = Number(process.env.BENCH_MINE_ROUNDS ?? 5);
const BIG = Number(process.env.BENCH_MINE_EVENTS ?? 1_000_000);
const GNU_TIME = "/usr/bin/time";

interface Timed {
  ms: number;
  /** CPU seconds of the child (user + system, all its threads), when GNU time exists. */
  cpu: number | null;
  stdout: string;
  maxRssKb: number | null;
}

/** Runs a command to its exit; wall time from spawn to exit, and peak RSS when GNU time exists. */
function timed(cmd: string, args: string[]): Promise<Timed> {
  const withTime = existsSync(GNU_TIME);
  const argv = withTime ? ["-f", "MAXRSS %M CPU %U %S", cmd, ...args] : args;
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(withTime ? GNU_TIME : cmd, argv, { cwd: root });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => {
      err += b.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - start;
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(" ")} exited ${code}: ${err}`));
      const rss = /MAXRSS (\d+) CPU ([\d.]+) ([\d.]+)/.exec(err);
      resolve({
        ms,
        cpu: rss ? Number(rss[2]) + Number(rss[3]) : null,
        stdout: Buffer.concat(out).toString(),
        maxRssKb: rss ? Number(rss[1]) : null,
      });
    });
  });
}

const baton = (file: string) => timed(process.execPath, ["bin/baton.js", "mine", file, "--json"]);
const python = (file: string, sax: boolean) =>
  timed("python3", ["bench/mine_reference.py", ...(sax ? ["--sax"] : []), file]);

/** The counts both sides report, in one shape. */
function countsOfBaton(json: string) {
  const r = JSON.parse(json);
  return {
    cases: r.cases,
    events: r.events,
    teams: r.teams,
    direct_successions: r.direct_successions,
    handoffs: r.handoffs.total,
    ping_pong: r.ping_pong.cases,
    revisit: r.revisit.cases,
    paths_total: r.paths_total,
    pairs: Object.fromEntries(
      r.pairs.map((p: any) => [
        `${p.from}→${p.to}`,
        [p.count, p.transfer_gap.p50_s, p.pickup_latency.n],
      ]),
    ),
  };
}
function countsOfPython(json: string) {
  const r = JSON.parse(json);
  return {
    cases: r.cases,
    events: r.events,
    teams: r.teams,
    direct_successions: r.direct_successions,
    handoffs: r.handoffs,
    ping_pong: r.ping_pong,
    revisit: r.revisit,
    paths_total: r.paths_total,
    pairs: Object.fromEntries(
      r.pairs.map((p: any) => [`${p.from}→${p.to}`, [p.count, p.transfer_gap_p50_s, p.pickup_n]]),
    ),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  // What `npm install` leaves: the prebuilt `baton mine` (scripts/build-cli.ts), rebuilt here
  // if a source changed, so an edited source is measured, not the fallback through tsx.
  execFileSync(process.execPath, ["--import", "tsx", "scripts/build-cli.ts"], {
    cwd: root,
    stdio: "inherit",
  });
  const dir = await mkdtemp(join(tmpdir(), "baton-bench-mine-"));
  let failed = false;
  try {
    const small = join(dir, "history-65k.xes.gz");
    await generateLog(small, 65_000, "xes");
    // One unmeasured run of each warms the tsx cache and the page cache.
    const warm = await baton(small);
    const expected = countsOfBaton(warm.stdout);
    const pyWarm = await python(small, false);
    if (JSON.stringify(countsOfPython(pyWarm.stdout)) !== JSON.stringify(expected)) {
      console.error("Baton and the Python reference disagree on the counts:");
      console.error(JSON.stringify(expected).slice(0, 600));
      console.error(JSON.stringify(countsOfPython(pyWarm.stdout)).slice(0, 600));
      process.exitCode = 1;
      return;
    }
    const times = { baton: [] as number[], iterparse: [] as number[], sax: [] as number[] };
    const cpu = { baton: [] as number[], iterparse: [] as number[], sax: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      const b = await baton(small);
      const i = await python(small, false);
      const s = await python(small, true);
      for (const [name, run, counts] of [
        ["baton", b, countsOfBaton(b.stdout)],
        ["iterparse", i, countsOfPython(i.stdout)],
        ["sax", s, countsOfPython(s.stdout)],
      ] as const) {
        if (JSON.stringify(counts) !== JSON.stringify(expected)) {
          console.error(`round ${round + 1}: ${name} counted differently`);
          failed = true;
        }
        times[name].push(run.ms);
        if (run.cpu !== null) cpu[name].push(run.cpu * 1000);
      }
      const c = (r: Timed) => (r.cpu === null ? "" : ` (CPU ${r.cpu.toFixed(2)} s)`);
      console.log(
        `round ${round + 1}: baton ${sec(b.ms)}${c(b)}, python iterparse ${sec(i.ms)}${c(i)}, python xml.sax ${sec(s.ms)}${c(s)}`,
      );
    }
    const mb = median(times.baton);
    const mi = median(times.iterparse);
    const ms = median(times.sax);
    console.log(
      `\n65,000 events (.xes.gz, ${expected.cases.toLocaleString("en")} cases), process start to exit, median of ${ROUNDS} interleaved rounds:`,
    );
    console.log(`  baton mine --json        ${sec(mb)}`);
    console.log(
      `  python3 iterparse        ${sec(mi)}   baton/python ${(mb / mi).toFixed(2)} (goal ≤ 0.50)`,
    );
    console.log(
      `  python3 xml.sax          ${sec(ms)}   baton/python ${(mb / ms).toFixed(2)} (goal ≤ 0.50)`,
    );
    if (cpu.baton.length > 0) {
      // CPU time is steadier than wall time on a shared machine: other people's work does
      // not count in it. Baton's is the sum over its threads (the XES reader uses two cores).
      const [cb, ci, cs] = [median(cpu.baton), median(cpu.iterparse), median(cpu.sax)];
      console.log(
        `  CPU (user + system): baton ${sec(cb)}, iterparse ${sec(ci)} (${(cb / ci).toFixed(2)}), xml.sax ${sec(cs)} (${(cb / cs).toFixed(2)})`,
      );
    }

    for (const format of ["xes", "csv"] as const) {
      const big = join(dir, `history-1m.${format}.gz`);
      await generateLog(big, BIG, format);
      const run = await baton(big);
      const r = JSON.parse(run.stdout);
      const rss = run.maxRssKb === null ? "n/a" : `${Math.round(run.maxRssKb / 1024)} MB`;
      console.log(
        `\n${BIG.toLocaleString("en")} events (.${format}.gz, ${r.cases.toLocaleString("en")} cases, ${r.handoffs.total.toLocaleString("en")} handoffs): ${sec(run.ms)}${run.cpu === null ? "" : ` (CPU ${run.cpu.toFixed(1)} s)`}, peak RSS ${rss} (goal ≤ 15 s, ≤ 400 MB)`,
      );
      if (r.events !== BIG) {
        console.error(`counted ${r.events} events, not ${BIG}`);
        failed = true;
      }
      await rm(big);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}

await main();

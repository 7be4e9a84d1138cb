import type { Verification } from "./baton-load.ts";
import type { CpuUse } from "./cpu.ts";
import type { ServerSettings } from "./database.ts";
import type { OpSummary } from "./timed-run.ts";

/*
 * Turning the figures into a table people read and a JSON document tools read. The goal is
 * written down here, once: Baton at ≥ 70 % of what the database alone can commit, with a
 * p99 under 50 ms per request.
 */

/** Baton's throughput as a share of the bare-transaction ceiling it should reach. */
export const GOAL_RATIO_PERCENT = 70;
/** The per-request p99 latency Baton should stay under. */
export const GOAL_P99_MS = 50;

/**
 * CPU of "other" processes (cores) above which a phase is reported as disturbed. PostgreSQL's
 * own background processes and the kernel's network work stay under ~0.15 cores here.
 */
export const DISTURBED_OTHER_CORES = 0.25;

/** Everything one bench run measured. */
export interface BenchResults {
  settings: {
    /** The code measured: commit, and whether the working tree differed from it. */
    revision: string;
    database: string;
    server: ServerSettings;
    clients: number;
    /** null: Baton's default pool. */
    batonPool: number | null;
    rounds: number;
    /** Per phase. */
    warmupSeconds: number;
    /** Per side, over all rounds. */
    measureSeconds: number;
    cpus: number;
  };
  baton: {
    create: OpSummary;
    submit: OpSummary;
    accept: OpSummary;
    /** All three commands together: each is one transition. */
    transitions: OpSummary;
    cpu: CpuUse | undefined;
    verification: Verification;
    errorSamples: string[];
  };
  ceiling: {
    tx: OpSummary;
    cpu: CpuUse | undefined;
    /** Every committed transaction left exactly one event row. */
    eventsMatch: boolean;
  };
  summary: {
    ratioPercent: number;
    p99Ms: number;
    meetsRatio: boolean;
    meetsP99: boolean;
  };
}

/** Derives the verdict from the two measurements. */
export function summarize(transitions: OpSummary, ceiling: OpSummary): BenchResults["summary"] {
  const ratioPercent = (100 * transitions.perSecond) / ceiling.perSecond;
  return {
    ratioPercent,
    p99Ms: transitions.p99Ms,
    meetsRatio: ratioPercent >= GOAL_RATIO_PERCENT,
    meetsP99: transitions.p99Ms < GOAL_P99_MS,
  };
}

const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "–");
const mark = (ok: boolean) => (ok ? "ok" : "MISSED");

function row(label: string, s: OpSummary): string {
  return [
    label.padEnd(27),
    fixed(s.perSecond).padStart(9),
    fixed(s.p50Ms).padStart(8),
    fixed(s.p99Ms).padStart(8),
    fixed(s.maxMs).padStart(8),
    String(s.count).padStart(9),
    String(s.errors).padStart(7),
  ].join(" ");
}

/**
 * Who kept the cores busy, in cores and in CPU milliseconds per operation. The latter says
 * where an operation's cost lies, and is less thrown off than the rate when another program
 * competes for the machine.
 */
function cpuLines(label: string, cpu: CpuUse | undefined, perSecond: number): string[] {
  if (!cpu) return [`${label}: (no /proc, not measured)`];
  const parts: [string, number | undefined][] = [
    ["Baton server", cpu.server > 0 ? cpu.server : undefined],
    ["PostgreSQL backends", cpu.postgres],
    ["load generator", cpu.loadGenerator],
  ];
  const known = parts.filter((p): p is [string, number] => p[1] !== undefined);
  const perOp = (cores: number) => fixed((1000 * cores) / perSecond, 2);
  const lines = [
    `${label}: ${fixed(cpu.machine, 2)} of ${cpu.cores} cores busy — ` +
      [
        ...known.map(([name, cores]) => `${name} ${fixed(cores, 2)}`),
        `other ${fixed(cpu.other, 2)}`,
      ].join(", "),
    `  CPU ms per operation: ${fixed((1000 * known.reduce((n, [, c]) => n + c, 0)) / perSecond, 2)} = ` +
      known.map(([name, cores]) => `${name} ${perOp(cores)}`).join(" + "),
  ];
  if (cpu.other > DISTURBED_OTHER_CORES)
    lines.push(
      `  WARNING: other programs used ${fixed(cpu.other, 2)} cores meanwhile; rates are disturbed, run again on a quiet machine.`,
    );
  return lines;
}

/** The human-readable report. */
export function formatReport(r: BenchResults): string {
  const v = r.baton.verification;
  const lines = [
    "",
    [
      "".padEnd(27),
      "per sec".padStart(9),
      "p50 ms".padStart(8),
      "p99 ms".padStart(8),
      "max ms".padStart(8),
      "measured".padStart(9),
      "errors".padStart(7),
    ].join(" "),
    row("Baton  create", r.baton.create),
    row("Baton  submit (handoff)", r.baton.submit),
    row("Baton  accept", r.baton.accept),
    row("Baton  all transitions", r.baton.transitions),
    row("Ceiling  bare transaction", r.ceiling.tx),
    "",
    `Baton / ceiling: ${fixed(r.summary.ratioPercent)} % (goal ≥ ${GOAL_RATIO_PERCENT} %)  ${mark(r.summary.meetsRatio)}`,
    `Baton p99 per request: ${fixed(r.summary.p99Ms)} ms (goal < ${GOAL_P99_MS} ms)  ${mark(r.summary.meetsP99)}`,
    v.ok
      ? `Nothing lost: ${v.found.items} items and ${v.found.events} events, exactly as the clients counted  ok`
      : `MISMATCH between clients and database:\n  clients counted ${JSON.stringify(v.expected)}\n  database holds  ${JSON.stringify(v.found)}`,
    `Ceiling events: ${r.ceiling.eventsMatch ? "one per committed transaction  ok" : "MISMATCH"}`,
    "",
    ...cpuLines("CPU during Baton", r.baton.cpu, r.baton.transitions.perSecond),
    ...cpuLines("CPU during ceiling", r.ceiling.cpu, r.ceiling.tx.perSecond),
  ];
  if (r.baton.errorSamples.length > 0)
    lines.push("", "First API errors:", ...r.baton.errorSamples.map((e) => `  ${e}`));
  return lines.join("\n");
}

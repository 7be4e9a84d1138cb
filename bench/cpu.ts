import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { withClient } from "./database.ts";

/*
 * Where the CPU went during a phase. On a small machine the server, PostgreSQL and the load
 * generator compete for the same cores, so a rate means little without knowing who was busy.
 * Read from /proc, so Linux only, and PostgreSQL's share only when it runs on this machine;
 * elsewhere those figures are left out.
 */

/** Clock ticks per second of /proc times (USER_HZ), 100 on every Linux build that matters. */
const TICKS_PER_SECOND = 100;

/** Cumulative CPU seconds at one moment. */
interface CpuSample {
  at: number;
  /** Busy time of the whole machine (all cores, everything but idle and iowait). */
  machine: number;
  /** The Baton server process, if one is watched. */
  server: number;
  /** This process: the load generator. */
  self: number;
  /** Each backend connected to the bench database, by pid. */
  backends: Map<number, number>;
}

/** Average cores used during a phase by each party. */
export interface CpuUse {
  cores: number;
  machine: number;
  server: number;
  loadGenerator: number;
  /** PostgreSQL backends serving the bench database (undefined if not local). */
  postgres: number | undefined;
  /** Everything else: other PostgreSQL processes (WAL writer…), the OS, other programs. */
  other: number;
}

function readMachineBusy(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
  const [, ...fields] = line.trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal …: idle (3) and iowait (4) are not busy.
  const busy = fields.reduce((sum, v, i) => (i === 3 || i === 4 ? sum : sum + (v || 0)), 0);
  return busy / TICKS_PER_SECOND;
}

function readProcessCpu(pid: number): number {
  // The command name (field 2) may contain spaces; fields after its ')' are fixed.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const after = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
  return (Number(after[11]) + Number(after[12])) / TICKS_PER_SECOND;
}

/**
 * CPU of the backends serving `databaseUrl`, if they are processes of this machine. A pid is
 * trusted only if it names a local `postgres` process, so a remote server's pids never match
 * an unrelated local program.
 */
async function readBackends(databaseUrl: string): Promise<Map<number, number>> {
  const pids = await withClient(databaseUrl, async (c) => {
    const { rows } = await c.query<{ pid: number }>(
      "select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
    );
    return rows.map((r) => r.pid);
  });
  const cpu = new Map<number, number>();
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() !== "postgres") continue;
      cpu.set(pid, readProcessCpu(pid));
    } catch {
      // Not local, or gone since the query.
    }
  }
  return cpu;
}

async function sampleCpu(
  serverPid: number | undefined,
  databaseUrl: string,
): Promise<CpuSample | undefined> {
  try {
    const self = process.cpuUsage();
    const sample = {
      at: performance.now(),
      machine: readMachineBusy(),
      server: serverPid === undefined ? 0 : readProcessCpu(serverPid),
      self: (self.user + self.system) / 1e6,
    };
    return { ...sample, backends: await readBackends(databaseUrl) };
  } catch {
    return undefined;
  }
}

function cpuBetween(a: CpuSample | undefined, b: CpuSample | undefined): CpuUse | undefined {
  if (!a || !b) return undefined;
  const seconds = (b.at - a.at) / 1000;
  const machine = (b.machine - a.machine) / seconds;
  const server = (b.server - a.server) / seconds;
  const loadGenerator = (b.self - a.self) / seconds;
  // Backends connected during the whole window; one that came and went is not counted.
  let backends = 0;
  for (const [pid, end] of b.backends) {
    const start = a.backends.get(pid);
    if (start !== undefined) backends += end - start;
  }
  const postgres = b.backends.size > 0 ? backends / seconds : undefined;
  return {
    cores: availableParallelism(),
    machine,
    server,
    loadGenerator,
    postgres,
    other: Math.max(0, machine - server - loadGenerator - (postgres ?? 0)),
  };
}

/** The average of phases of equal length (undefined if any was not measured). */
export function meanCpu(phases: readonly (CpuUse | undefined)[]): CpuUse | undefined {
  if (phases.length === 0 || phases.some((p) => p === undefined)) return undefined;
  const all = phases as CpuUse[];
  const mean = (f: (c: CpuUse) => number) => all.reduce((n, c) => n + f(c), 0) / all.length;
  return {
    cores: all[0]?.cores ?? availableParallelism(),
    machine: mean((c) => c.machine),
    server: mean((c) => c.server),
    loadGenerator: mean((c) => c.loadGenerator),
    postgres: all.every((c) => c.postgres !== undefined)
      ? mean((c) => c.postgres as number)
      : undefined,
    other: mean((c) => c.other),
  };
}

/**
 * Samples CPU at `fromMs` and `untilMs` from now — the measured window of a run started at
 * the same moment — so warm-up and tail do not count. `result` waits for both samples;
 * call `cancel` instead when the run failed.
 */
export function watchCpuWindow({
  serverPid,
  databaseUrl,
  fromMs,
  untilMs,
}: {
  serverPid?: number | undefined;
  databaseUrl: string;
  fromMs: number;
  untilMs: number;
}): { result: () => Promise<CpuUse | undefined>; cancel: () => void } {
  const at = (ms: number) => {
    let timer: NodeJS.Timeout | undefined;
    let settle: (s: CpuSample | undefined) => void = () => {};
    const sample = new Promise<CpuSample | undefined>((resolve) => {
      settle = resolve;
      timer = setTimeout(() => resolve(sampleCpu(serverPid, databaseUrl)), ms);
    });
    // A cancelled sample resolves empty, so nobody waits for a timer that will never fire.
    const cancel = () => {
      clearTimeout(timer);
      settle(undefined);
    };
    return { sample, cancel };
  };
  const first = at(fromMs);
  const last = at(untilMs);
  return {
    result: async () => cpuBetween(await first.sample, await last.sample),
    cancel: () => {
      first.cancel();
      last.cancel();
    },
  };
}

import type { Command } from "commander";

/*
 * `baton mine FILE`: the handoff map of an exported ticket history (XES or CSV, gzipped or
 * not), worked out on this machine: no server, no token. The mining modules are imported inside
 * the action, so other commands never load them, and they load nothing of the server.
 */

interface MineFlags {
  case?: string;
  activity?: string;
  timestamp?: string;
  team?: string;
  resource?: string;
  lifecycle?: string;
  keepLifecycle: string;
  format?: string;
  delimiter?: string;
  html?: string;
  propose?: string;
  top: string;
  progress?: boolean;
  import?: string;
  map?: string[];
  unmapped?: string;
}

/** Registers `mine`. */
export function registerMineCommands(program: Command): void {
  program
    .command("mine")
    .description("mine the team handoff map from an event log (XES or CSV, optionally .gz)")
    .argument("<file>", "the log: .xes, .xes.gz, .csv or .csv.gz")
    .option("--case <name>", "case id attribute or column (default case:concept:name)")
    .option("--activity <name>", "activity attribute or column (default concept:name)")
    .option("--timestamp <name>", "timestamp attribute or column (default time:timestamp)")
    .option("--team <name>", "team attribute or column (default org:group)")
    .option("--resource <name>", "resource (person) attribute or column, e.g. org:resource")
    .option("--lifecycle <name>", "lifecycle attribute or column, e.g. lifecycle:transition")
    .option(
      "--keep-lifecycle <values>",
      "with --lifecycle, the transitions kept (comma-separated)",
      "complete",
    )
    .option("--format <format>", "xes or csv (default: from the file name)")
    .option("--delimiter <char>", "CSV field delimiter (default ,)")
    .option("--html <file>", "also write a self-contained HTML report with the handoff map")
    .option("--propose <file>", "also write a Baton workflow (YAML) following the dominant path")
    .option("--top <n>", "handoff pairs and paths listed in the summary", "10")
    .option("--no-progress", "no progress bar, even on a terminal")
    .option(
      "--import <workflow>",
      "also import the cases into Baton as closed items of the workflow's version 0 (on the server of --url; admins only)",
    )
    .option(
      "--map <team=key>",
      "with --import: a log team onto a Baton team (repeat); the rest by the key --propose gives",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      "--unmapped <what>",
      "with --import: refuse (default) or skip events of teams without a step",
    )
    .action(async (file: string, flags: MineFlags, command: Command) => {
      const json = command.optsWithGlobals<{ json?: boolean }>().json === true;
      const { CliError } = await import("./client.ts");
      if (flags.import === undefined && (flags.map !== undefined || flags.unmapped !== undefined))
        throw new CliError("--map and --unmapped go with --import WORKFLOW");
      if (flags.unmapped !== undefined && flags.unmapped !== "refuse" && flags.unmapped !== "skip")
        throw new CliError(`--unmapped must be refuse or skip, not "${flags.unmapped}"`);
      for (const m of flags.map ?? [])
        if (!/^.*\S.*=\s*[a-z][a-z0-9-]*\s*$/s.test(m))
          throw new CliError(`--map must be "LOG TEAM=TEAM_KEY", not "${m}"`);
      const format = flags.format?.toLowerCase();
      if (format !== undefined && format !== "xes" && format !== "csv")
        throw new CliError(`--format must be xes or csv, not "${flags.format}"`);
      const top = Number(flags.top);
      if (!Number.isInteger(top) || top < 0 || top > 1000)
        throw new CliError(`--top must be a whole number from 0 to 1000, not "${flags.top}"`);
      if (flags.delimiter !== undefined && flags.delimiter.length !== 1)
        throw new CliError(`--delimiter must be one character, not "${flags.delimiter}"`);
      const { mineFile } = await import("../mining/read-log.ts");
      const { stat } = await import("node:fs/promises");
      const size = await stat(file).then(
        (s) => s.size,
        () => 0,
      );
      const progress =
        flags.progress !== false && process.stderr.isTTY ? progressBar(file, size) : undefined;
      let result: Awaited<ReturnType<typeof mineFile>>;
      let imported: ImportJson | undefined;
      const written: string[] = [];
      if (flags.import !== undefined) {
        const job = await importOnServer(file, flags, command);
        result = job.result as Awaited<ReturnType<typeof mineFile>>;
        imported = job.import;
      } else
        try {
          result = await mineFile(file, {
            format,
            delimiter: flags.delimiter,
            mapping: {
              case: flags.case,
              activity: flags.activity,
              timestamp: flags.timestamp,
              team: flags.team,
              resource: flags.resource,
              lifecycle: flags.lifecycle,
            },
            lifecycleKeep: flags.keepLifecycle
              .split(",")
              .map((s) => s.trim())
              .filter(Boolean),
            onProgress: progress?.update,
          });
        } catch (e) {
          progress?.done();
          const { DomainError } = await import("../domain/errors.ts");
          if (e instanceof DomainError) throw new CliError(`${file}: ${e.message}`);
          throw e;
        }
      progress?.done();
      if (imported !== undefined) {
        const i = imported;
        written.push(
          `Imported into ${i.workflow} (version ${i.version}, import ${i.import_id}): ` +
            `${i.cases_imported.toLocaleString("en")} new closed items, ` +
            `${i.cases_present.toLocaleString("en")} cases already there, ` +
            `${i.cases_without_step.toLocaleString("en")} without a step, ` +
            `${i.events.toLocaleString("en")} events`,
          `The cases run from ${i.period.first?.slice(0, 10)} to ${i.period.last?.slice(0, 10)}: ` +
            `baton review ${i.workflow} --version ${i.version} --from DAY --to DAY (at most 366 days)`,
        );
      }
      const { writeFile } = await import("node:fs/promises");
      if (flags.html) {
        const { renderHtmlReport } = await import("../mining/html.ts");
        await writeFile(flags.html, renderHtmlReport(result));
        written.push(`HTML report: ${flags.html}`);
      }
      if (flags.propose) {
        const { proposeWorkflow } = await import("../mining/propose.ts");
        let proposal: ReturnType<typeof proposeWorkflow>;
        try {
          proposal = proposeWorkflow({ report: result, source: result.source.name });
        } catch (e) {
          throw new CliError(`cannot propose a workflow: ${(e as Error).message}`);
        }
        await writeFile(flags.propose, proposal.yaml);
        written.push(
          `Proposed workflow: ${flags.propose} (teams ${proposal.teams.map((t) => t.key).join(", ")}); apply it with baton workflow apply -f ${flags.propose}`,
        );
      }
      if (json) {
        const out = imported === undefined ? result : { ...result, import: imported };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        for (const line of written) process.stderr.write(`${line}\n`);
        return;
      }
      const { printSummary } = await import("./mine-summary.ts");
      printSummary(result, top);
      for (const line of written) process.stdout.write(`${line}\n`);
    });
}

/** What the server says of an import (the mining job's `import`). */
interface ImportJson {
  workflow: string;
  version: number;
  import_id: string | null;
  phase: string;
  cases_total: number;
  cases_done: number;
  cases_imported: number;
  cases_present: number;
  cases_without_step: number;
  events: number;
  period: { first: string | null; last: string | null };
}

interface JobJson {
  state: "running" | "done" | "failed";
  href: string;
  result: unknown;
  import: ImportJson;
  error: { code: string; detail: string; errors?: { path: string; message: string }[] } | null;
}

/**
 * `--import`: uploads the log to the server (POST /mining/jobs?import=…) and waits for the job;
 * the server mines it (the report is the same) and writes the items.
 */
async function importOnServer(file: string, flags: MineFlags, command: Command): Promise<JobJson> {
  const { CliError, cliOf } = await import("./client.ts");
  const { open } = await import("node:fs/promises");
  const { basename } = await import("node:path");
  const { api } = cliOf(command);
  const handle = await open(file).catch((e: Error) => {
    throw new CliError(`${file}: cannot read it (${e.message})`);
  });
  // Streamed from disk as it is sent: memory does not grow with the file.
  let job: JobJson;
  try {
    job = await api.sendStream<JobJson>(
      "/mining/jobs",
      handle.readableWebStream({ type: "bytes" }) as ReadableStream<Uint8Array>,
      "application/octet-stream",
      {
        name: basename(file),
        import: flags.import,
        map: flags.map,
        unmapped: flags.unmapped,
        format: flags.format?.toLowerCase(),
        delimiter: flags.delimiter,
        case: flags.case,
        activity: flags.activity,
        timestamp: flags.timestamp,
        team: flags.team,
        resource: flags.resource,
        lifecycle: flags.lifecycle,
        keep_lifecycle: flags.lifecycle === undefined ? undefined : flags.keepLifecycle,
      },
    );
  } finally {
    await handle.close();
  }
  // Bounded: an hour of polling at most, then the job is the server's to finish.
  for (let i = 0; job.state === "running" && i < 7200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    job = await api.get<JobJson>(job.href.replace(/^\/api\/v1/, ""));
  }
  if (job.state === "running")
    throw new CliError(`the import is still running on the server; see ${job.href}`);
  if (job.state === "failed" || job.error !== null)
    throw new CliError(
      `${file}: ${job.error?.detail ?? "the import failed"}`,
      (job.error?.errors ?? []).map((e) => `${e.path}: ${e.message}`),
    );
  return job;
}

/** A one-line bar on stderr, redrawn at most ten times a second. */
function progressBar(file: string, total: number) {
  const name = file.length > 40 ? `…${file.slice(-39)}` : file;
  let last = 0;
  const mb = (n: number) => (n / 1_000_000).toFixed(1);
  const draw = (read: number) => {
    const share = total > 0 ? Math.min(1, read / total) : 0;
    const width = 24;
    const filled = Math.round(share * width);
    process.stderr.write(
      `\rmining ${name} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)} % ${mb(read)}/${mb(total)} MB`,
    );
  };
  return {
    update: (read: number) => {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      draw(read);
    },
    done: () => {
      if (last !== 0) process.stderr.write("\r\u001b[K");
    },
  };
}

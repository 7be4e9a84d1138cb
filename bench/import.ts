import { stat } from "node:fs/promises";
import { sql } from "kysely";
import { toPrincipal } from "../src/engine/directory.ts";
import { createEngine } from "../src/engine/engine.ts";
import { HistoryImports } from "../src/engine/history-import.ts";
import { teamKeyOf } from "../src/mining/propose.ts";
import { migrate, openDb } from "../src/store/db.ts";
import { createBenchDatabase } from "./database.ts";
import { TEAMS } from "./mine-generate.ts";

/*
 * History import benchmark: imports one synthetic log (bench/mine-generate.ts writes it) into a
 * fresh database, a workflow with a step per team, and prints the time, the rate and this
 * process's peak RSS. Run it once per size, each in its own process, so each peak is its own:
 *
 *   node --import tsx bench/mine-generate.ts /tmp/h100k.xes.gz 100000
 *   node --import tsx bench/import.ts /tmp/h100k.xes.gz
 *
 * Memory should not grow with the file: the import writes the cases in batches as the reader
 * folds them (docs/mining.md, "Streaming").
 */

const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error("usage: bench/import.ts LOG.xes.gz");
  const database = await createBenchDatabase(adminUrl);
  const db = openDb(database.url, { max: 10 });
  try {
    await migrate(db);
    const engine = createEngine({ db, url: database.url });
    const admin = toPrincipal(
      await engine.directory.createUser("system", {
        email: "admin@bench.local",
        name: "Admin",
        teams: [],
        isAdmin: true,
      }),
    );
    for (const t of TEAMS) await engine.directory.createTeam(admin, { key: teamKeyOf(t), name: t });
    const keys = TEAMS.map(teamKeyOf);
    const yaml = `key: history\nname: History\nprefix: HIST\nsteps:\n${keys
      .map(
        (k, i) =>
          `  - key: ${k}\n    team: ${k}\n${i + 1 < keys.length ? `    handoff: {to: ${keys[i + 1]}}\n` : ""}`,
      )
      .join("")}`;
    await engine.workflows.publish(admin, "history", { source: yaml, format: "yaml" });
    const imports = new HistoryImports({
      db,
      workflows: engine.workflows,
      metrics: engine.metrics,
      clock: () => new Date(),
      keyOf: teamKeyOf,
    });
    const { newImportProgress } = await import("../src/engine/history-import.ts");
    const progress = newImportProgress("history");
    const t0 = performance.now();
    const report = await imports.run(
      { actor: admin, workflow: "history", mapping: new Map(), skipUnmapped: false },
      file,
      {},
      progress,
    );
    const seconds = (performance.now() - t0) / 1000;
    const { rows } = await sql<{ items: string; events: string }>`
      select (select count(*) from items) as items, (select count(*) from events) as events`.execute(
      db,
    );
    const mb = (n: number) => (n / 1024).toFixed(0);
    console.log(
      `${file} (${((await stat(file)).size / 1e6).toFixed(1)} MB): ${report.events.toLocaleString("en")} log events, ` +
        `${report.cases.toLocaleString("en")} cases → ${progress.casesImported.toLocaleString("en")} items, ` +
        `${progress.events.toLocaleString("en")} Baton events (rows: ${rows[0]?.items} items, ${rows[0]?.events} events) ` +
        `in ${seconds.toFixed(1)} s (${Math.round(report.events / seconds).toLocaleString("en")} log events/s, ` +
        `both passes and the metrics rollups); peak RSS ${mb(process.resourceUsage().maxRSS)} MB`,
    );
    await engine.close();
  } finally {
    await db.destroy();
    await database.drop();
  }
}

await main();

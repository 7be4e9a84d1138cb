import { sql } from "kysely";
import { createEngine } from "../src/engine/engine.ts";
import { migrate, openDb } from "../src/store/db.ts";
import { createBenchDatabase } from "./database.ts";
import { seedMetrics } from "./metrics-seed.ts";

/*
 * Metrics benchmark (`npm run bench:metrics`, also the last part of `npm run bench`): seeds a
 * fresh database with ~1,000,000 events (bench/metrics-seed.ts), lets the metrics worker derive
 * its rollups from scratch (the backfill a first start after upgrading does), then times, for one
 * workflow and the last quarter: the per-edge metrics (goal ≤ 300 ms), the review page's data
 * (≤ 500 ms) and the flow figures (≤ 1 s), each through the engine's queries (SQL on the
 * rollups plus presenting), and for comparison a plain SQL recomputation of the per-edge limbo
 * percentiles straight from the raw events, for the same workflow and quarter and over all
 * events. Medians of BENCH_METRICS_RUNS runs after one warm-up.
 */

const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const target = Number(process.env.BENCH_METRICS_EVENTS ?? 1_000_000);
const runs = Number(process.env.BENCH_METRICS_RUNS ?? 5);
const now = new Date("2026-12-01T12:00:00Z");
const quarter = { from: "2026-09-01T00:00:00.000Z", to: now.toISOString() };

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t = performance.now();
  const result = await fn();
  return { ms: performance.now() - t, result };
}

async function median(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await timed(fn)).ms);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

/** Per-edge wall-time limbo percentiles from the raw events, as one would without rollups. */
function rawEdgesSql(workflow: string | null, period: { from: string; to: string } | null) {
  const ofWorkflow = workflow === null ? sql`` : sql`and i.workflow_key = ${workflow}`;
  const inPeriod =
    period === null
      ? sql``
      : sql`and s.at >= ${period.from}::timestamptz and s.at < ${period.to}::timestamptz`;
  return sql<{
    from_step: string;
    to_step: string;
    submitted: string;
    rejected: string;
    p: string[];
  }>`
    with s as (
      select s.item_id, (s.data->>'handoff')::int as handoff, s.data->>'fromStep' as from_step,
        s.data->>'toStep' as to_step, s.at
      from events s join items i on i.id = s.item_id
      where s.type = 'handoff.submitted' ${ofWorkflow} ${inPeriod}
    ), d as (
      select d.item_id, (d.data->>'handoff')::int as handoff, d.type, d.at
      from events d join items i on i.id = d.item_id
      where d.type in ('handoff.accepted', 'handoff.rejected') ${ofWorkflow}
    )
    select s.from_step, s.to_step, count(*) as submitted,
      count(*) filter (where d.type = 'handoff.rejected') as rejected,
      percentile_disc(array[0.5, 0.85, 0.95]) within group
        (order by extract(epoch from d.at - s.at) * 1000) as p
    from s left join d on d.item_id = s.item_id and d.handoff = s.handoff
    group by s.from_step, s.to_step order by 1, 2`;
}

async function main(): Promise<void> {
  const database = await createBenchDatabase(adminUrl);
  const db = openDb(database.url, { max: 10 });
  try {
    await migrate(db);
    const engine = createEngine({ db, url: database.url, clock: () => now });
    const seeded = await seedMetrics(engine, { events: target, now });
    console.log(
      `seeded ${seeded.events.toLocaleString("en")} events, ${seeded.items.toLocaleString("en")} items, ` +
        `${seeded.workflows.length} workflows × 3 versions, 20 teams in ${seeded.seconds.toFixed(1)} s`,
    );
    const backfill = await timed(() => engine.metrics.sweep());
    const { rows: counts } = await sql<{ handoffs: string; visits: string; clocks: string }>`
      select (select count(*) from metric_handoffs) as handoffs,
        (select count(*) from metric_visits) as visits, (select count(*) from metric_clocks) as clocks`.execute(
      db,
    );
    console.log(
      `rollups derived from scratch for ${backfill.result.toLocaleString("en")} items in ` +
        `${(backfill.ms / 1000).toFixed(1)} s (${counts[0]?.handoffs} handoffs, ${counts[0]?.visits} visits, ${counts[0]?.clocks} ended clocks)`,
    );
    await sql`analyze`.execute(db);

    const workflow = "onboard";
    const q = { workflow, ...quarter };
    const edges = await engine.metrics.queries.edges(q);
    const raw = await rawEdgesSql(workflow, quarter).execute(db);
    // The two agree on what they share (counts and wall-time limbo percentiles).
    for (const r of raw.rows) {
      const e = edges.edges.find((x) => x.from_step === r.from_step && x.to_step === r.to_step);
      const p85 = Number(r.p[1]) / 1000;
      if (!e || e.submitted !== Number(r.submitted) || e.limbo_p85_s !== p85)
        throw new Error(`rollups and raw events disagree on ${r.from_step}→${r.to_step}`);
    }
    const figures = [
      [
        "per-edge metrics, one workflow, a quarter",
        await median(() => engine.metrics.queries.edges(q)),
        300,
      ],
      [
        "review page data, one workflow, a quarter",
        await median(() => engine.metrics.queries.review(q)),
        500,
      ],
      [
        "flow figures, one workflow, a quarter",
        await median(() => engine.metrics.queries.flow(q)),
        1000,
      ],
      [
        "teams, all workflows, a quarter",
        await median(() => engine.metrics.queries.teams(quarter)),
        null,
      ],
      [
        "raw SQL recomputation, one workflow, a quarter (edges' limbo percentiles)",
        await median(() => rawEdgesSql(workflow, quarter).execute(db)),
        null,
      ],
      [
        "raw SQL recomputation over all events (edges' limbo percentiles)",
        await median(() => rawEdgesSql(null, null).execute(db)),
        null,
      ],
    ] as const;
    console.log(`\nmedian of ${runs} runs after a warm-up (${edges.edges.length} edges):`);
    let failed = false;
    for (const [what, ms, goal] of figures) {
      const verdict =
        goal === null ? "" : ms <= goal ? ` (goal ≤ ${goal} ms ✓)` : ` (goal ≤ ${goal} ms ✗)`;
      if (goal !== null && ms > goal) failed = true;
      console.log(`  ${what.padEnd(75)} ${ms.toFixed(1).padStart(8)} ms${verdict}`);
    }
    await engine.close();
    if (failed) process.exitCode = 1;
  } finally {
    await db.destroy();
    await database.drop();
  }
}

await main();

/*
 * Service-level benchmark (`npm run bench`, second part):
 * 1. 100,000 pending timers on one PostgreSQL, worked off by 3 timer workers in 3 processes:
 *    the time from each breach timer's due_at to its `sla.breached` event (p50/p99, goal ≤ 1 s),
 *    and that every timer fired exactly once.
 * 2. The cost of a team's queue page of 50 items, clocks included (goal: p99 under 20 ms).
 */
import { fork } from "node:child_process";
import { join } from "node:path";
import { sql } from "kysely";
import { toPrincipal } from "../src/engine/directory.ts";
import { createEngine } from "../src/engine/engine.ts";
import { buildApp } from "../src/http/app.ts";
import { migrate, openDb } from "../src/store/db.ts";
import { createBenchDatabase } from "./database.ts";

const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const TIMERS = Number(process.env.BENCH_TIMERS ?? 100_000);
const SPREAD_S = Number(process.env.BENCH_TIMER_SPREAD_SECONDS ?? 60);
const WORKERS = 3;
const ADMIN_TOKEN = `bt_bench_${process.pid}_admin_token`;

const workflow = `
key: due
name: Due work
prefix: DUE
steps:
  - {key: work, team: ops}
`;

function ms(n: number): string {
  return `${n.toFixed(n < 10 ? 2 : 0)} ms`;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const database = await createBenchDatabase(adminUrl);
  const db = openDb(database.url, { max: 8 });
  const children: ReturnType<typeof fork>[] = [];
  try {
    await migrate(db);
    const engine = createEngine({ db });
    await engine.directory.bootstrapAdmin(ADMIN_TOKEN);
    const admin = await engine.directory.authenticate(ADMIN_TOKEN);
    await engine.directory.createTeam(admin, { key: "ops", name: "Operations" });
    await engine.directory.createUser(admin, {
      email: "ops@example.com",
      name: "Ops",
      teams: [{ key: "ops", role: "lead" }],
      isAdmin: false,
    });
    const ops = toPrincipal(await engine.directory.getUser("ops@example.com"));
    await engine.workflows.publish(admin, "due", { source: workflow, format: "yaml" });
    const template = await engine.items.create(ops, {
      workflow: "due",
      title: "Template",
      due: "2099-01-01",
    });

    // Each item has a due clock 4 s long: warning at 3 s, breach at 4 s. Breaches are spread
    // evenly over SPREAD_S seconds starting a little after the workers are up.
    const items = TIMERS / 2;
    const start = Date.now() + 20_000;
    console.log(
      `Preparing ${items.toLocaleString()} items with ${TIMERS.toLocaleString()} timers due over ${SPREAD_S} s…`,
    );
    const t0 = performance.now();
    await sql`delete from timers`.execute(db);
    await sql`
      with g as (
        select n, to_timestamp((${start}::float8 + ${SPREAD_S * 1000}::float8 * n / ${items}) / 1000) as due
        from generate_series(1, ${items}) n
      )
      insert into items (key, workflow_key, workflow_version, status, step, owner_team, next_team, assignee,
                         teams, version, doc, created_at, updated_at, urgency, next_due_at, question_teams)
      select 'DUE-b' || g.n, i.workflow_key, i.workflow_version, i.status, i.step, i.owner_team, i.next_team,
             i.assignee, i.teams, i.version,
             (i.doc::jsonb || jsonb_build_object(
               'key', 'DUE-b' || g.n,
               'due', to_char(g.due at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
               'createdAt', to_char((g.due - interval '4 seconds') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))::json,
             g.due - interval '4 seconds', g.due - interval '4 seconds', 2, g.due, '{}'
      from items i, g where i.key = ${template.item.key}`.execute(db);
    await sql`
      insert into timers (item_id, key, due_at, payload)
      select i.id, 'due:' || f.fire, case f.fire when 'warning' then i.next_due_at - interval '1 second'
                                                 else i.next_due_at + interval '1 millisecond' end,
             jsonb_build_object('clock_id', 'due', 'fire', f.fire, 'kind', 'due', 'step', 'work', 'team', 'ops')
      from items i, (values ('warning'), ('breach')) f(fire) where i.key like 'DUE-b%'`.execute(db);
    await sql`analyze`.execute(db);
    console.log(`  prepared in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // Three nodes, each a process with its own pool and timer worker.
    for (let i = 0; i < WORKERS; i++) {
      const child = fork(join(import.meta.dirname, "timer-node.ts"), [], {
        execArgv: ["--import", "tsx"],
        env: { ...process.env, DATABASE_URL: database.url },
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.once("message", () => resolve());
        child.once("exit", (code) => reject(new Error(`timer worker exited with ${code}`)));
      });
    }
    // Firing writes each item's next timers, a stall timer among them (days away): not waited for.
    console.log(`  ${WORKERS} timer workers running; waiting for every timer to fire…`);
    const deadline = start + SPREAD_S * 1000 + 120_000;
    for (;;) {
      const { rows } = await sql<{
        n: string;
      }>`select count(*) as n from timers where fired_at is null and key not like 'stall:%'`.execute(
        db,
      );
      if (Number(rows[0]?.n) === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            c.once("exit", () => resolve());
            c.kill("SIGTERM");
          }),
      ),
    );
    children.length = 0;

    const { rows: lat } = await sql<{ ms: number }>`
      select extract(epoch from (e.at - t.due_at)) * 1000 as ms
      from timers t join events e on e.item_id = t.item_id and e.type = 'sla.breached'
      where t.key = 'due:breach' and t.item_id <> (select id from items where key = ${template.item.key})`.execute(
      db,
    );
    const latencies = lat.map((r) => Number(r.ms)).sort((a, b) => a - b);
    const { rows: counts } = await sql<{ type: string; n: string; items: string }>`
      select type, count(*) as n, count(distinct item_id) as items from events where type like 'sla.%' group by type`.execute(
      db,
    );
    const { rows: unfired } = await sql<{
      n: string;
    }>`select count(*) as n from timers where fired_at is null and key not like 'stall:%'`.execute(
      db,
    );
    const breached = counts.find((c) => c.type === "sla.breached");
    const warned = counts.find((c) => c.type === "sla.warning");
    const exactlyOnce =
      Number(breached?.n) === items &&
      Number(breached?.items) === items &&
      Number(warned?.n) === items &&
      Number(warned?.items) === items;

    // The queue page: 50 items of a team, clocks computed for each.
    const app = await buildApp({ engine });
    const samples: number[] = [];
    for (let i = 0; i < 320; i++) {
      const t = performance.now();
      const r = await app.inject({
        method: "GET",
        url: "/api/v1/teams/ops/queue?limit=50",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      if (r.statusCode !== 200) throw new Error(r.body);
      if (i >= 20) samples.push(performance.now() - t);
    }
    const views = await engine.items.list({ team: "ops", limit: 50 });
    const clockSamples: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      await engine.sla.currentClocksOf(views);
      clockSamples.push(performance.now() - t);
    }
    await app.close();
    samples.sort((a, b) => a - b);
    clockSamples.sort((a, b) => a - b);

    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(`
Service levels (PostgreSQL ${adminUrl.replace(/\/\/[^@]*@/, "//")})
  timers                    ${TIMERS.toLocaleString()} (${items.toLocaleString()} warnings + ${items.toLocaleString()} breaches) over ${SPREAD_S} s, ${WORKERS} worker processes
  due_at → sla.breached     p50 ${ms(p50)}   p99 ${ms(p99)}   max ${ms(latencies.at(-1) ?? Number.NaN)}   (goal ≤ 1000 ms)   ${p99 <= 1000 ? "MET" : "NOT MET"}
  fired exactly once        ${exactlyOnce ? "yes" : "NO"}: ${breached?.n} sla.breached on ${breached?.items} items, ${warned?.n} sla.warning on ${warned?.items} items, ${unfired[0]?.n} timers unfired
  queue page of 50 items    p50 ${ms(percentile(samples, 50))}   p99 ${ms(percentile(samples, 99))}   (goal p99 < 20 ms)   ${percentile(samples, 99) < 20 ? "MET" : "NOT MET"}
    of which clocks         p50 ${ms(percentile(clockSamples, 50))}   p99 ${ms(percentile(clockSamples, 99))}
`);
    await engine.close();
    if (!exactlyOnce) process.exitCode = 1;
  } finally {
    for (const c of children) c.kill("SIGTERM");
    await db.destroy();
    await database.drop();
  }
}

await main();

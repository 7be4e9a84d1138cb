/*
 * Calendar-change benchmark (`npm run bench`, third part): what one team's calendar change
 * costs when most open work belongs to other teams. BENCH_OTHER_ITEMS items (default 10,000)
 * spread over ten other teams and BENCH_TEAM_ITEMS (default 1,000) of the changed team, each
 * with a running 4-hour step clock and its two timers. The change moves every deadline of the
 * changed team. Reported: the time from the change until stored urgency and timers are in step,
 * and the rows written (item rows and timer rows whose tuple changed, from their xmin); then
 * what the full recompute of every open item costs when nothing is left to change.
 */
import { sql } from "kysely";
import { toPrincipal } from "../src/engine/directory.ts";
import { createEngine } from "../src/engine/engine.ts";
import { type Db, migrate, openDb } from "../src/store/db.ts";
import { createBenchDatabase } from "./database.ts";

const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const OTHER_ITEMS = Number(process.env.BENCH_OTHER_ITEMS ?? 10_000);
const TEAM_ITEMS = Number(process.env.BENCH_TEAM_ITEMS ?? 1_000);
const OTHER_TEAMS = 10;
const ADMIN_TOKEN = `bt_bench_${process.pid}_admin_token`;

const workflowOf = (team: string) => `
key: w-${team}
name: Work of ${team}
prefix: ${team.replace(/-/g, "").toUpperCase().slice(0, 6)}
steps:
  - {key: work, team: ${team}, complete_within: 4h}
`;

/** Clones the template item `count` times (row, events, timers) in three statements. */
async function cloneItems(db: Db, templateKey: string, count: number): Promise<void> {
  await sql`
    insert into items (key, workflow_key, workflow_version, status, step, owner_team, next_team, assignee,
                       teams, waiting_teams, version, doc, created_at, updated_at, urgency, next_due_at,
                       question_teams)
    select i.key || '-c' || g, workflow_key, workflow_version, status, step, owner_team, next_team, assignee,
           teams, waiting_teams, version, jsonb_set(doc::jsonb, '{key}', to_jsonb(i.key || '-c' || g))::json,
           created_at, updated_at, urgency, next_due_at, question_teams
    from items i, generate_series(2, ${count}) g where i.key = ${templateKey}`.execute(db);
  await sql`
    insert into events (item_id, seq, type, actor, at, data)
    select c.id, e.seq, e.type, e.actor, e.at, e.data
    from items t join events e on e.item_id = t.id join items c on c.key like t.key || '-c%'
    where t.key = ${templateKey}`.execute(db);
  await sql`
    insert into timers (item_id, key, due_at, payload)
    select c.id, tm.key, tm.due_at, tm.payload
    from items t join timers tm on tm.item_id = t.id join items c on c.key like t.key || '-c%'
    where t.key = ${templateKey}`.execute(db);
}

async function main(): Promise<void> {
  const database = await createBenchDatabase(adminUrl);
  const db = openDb(database.url, { max: 8 });
  try {
    await migrate(db);
    const engine = createEngine({ db });
    await engine.directory.bootstrapAdmin(ADMIN_TOKEN);
    const admin = await engine.directory.authenticate(ADMIN_TOKEN);
    const teams = ["changed", ...Array.from({ length: OTHER_TEAMS }, (_, i) => `other-${i}`)];
    for (const key of teams) await engine.directory.createTeam(admin, { key, name: key });
    await engine.directory.createUser(admin, {
      email: "lead@example.com",
      name: "Lead",
      teams: teams.map((key) => ({ key, role: "lead" as const })),
      isAdmin: false,
    });
    const lead = toPrincipal(await engine.directory.getUser("lead@example.com"));
    console.log(
      `Preparing ${TEAM_ITEMS.toLocaleString()} items of the changed team and ${OTHER_ITEMS.toLocaleString()} of ${OTHER_TEAMS} other teams…`,
    );
    const t0 = performance.now();
    for (const team of teams) {
      await engine.workflows.publish(admin, `w-${team}`, {
        source: workflowOf(team),
        format: "yaml",
      });
      const template = await engine.items.create(lead, {
        workflow: `w-${team}`,
        title: `Work of ${team}`,
      });
      await cloneItems(
        db,
        template.item.key,
        team === "changed" ? TEAM_ITEMS : Math.round(OTHER_ITEMS / OTHER_TEAMS),
      );
    }
    await sql`analyze`.execute(db);
    console.log(`  prepared in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // Which tuples the change writes: an updated or inserted row has a new xmin.
    await sql`create table bench_items_before as select id, xmin::text as x from items`.execute(db);
    await sql`create table bench_timers_before as select id, xmin::text as x from timers`.execute(
      db,
    );
    // Every deadline of the changed team moves: its working day starts an hour earlier.
    const calendar = {
      timezone: "UTC",
      hours: Object.fromEntries(
        ["mon", "tue", "wed", "thu", "fri"].map((d) => [d, [["08:00", "16:00"]]]),
      ),
    };
    const t1 = performance.now();
    await engine.sla.setCalendar(lead, "changed", calendar);
    await engine.sla.idle();
    const elapsed = performance.now() - t1;

    const { rows } = await sql<{ team: string; n: string }>`
      select case when i.owner_team = 'changed' then 'changed' else 'other' end as team, count(*) as n
      from items i join bench_items_before b on b.id = i.id
      where i.xmin::text <> b.x group by 1`.execute(db);
    const written = (team: string) => Number(rows.find((r) => r.team === team)?.n ?? 0);
    const { rows: timerRows } = await sql<{ n: string }>`
      select count(*) as n from timers t left join bench_timers_before b on b.id = t.id
      where b.id is null or t.xmin::text <> b.x`.execute(db);
    // The full recompute (POST /api/v1/sla/recompute) right after: everything is in step already.
    const t2 = performance.now();
    const fullUpdated = await engine.sla.recompute();
    const fullElapsed = performance.now() - t2;
    console.log(`
Calendar change (PostgreSQL ${adminUrl.replace(/\/\/[^@]*@/, "//")})
  open items                 ${(TEAM_ITEMS + OTHER_ITEMS).toLocaleString()}: ${TEAM_ITEMS.toLocaleString()} of the changed team, ${OTHER_ITEMS.toLocaleString()} of ${OTHER_TEAMS} others
  change → stored in step    ${(elapsed / 1000).toFixed(2)} s
  item rows written          ${written("changed").toLocaleString()} of the changed team, ${written("other").toLocaleString()} of other teams
  timer rows written         ${Number(timerRows[0]?.n).toLocaleString()}
  full recompute after it    ${(fullElapsed / 1000).toFixed(2)} s, ${fullUpdated.toLocaleString()} items updated
`);
    await engine.close();
    if (written("other") > 0 || written("changed") < TEAM_ITEMS || fullUpdated > 0)
      process.exitCode = 1;
  } finally {
    await db.destroy();
    await database.drop();
  }
}

await main();

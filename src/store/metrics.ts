import { sql } from "kysely";
import type { Item } from "../domain/item.ts";
import {
  type EdgeCounts,
  emptyEdgeCounts,
  type ItemFacts,
  type MetricsFilter,
  type SurveyFact,
} from "../domain/metrics.ts";
import type { Db } from "./db.ts";

/*
 * Metrics rollups (migration 011): writing an item's facts, finding items whose facts are stale,
 * and the aggregate queries of the metrics API. The rollups are read only here; the command
 * write path (items.ts) never touches them.
 */

/** An item's facts with the row id they belong to. */
export interface FactsRow {
  itemId: string;
  facts: ItemFacts;
}

const json = (v: unknown) => JSON.stringify(v);

/**
 * Replaces the facts of each item whose stored facts are older than `facts.version` (or, with
 * `force`, not newer: a calendar change alters business time at the same version). Items whose
 * stored facts are newer (another node's worker got further) are left alone. One transaction.
 */
export async function writeFacts(
  db: Db,
  rows: readonly FactsRow[],
  { force = false }: { force?: boolean } = {},
): Promise<number> {
  if (rows.length === 0) return 0;
  return db.transaction().execute(async (tx) => {
    const items = rows.map(({ itemId, facts: f }) => ({
      item_id: itemId,
      version: f.version,
      key: f.key,
      workflow_key: f.workflow,
      workflow_version: f.workflowVersion,
      status: f.status,
      created_at: f.createdAt,
      closed_at: f.closedAt,
      cycle_ms: f.cycleMs,
    }));
    const guard = force
      ? sql`metric_items.version <= excluded.version`
      : sql`metric_items.version < excluded.version`;
    // Rows are taken in id order so that two workers writing overlapping batches never deadlock.
    const { rows: advanced } = await sql<{ item_id: string }>`
      insert into metric_items (item_id, version, key, workflow_key, workflow_version, status,
        created_at, closed_at, cycle_ms)
      select * from jsonb_to_recordset(${json(items)}::jsonb) as f(item_id bigint, version int,
        key text, workflow_key text, workflow_version int, status text, created_at timestamptz,
        closed_at timestamptz, cycle_ms bigint)
      order by item_id
      on conflict (item_id) do update set version = excluded.version, key = excluded.key,
        workflow_key = excluded.workflow_key, workflow_version = excluded.workflow_version,
        status = excluded.status, created_at = excluded.created_at, closed_at = excluded.closed_at,
        cycle_ms = excluded.cycle_ms
        where ${guard}
      returning item_id`.execute(tx);
    if (advanced.length === 0) return 0;
    const ids = advanced.map((r) => String(r.item_id));
    const chosen = new Set(ids);
    const mine = rows.filter((r) => chosen.has(r.itemId));
    await sql`
      with a as (delete from metric_handoffs where item_id = any(${ids}::bigint[])),
        b as (delete from metric_visits where item_id = any(${ids}::bigint[])),
        c as (delete from metric_clocks where item_id = any(${ids}::bigint[]))
      delete from metric_questions where item_id = any(${ids}::bigint[])`.execute(tx);
    const common = (r: FactsRow) => ({
      item_id: r.itemId,
      workflow_key: r.facts.workflow,
      workflow_version: r.facts.workflowVersion,
    });
    const handoffs = mine.flatMap((r) =>
      r.facts.handoffs.map((h) => ({
        ...common(r),
        handoff: h.handoff,
        from_step: h.fromStep,
        to_step: h.toStep,
        from_team: h.fromTeam,
        to_team: h.toTeam,
        submitted_at: h.submittedAt,
        decided_at: h.decidedAt,
        outcome: h.outcome,
        reason: h.reason,
        comment: h.comment,
        failed_criteria: h.failedCriteria,
        limbo_ms: h.limboMs,
        limbo_business_ms: h.limboBusinessMs,
        is_bounce: h.isBounce,
        questions_after_accept: h.questionsAfterAccept,
      })),
    );
    const visits = mine.flatMap((r) =>
      r.facts.visits.map((v) => ({
        ...common(r),
        visit: v.visit,
        step: v.step,
        team: v.team,
        entered_at: v.enteredAt,
        left_at: v.leftAt,
        waiting_ms: v.waitingMs,
        active_ms: v.activeMs,
      })),
    );
    const clocks = mine.flatMap((r) =>
      r.facts.clocks.map((c) => ({
        ...common(r),
        clock: c.clock,
        kind: c.kind,
        team: c.team,
        step: c.step,
        from_step: c.fromStep,
        handoff: c.handoff,
        met: c.met,
        ended_at: c.endedAt,
        elapsed_ms: c.elapsedMs,
        limit_ms: c.limitMs,
      })),
    );
    const questions = mine.flatMap((r) =>
      r.facts.questions.map((q) => ({
        ...common(r),
        question: q.question,
        from_team: q.fromTeam,
        to_team: q.toTeam,
        asked_at: q.askedAt,
        answered_at: q.answeredAt,
        body: q.body,
        after_handoff: q.afterHandoff,
      })),
    );
    await sql`
      with a as (
        insert into metric_handoffs
        select * from jsonb_to_recordset(${json(handoffs)}::jsonb) as h(item_id bigint, handoff int,
          workflow_key text, workflow_version int, from_step text, to_step text, from_team text,
          to_team text, submitted_at timestamptz, decided_at timestamptz, outcome text, reason text,
          comment text, failed_criteria text[], limbo_ms bigint, limbo_business_ms bigint,
          is_bounce boolean, questions_after_accept int)
      ), b as (
        insert into metric_visits
        select * from jsonb_to_recordset(${json(visits)}::jsonb) as v(item_id bigint, visit int,
          workflow_key text, workflow_version int, step text, team text, entered_at timestamptz,
          left_at timestamptz, waiting_ms bigint, active_ms bigint)
      ), c as (
        insert into metric_clocks
        select * from jsonb_to_recordset(${json(clocks)}::jsonb) as c(item_id bigint, clock text,
          workflow_key text, workflow_version int, kind text, team text, step text, from_step text,
          handoff int, met boolean, ended_at timestamptz, elapsed_ms bigint, limit_ms bigint)
      )
      insert into metric_questions
      select * from jsonb_to_recordset(${json(questions)}::jsonb) as q(item_id bigint, question int,
        workflow_key text, workflow_version int, from_team text, to_team text,
        asked_at timestamptz, answered_at timestamptz, body text, after_handoff int)`.execute(tx);
    return ids.length;
  });
}

/**
 * One page of the sweep for stale facts: items with id > `afterId` in id order (`limit` of them)
 * and which of them have facts missing or behind. `last` is where the next page starts (null
 * at the end).
 */
export async function findStale(
  db: Db,
  { afterId, limit }: { afterId: string; limit: number },
): Promise<{ stale: string[]; last: string | null }> {
  const { rows } = await sql<{ id: string; stale: boolean }>`
    with page as (select id, version from items where id > ${afterId}::bigint order by id limit ${limit})
    select page.id, (m.item_id is null or m.version <> page.version) as stale
    from page left join metric_items m on m.item_id = page.id
    order by page.id`.execute(db);
  const last = rows.at(-1);
  return {
    stale: rows.filter((r) => r.stale).map((r) => String(r.id)),
    last: rows.length < limit || !last ? null : String(last.id),
  };
}

/** The row ids of items by key. */
export async function itemIdsByKey(db: Db, keys: readonly string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const { rows } = await sql<{
    id: string;
  }>`select id from items where key = any(${keys}::text[])`.execute(db);
  return rows.map((r) => String(r.id));
}

/** The ids of items a team was ever involved in (for a calendar change). */
export async function itemIdsOfTeam(db: Db, team: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    select id from items where teams @> array[${team}]::text[]`.execute(db);
  return rows.map((r) => String(r.id));
}

/** Every team's stored calendar as JSON text (teams on the default calendar are absent). */
export async function teamCalendars(db: Db): Promise<Map<string, string>> {
  const { rows } = await sql<{ key: string; calendar: string }>`
    select key, calendar::text as calendar from teams where calendar is not null`.execute(db);
  return new Map(rows.map((r) => [r.key, r.calendar]));
}

/** Items' projections by row id. */
export async function loadItems(db: Db, ids: readonly string[]): Promise<FactsSource[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<{ id: string; doc: Item }>`
    select id, doc from items where id = any(${ids}::bigint[]) order by id`.execute(db);
  return rows.map((r) => ({ itemId: String(r.id), item: r.doc }));
}

export interface FactsSource {
  itemId: string;
  item: Item;
}

/** Every fact row stored, per table, in key order: for the equality check against a recomputation. */
export async function dumpFacts(db: Db): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [table, order] of [
    ["metric_items", "item_id"],
    ["metric_handoffs", "item_id, handoff"],
    ["metric_visits", "item_id, visit"],
    ["metric_clocks", "item_id, clock"],
    ["metric_questions", "item_id, question"],
  ] as const) {
    const { rows } =
      await sql`select * from ${sql.table(table)} order by ${sql.raw(order)}`.execute(db);
    out[table] = rows;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Aggregates. Each returns raw counts and exact percentile values; domain/metrics.ts turns them
// into ratios and seconds, the same way it does for a recomputation.

function handoffWhere(f: MetricsFilter, alias = "h") {
  const a = sql.raw(alias);
  return sql`${a}.workflow_key = ${f.workflow}
    ${f.version === null ? sql`` : sql`and ${a}.workflow_version = ${f.version}`}
    ${f.team === null ? sql`` : sql`and (${a}.from_team = ${f.team} or ${a}.to_team = ${f.team})`}
    ${f.edge === null ? sql`` : sql`and ${a}.from_step = ${f.edge.from} and ${a}.to_step = ${f.edge.to}`}`;
}

const inPeriod = (f: { from: string; to: string }, column: string) =>
  sql`${sql.raw(column)} >= ${f.from}::timestamptz and ${sql.raw(column)} < ${f.to}::timestamptz`;

type EdgeKey = { from_step: string; to_step: string; from_team: string; to_team: string };
const edgeId = (e: EdgeKey) => JSON.stringify([e.from_step, e.to_step, e.from_team, e.to_team]);

/** Per-edge counts for the handoffs submitted in the period (and those in limbo now). */
export async function edgeCounts(db: Db, f: MetricsFilter): Promise<EdgeCounts[]> {
  const where = handoffWhere(f);
  const period = inPeriod(f, "h.submitted_at");
  const [main, reasons, failed, pending, clocks, surveys] = await Promise.all([
    sql<
      EdgeKey & {
        submitted: string;
        accepted: string;
        rejected: string;
        withdrawn: string;
        bounces: string;
        questions: string;
        limbo: string[] | null;
        limbo_business: string[] | null;
      }
    >`
      select from_step, to_step, from_team, to_team, count(*) as submitted,
        count(*) filter (where outcome = 'accepted') as accepted,
        count(*) filter (where outcome = 'rejected') as rejected,
        count(*) filter (where outcome = 'withdrawn') as withdrawn,
        count(*) filter (where is_bounce) as bounces,
        sum(questions_after_accept) as questions,
        percentile_disc(array[0.5, 0.85, 0.95]) within group (order by limbo_ms) as limbo,
        percentile_disc(array[0.5, 0.85, 0.95]) within group (order by limbo_business_ms) as limbo_business
      from metric_handoffs h where ${where} and ${period}
      group by from_step, to_step, from_team, to_team`.execute(db),
    sql<EdgeKey & { reason: string; n: string }>`
      select from_step, to_step, from_team, to_team, reason, count(*) as n
      from metric_handoffs h where ${where} and ${period} and outcome = 'rejected'
      group by from_step, to_step, from_team, to_team, reason`.execute(db),
    sql<EdgeKey & { criterion: string; n: string }>`
      select from_step, to_step, from_team, to_team, c.criterion, count(*) as n
      from metric_handoffs h, unnest(h.failed_criteria) as c(criterion)
      where ${where} and ${period} and outcome = 'rejected'
      group by from_step, to_step, from_team, to_team, c.criterion`.execute(db),
    sql<EdgeKey & { n: string; oldest: Date }>`
      select from_step, to_step, from_team, to_team, count(*) as n, min(submitted_at) as oldest
      from metric_handoffs h where ${where} and outcome = 'pending'
      group by from_step, to_step, from_team, to_team`.execute(db),
    sql<EdgeKey & { met: string; breached: string }>`
      select h.from_step, h.to_step, h.from_team, h.to_team,
        count(*) filter (where c.met) as met, count(*) filter (where not c.met) as breached
      from metric_handoffs h join metric_clocks c on c.item_id = h.item_id and c.handoff = h.handoff
      where ${where} and ${period} and c.kind = 'accept'
      group by h.from_step, h.to_step, h.from_team, h.to_team`.execute(db),
    sql<EdgeKey & { role: string; total: string; n: string }>`
      select h.from_step, h.to_step, h.from_team, h.to_team, s.role, sum(s.score) as total,
        count(*) as n
      from metric_handoffs h join surveys s on s.item_id = h.item_id and s.handoff = h.handoff
      where ${where} and ${period}
      group by h.from_step, h.to_step, h.from_team, h.to_team, s.role`.execute(db),
  ]);
  const edges = new Map<string, EdgeCounts>();
  const edge = (k: EdgeKey): EdgeCounts => {
    const id = edgeId(k);
    let e = edges.get(id);
    if (!e) {
      e = emptyEdge(k);
      edges.set(id, e);
    }
    return e;
  };
  const pct = (v: string[] | null): [number, number, number] | null =>
    v === null || v[0] === null ? null : (v.map(Number) as [number, number, number]);
  for (const r of main.rows) {
    const e = edge(r);
    e.submitted = Number(r.submitted);
    e.accepted = Number(r.accepted);
    e.rejected = Number(r.rejected);
    e.withdrawn = Number(r.withdrawn);
    e.bounces = Number(r.bounces);
    e.questionsAfterAccept = Number(r.questions ?? 0);
    e.limboMs = pct(r.limbo);
    e.limboBusinessMs = pct(r.limbo_business);
  }
  for (const r of reasons.rows) edge(r).reasons[r.reason] = Number(r.n);
  for (const r of failed.rows) edge(r).failedCriteria[r.criterion] = Number(r.n);
  for (const r of pending.rows) {
    const e = edge(r);
    e.pending = Number(r.n);
    e.oldestPendingAt = r.oldest.toISOString();
  }
  for (const r of clocks.rows) {
    const e = edge(r);
    e.slaMet = Number(r.met);
    e.slaBreached = Number(r.breached);
  }
  for (const r of surveys.rows) {
    const e = edge(r);
    const s = r.role === "receiver" ? e.surveyReceiver : e.surveySender;
    s.total = Number(r.total);
    s.n = Number(r.n);
  }
  return sortEdges([...edges.values()]);
}

/** An edge with nothing counted yet. */
/** One edge in one ISO week of submission: counts and limbo percentiles (p50, p85). */
export interface EdgeWeek extends EdgeKey {
  week: Date;
  submitted: number;
  rejected: number;
  decided: number;
  limbo: [number, number] | null;
  limboBusiness: [number, number] | null;
}

/**
 * Limbo over time: the period's handoffs per edge and ISO week of submission (Monday 00:00
 * UTC), edges in the order of `sortEdges`, weeks in order.
 */
export async function edgeWeeks(db: Db, f: MetricsFilter): Promise<EdgeWeek[]> {
  const rows = await sql<
    EdgeKey & {
      week: Date;
      submitted: string;
      rejected: string;
      decided: string;
      limbo: string[] | null;
      limbo_business: string[] | null;
    }
  >`
    select from_step, to_step, from_team, to_team,
      date_trunc('week', submitted_at at time zone 'UTC') at time zone 'UTC' as week,
      count(*) as submitted,
      count(*) filter (where outcome = 'rejected') as rejected,
      count(limbo_ms) as decided,
      percentile_disc(array[0.5, 0.85]) within group (order by limbo_ms) as limbo,
      percentile_disc(array[0.5, 0.85]) within group (order by limbo_business_ms) as limbo_business
    from metric_handoffs h where ${handoffWhere(f)} and ${inPeriod(f, "h.submitted_at")}
    group by from_step, to_step, from_team, to_team, week`.execute(db);
  const pair = (v: string[] | null): [number, number] | null =>
    v === null || v[0] === null || v[0] === undefined ? null : [Number(v[0]), Number(v[1])];
  return rows.rows
    .map((r) => ({
      from_step: r.from_step,
      to_step: r.to_step,
      from_team: r.from_team,
      to_team: r.to_team,
      week: r.week,
      submitted: Number(r.submitted),
      rejected: Number(r.rejected),
      decided: Number(r.decided),
      limbo: pair(r.limbo),
      limboBusiness: pair(r.limbo_business),
    }))
    .sort(
      (a, b) =>
        byCodeUnits(a.from_step, b.from_step) ||
        byCodeUnits(a.to_step, b.to_step) ||
        byCodeUnits(a.from_team, b.from_team) ||
        byCodeUnits(a.to_team, b.to_team) ||
        a.week.getTime() - b.week.getTime(),
    );
}

export function emptyEdge(k: EdgeKey): EdgeCounts {
  return emptyEdgeCounts({
    fromStep: k.from_step,
    toStep: k.to_step,
    fromTeam: k.from_team,
    toTeam: k.to_team,
  });
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Edges in one order on both sides (code units, not the database's collation). */
export function sortEdges(edges: EdgeCounts[]): EdgeCounts[] {
  return edges.sort(
    (a, b) =>
      byCodeUnits(a.fromStep, b.fromStep) ||
      byCodeUnits(a.toStep, b.toStep) ||
      byCodeUnits(a.fromTeam, b.fromTeam) ||
      byCodeUnits(a.toTeam, b.toTeam),
  );
}

/** Texts receivers wrote on an edge in the period: reject comments and questions after accept. */
export async function edgeTexts(
  db: Db,
  f: MetricsFilter,
  { limit }: { limit: number },
): Promise<
  {
    source: "reject_comment" | "question";
    key: string;
    text: string;
    at: Date;
    reason: string | null;
    from_step: string;
    to_step: string;
  }[]
> {
  const where = handoffWhere(f);
  const { rows } = await sql<{
    source: "reject_comment" | "question";
    key: string;
    text: string;
    at: Date;
    reason: string | null;
    from_step: string;
    to_step: string;
  }>`
    (select 'reject_comment' as source, i.key, h.comment as text, h.decided_at as at, h.reason,
        h.from_step, h.to_step
      from metric_handoffs h join metric_items i on i.item_id = h.item_id
      where ${where} and ${inPeriod(f, "h.submitted_at")} and h.outcome = 'rejected'
        and h.comment is not null and h.comment <> ''
      order by h.decided_at desc limit ${limit})
    union all
    (select 'question', i.key, q.body, q.asked_at, null, h.from_step, h.to_step
      from metric_questions q
      join metric_handoffs h on h.item_id = q.item_id and h.handoff = q.after_handoff
      join metric_items i on i.item_id = q.item_id
      where ${where} and ${inPeriod(f, "h.submitted_at")}
      order by q.asked_at desc limit ${limit})`.execute(db);
  return rows;
}

/** Survey answers with comments on an edge in the period, newest first. */
export async function surveyComments(
  db: Db,
  f: MetricsFilter,
  { limit }: { limit: number },
): Promise<
  {
    key: string;
    role: string;
    score: number;
    comment: string;
    at: Date;
    from_step: string;
    to_step: string;
  }[]
> {
  const { rows } = await sql<{
    key: string;
    role: string;
    score: number;
    comment: string;
    at: Date;
    from_step: string;
    to_step: string;
  }>`
    select i.key, s.role, s.score, s.comment, s.answered_at as at, h.from_step, h.to_step
    from surveys s
    join metric_handoffs h on h.item_id = s.item_id and h.handoff = s.handoff
    join metric_items i on i.item_id = s.item_id
    where ${handoffWhere(f)} and ${inPeriod(f, "h.submitted_at")}
      and s.comment is not null and s.comment <> ''
    order by s.answered_at desc limit ${limit}`.execute(db);
  return rows;
}

/** Handoffs in limbo now on the filter's edges, oldest first. */
export async function pendingHandoffs(
  db: Db,
  f: MetricsFilter,
  { limit }: { limit: number },
): Promise<
  { key: string; from_step: string; to_step: string; to_team: string; submitted_at: Date }[]
> {
  const { rows } = await sql<{
    key: string;
    from_step: string;
    to_step: string;
    to_team: string;
    submitted_at: Date;
  }>`
    select i.key, h.from_step, h.to_step, h.to_team, h.submitted_at
    from metric_handoffs h join metric_items i on i.item_id = h.item_id
    where ${handoffWhere(f)} and h.outcome = 'pending'
    order by h.submitted_at limit ${limit}`.execute(db);
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Teams

export interface TeamCounts {
  team: string;
  /** Open items this team must move next. */
  wip: number;
  /** Step visits of the team that ended in the period (work it finished or passed on). */
  finished: number;
  stepMs: [number, number, number] | null;
  received: number;
  rejectedByTeam: number;
  sent: number;
  sentRejected: number;
  bouncesReceived: number;
  limboAsReceiverMs: [number, number, number] | null;
  sla: Record<string, { met: number; breached: number }>;
}

const teamWhere = (f: { team: string | null }, column: string) =>
  f.team === null ? sql`` : sql`and ${sql.raw(column)} = ${f.team}`;
const workflowWhere = (f: { workflow: string | null }, column: string) =>
  f.workflow === null ? sql`` : sql`and ${sql.raw(column)} = ${f.workflow}`;

/** Per-team counts over the period (WIP is now). */
export async function teamCounts(
  db: Db,
  f: Omit<MetricsFilter, "workflow" | "edge"> & { workflow: string | null },
): Promise<TeamCounts[]> {
  const version = (column: string) =>
    f.version === null ? sql`` : sql`and ${sql.raw(column)} = ${f.version}`;
  const [wip, visits, received, sent, clocks] = await Promise.all([
    sql<{ team: string; n: string }>`
      select next_team as team, count(*) as n from items
      where next_team is not null ${workflowWhere(f, "workflow_key")} ${version("workflow_version")}
        ${teamWhere(f, "next_team")}
      group by next_team`.execute(db),
    sql<{ team: string; n: string; p: string[] }>`
      select team, count(*) as n,
        percentile_disc(array[0.5, 0.85, 0.95]) within group (order by active_ms + waiting_ms) as p
      from metric_visits
      where ${inPeriod(f, "left_at")} ${workflowWhere(f, "workflow_key")} ${version("workflow_version")}
        ${teamWhere(f, "team")}
      group by team`.execute(db),
    sql<{ team: string; n: string; rejected: string; bounces: string; p: string[] | null }>`
      select to_team as team, count(*) as n, count(*) filter (where outcome = 'rejected') as rejected,
        count(*) filter (where is_bounce) as bounces,
        percentile_disc(array[0.5, 0.85, 0.95]) within group (order by limbo_business_ms) as p
      from metric_handoffs
      where ${inPeriod(f, "submitted_at")} ${workflowWhere(f, "workflow_key")} ${version("workflow_version")}
        ${teamWhere(f, "to_team")}
      group by to_team`.execute(db),
    sql<{ team: string; n: string; rejected: string }>`
      select from_team as team, count(*) as n, count(*) filter (where outcome = 'rejected') as rejected
      from metric_handoffs
      where ${inPeriod(f, "submitted_at")} ${workflowWhere(f, "workflow_key")} ${version("workflow_version")}
        ${teamWhere(f, "from_team")}
      group by from_team`.execute(db),
    sql<{ team: string; kind: string; met: string; breached: string }>`
      select team, kind, count(*) filter (where met) as met, count(*) filter (where not met) as breached
      from metric_clocks
      where ${inPeriod(f, "ended_at")} ${workflowWhere(f, "workflow_key")} ${version("workflow_version")}
        ${teamWhere(f, "team")}
      group by team, kind`.execute(db),
  ]);
  const teams = new Map<string, TeamCounts>();
  const team = (key: string): TeamCounts => {
    let t = teams.get(key);
    if (!t) {
      t = {
        team: key,
        wip: 0,
        finished: 0,
        stepMs: null,
        received: 0,
        rejectedByTeam: 0,
        sent: 0,
        sentRejected: 0,
        bouncesReceived: 0,
        limboAsReceiverMs: null,
        sla: {},
      };
      teams.set(key, t);
    }
    return t;
  };
  const pct = (v: string[] | null) =>
    v === null || v[0] === null ? null : (v.map(Number) as [number, number, number]);
  for (const r of wip.rows) team(r.team).wip = Number(r.n);
  for (const r of visits.rows) {
    const t = team(r.team);
    t.finished = Number(r.n);
    t.stepMs = pct(r.p);
  }
  for (const r of received.rows) {
    const t = team(r.team);
    t.received = Number(r.n);
    t.rejectedByTeam = Number(r.rejected);
    t.bouncesReceived = Number(r.bounces);
    t.limboAsReceiverMs = pct(r.p);
  }
  for (const r of sent.rows) {
    const t = team(r.team);
    t.sent = Number(r.n);
    t.sentRejected = Number(r.rejected);
  }
  for (const r of clocks.rows)
    team(r.team).sla[r.kind] = { met: Number(r.met), breached: Number(r.breached) };
  return [...teams.values()].sort((a, b) => byCodeUnits(a.team, b.team));
}

// ---------------------------------------------------------------------------------------------
// Flow

export interface FlowCounts {
  cycle: { n: number; ms: [number, number, number] | null };
  points: { key: string; closed_at: Date; cycle_ms: number }[];
  steps: {
    step: string;
    n: number;
    ms: [number, number, number] | null;
    active: number;
    waiting: number;
  }[];
  throughput: { week: Date; n: number }[];
  cfd: { day: Date; step: string; n: number }[];
  done: { day: Date; n: number }[];
  ageing: { key: string; step: string; team: string; entered_at: Date; created_at: Date }[];
  wip: { step: string; n: number }[];
}

/** Cycle times, time per step, throughput, the CFD series and ageing WIP of one workflow. */
export async function flowCounts(
  db: Db,
  f: MetricsFilter,
  { points, ageing }: { points: number; ageing: number },
): Promise<FlowCounts> {
  const version = (column: string) =>
    f.version === null ? sql`` : sql`and ${sql.raw(column)} = ${f.version}`;
  const wf = sql`workflow_key = ${f.workflow}`;
  const [cycle, scatter, steps, throughput, cfd, done, open, wip] = await Promise.all([
    sql<{ n: string; p: string[] | null }>`
      select count(*) as n,
        percentile_disc(array[0.5, 0.85, 0.95]) within group (order by cycle_ms) as p
      from metric_items where ${wf} and status = 'done' and ${inPeriod(f, "closed_at")}
        ${version("workflow_version")}`.execute(db),
    sql<{ key: string; closed_at: Date; cycle_ms: string }>`
      select key, closed_at, cycle_ms from metric_items
      where ${wf} and status = 'done' and ${inPeriod(f, "closed_at")} ${version("workflow_version")}
      order by closed_at desc limit ${points}`.execute(db),
    sql<{ step: string; n: string; p: string[]; active: string; waiting: string }>`
      select step, count(*) as n,
        percentile_disc(array[0.5, 0.85, 0.95]) within group (order by active_ms + waiting_ms) as p,
        sum(active_ms) as active, sum(waiting_ms) as waiting
      from metric_visits where ${wf} and ${inPeriod(f, "left_at")} ${version("workflow_version")}
        ${teamWhere(f, "team")}
      group by step`.execute(db),
    sql<{ week: Date; n: string }>`
      select date_trunc('week', closed_at at time zone 'UTC') at time zone 'UTC' as week, count(*) as n
      from metric_items where ${wf} and status = 'done' and ${inPeriod(f, "closed_at")}
        ${version("workflow_version")}
      group by 1 order by 1`.execute(db),
    // Items in each step at the end of each day of the period (UTC days; the last day ends at `to`).
    sql<{ day: Date; step: string; n: string }>`
      select d.day, v.step, count(*) as n
      from generate_series(date_trunc('day', ${f.from}::timestamptz at time zone 'UTC') at time zone 'UTC',
             ${f.to}::timestamptz - interval '1 millisecond', interval '1 day') as d(day)
      join metric_visits v on v.workflow_key = ${f.workflow}
        and v.entered_at < least(d.day + interval '1 day', ${f.to}::timestamptz)
        and (v.left_at is null or v.left_at >= least(d.day + interval '1 day', ${f.to}::timestamptz))
        and v.entered_at < ${f.to}::timestamptz
        and (v.left_at is null or v.left_at >= ${f.from}::timestamptz)
        ${version("v.workflow_version")}
      group by d.day, v.step order by d.day, v.step`.execute(db),
    sql<{ day: Date; n: string }>`
      select date_trunc('day', closed_at at time zone 'UTC') at time zone 'UTC' as day, count(*) as n
      from metric_items where ${wf} and status = 'done' and ${inPeriod(f, "closed_at")}
        ${version("workflow_version")}
      group by 1 order by 1`.execute(db),
    sql<{ key: string; step: string; team: string; entered_at: Date; created_at: Date }>`
      select i.key, v.step, v.team, v.entered_at, i.created_at
      from metric_items i join metric_visits v on v.item_id = i.item_id and v.left_at is null
      where i.workflow_key = ${f.workflow} and i.closed_at is null ${version("i.workflow_version")} ${teamWhere(f, "v.team")}
      order by v.entered_at limit ${ageing}`.execute(db),
    sql<{ step: string; n: string }>`
      select v.step, count(*) as n
      from metric_items i join metric_visits v on v.item_id = i.item_id and v.left_at is null
      where i.workflow_key = ${f.workflow} and i.closed_at is null ${version("i.workflow_version")} ${teamWhere(f, "v.team")}
      group by v.step`.execute(db),
  ]);
  const pct = (v: string[] | null | undefined) =>
    !v || v[0] === null ? null : (v.map(Number) as [number, number, number]);
  return {
    cycle: { n: Number(cycle.rows[0]?.n ?? 0), ms: pct(cycle.rows[0]?.p) },
    points: scatter.rows.map((r) => ({ ...r, cycle_ms: Number(r.cycle_ms) })),
    steps: steps.rows
      .map((r) => ({
        step: r.step,
        n: Number(r.n),
        ms: pct(r.p),
        active: Number(r.active),
        waiting: Number(r.waiting),
      }))
      .sort((a, b) => byCodeUnits(a.step, b.step)),
    throughput: throughput.rows.map((r) => ({ week: r.week, n: Number(r.n) })),
    cfd: cfd.rows.map((r) => ({ day: r.day, step: r.step, n: Number(r.n) })),
    done: done.rows.map((r) => ({ day: r.day, n: Number(r.n) })),
    ageing: open.rows,
    wip: wip.rows.map((r) => ({ step: r.step, n: Number(r.n) })),
  };
}

// ---------------------------------------------------------------------------------------------
// Surveys

/** Records a survey answer; false if this person already answered this handoff in this role. */
export async function insertSurvey(
  db: Db,
  s: {
    itemId: string;
    handoff: number;
    role: "receiver" | "sender";
    userId: string;
    score: number;
    comment: string | null;
    at: string;
  },
): Promise<boolean> {
  const { numAffectedRows } = await sql`
    insert into surveys (item_id, handoff, role, user_id, score, comment, answered_at)
    values (${s.itemId}, ${s.handoff}, ${s.role}, ${s.userId}, ${s.score}, ${s.comment}, ${s.at})
    on conflict do nothing`.execute(db);
  return Number(numAffectedRows ?? 0) > 0;
}

/** The survey answers a person gave on an item: `${handoff}:${role}`. */
export async function surveysAnswered(db: Db, itemId: string, userId: string): Promise<string[]> {
  const { rows } = await sql<{ handoff: number; role: string }>`
    select handoff, role from surveys where item_id = ${itemId} and user_id = ${userId}`.execute(
    db,
  );
  return rows.map((r) => `${r.handoff}:${r.role}`);
}

/** The same by item key. */
export async function surveysAnsweredByKey(db: Db, key: string, userId: string): Promise<string[]> {
  const { rows } = await sql<{ handoff: number; role: string }>`
    select s.handoff, s.role from surveys s join items i on i.id = s.item_id
    where i.key = ${key} and s.user_id = ${userId}`.execute(db);
  return rows.map((r) => `${r.handoff}:${r.role}`);
}

/** The surveys of an item a person skipped, as "handoff:role". */
export async function surveysSkipped(db: Db, itemId: string, userId: string): Promise<string[]> {
  const { rows } = await sql<{ handoff: number; role: string }>`
    select handoff, role from survey_skips where item_id = ${itemId} and user_id = ${userId}`.execute(
    db,
  );
  return rows.map((r) => `${r.handoff}:${r.role}`);
}

/** The surveys of an item (by key) a person answered or skipped, as "handoff:role". */
export async function surveysClosedByKey(db: Db, key: string, userId: string): Promise<string[]> {
  const { rows } = await sql<{ handoff: number; role: string }>`
    select s.handoff, s.role from surveys s join items i on i.id = s.item_id
    where i.key = ${key} and s.user_id = ${userId}
    union all
    select k.handoff, k.role from survey_skips k join items i on i.id = k.item_id
    where i.key = ${key} and k.user_id = ${userId}`.execute(db);
  return rows.map((r) => `${r.handoff}:${r.role}`);
}

/** Records that a person skipped a survey; false when they already had. */
export async function insertSurveySkip(
  db: Db,
  s: { itemId: string; handoff: number; role: "receiver" | "sender"; userId: string; at: string },
): Promise<boolean> {
  const { numAffectedRows } = await sql`
    insert into survey_skips (item_id, handoff, role, user_id, skipped_at)
    values (${s.itemId}, ${s.handoff}, ${s.role}, ${s.userId}, ${s.at})
    on conflict do nothing`.execute(db);
  return Number(numAffectedRows ?? 0) > 0;
}

/** Every survey answer, for the recomputation check. */
export async function allSurveys(db: Db): Promise<SurveyFact[]> {
  const { rows } = await sql<{ item_id: string; handoff: number; role: string; score: number }>`
    select item_id, handoff, role, score from surveys order by item_id, handoff`.execute(db);
  return rows.map((r) => ({
    itemId: String(r.item_id),
    handoff: r.handoff,
    role: r.role as SurveyFact["role"],
    score: r.score,
  }));
}

import { sql } from "kysely";
import { evolve, type Item, type ItemEvent, nextTeam, rejectReasons } from "../src/domain/item.ts";
import type { WorkflowDef } from "../src/domain/workflow.ts";
import { toPrincipal } from "../src/engine/directory.ts";
import type { OwnedEngine as Engine } from "../src/engine/engine.ts";
import type { Db } from "../src/store/db.ts";

/*
 * Seeds a metrics benchmark database with about `events` events: 20 teams, 5 workflows of 4 to 6
 * steps with 3 versions each, items spread over the year before `now` with handoffs (most
 * accepted, some rejected with a reason and failed criteria, some withdrawn), questions across
 * the boundary and their answers, pauses, service-level alerts, comments, completions and
 * cancellations; the rest still open. Events are built as the engine would write them (the
 * event types and data of src/domain/item.ts), each item's projection is `evolve` over them, and
 * both go in with multi-row inserts from arrays (unnest), thousands of rows per statement, which
 * is far faster than running a million commands through the API.
 */

const TEAMS = Array.from({ length: 20 }, (_, i) => `team-${String(i + 1).padStart(2, "0")}`);
const WORKFLOWS = ["onboard", "incident", "change", "procure", "hire"];

/** A small deterministic PRNG (mulberry32), so every seeding of the same size is the same. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function workflowYaml(key: string, w: number, version: number): string {
  const steps = 4 + (w % 3);
  const lines = [
    `key: ${key}`,
    `name: ${key[0]?.toUpperCase()}${key.slice(1)}`,
    `prefix: ${key.slice(0, 3).toUpperCase()}${w}`,
    "fields:",
    "  - {key: customer, type: text, label: Customer}",
    "  - {key: logs_url, type: url, label: Logs}",
    "  - {key: budget, type: number, label: Budget}",
    "  - {key: contact, type: text, label: Contact person}",
    "steps:",
  ];
  for (let s = 0; s < steps; s++) {
    const team = TEAMS[(w * 4 + s) % TEAMS.length] as string;
    lines.push(`  - key: s${s + 1}`, `    team: ${team}`, "    complete_within: 2d");
    if (s < steps - 1) {
      lines.push(
        "    handoff:",
        `      to: s${s + 2}`,
        `      requires: [customer${version >= 2 && s === 0 ? ", logs_url" : ""}]`,
        `      criteria: [Scope agreed, Owner named${version >= 3 ? ", Budget approved" : ""}]`,
        `      accept_within: ${version >= 2 ? 8 : 4}h`,
      );
    }
  }
  lines.push("questions: {answer_within: 4h}");
  return `${lines.join("\n")}\n`;
}

export interface SeedResult {
  items: number;
  events: number;
  workflows: string[];
  seconds: number;
}

/**
 * Seeds `engine`'s (migrated, empty) database with about `events` events ending at `now`.
 * Returns what it wrote.
 */
export async function seedMetrics(
  engine: Engine,
  { events: target, now }: { events: number; now: Date },
): Promise<SeedResult> {
  const started = performance.now();
  const user = await engine.directory.createUser("system", {
    email: "admin@bench.local",
    name: "Admin",
    teams: [],
    isAdmin: true,
  });
  const admin = toPrincipal(user);
  for (const t of TEAMS) await engine.directory.createTeam(admin, { key: t, name: t });
  const defs = new Map<string, WorkflowDef>();
  for (const [w, key] of WORKFLOWS.entries())
    for (const version of [1, 2, 3]) {
      const r = await engine.workflows.publish(admin, key, {
        source: workflowYaml(key, w, version),
        format: "yaml",
      });
      defs.set(`${key}@${r.version}`, r.definition);
    }

  const rand = random(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const year = 365 * 86_400_000;
  const end = now.getTime();
  const rows: { item: Item; events: ItemEvent[] }[] = [];
  let written = 0;
  let itemCount = 0;
  const flush = async () => {
    await insertBatch(engine.db, rows);
    rows.length = 0;
  };
  while (written < target) {
    const w = itemCount % WORKFLOWS.length;
    const key = WORKFLOWS[w] as string;
    const created = end - year + (Math.floor((itemCount / (target / 17)) * year) % year);
    // Versions by age: the oldest third of the year on 1, then 2, then 3.
    const version = created < end - (2 * year) / 3 ? 1 : created < end - year / 3 ? 2 : 3;
    const def = defs.get(`${key}@${version}`) as WorkflowDef;
    const { item, events } = simulate({
      key: `${key.slice(0, 3).toUpperCase()}${w}-${itemCount + 1}`,
      workflow: key,
      version,
      def,
      start: created,
      end,
      rand,
      pick,
    });
    rows.push({ item, events });
    written += events.length;
    itemCount++;
    if (rows.length >= 2_000) await flush();
  }
  await flush();
  // Item numbers continue after the seeded ones.
  for (const [w, key] of WORKFLOWS.entries())
    await sql`select setval(${`item_seq_${key.slice(0, 3)}${w}`}::regclass, ${itemCount + 1})`.execute(
      engine.db,
    );
  await sql`analyze`.execute(engine.db);
  return {
    items: itemCount,
    events: written,
    workflows: WORKFLOWS,
    seconds: (performance.now() - started) / 1000,
  };
}

const MINUTE = 60_000;

/** One item's life: the events the engine would have written for it, and its projection. */
function simulate({
  key,
  workflow,
  version,
  def,
  start,
  end,
  rand,
  pick,
}: {
  key: string;
  workflow: string;
  version: number;
  def: WorkflowDef;
  start: number;
  end: number;
  rand: () => number;
  pick: <T>(xs: readonly T[]) => T;
}): { item: Item; events: ItemEvent[] } {
  const events: ItemEvent[] = [];
  let item: Item | null = null;
  let t = start;
  const person = (team: string) => `${pick(["a", "b", "c"])}@${team}.example`;
  const emit = (e: ItemEvent) => {
    events.push(e);
    item = evolve(item, e);
  };
  const at = () => new Date(t).toISOString();
  const first = def.steps[0];
  if (!first) throw new Error("no steps");
  emit({
    type: "item.created",
    actor: person(first.team),
    at: at(),
    data: {
      key,
      title: `Work ${key}`,
      workflow,
      workflowVersion: version,
      step: first.key,
      team: first.team,
      fields: { customer: `Customer ${key}` },
    },
  });
  let handoff = 0;
  let question = 0;
  for (let s = 0; s < def.steps.length; s++) {
    const step = def.steps[s];
    if (!step) break;
    const team = step.team;
    // Work in the step: a few hours to a few days, with comments, a question, maybe a pause.
    t += Math.floor((1 + rand() * 40) * 60 * MINUTE);
    if (t >= end) break;
    emit({ type: "comment.added", actor: person(team), at: at(), data: { body: "Working on it" } });
    if (rand() < 0.1) {
      emit({ type: "item.paused", actor: person(team), at: at(), data: { reason: "customer" } });
      t += Math.floor(rand() * 24 * 60 * MINUTE);
      if (t >= end) break;
      emit({ type: "item.resumed", actor: person(team), at: at(), data: {} });
    }
    const next = def.steps[s + 1];
    if (!next || !step.handoff) {
      if (rand() < 0.95) emit({ type: "item.completed", actor: person(team), at: at(), data: {} });
      else
        emit({
          type: "item.cancelled",
          actor: person(team),
          at: at(),
          data: { reason: "dropped" },
        });
      break;
    }
    // The handoff: rejected and resubmitted now and then, rarely withdrawn.
    let accepted = false;
    for (let attempt = 0; attempt < 4 && !accepted; attempt++) {
      handoff++;
      emit({
        type: "handoff.submitted",
        actor: person(team),
        at: at(),
        data: {
          handoff,
          fromStep: step.key,
          fromTeam: team,
          toStep: next.key,
          toTeam: next.team,
          note: null,
          confirmed: step.handoff.criteria ?? [],
          package: { customer: `Customer ${key}` },
        },
      });
      t += Math.floor((5 + rand() * rand() * 36 * 60) * MINUTE);
      if (t >= end) break;
      if (rand() < 0.04) {
        emit({ type: "handoff.withdrawn", actor: person(team), at: at(), data: { handoff } });
        continue;
      }
      if (rand() < 0.15) {
        const criteria = step.handoff.criteria ?? [];
        emit({
          type: "handoff.rejected",
          actor: person(next.team),
          at: at(),
          data: {
            handoff,
            reason: pick(rejectReasons),
            comment: pick([
              "The logs are missing",
              "Who is the contact person?",
              "Scope is unclear",
              "Budget not confirmed",
              "Wrong team for this",
            ]),
            failedCriteria: rand() < 0.6 && criteria.length > 0 ? [pick(criteria)] : [],
            assignee: null,
          },
        });
        t += Math.floor(rand() * 8 * 60 * MINUTE);
        if (t >= end) break;
        continue;
      }
      emit({
        type: "handoff.accepted",
        actor: person(next.team),
        at: at(),
        data: { handoff, assignee: null },
      });
      accepted = true;
    }
    if (!accepted || t >= end) break;
    if (rand() < 0.25) {
      question++;
      t += Math.floor(rand() * 4 * 60 * MINUTE);
      if (t >= end) break;
      emit({
        type: "question.asked",
        actor: person(next.team),
        at: at(),
        data: {
          question,
          fromTeam: next.team,
          toTeam: team,
          body: pick(["Where are the logs?", "Which contact person?", "What budget?"]),
        },
      });
      t += Math.floor(rand() * 6 * 60 * MINUTE);
      if (t >= end) break;
      emit({
        type: "question.answered",
        actor: person(team),
        at: at(),
        data: { question, body: "Here you go" },
      });
    }
    if (rand() < 0.05) {
      emit({
        type: "sla.breached",
        actor: "baton",
        at: at(),
        data: {
          clock: `accept:${handoff}`,
          kind: "accept",
          step: next.key,
          team: next.team,
          handoff,
          limitSeconds: 4 * 3600,
          dueAt: at(),
        },
      });
    }
  }
  return { item: item as unknown as Item, events };
}

/** Inserts items (their projections) and their events, two statements per batch. */
async function insertBatch(db: Db, rows: readonly { item: Item; events: ItemEvent[] }[]) {
  if (rows.length === 0) return;
  const items = rows.map((r) => r.item);
  const { rows: ids } = await sql<{ id: string; key: string }>`
    insert into items (key, workflow_key, workflow_version, status, step, owner_team, next_team,
      assignee, teams, waiting_teams, version, doc, created_at, updated_at)
    select key, workflow_key, workflow_version, status, step, owner_team, next_team, assignee,
      teams::text[], waiting_teams::text[], version, doc::json, created_at, updated_at
    from unnest(${items.map((i) => i.key)}::text[], ${items.map((i) => i.workflow)}::text[],
      ${items.map((i) => i.workflowVersion)}::int[], ${items.map((i) => i.status)}::text[],
      ${items.map((i) => i.step)}::text[], ${items.map((i) => i.ownerTeam)}::text[],
      ${items.map((i) => nextTeam(i))}::text[], ${items.map((i) => i.assignee)}::text[],
      ${items.map((i) => `{${i.teams.join(",")}}`)}::text[],
      ${items.map((i) => {
        const n = nextTeam(i);
        return `{${n === null ? "" : i.teams.filter((x) => x !== n).join(",")}}`;
      })}::text[],
      ${items.map((i) => i.version)}::int[], ${items.map((i) => JSON.stringify(i))}::text[],
      ${items.map((i) => i.createdAt)}::timestamptz[], ${items.map((i) => i.updatedAt)}::timestamptz[])
      as u(key, workflow_key, workflow_version, status, step, owner_team, next_team, assignee,
        teams, waiting_teams, version, doc, created_at, updated_at)
    returning id, key`.execute(db);
  const idOf = new Map(ids.map((r) => [r.key, String(r.id)]));
  const itemIds: string[] = [];
  const seqs: number[] = [];
  const types: string[] = [];
  const actors: string[] = [];
  const ats: string[] = [];
  const datas: string[] = [];
  for (const r of rows)
    r.events.forEach((e, i) => {
      itemIds.push(idOf.get(r.item.key) as string);
      seqs.push(i + 1);
      types.push(e.type);
      actors.push(e.actor);
      ats.push(e.at);
      datas.push(JSON.stringify(e.data));
    });
  await sql`
    insert into events (item_id, seq, type, actor, at, data)
    select * from unnest(${itemIds}::bigint[], ${seqs}::int[], ${types}::text[], ${actors}::text[],
      ${ats}::timestamptz[], ${datas}::jsonb[])`.execute(db);
}

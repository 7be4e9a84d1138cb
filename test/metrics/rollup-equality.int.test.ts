import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { replay } from "../../src/domain/item.ts";
import { edgeCountsOf, type ItemFacts, type MetricsFilter } from "../../src/domain/metrics.ts";
import { listEvents } from "../../src/store/items.ts";
import { allSurveys, dumpFacts, edgeCounts, sortEdges } from "../../src/store/metrics.ts";
import { type ApiClient, dbKinds, useBaton } from "../harness.ts";

/*
 * The rollups the metrics worker keeps must equal, exactly, a recomputation from the raw event
 * log: after random command sequences (fast-check), every item's events are replayed, its facts
 * derived again and compared row by row with the rollup tables, and the per-edge aggregates the
 * API computes in SQL are compared with the same aggregates computed from the recomputed facts.
 * The worker is only flushed with what this node published (as after each command in
 * production); the closing sweep must then find nothing stale.
 */

const HOUR = 3_600_000;

const loopYaml = `
key: loop
name: Loop
prefix: LP
fields:
  - {key: customer, type: text}
steps:
  - key: one
    team: alpha
    complete_within: 4h
    handoff: {to: two, criteria: [Ready, Scoped], accept_within: 2h}
  - key: two
    team: beta
    complete_within: 1d
    handoff: {to: three, accept_within: 3h wall}
  - key: three
    team: alpha
questions: {answer_within: 2h}
`;

type Op =
  | { kind: "create" }
  | {
      kind:
        | "submit"
        | "accept"
        | "withdraw"
        | "pause"
        | "resume"
        | "complete"
        | "cancel"
        | "question"
        | "answer"
        | "survey";
      item: number;
      actor: 0 | 1;
    }
  | { kind: "reject"; item: number; actor: 0 | 1; reason: string; fail: boolean }
  | { kind: "advance"; minutes: number }
  | { kind: "tick" }
  | { kind: "flush" };

const onItem = (kind: string, weight: number) => ({
  weight,
  arbitrary: fc.record({
    kind: fc.constant(kind),
    item: fc.nat({ max: 2 }),
    actor: fc.constantFrom<0 | 1>(0, 1),
  }) as fc.Arbitrary<Op>,
});

/** Weighted towards what moves work on, so that histories reach bounces and ended clocks. */
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Op>({ kind: "create" }) },
  onItem("submit", 10),
  onItem("accept", 8),
  onItem("withdraw", 1),
  onItem("pause", 1),
  onItem("resume", 2),
  onItem("complete", 2),
  onItem("cancel", 1),
  onItem("question", 3),
  onItem("answer", 3),
  onItem("survey", 3),
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("reject" as const),
      item: fc.nat({ max: 2 }),
      actor: fc.constantFrom<0 | 1>(0, 1),
      reason: fc.constantFrom("incomplete", "incorrect", "wrong_team", "other"),
      fail: fc.boolean(),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("advance" as const),
      minutes: fc.integer({ min: 1, max: 16 * 60 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: "tick" }) },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: "flush" }) },
);

/** Facts as the rollup tables hold them (column names, ISO instants, numbers). */
function rowsOf(itemId: string, f: ItemFacts) {
  const common = { item_id: itemId, workflow_key: f.workflow, workflow_version: f.workflowVersion };
  return {
    metric_items: [
      {
        item_id: itemId,
        version: f.version,
        key: f.key,
        workflow_key: f.workflow,
        workflow_version: f.workflowVersion,
        status: f.status,
        created_at: f.createdAt,
        closed_at: f.closedAt,
        cycle_ms: f.cycleMs,
      },
    ],
    metric_handoffs: f.handoffs.map((h) => ({
      ...common,
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
    metric_visits: f.visits.map((v) => ({
      ...common,
      visit: v.visit,
      step: v.step,
      team: v.team,
      entered_at: v.enteredAt,
      left_at: v.leftAt,
      waiting_ms: v.waitingMs,
      active_ms: v.activeMs,
    })),
    metric_clocks: [...f.clocks]
      .sort((a, b) => (a.clock < b.clock ? -1 : 1))
      .map((c) => ({
        ...common,
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
    metric_questions: f.questions.map((q) => ({
      ...common,
      question: q.question,
      from_team: q.fromTeam,
      to_team: q.toTeam,
      asked_at: q.askedAt,
      answered_at: q.answeredAt,
      body: q.body,
      after_handoff: q.afterHandoff,
    })),
  };
}

const bigintColumns = new Set([
  "item_id",
  "cycle_ms",
  "limbo_ms",
  "limbo_business_ms",
  "waiting_ms",
  "active_ms",
  "elapsed_ms",
  "limit_ms",
]);

function normalise(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (v instanceof Date) out[k] = v.toISOString();
    else if (bigintColumns.has(k) && v !== null) out[k] = k === "item_id" ? String(v) : Number(v);
    else out[k] = v;
  }
  return out;
}

describe.each(dbKinds())(
  "metrics rollups equal a recomputation from the events on $name",
  (kind) => {
    const b = useBaton(kind);
    let people: ApiClient[] = [];
    const keys: string[] = [];

    it("sets up the teams and a workflow with every kind of clock", async () => {
      await b.team("alpha");
      await b.team("beta");
      await b.workflow(loopYaml);
      people = [
        await b.user("alice@example.com", ["alpha"]),
        await b.user("bob@example.com", ["beta"]),
      ];
    });

    async function play(o: Op): Promise<void> {
      if (o.kind === "advance") return b.clock.advance(o.minutes * 60_000);
      if (o.kind === "tick") {
        await b.engine.timers.tick();
        return;
      }
      if (o.kind === "flush") return b.engine.metrics.flush();
      if (o.kind === "create") {
        const r = await people[0]?.post("/items", {
          workflow: "loop",
          title: "Random",
          fields: { customer: "X" },
        });
        if (r?.status === 201) keys.push(r.body.key);
        return;
      }
      // One of the three newest items: older ones are mostly closed.
      const key = keys[keys.length - 1 - (o.item % Math.max(1, Math.min(3, keys.length)))];
      const who = people[o.actor] as ApiClient;
      if (!key) return;
      const path = `/items/${key}`;
      switch (o.kind) {
        case "submit":
          // Only step one's handoff has criteria; Alice works step one, Bob step two.
          await who.post(`${path}/handoff`, { confirm: o.actor === 0 ? ["Ready", "Scoped"] : [] });
          return;
        case "reject":
          await who.post(`${path}/reject`, {
            reason: o.reason,
            comment: "not ready",
            failed_criteria: o.fail ? ["Scoped"] : [],
          });
          return;
        case "question":
          await who.post(`${path}/questions`, {
            to_team: o.actor === 0 ? "beta" : "alpha",
            body: "what about the customer?",
          });
          return;
        case "answer": {
          const item = await who.get(path);
          const team = o.actor === 0 ? "alpha" : "beta";
          const open = (item.body.questions ?? []).find(
            (q: { to_team: string; answer: unknown }) => q.to_team === team && !q.answer,
          );
          if (open) await who.post(`${path}/questions/${open.id}/answer`, { body: "here" });
          return;
        }
        case "survey": {
          const item = await who.get(path);
          const pending = item.body.survey;
          if (pending)
            await who.post(`${path}/survey`, {
              role: pending.role,
              handoff: pending.handoff,
              score: 1 + (keys.length % 5),
            });
          return;
        }
        case "pause":
          await who.post(`${path}/pause`, { reason: "waiting on the customer" });
          return;
        case "cancel":
          await who.post(`${path}/cancel`, { reason: "no longer needed" });
          return;
        default:
          await who.post(`${path}/${o.kind}`);
      }
    }

    async function recomputed() {
      const { rows } = await b.engine.db
        .selectFrom("items")
        .select(["id", "key"])
        .orderBy("id")
        .execute()
        .then((r) => ({ rows: r }));
      const all: { itemId: string; facts: ItemFacts }[] = [];
      for (const r of rows) {
        const item = replay(await listEvents(b.engine.db, r.id));
        if (!item) throw new Error(`no events for ${r.key}`);
        all.push({ itemId: String(r.id), facts: await b.engine.metrics.factsOf(item) });
      }
      return all;
    }

    it("after random histories, every rollup row and every edge figure equals the recomputation", async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 20, maxLength: 60 }), async (ops) => {
          // Every run starts with a rejection, a question and a sure bounce (alpha → beta → alpha),
          // then the random part.
          const bounce: Op[] = [
            { kind: "create" },
            { kind: "submit", item: 0, actor: 0 },
            { kind: "reject", item: 0, actor: 1, reason: "incomplete", fail: true },
            { kind: "submit", item: 0, actor: 0 },
            { kind: "advance", minutes: 30 },
            { kind: "accept", item: 0, actor: 1 },
            { kind: "question", item: 0, actor: 1 },
            { kind: "answer", item: 0, actor: 0 },
            { kind: "submit", item: 0, actor: 1 },
            { kind: "accept", item: 0, actor: 0 },
          ];
          for (const o of [...bounce, ...ops]) await play(o);
          await b.engine.metrics.flush();
          const all = await recomputed();
          const expected: Record<string, unknown[]> = {
            metric_items: [],
            metric_handoffs: [],
            metric_visits: [],
            metric_clocks: [],
            metric_questions: [],
          };
          for (const { itemId, facts } of all)
            for (const [table, rows] of Object.entries(rowsOf(itemId, facts)))
              expected[table]?.push(...rows);
          const stored = await dumpFacts(b.engine.db);
          for (const table of Object.keys(expected))
            expect(
              (stored[table] ?? []).map((r) => normalise(r as Record<string, unknown>)),
              table,
            ).toEqual(expected[table]);
          // Nothing was left stale for the sweep to find.
          expect(await b.engine.metrics.sweep()).toBe(0);

          const surveys = await allSurveys(b.engine.db);
          const now = b.clock.now;
          const filters: MetricsFilter[] = [
            {
              workflow: "loop",
              version: null,
              from: new Date(now.getTime() - 400 * 24 * HOUR).toISOString(),
              to: new Date(now.getTime() + HOUR).toISOString(),
              team: null,
              edge: null,
            },
            {
              workflow: "loop",
              version: 1,
              from: new Date(now.getTime() - 24 * HOUR).toISOString(),
              to: now.toISOString(),
              team: "beta",
              edge: { from: "one", to: "two" },
            },
          ];
          for (const f of filters)
            expect(await edgeCounts(b.engine.db, f)).toEqual(
              sortEdges(edgeCountsOf(all, surveys, f)),
            );
        }),
        { numRuns: 8 },
      );
    }, 180_000);

    it("the random histories covered acceptances, rejections, bounces, questions and ended clocks", async () => {
      const stored = await dumpFacts(b.engine.db);
      const outcomes = new Set(
        stored.metric_handoffs?.map((h) => (h as { outcome: string }).outcome),
      );
      expect(outcomes).toContain("accepted");
      expect(outcomes).toContain("rejected");
      expect(stored.metric_handoffs?.some((h) => (h as { is_bounce: boolean }).is_bounce)).toBe(
        true,
      );
      expect(stored.metric_clocks?.length).toBeGreaterThan(0);
      expect(stored.metric_questions?.length).toBeGreaterThan(0);
    });
  },
);

import { type BusinessCalendar, businessMsBetween } from "./calendar.ts";
import type { ClockKind } from "./clocks.ts";
import type { Handoff, Item, RejectReason } from "./item.ts";
import { itemClocks } from "./sla.ts";
import type { WorkflowDef } from "./workflow.ts";

/*
 * The facts metrics are made of, derived from one item (its projection, which replaying its event
 * log reproduces exactly) and the formulas over them. Pure. docs/metrics.md defines every figure;
 * the store keeps these facts as rollup rows and aggregates them in SQL with the same formulas,
 * and a test checks that both agree exactly after random histories.
 *
 * Durations are whole milliseconds (the API shows seconds): percentiles are taken over exact
 * integers on both sides, so SQL's percentile_disc and `percentile` here pick the same value.
 */

/** One handoff attempt as metrics see it. */
export interface HandoffFact {
  handoff: number;
  fromStep: string;
  toStep: string;
  fromTeam: string;
  toTeam: string;
  submittedAt: string;
  decidedAt: string | null;
  outcome: Handoff["outcome"];
  reason: RejectReason | null;
  /** The rejection comment (rejected handoffs only), cut to {@link COMMENT_CHARS}. */
  comment: string | null;
  failedCriteria: string[];
  /** Submitted → accepted or rejected, wall time; null while pending or when withdrawn/cancelled. */
  limboMs: number | null;
  /** The same in the receiving team's business time (its calendar as it is now). */
  limboBusinessMs: number | null;
  /** Accepted by a team that had already handed this item off (A→B→A at team level). */
  isBounce: boolean;
  /** Questions the receiving team asked the sending team while the accepted item was in its step. */
  questionsAfterAccept: number;
}

/** One stay of the item in a step, from entering it to leaving it. */
export interface VisitFact {
  visit: number;
  step: string;
  team: string;
  enteredAt: string;
  /** The next step's acceptance, or the close; null while the item is still there. */
  leftAt: string | null;
  /** Time in limbo, paused or waiting on an answer to the team's question (union); null while open. */
  waitingMs: number | null;
  /** The rest of the stay: in the team's hands. */
  activeMs: number | null;
}

/** A service-level clock that ended (running clocks are live, not facts). */
export interface ClockFact {
  clock: string;
  kind: ClockKind;
  team: string;
  step: string;
  /** The edge an `accept` clock measured (from step → `step`); null for other kinds. */
  fromStep: string | null;
  /** The handoff an `accept` clock waited on. */
  handoff: number | null;
  met: boolean;
  endedAt: string;
  elapsedMs: number;
  limitMs: number;
}

/** A question across the boundary, with the accepted handoff it followed (if any). */
export interface QuestionFact {
  question: number;
  fromTeam: string;
  toTeam: string;
  askedAt: string;
  answeredAt: string | null;
  /** Cut to {@link COMMENT_CHARS}. */
  body: string;
  /** The accepted handoff whose receiving step the item was in, asked by its receiver of its sender. */
  afterHandoff: number | null;
}

export interface ItemFacts {
  key: string;
  workflow: string;
  workflowVersion: number;
  /** The item version (events applied) the facts were derived from. */
  version: number;
  createdAt: string;
  closedAt: string | null;
  status: Item["status"];
  /** created → done, wall time; null unless done. */
  cycleMs: number | null;
  handoffs: HandoffFact[];
  visits: VisitFact[];
  clocks: ClockFact[];
  questions: QuestionFact[];
}

/** How much of a comment or question body metrics keep (for the review page's examples). */
export const COMMENT_CHARS = 500;

const ms = (iso: string) => Date.parse(iso);
const cut = (s: string) => (s.length > COMMENT_CHARS ? s.slice(0, COMMENT_CHARS) : s);

/** Total length of the union of intervals, clipped to [from, to]. */
export function unionMs(intervals: readonly [number, number][], from: number, to: number): number {
  const clipped = intervals
    .map(([a, b]): [number, number] => [Math.max(a, from), Math.min(b, to)])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  let start = 0;
  for (const [a, b] of clipped) {
    if (a > end) {
      if (end > Number.NEGATIVE_INFINITY) total += end - start;
      start = a;
      end = b;
    } else if (b > end) end = b;
  }
  if (end > Number.NEGATIVE_INFINITY) total += end - start;
  return total;
}

/** The paused stretches of an item, from its clock log; an open one ends at `end`. */
function pauses(item: Item, end: number): [number, number][] {
  const out: [number, number][] = [];
  let since: number | null = null;
  for (const e of item.clockLog) {
    if (e.type === "item.paused") since = ms(e.at);
    else if (e.type === "item.resumed" && since !== null) {
      out.push([since, ms(e.at)]);
      since = null;
    }
  }
  if (since !== null) out.push([since, end]);
  return out;
}

/**
 * Everything metrics read about one item. `calendarOf` gives each team's calendar (business-time
 * limbo is measured on the receiver's); `def` is the workflow version the item runs on.
 */
export function itemFacts({
  item,
  def,
  calendarOf,
}: {
  item: Item;
  def: WorkflowDef;
  calendarOf: (team: string) => BusinessCalendar;
}): ItemFacts {
  const closedAt = item.closed ? item.closed.at : null;
  const end = closedAt === null ? Number.POSITIVE_INFINITY : ms(closedAt);

  // Step visits: the item enters its first step at creation and each later one on acceptance.
  const accepted = item.handoffs.filter((h) => h.outcome === "accepted");
  const created = item.clockLog[0];
  const firstTeam = item.teams[0] ?? item.ownerTeam;
  const firstStep = created?.type === "item.created" ? created.data.step : item.step;
  const starts = [
    { step: firstStep, team: firstTeam, at: item.createdAt },
    ...accepted.map((h) => ({ step: h.toStep, team: h.toTeam, at: h.decidedAt as string })),
  ];
  const questions = item.questions;
  const visits: VisitFact[] = starts.map((s, i) => {
    const leftAt = starts[i + 1]?.at ?? closedAt;
    if (leftAt === null)
      return {
        visit: i,
        step: s.step,
        team: s.team,
        enteredAt: s.at,
        leftAt,
        waitingMs: null,
        activeMs: null,
      };
    const [from, to] = [ms(s.at), ms(leftAt)];
    const waiting: [number, number][] = [
      ...item.handoffs
        .filter((h) => h.fromTeam === s.team && h.fromStep === s.step)
        .map((h): [number, number] => [ms(h.submittedAt), h.decidedAt ? ms(h.decidedAt) : to]),
      ...pauses(item, end === Number.POSITIVE_INFINITY ? to : end),
      ...questions
        .filter((q) => q.fromTeam === s.team)
        .map((q): [number, number] => [ms(q.askedAt), q.answer ? ms(q.answer.at) : to]),
    ];
    const waitingMs = unionMs(waiting, from, to);
    return {
      visit: i,
      step: s.step,
      team: s.team,
      enteredAt: s.at,
      leftAt,
      waitingMs,
      activeMs: to - from - waitingMs,
    };
  });

  // The accepted handoff (if any) whose receiving visit a question falls in, asked receiver → sender.
  const afterHandoff = (q: Item["questions"][number]): number | null => {
    const t = ms(q.askedAt);
    for (let i = accepted.length - 1; i >= 0; i--) {
      const h = accepted[i] as Handoff;
      const enteredAt = ms(h.decidedAt as string);
      const leftAt = visits[i + 2]?.enteredAt ?? closedAt;
      if (t < enteredAt) continue;
      if (leftAt !== null && t >= ms(leftAt)) return null;
      return q.fromTeam === h.toTeam && q.toTeam === h.fromTeam ? h.id : null;
    }
    return null;
  };
  const questionFacts: QuestionFact[] = questions.map((q) => ({
    question: q.id,
    fromTeam: q.fromTeam,
    toTeam: q.toTeam,
    askedAt: q.askedAt,
    answeredAt: q.answer?.at ?? null,
    body: cut(q.body),
    afterHandoff: afterHandoff(q),
  }));

  const handedOff = new Set<string>();
  const handoffs: HandoffFact[] = item.handoffs.map((h) => {
    const isDecided = h.outcome === "accepted" || h.outcome === "rejected";
    const isBounce = h.outcome === "accepted" && h.toTeam !== h.fromTeam && handedOff.has(h.toTeam);
    if (h.outcome === "accepted") handedOff.add(h.fromTeam);
    return {
      handoff: h.id,
      fromStep: h.fromStep,
      toStep: h.toStep,
      fromTeam: h.fromTeam,
      toTeam: h.toTeam,
      submittedAt: h.submittedAt,
      decidedAt: h.decidedAt,
      outcome: h.outcome,
      reason: h.reason,
      comment: h.outcome === "rejected" && h.comment !== null ? cut(h.comment) : null,
      failedCriteria: h.failedCriteria,
      limboMs: isDecided ? ms(h.decidedAt as string) - ms(h.submittedAt) : null,
      limboBusinessMs: isDecided
        ? Math.round(
            businessMsBetween(ms(h.submittedAt), ms(h.decidedAt as string), calendarOf(h.toTeam)),
          )
        : null,
      isBounce,
      questionsAfterAccept: questionFacts.filter((q) => q.afterHandoff === h.id).length,
    };
  });

  // Ended clocks only: a running one is measured live. `now` = the last event: an ended clock's
  // figures do not depend on it.
  const { history } = itemClocks({ item, def, calendarOf, now: new Date(item.updatedAt) });
  const handoffById = new Map(item.handoffs.map((h) => [h.id, h]));
  const clocks: ClockFact[] = history
    .filter((c) => c.endedAt !== null && c.endedBy !== "cancelled")
    .map((c) => ({
      clock: c.id,
      kind: c.kind,
      team: c.team,
      step: c.step,
      fromStep: c.handoff === null ? null : (handoffById.get(c.handoff)?.fromStep ?? null),
      handoff: c.handoff,
      met: c.state !== "breached",
      endedAt: c.endedAt as string,
      elapsedMs: c.elapsedSeconds * 1000,
      limitMs: c.limitSeconds * 1000,
    }));

  return {
    key: item.key,
    workflow: item.workflow,
    workflowVersion: item.workflowVersion,
    version: item.version,
    createdAt: item.createdAt,
    closedAt,
    status: item.status,
    cycleMs: item.status === "done" && closedAt !== null ? ms(closedAt) - ms(item.createdAt) : null,
    handoffs,
    visits,
    clocks,
    questions: questionFacts,
  };
}

/**
 * The nearest-rank percentile (PostgreSQL's `percentile_disc`): the smallest value whose
 * cumulative share reaches `p`. Null for no values. `sorted` must be ascending.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.max(0, Math.ceil(p * sorted.length) - 1);
  return sorted[Math.min(i, sorted.length - 1)] as number;
}

/** p50, p85 and p95 of some durations in ms, as seconds. */
export function percentilesS(values: readonly number[]): {
  p50_s: number | null;
  p85_s: number | null;
  p95_s: number | null;
} {
  const sorted = [...values].sort((a, b) => a - b);
  const s = (p: number) => {
    const v = percentile(sorted, p);
    return v === null ? null : v / 1000;
  };
  return { p50_s: s(0.5), p85_s: s(0.85), p95_s: s(0.95) };
}

/** A ratio rounded to 4 decimals (both sides of the equality test round the same way); null for 0/0. */
export function ratio(n: number, d: number): number | null {
  return d === 0 ? null : Math.round((n / d) * 10_000) / 10_000;
}

/** The longest period a metrics query may span, in days (bounded work per request). */
export const MAX_PERIOD_DAYS = 366;
/** The period when none is given: the last 90 days. */
export const DEFAULT_PERIOD_DAYS = 90;

// ---------------------------------------------------------------------------------------------
// Aggregation. The store computes EdgeCounts in SQL over the rollups; `edgeCountsOf` computes
// the same from facts (a recomputation from the event log); `presentEdge` turns either into the
// API's figures.

/** What a metrics query selects. Instants are ISO strings; `to` is exclusive. */
export interface MetricsFilter {
  workflow: string;
  version: number | null;
  from: string;
  to: string;
  /** Handoffs with this team on either side; visits and clocks of this team. */
  team: string | null;
  edge: { from: string; to: string } | null;
}

/** One survey answer (a row of `surveys`). */
export interface SurveyFact {
  itemId: string;
  handoff: number;
  role: "receiver" | "sender";
  score: number;
}

/** Raw per-edge figures: counts, sums and exact percentiles (ms) of p50, p85, p95. */
export interface EdgeCounts {
  fromStep: string;
  toStep: string;
  fromTeam: string;
  toTeam: string;
  submitted: number;
  accepted: number;
  rejected: number;
  withdrawn: number;
  reasons: Record<string, number>;
  failedCriteria: Record<string, number>;
  limboMs: [number, number, number] | null;
  limboBusinessMs: [number, number, number] | null;
  bounces: number;
  questionsAfterAccept: number;
  /** In limbo now (whatever the period). */
  pending: number;
  oldestPendingAt: string | null;
  /** Accept clocks of the period's handoffs that ended met / breached. */
  slaMet: number;
  slaBreached: number;
  surveyReceiver: { total: number; n: number };
  surveySender: { total: number; n: number };
}

const inRange = (iso: string, f: MetricsFilter) => {
  const t = ms(iso);
  return t >= ms(f.from) && t < ms(f.to);
};

function matchesHandoff(items: ItemFacts, h: HandoffFact, f: MetricsFilter): boolean {
  return (
    items.workflow === f.workflow &&
    (f.version === null || items.workflowVersion === f.version) &&
    (f.team === null || h.fromTeam === f.team || h.toTeam === f.team) &&
    (f.edge === null || (h.fromStep === f.edge.from && h.toStep === f.edge.to))
  );
}

function pct3(values: number[]): [number, number, number] | null {
  if (values.length === 0) return null;
  const sorted = values.sort((a, b) => a - b);
  return [0.5, 0.85, 0.95].map((p) => percentile(sorted, p) as number) as [number, number, number];
}

/** An edge with nothing counted yet. */
export function emptyEdgeCounts(edge: {
  fromStep: string;
  toStep: string;
  fromTeam: string;
  toTeam: string;
}): EdgeCounts {
  const { fromStep, toStep, fromTeam, toTeam } = edge;
  return {
    fromStep,
    toStep,
    fromTeam,
    toTeam,
    submitted: 0,
    accepted: 0,
    rejected: 0,
    withdrawn: 0,
    reasons: {},
    failedCriteria: {},
    limboMs: null,
    limboBusinessMs: null,
    bounces: 0,
    questionsAfterAccept: 0,
    pending: 0,
    oldestPendingAt: null,
    slaMet: 0,
    slaBreached: 0,
    surveyReceiver: { total: 0, n: 0 },
    surveySender: { total: 0, n: 0 },
  };
}

/** EdgeCounts recomputed from facts, in no particular order (sort as the store does). */
export function edgeCountsOf(
  all: readonly { itemId: string; facts: ItemFacts }[],
  surveys: readonly SurveyFact[],
  f: MetricsFilter,
): EdgeCounts[] {
  const edges = new Map<string, EdgeCounts & { limbo: number[]; limboB: number[] }>();
  const surveysOf = new Map<string, SurveyFact[]>();
  for (const s of surveys) {
    const k = `${s.itemId}:${s.handoff}`;
    surveysOf.set(k, [...(surveysOf.get(k) ?? []), s]);
  }
  const edge = (h: HandoffFact) => {
    const id = JSON.stringify([h.fromStep, h.toStep, h.fromTeam, h.toTeam]);
    let e = edges.get(id);
    if (!e) {
      e = { ...emptyEdgeCounts(h), limbo: [], limboB: [] };
      edges.set(id, e);
    }
    return e;
  };
  for (const { itemId, facts } of all) {
    for (const h of facts.handoffs) {
      if (!matchesHandoff(facts, h, f)) continue;
      if (h.outcome === "pending") {
        const e = edge(h);
        e.pending++;
        if (e.oldestPendingAt === null || ms(h.submittedAt) < ms(e.oldestPendingAt))
          e.oldestPendingAt = new Date(ms(h.submittedAt)).toISOString();
      }
      if (!inRange(h.submittedAt, f)) continue;
      const e = edge(h);
      e.submitted++;
      if (h.outcome === "accepted") e.accepted++;
      if (h.outcome === "withdrawn") e.withdrawn++;
      if (h.outcome === "rejected") {
        e.rejected++;
        const reason = h.reason ?? "other";
        e.reasons[reason] = (e.reasons[reason] ?? 0) + 1;
        for (const c of h.failedCriteria) e.failedCriteria[c] = (e.failedCriteria[c] ?? 0) + 1;
      }
      if (h.isBounce) e.bounces++;
      e.questionsAfterAccept += h.questionsAfterAccept;
      if (h.limboMs !== null) e.limbo.push(h.limboMs);
      if (h.limboBusinessMs !== null) e.limboB.push(h.limboBusinessMs);
      for (const c of facts.clocks)
        if (c.kind === "accept" && c.handoff === h.handoff) {
          if (c.met) e.slaMet++;
          else e.slaBreached++;
        }
      for (const s of surveysOf.get(`${itemId}:${h.handoff}`) ?? []) {
        const t = s.role === "receiver" ? e.surveyReceiver : e.surveySender;
        t.total += s.score;
        t.n++;
      }
    }
  }
  return [...edges.values()].map(({ limbo, limboB, ...e }) => ({
    ...e,
    limboMs: pct3(limbo),
    limboBusinessMs: pct3(limboB),
  }));
}

const seconds = (v: number | null | undefined) => (v === null || v === undefined ? null : v / 1000);
const average = ({ total, n }: { total: number; n: number }) =>
  n === 0 ? null : Math.round((total / n) * 100) / 100;

/** The API's figures for one edge (`now` dates the age of the oldest handoff in limbo). */
export function presentEdge(e: EdgeCounts, now: Date) {
  return {
    from_step: e.fromStep,
    to_step: e.toStep,
    from_team: e.fromTeam,
    to_team: e.toTeam,
    submitted: e.submitted,
    accepted: e.accepted,
    rejected: e.rejected,
    withdrawn: e.withdrawn,
    rejection_rate: ratio(e.rejected, e.submitted),
    rejections_by_reason: e.reasons,
    failed_criteria: e.failedCriteria,
    limbo_p50_s: seconds(e.limboMs?.[0]),
    limbo_p85_s: seconds(e.limboMs?.[1]),
    limbo_p95_s: seconds(e.limboMs?.[2]),
    limbo_business_p50_s: seconds(e.limboBusinessMs?.[0]),
    limbo_business_p85_s: seconds(e.limboBusinessMs?.[1]),
    limbo_business_p95_s: seconds(e.limboBusinessMs?.[2]),
    in_limbo_now: e.pending,
    oldest_in_limbo_s:
      e.oldestPendingAt === null
        ? null
        : Math.max(0, Math.floor((now.getTime() - ms(e.oldestPendingAt)) / 1000)),
    bounces: e.bounces,
    questions_after_accept: e.questionsAfterAccept,
    sla_met: e.slaMet,
    sla_breached: e.slaBreached,
    sla_attainment: ratio(e.slaMet, e.slaMet + e.slaBreached),
    survey_receiver_avg: average(e.surveyReceiver),
    survey_receiver_count: e.surveyReceiver.n,
    survey_sender_avg: average(e.surveySender),
    survey_sender_count: e.surveySender.n,
  };
}

export type EdgeMetrics = ReturnType<typeof presentEdge>;

/** p50/p85/p95 in ms as seconds. */
export function presentPercentiles(p: [number, number, number] | null) {
  return { p50_s: seconds(p?.[0]), p85_s: seconds(p?.[1]), p95_s: seconds(p?.[2]) };
}

// ---------------------------------------------------------------------------------------------
// Suggestions for the review page. Each follows from the numbers and carries its evidence.

/** A change to the workflow that the figures of one edge argue for. */
export interface Suggestion {
  /** Stable within a review: what a draft is asked for by (`kind:from:to[:detail]`). */
  id: string;
  kind: "add_required_field" | "longer_limit" | "require_meeting" | "drop_criterion";
  from_step: string;
  to_step: string;
  title: string;
  /** Why: the figures and examples behind it. */
  evidence: Record<string, unknown>;
  /** The change a draft makes: the field, criterion or limit concerned. */
  change: { field?: string; criterion?: string; accept_within?: string; meeting?: "required" };
}

/** Distinct items that must mention a field before adding it to `requires` is suggested. */
export const MENTION_ITEMS = 3;
/** Accepted handoffs among which bounces must reach this share (and MIN_BOUNCES) for a meeting. */
export const BOUNCE_SHARE = 0.1;
export const MIN_BOUNCES = 3;
/** Decided handoffs a criterion must have passed, never failing, before dropping it is suggested. */
export const NEVER_FAILS_AFTER = 20;
/** Decided handoffs needed before limbo p85 is compared with the limit. */
export const MIN_DECIDED_FOR_LIMIT = 5;

/** The words a field goes by in free text: its key (underscores as spaces too) and its label. */
function fieldNames(f: { key: string; label?: string | undefined }): string[] {
  const names = [f.key.toLowerCase(), f.key.toLowerCase().replace(/[_-]+/g, " ")];
  if (f.label) names.push(f.label.toLowerCase());
  return [...new Set(names.filter((n) => n.length >= 3))];
}

/** A limit proposed from p85: rounded up to whole hours (or days past 48 hours). */
export function proposedLimit(p85Seconds: number, wall: boolean): string {
  const hours = Math.max(1, Math.ceil(p85Seconds / 3600));
  const text = hours > 48 ? `${Math.ceil(hours / 24)}d` : `${hours}h`;
  return wall ? `${text} wall` : text;
}

export function suggestForEdge({
  edge,
  def,
  texts,
  limit,
}: {
  edge: EdgeMetrics;
  def: WorkflowDef;
  /** Receivers' words on this edge: reject comments and questions after acceptance. */
  texts: readonly { source: string; key: string; text: string }[];
  /** The edge's accept_within in seconds and whether it is wall time; null when none. */
  limit: { text: string; seconds: number; wall: boolean } | null;
}): Suggestion[] {
  const out: Suggestion[] = [];
  const step = def.steps.find((s) => s.key === edge.from_step);
  const handoff = step?.handoff;
  if (!step || !handoff) return out;
  const base = (kind: Suggestion["kind"], detail?: string) => ({
    id: [kind, edge.from_step, edge.to_step, ...(detail === undefined ? [] : [detail])].join(":"),
    kind,
    from_step: edge.from_step,
    to_step: edge.to_step,
  });

  const required = new Set(handoff.requires ?? []);
  for (const f of def.fields) {
    if (required.has(f.key)) continue;
    const names = fieldNames(f);
    const hits = texts.filter((t) => names.some((n) => t.text.toLowerCase().includes(n)));
    const items = new Set(hits.map((h) => h.key));
    if (items.size < MENTION_ITEMS) continue;
    out.push({
      ...base("add_required_field", f.key),
      title: `Receivers keep asking for "${f.label ?? f.key}": add it to the handoff's required fields`,
      evidence: {
        items: items.size,
        mentions: hits.length,
        in_reject_comments: hits.filter((h) => h.source === "reject_comment").length,
        in_questions: hits.filter((h) => h.source === "question").length,
        examples: hits.slice(0, 3),
      },
      change: { field: f.key },
    });
  }

  const decided = edge.accepted + edge.rejected;
  if (limit && decided >= MIN_DECIDED_FOR_LIMIT) {
    const p85 = limit.wall ? edge.limbo_p85_s : edge.limbo_business_p85_s;
    if (p85 !== null && p85 > limit.seconds)
      out.push({
        ...base("longer_limit"),
        title: `Limbo p85 is above accept_within (${limit.text}): add receiver capacity or allow longer`,
        evidence: {
          accept_within: limit.text,
          limit_s: limit.seconds,
          limbo_p85_s: p85,
          measured_in: limit.wall ? "wall time" : "business time of the receiver",
          decided,
          sla_breached: edge.sla_breached,
        },
        change: { accept_within: proposedLimit(p85, limit.wall) },
      });
  }

  if (
    handoff.meeting?.required !== true &&
    edge.bounces >= MIN_BOUNCES &&
    edge.bounces >= BOUNCE_SHARE * edge.accepted
  )
    out.push({
      ...base("require_meeting"),
      title: `Work bounces between ${edge.from_team} and ${edge.to_team}: require a handoff meeting`,
      evidence: { bounces: edge.bounces, accepted: edge.accepted },
      change: { meeting: "required" },
    });

  if (decided >= NEVER_FAILS_AFTER)
    for (const c of handoff.criteria ?? []) {
      if ((edge.failed_criteria[c] ?? 0) > 0) continue;
      out.push({
        ...base("drop_criterion", c),
        title: `"${c}" has never failed: consider dropping it`,
        evidence: { decided, rejected: edge.rejected, failed: 0 },
        change: { criterion: c },
      });
    }
  return out;
}

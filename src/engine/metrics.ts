import { createTwoFilesPatch } from "diff";
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import { type BusinessCalendar, businessMsBetween, parseDuration } from "../domain/calendar.ts";
import { DomainError } from "../domain/errors.ts";
import type { Item } from "../domain/item.ts";
import {
  DEFAULT_PERIOD_DAYS,
  type EdgeMetrics,
  itemFacts,
  MAX_PERIOD_DAYS,
  type MetricsFilter,
  presentEdge,
  presentPercentiles,
  ratio,
  type Suggestion,
  suggestForEdge,
} from "../domain/metrics.ts";
import type { Db } from "../store/db.ts";
import * as store from "../store/metrics.ts";
import type { ChangeFeed } from "./changes.ts";
import type { CacheInvalidation } from "./invalidation.ts";
import type { EngineLogger } from "./logger.ts";
import type { ServiceLevels } from "./service-levels.ts";
import { parseDefinition, type SourceFormat, type Workflows } from "./workflows.ts";

/*
 * Keeps the metrics rollups current and answers metrics queries from them. The rollups are
 * written after a command commits, never in its statement (the hot path stays as it was):
 * - every change this node publishes marks its item dirty; the loop derives dirty items' facts
 *   again within `pollMs`, and every metrics read on this node first does so for what is dirty
 *   (a team sees its own handoff in the figures right away). A command hands over the item as
 *   it committed it (`written`), so those are derived without reading them back; only what
 *   changed otherwise (the timer worker's alerts) is read;
 * - a sweep compares every item's version with its facts' version, at start and every
 *   `sweepMs`: it catches what another node wrote or what a crash left undone;
 * - a calendar change derives again the items of the teams whose calendar changed (business
 *   time moves with the calendar, as the service-level clocks do).
 * Deriving is idempotent and versioned (store.writeFacts), so nodes may overlap freely.
 */

export interface MetricsWorkerOptions {
  /** How soon dirty items are derived again (ms). */
  pollMs?: number;
  /** How often the whole table is swept for stale facts (ms). */
  sweepMs?: number;
}

/**
 * Items derived per transaction. Deriving is CPU work on the event loop (clocks, business
 * time), so batches stay small and the loop yields between them: requests keep their turn
 * while a burst of writes or a backfill is derived.
 */
const BATCH = 50;
/** Items kept as committed by this node's commands until the next flush; more are read back. */
const MAX_COMMITTED = 5_000;
/**
 * Dirty items remembered at most. A node that runs no metrics worker (BATON_WORKERS) only
 * flushes when it answers a metrics read, so past this the sweep of the node that runs the
 * worker catches up what was not remembered, instead of memory growing with every item.
 */
const MAX_DIRTY = 100_000;
/** Items read per sweep page. */
const SWEEP_PAGE = 2_000;

export class Metrics {
  /** The metrics API's queries over the rollups. */
  readonly queries: MetricsQueries;
  /** Items changed on this node, to be read and derived: key → the version it changed to. */
  private readonly dirty = new Map<string, number>();
  /** Items written by this node's commands, as committed: derived from this copy. */
  private readonly committed = new Map<string, store.FactsSource>();
  private flushing: Promise<void> = Promise.resolve();
  private stopped = true;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** Each team's stored calendar (JSON) as last seen, to tell which ones a change touched. */
  private calendars: Promise<Map<string, string>>;

  constructor(
    private readonly deps: {
      db: Db;
      /** Where metrics reads go (a read replica when configured; else `db`). */
      readDb: Db;
      workflows: Workflows;
      sla: ServiceLevels;
      changes: ChangeFeed;
      caches: CacheInvalidation;
      clock: () => Date;
      onError: (e: unknown) => void;
      logger: EngineLogger | undefined;
    },
  ) {
    this.queries = new MetricsQueries(this, deps.workflows, deps.sla, deps.clock);
    this.calendars = store.teamCalendars(deps.db).catch(() => new Map());
    deps.changes.onLocal((c) => this.changed(c.key, c.version));
    deps.caches.on("calendars", () => {
      this.calendarsChanged().catch(deps.onError);
    });
  }

  /** Runs the loop until `stop`. */
  start({ pollMs = 1_000, sweepMs = 15 * 60_000 }: MetricsWorkerOptions = {}): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = (async () => {
      let nextSweep = 0;
      while (!this.stopped) {
        try {
          if (Date.now() >= nextSweep) {
            await this.sweep();
            nextSweep = Date.now() + sweepMs;
          }
          await this.flush();
        } catch (e) {
          this.deps.onError(e);
        }
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, pollMs);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    this.loop = null;
    await this.flushing;
  }

  /** Derives what is dirty now and sweeps the whole table: the rollups are current after it. */
  async catchUp(): Promise<void> {
    await this.flush();
    await this.sweep();
  }

  /** An item changed on this node (to `version`): derive it again soon. */
  private changed(key: string, version: number): void {
    if ((this.committed.get(key)?.item.version ?? -1) >= version) return;
    if (this.dirty.size >= MAX_DIRTY && !this.dirty.has(key)) return;
    this.dirty.set(key, Math.max(version, this.dirty.get(key) ?? -1));
  }

  /**
   * A command of this node committed `item` (call after the commit only: facts of a version
   * that was rolled back would stand in the way of the real one). It is derived from this copy.
   */
  written(source: store.FactsSource): void {
    const { key, version } = source.item;
    if ((this.committed.get(key)?.item.version ?? -1) >= version) return;
    // A node that never flushes (no metrics worker, no metrics reads) keeps keys, not copies.
    if (this.committed.size >= MAX_COMMITTED && !this.committed.has(key)) {
      this.changed(key, version);
      return;
    }
    this.committed.set(key, source);
    if ((this.dirty.get(key) ?? -1) <= version) this.dirty.delete(key);
  }

  /** Derives the facts of the items marked dirty so far. Serialised: one flush at a time. */
  flush(): Promise<void> {
    const run = this.flushing.then(async () => {
      if (this.dirty.size === 0 && this.committed.size === 0) return;
      const dirty = [...this.dirty];
      const committed = [...this.committed.values()];
      this.dirty.clear();
      this.committed.clear();
      try {
        await this.deriveSources(committed);
        const keys = dirty.map(([k]) => k);
        await this.derive(await store.itemIdsByKey(this.deps.db, keys));
      } catch (e) {
        for (const [k, v] of dirty) this.changed(k, v);
        for (const c of committed) this.changed(c.item.key, c.item.version);
        throw e;
      }
    });
    this.flushing = run.catch(() => {});
    return run;
  }

  /** Pages through every item and derives those whose facts are missing or behind. */
  async sweep(): Promise<number> {
    let afterId = "0";
    let derived = 0;
    for (;;) {
      const page = await store.findStale(this.deps.db, { afterId, limit: SWEEP_PAGE });
      derived += await this.derive(page.stale);
      if (page.last === null) return derived;
      afterId = page.last;
    }
  }

  /** Derives the facts of items by row id, in batches. */
  async derive(ids: readonly string[], { force = false }: { force?: boolean } = {}) {
    let written = 0;
    for (let i = 0; i < ids.length; i += BATCH)
      written += await this.deriveSources(
        await store.loadItems(this.deps.db, ids.slice(i, i + BATCH)),
        { force },
      );
    return written;
  }

  /** Derives the facts of items at hand, in batches. */
  private async deriveSources(
    all: readonly store.FactsSource[],
    { force = false }: { force?: boolean } = {},
  ) {
    let written = 0;
    const calendarOf = await this.deps.sla.calendarOf();
    for (let i = 0; i < all.length; i += BATCH) {
      const sources = all.slice(i, i + BATCH);
      const rows: store.FactsRow[] = [];
      for (const s of sources) {
        try {
          rows.push({ itemId: s.itemId, facts: await this.factsOf(s.item, calendarOf) });
        } catch (e) {
          // One item that cannot be derived (a definition that no longer parses) must not stop
          // the others; the next sweep tries it again.
          this.deps.logger?.warn({ err: e, item: s.item.key }, "metrics: item skipped");
        }
      }
      written += await store.writeFacts(this.deps.db, rows, { force });
      await new Promise((resolve) => setImmediate(resolve));
    }
    return written;
  }

  /** An item's facts, on the workflow version it runs on. */
  async factsOf(item: Item, calendarOf?: (team: string) => BusinessCalendar) {
    const def = await this.deps.workflows.definition(item.workflow, item.workflowVersion);
    return itemFacts({ item, def, calendarOf: calendarOf ?? (await this.deps.sla.calendarOf()) });
  }

  private async calendarsChanged(): Promise<void> {
    const before = await this.calendars;
    const next = store.teamCalendars(this.deps.db);
    this.calendars = next.catch(() => before);
    const now = await next;
    const changed = [...new Set([...before.keys(), ...now.keys()])].filter(
      (t) => before.get(t) !== now.get(t),
    );
    for (const team of changed)
      await this.derive(await store.itemIdsOfTeam(this.deps.db, team), { force: true });
  }

  /** The database metrics reads go to, after this node's dirty items are derived. */
  async reader(): Promise<Db> {
    await this.flush();
    return this.deps.readDb;
  }
}

/** What a metrics request asks for, as parsed at the edge (instants as ISO strings). */
export interface MetricsQuery {
  workflow: string;
  version?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
  team?: string | undefined;
  edge?: { from: string; to: string } | undefined;
}

/** Another version or period to compare with (before/after). */
export type Comparison =
  | { version: number }
  | { from: string; to: string }
  /** Another version in another period: imported history (version 0) against a live version. */
  | { version: number; from: string; to: string };

const DAY = 86_400_000;

/** The filter a query means: the last 90 days unless said, checked against the workflow. */
export function filterOf(q: MetricsQuery, now: Date): MetricsFilter {
  const to = q.to ?? now.toISOString();
  const from = q.from ?? new Date(Date.parse(to) - DEFAULT_PERIOD_DAYS * DAY).toISOString();
  const f: MetricsFilter = {
    workflow: q.workflow,
    version: q.version ?? null,
    from,
    to,
    team: q.team ?? null,
    edge: q.edge ?? null,
  };
  checkPeriod(f, MAX_PERIOD_DAYS);
  return f;
}

/** The filter to compare `f` with. */
export function comparedFilter(f: MetricsFilter, c: Comparison): MetricsFilter {
  const other = {
    ...f,
    ...("version" in c ? { version: c.version } : {}),
    ...("from" in c ? { from: c.from, to: c.to } : {}),
  };
  checkPeriod(other, MAX_PERIOD_DAYS);
  return other;
}

const seconds = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? null : ms / 1000;

/** How many points, comments and items a review or flow answer lists at most. */
export const LIST_LIMITS = { points: 2_000, ageing: 500, texts: 200, comments: 50, stalled: 50 };

/** The metrics queries, all read from the rollups (on the read replica when there is one). */
export class MetricsQueries {
  constructor(
    private readonly metrics: Metrics,
    private readonly workflows: Workflows,
    private readonly sla: ServiceLevels,
    private readonly clock: () => Date,
  ) {}

  private async check(f: MetricsFilter): Promise<void> {
    await this.workflows.get(f.workflow, f.version ?? undefined);
  }

  async edges(q: MetricsQuery, compare?: Comparison) {
    const now = this.clock();
    const f = filterOf(q, now);
    await this.check(f);
    const db = await this.metrics.reader();
    const edges = (await store.edgeCounts(db, f)).map((e) => presentEdge(e, now));
    if (!compare) return { period: period(f), edges };
    const g = comparedFilter(f, compare);
    await this.check(g);
    const before = (await store.edgeCounts(db, g)).map((e) => presentEdge(e, now));
    return { period: period(f), edges, compare: { period: period(g), edges: before } };
  }

  /** Per-team figures; with `compare`, the same for the other version or period beside them. */
  async teams(
    q: Omit<MetricsQuery, "workflow" | "edge"> & { workflow?: string | undefined },
    compare?: Comparison,
  ) {
    const now = this.clock();
    const f = filterOf({ ...q, workflow: q.workflow ?? "" }, now);
    const workflow = q.workflow ? q.workflow : null;
    if (workflow !== null) await this.check(f);
    const answer = await this.teamsOf({ ...f, workflow });
    if (!compare) return answer;
    const g = comparedFilter(f, compare);
    if (workflow !== null) await this.check(g);
    return { ...answer, compare: await this.teamsOf({ ...g, workflow }) };
  }

  private async teamsOf(f: Omit<MetricsFilter, "workflow"> & { workflow: string | null }) {
    const db = await this.metrics.reader();
    const weeks = (Date.parse(f.to) - Date.parse(f.from)) / (7 * DAY);
    const rows = await store.teamCounts(db, f);
    return {
      period: period({ ...f, workflow: f.workflow ?? "" }),
      teams: rows.map((t) => {
        const sla = Object.fromEntries(
          Object.entries(t.sla).map(([kind, c]) => [
            kind,
            { met: c.met, breached: c.breached, attainment: ratio(c.met, c.met + c.breached) },
          ]),
        );
        const met = Object.values(t.sla).reduce((n, c) => n + c.met, 0);
        const breached = Object.values(t.sla).reduce((n, c) => n + c.breached, 0);
        return {
          team: t.team,
          wip: t.wip,
          finished: t.finished,
          throughput_per_week: Math.round((t.finished / weeks) * 100) / 100,
          step_time: presentPercentiles(t.stepMs),
          received: t.received,
          rejected_by_team: t.rejectedByTeam,
          sent: t.sent,
          sent_rejected: t.sentRejected,
          sent_rejection_rate: ratio(t.sentRejected, t.sent),
          bounces_received: t.bouncesReceived,
          limbo_as_receiver_business: presentPercentiles(t.limboAsReceiverMs),
          sla,
          attainment: ratio(met, met + breached),
        };
      }),
    };
  }

  /** Flow figures; with `compare`, the same for the other version or period beside them. */
  async flow(q: MetricsQuery, compare?: Comparison) {
    const now = this.clock();
    const f = filterOf(q, now);
    await this.check(f);
    const answer = await this.flowOf(f, now);
    if (!compare) return answer;
    const g = comparedFilter(f, compare);
    await this.check(g);
    return { ...answer, compare: await this.flowOf(g, now) };
  }

  /**
   * Limbo over time: per edge and ISO week of submission (Monday 00:00 UTC), the handoffs
   * submitted, rejected and decided, and the limbo percentiles of those decided.
   */
  async limboSeries(q: MetricsQuery) {
    const now = this.clock();
    const f = filterOf(q, now);
    await this.check(f);
    const db = await this.metrics.reader();
    const rows = await store.edgeWeeks(db, f);
    return {
      period: period(f),
      series: rows.map((r) => ({
        from_step: r.from_step,
        to_step: r.to_step,
        from_team: r.from_team,
        to_team: r.to_team,
        week: r.week.toISOString().slice(0, 10),
        submitted: r.submitted,
        rejected: r.rejected,
        decided: r.decided,
        limbo_p50_s: seconds(r.limbo?.[0]),
        limbo_p85_s: seconds(r.limbo?.[1]),
        limbo_business_p50_s: seconds(r.limboBusiness?.[0]),
        limbo_business_p85_s: seconds(r.limboBusiness?.[1]),
      })),
    };
  }

  private async flowOf(f: MetricsFilter, now: Date) {
    const db = await this.metrics.reader();
    const c = await store.flowCounts(db, f, LIST_LIMITS);
    const active = c.steps.reduce((n, s) => n + s.active, 0);
    const waiting = c.steps.reduce((n, s) => n + s.waiting, 0);
    const stepTimes = new Map(c.steps.map((s) => [s.step, s.ms]));
    const days = new Map<string, Record<string, number>>();
    for (const r of c.cfd) {
      const d = r.day.toISOString().slice(0, 10);
      days.set(d, { ...(days.get(d) ?? {}), [r.step]: r.n });
    }
    let done = 0;
    const doneBy = new Map(c.done.map((r) => [r.day.toISOString().slice(0, 10), r.n]));
    const cfd = [];
    for (let t = Date.parse(f.from.slice(0, 10)); t < Date.parse(f.to); t += DAY) {
      const d = new Date(t).toISOString().slice(0, 10);
      done += doneBy.get(d) ?? 0;
      cfd.push({ day: d, steps: days.get(d) ?? {}, done });
    }
    return {
      period: period(f),
      cycle_time: { count: c.cycle.n, ...presentPercentiles(c.cycle.ms) },
      cycle_points: c.points.map((p) => ({
        key: p.key,
        done_at: p.closed_at.toISOString(),
        cycle_s: p.cycle_ms / 1000,
      })),
      steps: c.steps.map((s) => ({
        step: s.step,
        visits: s.n,
        ...presentPercentiles(s.ms),
        active_s: s.active / 1000,
        waiting_s: s.waiting / 1000,
        flow_efficiency: ratio(s.active, s.active + s.waiting),
      })),
      flow_efficiency: ratio(active, active + waiting),
      throughput: c.throughput.map((r) => ({ week: r.week.toISOString().slice(0, 10), done: r.n })),
      wip: c.wip.map((r) => ({ step: r.step, items: r.n })),
      cfd,
      ageing: c.ageing.map((a) => ({
        key: a.key,
        step: a.step,
        team: a.team,
        age_s: Math.floor((now.getTime() - a.created_at.getTime()) / 1000),
        in_step_s: Math.floor((now.getTime() - a.entered_at.getTime()) / 1000),
        step_p50_s: seconds(stepTimes.get(a.step)?.[0]),
        step_p85_s: seconds(stepTimes.get(a.step)?.[1]),
      })),
    };
  }

  /** The review page: per edge of the current version, the figures, the words and suggestions. */
  async review(q: MetricsQuery, compare?: Comparison) {
    const now = this.clock();
    const f = filterOf(q, now);
    const current = await this.workflows.get(f.workflow, f.version ?? undefined);
    const def = current.definition;
    const db = await this.metrics.reader();
    const calendarOf = await this.sla.calendarOf();
    const [counts, texts, comments, stalled, before] = await Promise.all([
      store.edgeCounts(db, f),
      store.edgeTexts(db, f, { limit: LIST_LIMITS.texts }),
      store.surveyComments(db, f, { limit: LIST_LIMITS.comments }),
      store.pendingHandoffs(db, f, { limit: LIST_LIMITS.stalled }),
      compare ? store.edgeCounts(db, comparedFilter(f, compare)) : Promise.resolve(null),
    ]);
    const sameEdge = (a: { from_step: string; to_step: string }, e: EdgeMetrics) =>
      a.from_step === e.from_step && a.to_step === e.to_step;
    const edges = counts.map((c) => {
      const e = presentEdge(c, now);
      const step = def.steps.find((s) => s.key === e.from_step);
      const within = step?.handoff?.accept_within;
      const limit = within
        ? (() => {
            const d = parseDuration(within, calendarOf(e.to_team));
            return { text: within, seconds: d.seconds, wall: d.wall };
          })()
        : null;
      const words = texts.filter((t) => sameEdge(t, e));
      const suggestions: Suggestion[] = suggestForEdge({ edge: e, def, texts: words, limit });
      const was = before?.find(
        (b) => b.fromStep === e.from_step && b.toStep === e.to_step && b.toTeam === e.to_team,
      );
      return {
        ...e,
        accept_within: within ?? null,
        accept_within_s: limit?.seconds ?? null,
        top_reasons: Object.entries(e.rejections_by_reason)
          .sort((a, b) => b[1] - a[1])
          .map(([reason, n]) => ({ reason, count: n })),
        criteria_failed: Object.entries(e.failed_criteria)
          .sort((a, b) => b[1] - a[1])
          .map(([criterion, n]) => ({ criterion, count: n })),
        reject_comments: words
          .filter((t) => t.source === "reject_comment")
          .slice(0, LIST_LIMITS.comments)
          .map((t) => ({ key: t.key, reason: t.reason, comment: t.text, at: t.at.toISOString() })),
        questions: words
          .filter((t) => t.source === "question")
          .slice(0, LIST_LIMITS.comments)
          .map((t) => ({ key: t.key, body: t.text, at: t.at.toISOString() })),
        survey_comments: comments
          .filter((s) => sameEdge(s, e))
          .map((s) => ({
            key: s.key,
            role: s.role,
            score: s.score,
            comment: s.comment,
            at: s.at.toISOString(),
          })),
        stalled: stalled
          .filter((s) => sameEdge(s, e))
          .map((s) => ({
            key: s.key,
            to_team: s.to_team,
            submitted_at: s.submitted_at.toISOString(),
            in_limbo_s: Math.floor((now.getTime() - s.submitted_at.getTime()) / 1000),
            over_limit:
              limit !== null &&
              (limit.wall
                ? now.getTime() - s.submitted_at.getTime()
                : businessMsBetween(
                    s.submitted_at.getTime(),
                    now.getTime(),
                    calendarOf(s.to_team),
                  )) >
                limit.seconds * 1000,
          })),
        suggestions,
        compare: was ? presentEdge(was, now) : null,
      };
    });
    return {
      workflow: f.workflow,
      version: current.version,
      period: period(f),
      ...(compare ? { compare: period(comparedFilter(f, compare)) } : {}),
      edges,
    };
  }

  /**
   * The next version a suggestion of the review (over the same period) leads to: the source
   * with the change, validated, and its diff against the current version. Nothing is published.
   */
  async draft({
    workflow,
    suggestion,
    from,
    to,
  }: {
    workflow: string;
    suggestion: string;
    from?: string | undefined;
    to?: string | undefined;
  }) {
    const review = await this.review({ workflow, from, to });
    const s = review.edges.flatMap((e) => e.suggestions).find((x) => x.id === suggestion);
    if (!s)
      throw new DomainError(
        "not_found",
        `No suggestion "${suggestion}" in the review of ${workflow} for this period.`,
        { errors: [{ path: "suggestion", message: "is not one of the review's suggestions" }] },
      );
    const current = await this.workflows.get(workflow);
    const source = applySuggestion(current.source, current.sourceFormat, s);
    const definition = await this.workflows.validate(parseDefinition(source, current.sourceFormat));
    const ext = current.sourceFormat === "json" ? "json" : "yaml";
    return {
      workflow,
      base_version: current.version,
      suggestion: s,
      source,
      source_format: current.sourceFormat,
      diff: createTwoFilesPatch(
        `${workflow}.v${current.version}.${ext}`,
        `${workflow}.draft.${ext}`,
        current.source,
        source,
      ),
      definition,
    };
  }
}

/**
 * The definition's source with a suggestion applied. YAML is edited as a document, so the
 * author's comments, order and layout stay; JSON is rewritten with two-space indents.
 */
export function applySuggestion(source: string, format: SourceFormat, s: Suggestion): string {
  if (format === "json") {
    const def = JSON.parse(source) as { steps: Record<string, unknown>[] };
    const step = def.steps.find((x) => x.key === s.from_step);
    if (!step) throw missingStep(s);
    const handoff = (step.handoff ?? {}) as Record<string, unknown>;
    step.handoff = handoff;
    if (s.change.field !== undefined)
      handoff.requires = [...((handoff.requires as string[]) ?? []), s.change.field];
    if (s.change.accept_within !== undefined) handoff.accept_within = s.change.accept_within;
    if (s.change.meeting === "required")
      handoff.meeting = { ...((handoff.meeting as object) ?? {}), required: true };
    if (s.change.criterion !== undefined)
      handoff.criteria = ((handoff.criteria as string[]) ?? []).filter(
        (c) => c !== s.change.criterion,
      );
    return `${JSON.stringify(def, null, 2)}\n`;
  }
  const doc = parseDocument(source);
  const steps = doc.get("steps");
  if (!isSeq(steps)) throw missingStep(s);
  const index = steps.items.findIndex((x) => isMap(x) && x.get("key") === s.from_step);
  if (index < 0) throw missingStep(s);
  const at = (...path: (string | number)[]) => ["steps", index, "handoff", ...path];
  if (s.change.field !== undefined) {
    const requires = doc.getIn(at("requires"));
    if (isSeq(requires)) requires.add(doc.createNode(s.change.field));
    else doc.setIn(at("requires"), doc.createNode([s.change.field], { flow: true }));
  }
  if (s.change.accept_within !== undefined) doc.setIn(at("accept_within"), s.change.accept_within);
  if (s.change.meeting === "required") doc.setIn(at("meeting", "required"), true);
  if (s.change.criterion !== undefined) {
    const criteria = doc.getIn(at("criteria"));
    if (isSeq(criteria)) {
      const i = criteria.items.findIndex((c) => (isScalar(c) ? c.value : c) === s.change.criterion);
      if (i >= 0) criteria.delete(i);
    }
  }
  return doc.toString({ flowCollectionPadding: false });
}

function missingStep(s: Suggestion): DomainError {
  return new DomainError("not_found", `The current version has no step "${s.from_step}".`);
}

const period = (f: MetricsFilter) => ({
  from: f.from,
  to: f.to,
  version: f.version,
  team: f.team,
  edge: f.edge === null ? null : `${f.edge.from}:${f.edge.to}`,
});

/** A filter's period, checked: `from` before `to`, at most `maxDays` apart. */
export function checkPeriod(f: Pick<MetricsFilter, "from" | "to">, maxDays: number): void {
  const [from, to] = [Date.parse(f.from), Date.parse(f.to)];
  if (!(from < to))
    throw new DomainError("invalid_input", "from: must be before to", {
      errors: [{ path: "query.from", message: "must be before to" }],
    });
  if (to - from > maxDays * 86_400_000)
    throw new DomainError("invalid_input", `to: the period spans at most ${maxDays} days`, {
      errors: [{ path: "query.to", message: `the period spans at most ${maxDays} days` }],
    });
}

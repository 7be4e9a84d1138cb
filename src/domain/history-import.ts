import type { ItemEvent } from "./item.ts";
import type { StepDef, WorkflowDef } from "./workflow.ts";

/*
 * Imported history (docs/mining.md): how a case mined from another tool's event log becomes a
 * closed Baton item. Pure: the case (its team path with the time of each run's first and last
 * event) and the workflow in, the item's events out.
 *
 * - A log team is a Baton team by `mapping` (given), else by the key `--propose` gives its name
 *   (teamKeyOf). A team that owns no step of the workflow is unmapped: the import refuses to
 *   start, or with `skipUnmapped` leaves its events out (as events without a team).
 * - A run of a team is a visit of one of that team's steps: the step the current step hands to
 *   (`handoff.to` or a route's `to`) when the team owns it, else the team's first step in the
 *   workflow. Consecutive runs that land on the same step are one visit.
 * - The item is created at the case's first event, in the first run's step. Between two visits
 *   the sender submits at its run's last event and the receiver accepts at its run's first
 *   event: limbo is the mined transfer gap. The item completes at the case's last event.
 */

/** The actor of imported events: nobody in Baton did them. */
export const IMPORT_ACTOR = "import";

/** The workflow version imported items run on: the process as it was, beside 1, 2, … */
export const IMPORTED_VERSION = 0;

/** A mined case, as the miner folds it (src/mining/metrics.ts FoldedCase). */
export interface ImportCase {
  id: string;
  first: number;
  last: number;
  runs: readonly { team: string; first: number; last: number }[];
}

/** How log teams map onto the workflow: Baton team per log team, or null (unmapped). */
export interface TeamPlan {
  teamOf: ReadonlyMap<string, string | null>;
  /** Log teams that map to no team owning a step, with their events (most first). */
  unmapped: { team: string; events: number; mappedTo: string }[];
}

/**
 * Maps each log team onto a Baton team that owns a step of `def`. `mapping` (log team → team
 * key) wins; the rest go by `keyOf` (the key --propose writes for the name).
 */
export function planTeams({
  def,
  logTeams,
  mapping,
  keyOf,
}: {
  def: WorkflowDef;
  /** The log's teams with their event counts. */
  logTeams: readonly { team: string; events: number }[];
  mapping: ReadonlyMap<string, string>;
  keyOf: (name: string) => string;
}): TeamPlan {
  const owners = new Set(def.steps.map((s) => s.team));
  const teamOf = new Map<string, string | null>();
  const unmapped: TeamPlan["unmapped"] = [];
  for (const { team, events } of logTeams) {
    const key = mapping.get(team) ?? keyOf(team);
    if (owners.has(key)) teamOf.set(team, key);
    else {
      teamOf.set(team, null);
      unmapped.push({ team, events, mappedTo: key });
    }
  }
  unmapped.sort((a, b) => b.events - a.events || (a.team < b.team ? -1 : 1));
  return { teamOf, unmapped };
}

/** The steps a step hands to (its `to` and every route's `to`). */
function successors(step: StepDef): string[] {
  const h = step.handoff;
  if (!h) return [];
  return [...(h.to ? [h.to] : []), ...(h.routes ?? []).map((r) => r.to)];
}

/** One visit of a step: the team's run(s) of events there. */
export interface PlannedVisit {
  step: string;
  team: string;
  first: number;
  last: number;
}

/** The visits of a case on `def`, or an empty list when none of its teams maps. */
export function planVisits(
  c: ImportCase,
  def: WorkflowDef,
  teamOf: ReadonlyMap<string, string | null>,
): PlannedVisit[] {
  const byKey = new Map(def.steps.map((s) => [s.key, s]));
  const visits: PlannedVisit[] = [];
  for (const run of c.runs) {
    const team = teamOf.get(run.team);
    if (team === undefined || team === null) continue;
    const current = visits.at(-1);
    const next = current ? successors(byKey.get(current.step) as StepDef) : [];
    const step =
      next.map((k) => byKey.get(k)).find((s) => s?.team === team) ??
      def.steps.find((s) => s.team === team);
    if (!step) continue;
    if (current && current.step === step.key) current.last = run.last;
    else visits.push({ step: step.key, team, first: run.first, last: run.last });
  }
  return visits;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The events of the closed item a case becomes (empty when no visit maps). `key` is the item's
 * key; the title is the case id.
 */
export function importedEvents({
  c,
  def,
  visits,
  key,
}: {
  c: ImportCase;
  def: WorkflowDef;
  visits: readonly PlannedVisit[];
  key: string;
}): ItemEvent[] {
  const first = visits[0];
  if (!first) return [];
  const actor = IMPORT_ACTOR;
  const events: ItemEvent[] = [
    {
      type: "item.created",
      actor,
      at: iso(Math.min(c.first, first.first)),
      data: {
        key,
        title: c.id,
        workflow: def.key,
        workflowVersion: IMPORTED_VERSION,
        step: first.step,
        team: first.team,
        fields: {},
      },
    },
  ];
  for (let i = 1; i < visits.length; i++) {
    const from = visits[i - 1] as PlannedVisit;
    const to = visits[i] as PlannedVisit;
    events.push(
      {
        type: "handoff.submitted",
        actor,
        at: iso(from.last),
        data: {
          handoff: i,
          fromStep: from.step,
          fromTeam: from.team,
          toStep: to.step,
          toTeam: to.team,
          note: null,
          confirmed: [],
          package: {},
        },
      },
      { type: "handoff.accepted", actor, at: iso(to.first), data: { handoff: i, assignee: null } },
    );
  }
  const lastVisit = visits.at(-1) as PlannedVisit;
  events.push({
    type: "item.completed",
    actor,
    at: iso(Math.max(c.last, lastVisit.last)),
    data: {},
  });
  return events;
}

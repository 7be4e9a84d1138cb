import type { Condition, HandoffDef, StepDef, WorkflowDef } from "../../api/types.ts";

/*
 * Lays a workflow out as swimlanes: one vertical lane per team (in order of first appearance),
 * steps placed in rows by their distance from the first step along handoffs, and below each
 * step that hands off, a card with what the handoff requires. Arrows run from the step to its
 * card and from the card to each possible next step. A general layered layout (ELK) cannot keep
 * steps inside their team's lane; this one does, is deterministic, fits a laptop screen at full
 * size for the usual three to six teams, and needs no layout engine. Pure, so it is testable.
 */

export const LANE_W = 250;
export const LANE_HEADER_H = 44;
export const NODE_W = 210;
export const NODE_H = 72;
export const CARD_W = 210;
const GAP = 26;
const ROW_GAP = 44;
const LINE_H = 16;

export interface Transition {
  id: string;
  from: string;
  to: string;
  /** "tier = enterprise", "otherwise", or null for a plain handoff. */
  condition: string | null;
}

export interface LaidStep {
  step: StepDef;
  rank: number;
  x: number;
  y: number;
  /** The handoff card below the step, if the step hands off. */
  card: { x: number; y: number; height: number; handoff: HandoffDef } | null;
}

export interface Lane {
  team: string;
  x: number;
}

export interface Layout {
  steps: LaidStep[];
  lanes: Lane[];
  transitions: Transition[];
  width: number;
  height: number;
}

/** Says a route condition in words: `tier = enterprise`, `all of (…)`. */
export function describeCondition(c: Condition): string {
  if ("all" in c) return `all of (${c.all.map(describeCondition).join(", ")})`;
  if ("any" in c) return `any of (${c.any.map(describeCondition).join(", ")})`;
  if ("not" in c) return `not (${describeCondition(c.not)})`;
  const { field, ...ops } = c;
  const words: Record<string, string> = {
    equals: "=",
    not_equals: "≠",
    in: "in",
    gt: ">",
    gte: "≥",
    lt: "<",
    lte: "≤",
  };
  const parts = Object.entries(ops).map(([op, v]) =>
    op === "set"
      ? `${field} ${v ? "is set" : "is empty"}`
      : `${field} ${words[op] ?? op} ${Array.isArray(v) ? v.join("/") : String(v)}`,
  );
  return parts.join(" and ") || field;
}

/** Every way out of every step: one per `to`, or one per route. */
export function transitionsOf(def: WorkflowDef): Transition[] {
  const out: Transition[] = [];
  for (const s of def.steps) {
    const h = s.handoff;
    if (!h) continue;
    if (h.to) out.push({ id: `${s.key}->${h.to}`, from: s.key, to: h.to, condition: null });
    for (const [i, r] of (h.routes ?? []).entries())
      out.push({
        id: `${s.key}->${r.to}#${i}`,
        from: s.key,
        to: r.to,
        condition: r.when ? describeCondition(r.when) : "otherwise",
      });
  }
  return out;
}

/** Roughly how tall a handoff card renders: a title line, the requirements, each criterion. */
export function cardHeight(h: HandoffDef, fieldLabels: (k: string) => string): number {
  const chars = (s: string) => Math.max(1, Math.ceil(s.length / 30));
  let lines = 1;
  const requires = (h.requires ?? []).map(fieldLabels).join(", ");
  if (requires) lines += chars(`Needs: ${requires}`);
  for (const c of h.criteria ?? []) lines += chars(`✓ ${c}`);
  if (h.accept_within) lines += 1;
  if (h.meeting) lines += 1;
  return 16 + lines * LINE_H;
}

export function layoutWorkflow(def: WorkflowDef): Layout {
  const transitions = transitionsOf(def);
  const known = new Set(def.steps.map((s) => s.key));
  const label = (k: string) => def.fields.find((f) => f.key === k)?.label ?? k;

  // Rank = fewest handoffs from the first step (BFS); unreachable steps go after the rest.
  const rank = new Map<string, number>();
  const first = def.steps[0]?.key;
  if (first) {
    rank.set(first, 0);
    const queue = [first];
    for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
      const r = rank.get(s) ?? 0;
      for (const t of transitions)
        if (t.from === s && known.has(t.to) && !rank.has(t.to)) {
          rank.set(t.to, r + 1);
          queue.push(t.to);
        }
    }
  }
  let maxRank = Math.max(0, ...rank.values());
  for (const s of def.steps) if (!rank.has(s.key)) rank.set(s.key, ++maxRank);

  const teams: string[] = [];
  for (const s of def.steps) if (!teams.includes(s.team)) teams.push(s.team);
  const lanes = teams.map((team, i) => ({ team, x: i * LANE_W }));

  // Each (lane, row) cell stacks its steps; a row is as tall as its tallest cell.
  const blockH = (s: StepDef) => NODE_H + (s.handoff ? GAP + cardHeight(s.handoff, label) : 0);
  const rowHeights: number[] = [];
  for (let r = 0; r <= maxRank; r++) {
    let tallest = NODE_H;
    for (const team of teams) {
      const cell = def.steps.filter((s) => s.team === team && rank.get(s.key) === r);
      const h = cell.reduce((sum, s) => sum + blockH(s), 0) + Math.max(0, cell.length - 1) * GAP;
      tallest = Math.max(tallest, h);
    }
    rowHeights.push(tallest);
  }
  const rowTop: number[] = [];
  let y = LANE_HEADER_H + 24;
  for (const h of rowHeights) {
    rowTop.push(y);
    y += h + ROW_GAP;
  }

  const filled = new Map<string, number>();
  const steps: LaidStep[] = def.steps.map((s) => {
    const r = rank.get(s.key) ?? 0;
    const lane = lanes.find((l) => l.team === s.team) as Lane;
    const cellKey = `${s.team}|${r}`;
    const top = (rowTop[r] ?? 0) + (filled.get(cellKey) ?? 0);
    filled.set(cellKey, (filled.get(cellKey) ?? 0) + blockH(s) + GAP);
    const x = lane.x + (LANE_W - NODE_W) / 2;
    return {
      step: s,
      rank: r,
      x,
      y: top,
      card: s.handoff
        ? {
            x: lane.x + (LANE_W - CARD_W) / 2,
            y: top + NODE_H + GAP,
            height: cardHeight(s.handoff, label),
            handoff: s.handoff,
          }
        : null,
    };
  });
  return { steps, lanes, transitions, width: teams.length * LANE_W, height: y };
}

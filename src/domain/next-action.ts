import { meetingBlock } from "./decide/meetings.ts";
import { type Item, nextTeam, pendingHandoff } from "./item.ts";
import { routeHandoff, stepOf, type WorkflowDef } from "./workflow.ts";

/** Who moves next and what they must do, in words a person acts on. */
export interface NextAction {
  team: string;
  action: string;
  /** Whether the next team can accept the pending handoff now (false in every other state). */
  canAccept: boolean;
  /** What keeps the pending handoff from being accepted now, or null. */
  blockedBy: { code: "meeting_required"; detail: string } | null;
}

/**
 * Says what the next actor must do. `teamName` turns a team key into its display name.
 * Closed items have no next action.
 */
export function describeNext(
  item: Item,
  def: WorkflowDef,
  teamName: (key: string) => string,
): NextAction | null {
  const team = nextTeam(item);
  if (team === null) return null;
  const step = stepOf(def, item.step);
  const stepName = step.name ?? step.key;
  const act = (
    action: string,
    canAccept = false,
    blockedBy: NextAction["blockedBy"] = null,
  ): NextAction => ({ team, action, canAccept, blockedBy });
  switch (item.status) {
    case "awaiting_acceptance": {
      const from = teamName(pendingHandoff(item)?.fromTeam ?? item.ownerTeam);
      const block = meetingBlock(item, def);
      if (block)
        return act(`Hold the handoff meeting with ${from}, then accept or reject`, false, {
          code: "meeting_required",
          detail: block,
        });
      return act(`Accept or reject the handoff from ${from}`, true);
    }
    case "paused":
      return act(`Resume "${stepName}" (paused: ${item.paused?.reason ?? "no reason given"})`);
    case "in_progress": {
      if (!step.handoff) return act(`Finish "${stepName}" and complete the item`);
      const to = routeHandoff(step, item.fields);
      const target = to ? ` to ${teamName(stepOf(def, to).team)}` : "";
      if (item.returned)
        return act(
          `Rework "${stepName}" and hand off again${target} (returned by ${teamName(item.returned.fromTeam)}: ${item.returned.reason})`,
        );
      return act(`Finish "${stepName}" and hand off${target}`);
    }
    default:
      return null;
  }
}

/** The steps the item has passed, the one it is in and those expected next (following routes). */
export function stepPath(
  item: Item,
  def: WorkflowDef,
): { step: string; name: string; team: string; status: "done" | "current" | "upcoming" }[] {
  const done = item.handoffs.filter((h) => h.outcome === "accepted").map((h) => h.fromStep);
  const upcoming: string[] = [];
  if (item.status !== "done" && item.status !== "cancelled") {
    const seen = new Set([...done, item.step]);
    for (let s = routeHandoff(stepOf(def, item.step), item.fields); s && !seen.has(s); ) {
      upcoming.push(s);
      seen.add(s);
      s = routeHandoff(stepOf(def, s), item.fields);
    }
  }
  const entry = (key: string, status: "done" | "current" | "upcoming") => {
    const s = stepOf(def, key);
    return { step: key, name: s.name ?? key, team: s.team, status };
  };
  const current = item.status === "done" ? "done" : "current";
  return [
    ...done.map((k) => entry(k, "done")),
    entry(item.step, current),
    ...upcoming.map((k) => entry(k, "upcoming")),
  ];
}

import { meetingBlock } from "./decide.ts";
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

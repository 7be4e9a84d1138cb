import { type Item, nextTeam, pendingHandoff } from "./item.ts";
import { routeHandoff, stepOf, type WorkflowDef } from "./workflow.ts";

/** Who moves next and what they must do, in words a person acts on. */
export interface NextAction {
  team: string;
  action: string;
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
  switch (item.status) {
    case "awaiting_acceptance": {
      const h = pendingHandoff(item);
      return {
        team,
        action: `Accept or reject the handoff from ${teamName(h?.fromTeam ?? item.ownerTeam)}`,
      };
    }
    case "paused":
      return {
        team,
        action: `Resume "${stepName}" (paused: ${item.paused?.reason ?? "no reason given"})`,
      };
    case "in_progress": {
      if (!step.handoff) return { team, action: `Finish "${stepName}" and complete the item` };
      const to = routeHandoff(step, item.fields);
      const target = to ? ` to ${teamName(stepOf(def, to).team)}` : "";
      if (item.returned)
        return {
          team,
          action: `Rework "${stepName}" and hand off again${target} (returned by ${teamName(item.returned.fromTeam)}: ${item.returned.reason})`,
        };
      return { team, action: `Finish "${stepName}" and hand off${target}` };
    }
    default:
      return null;
  }
}

import type { Command, OpenItemContext } from "../decide.ts";
import { assertNever, DomainError } from "../errors.ts";
import { type Item, type ItemEventBody, pendingHandoff, rejectReasons } from "../item.ts";
import { routeHandoff, stepOf } from "../workflow.ts";
import { meetingBlock } from "./meetings.ts";
import {
  criteriaNotMet,
  missingForHandoff,
  requireTeam,
  requireText,
  wrongState,
} from "./rules.ts";

/** A handoff: submitted and withdrawn by the owning team, accepted or rejected by the receiver. */
export function decideHandoff(
  item: Item,
  cmd: Extract<Command, { type: "submit" | "withdraw" | "accept" | "reject" }>,
  ctx: OpenItemContext,
): ItemEventBody[] {
  const { actor, def, step } = ctx;
  switch (cmd.type) {
    case "submit": {
      if (item.status !== "in_progress")
        throw wrongState(
          item,
          item.status === "awaiting_acceptance"
            ? `${item.key} has already been handed off and awaits acceptance.`
            : `${item.key} must be in progress to hand off.`,
        );
      requireTeam(actor, item.ownerTeam, item);
      if (!step.handoff)
        throw wrongState(
          item,
          `"${step.name ?? step.key}" is the final step: complete ${item.key} instead of handing it off.`,
        );
      const confirm = cmd.confirm ?? [];
      const criteria = step.handoff.criteria ?? [];
      const unknown = confirm.filter((c) => !criteria.includes(c));
      if (unknown.length > 0)
        throw new DomainError(
          "invalid_input",
          `Not a criterion of this handoff: ${unknown.map((c) => `"${c}"`).join(", ")}.`,
          {
            errors: unknown.map((c) => ({ path: "confirm", message: `unknown criterion "${c}"` })),
          },
        );
      const missing = missingForHandoff(item, step, def, confirm);
      if (missing.length > 0) throw criteriaNotMet(missing, "hand off");
      const toStep = routeHandoff(step, item.fields);
      if (!toStep)
        throw new DomainError(
          "no_route",
          `No route of step "${step.key}" matches the fields of ${item.key}.`,
        );
      const to = stepOf(def, toStep);
      return [
        {
          type: "handoff.submitted",
          data: {
            handoff: item.handoffs.length + 1,
            fromStep: step.key,
            fromTeam: item.ownerTeam,
            toStep: to.key,
            toTeam: to.team,
            note: cmd.note?.trim() || null,
            confirmed: criteria.filter((c) => confirm.includes(c)),
            package: { ...item.fields },
          },
        },
      ];
    }
    case "withdraw": {
      const h = pendingHandoff(item);
      if (!h) throw wrongState(item, `${item.key} has no handoff awaiting acceptance to withdraw.`);
      requireTeam(actor, h.fromTeam, item);
      return [{ type: "handoff.withdrawn", data: { handoff: h.id } }];
    }
    case "accept": {
      const h = pendingHandoff(item);
      if (!h) throw wrongState(item, `${item.key} has no handoff awaiting acceptance.`);
      requireTeam(actor, h.toTeam, item);
      const block = meetingBlock(item, def);
      if (block)
        throw new DomainError("meeting_required", `Cannot accept ${item.key} yet: ${block}.`, {
          handoff: h.id,
        });
      const assignee = item.assignee ?? (actor.teams.includes(h.toTeam) ? actor.email : null);
      return [{ type: "handoff.accepted", data: { handoff: h.id, assignee } }];
    }
    case "reject": {
      const h = pendingHandoff(item);
      if (!h) throw wrongState(item, `${item.key} has no handoff awaiting acceptance.`);
      requireTeam(actor, h.toTeam, item);
      if (!rejectReasons.includes(cmd.reason))
        throw new DomainError(
          "invalid_input",
          `reason must be one of ${rejectReasons.join(", ")}.`,
          {
            errors: [{ path: "reason", message: `must be one of ${rejectReasons.join(", ")}` }],
          },
        );
      const comment = requireText(cmd.comment, "comment");
      const criteria = stepOf(def, h.fromStep).handoff?.criteria ?? [];
      const failed = cmd.failedCriteria ?? [];
      const unknown = failed.filter((c) => !criteria.includes(c));
      if (unknown.length > 0)
        throw new DomainError(
          "invalid_input",
          `Not a criterion of this handoff: ${unknown.map((c) => `"${c}"`).join(", ")}.`,
          {
            errors: unknown.map((c) => ({
              path: "failed_criteria",
              message: `unknown criterion "${c}"`,
            })),
          },
        );
      return [
        {
          type: "handoff.rejected",
          data: {
            handoff: h.id,
            reason: cmd.reason,
            comment,
            failedCriteria: failed,
            assignee: h.submittedBy,
          },
        },
      ];
    }
    default:
      return assertNever(cmd, "command");
  }
}

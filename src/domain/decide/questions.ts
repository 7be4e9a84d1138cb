import type { Command, OpenItemContext } from "../decide.ts";
import { assertNever, DomainError } from "../errors.ts";
import { type Item, type ItemEventBody, isClosed } from "../item.ts";
import { nextStepKeys, stepOf, type WorkflowDef } from "../workflow.ts";
import { requireTeam, requireText, wrongState } from "./rules.ts";

/**
 * The teams on an item's path: every team that owned or was handed it, the current owner, and
 * the teams the current step can hand it to (every route, since fields may still change the
 * route). Only these may ask or be asked questions about it (admins aside).
 */
export function pathTeams(item: Item, def: WorkflowDef): string[] {
  const teams = new Set([...item.teams, item.ownerTeam]);
  if (!isClosed(item.status))
    for (const to of nextStepKeys(stepOf(def, item.step))) teams.add(stepOf(def, to).team);
  return [...teams];
}

/** Questions between the teams on the item's path, and their answers. */
export function decideQuestion(
  item: Item,
  cmd: Extract<Command, { type: "ask" | "answer" }>,
  ctx: OpenItemContext,
): ItemEventBody[] {
  const { actor, def } = ctx;
  switch (cmd.type) {
    case "ask": {
      const fromTeam = cmd.fromTeam ?? actor.teams[0];
      if (!fromTeam)
        throw new DomainError(
          "not_your_team",
          "Only a member of a team can ask another team a question.",
        );
      requireTeam(actor, fromTeam, item);
      if (cmd.toTeam === fromTeam)
        throw new DomainError("invalid_input", "Ask another team; a team does not ask itself.", {
          errors: [{ path: "to_team", message: "must be another team than the asker's" }],
        });
      if (!actor.isAdmin) {
        // A question is about the work: only teams it passed, holds or can go to ask and answer.
        const path = pathTeams(item, def);
        for (const [team, side] of [
          [fromTeam, "ask"],
          [cmd.toTeam, "be asked"],
        ] as const)
          if (!path.includes(team))
            throw new DomainError(
              "not_on_path",
              `Team ${team} is not on the path of ${item.key} and cannot ${side} questions about it; only ${path.join(", ")} can.`,
              { team, path_teams: path },
            );
      }
      return [
        {
          type: "question.asked",
          data: {
            question: item.questions.length + 1,
            fromTeam,
            toTeam: cmd.toTeam,
            body: requireText(cmd.body, "body"),
          },
        },
      ];
    }
    case "answer": {
      const q = item.questions.find((x) => x.id === cmd.question);
      if (!q) throw new DomainError("not_found", `${item.key} has no question #${cmd.question}.`);
      requireTeam(actor, q.toTeam, item);
      if (q.answer) throw wrongState(item, `Question #${q.id} on ${item.key} is already answered.`);
      return [
        {
          type: "question.answered",
          data: { question: q.id, body: requireText(cmd.body, "body") },
        },
      ];
    }
    default:
      return assertNever(cmd, "command");
  }
}

import { DUE_MESSAGE, DUE_YEARS, parseDue } from "../dates.ts";
import type { Command, DecideContext, OpenItemContext } from "../decide.ts";
import { assertNever, DomainError } from "../errors.ts";
import type { Item, ItemEventBody } from "../item.ts";
import { checkFieldValue, type StepDef, stepOf } from "../workflow.ts";
import {
  checkFields,
  checkVersion,
  criteriaNotMet,
  isMember,
  missingForHandoff,
  requireTeam,
  requireText,
  wrongState,
} from "./rules.ts";

/** Claim and assign; complete, cancel, pause and resume; migrate to another version. */
export function decideLifecycle(
  item: Item,
  cmd: Extract<
    Command,
    { type: "claim" | "assign" | "complete" | "cancel" | "pause" | "resume" | "migrate" }
  >,
  ctx: OpenItemContext,
): ItemEventBody[] {
  const { actor, def, step, next } = ctx;
  switch (cmd.type) {
    case "claim": {
      if (!actor.teams.includes(next))
        throw new DomainError(
          "not_your_team",
          `Only members of the team that acts next can claim ${item.key}.`,
          { team: next },
        );
      return item.assignee === actor.email
        ? []
        : [{ type: "item.assigned", data: { assignee: actor.email } }];
    }
    case "assign": {
      requireTeam(actor, next, item);
      if (cmd.email !== null && !cmd.assigneeTeams.includes(next))
        throw new DomainError(
          "not_a_member",
          `${cmd.email} is not a member of the team that acts next on ${item.key}.`,
          {
            team: next,
          },
        );
      return item.assignee === cmd.email
        ? []
        : [{ type: "item.assigned", data: { assignee: cmd.email } }];
    }
    case "migrate":
      return decideMigrate(item, cmd, ctx);
    case "complete": {
      if (item.status !== "in_progress")
        throw wrongState(item, `${item.key} must be in progress to complete.`);
      requireTeam(actor, item.ownerTeam, item);
      if (step.handoff)
        throw wrongState(
          item,
          `"${step.name ?? step.key}" is not the final step: hand ${item.key} off instead.`,
        );
      const missing = missingForHandoff(item, step, def, []);
      if (missing.length > 0) throw criteriaNotMet(missing, "complete");
      return [{ type: "item.completed", data: {} }];
    }
    case "cancel": {
      if (!isMember(actor, next) && !isMember(actor, item.ownerTeam))
        requireTeam(actor, next, item);
      return [
        { type: "item.cancelled", data: { reason: requireText(cmd.reason, "reason", 1000) } },
      ];
    }
    case "pause": {
      if (item.status !== "in_progress")
        throw wrongState(
          item,
          item.status === "paused"
            ? `${item.key} is already paused.`
            : `Only work in progress can be paused; ${item.key} awaits acceptance.`,
        );
      requireTeam(actor, item.ownerTeam, item);
      return [{ type: "item.paused", data: { reason: requireText(cmd.reason, "reason", 1000) } }];
    }
    case "resume": {
      if (item.status !== "paused") throw wrongState(item, `${item.key} is not paused.`);
      requireTeam(actor, next, item);
      return [{ type: "item.resumed", data: {} }];
    }
    default:
      return assertNever(cmd, "command");
  }
}

/**
 * Reopening: only a done item, by a member of a team that had it (or an admin). It goes back to
 * its last step and that step's team, unassigned, as rework of that step.
 */
export function decideReopen(
  item: Item,
  cmd: Extract<Command, { type: "reopen" }>,
  { actor, expectedVersion }: DecideContext,
): ItemEventBody[] {
  checkVersion(item, expectedVersion);
  if (item.status !== "done")
    throw new DomainError(
      item.status === "cancelled" ? "item_closed" : "wrong_state",
      item.status === "cancelled"
        ? `${item.key} was cancelled; only a done item can be reopened.`
        : `${item.key} is not done; only a done item can be reopened.`,
      { state: item.status },
    );
  if (!actor.isAdmin && !item.teams.some((t) => actor.teams.includes(t)))
    throw new DomainError(
      "not_your_team",
      `Only members of the teams that worked on ${item.key} (${item.teams.join(", ")}) can reopen it.`,
      { team: item.ownerTeam },
    );
  const reason = requireText(cmd.reason, "reason", 1000);
  return [{ type: "item.reopened", data: { reason, step: item.step, team: item.ownerTeam } }];
}

/** The steps an item refers to: where it is, where it was, where a handoff sends it. */
function stepsOfItem(item: Item): string[] {
  const steps = new Set([item.step]);
  for (const h of item.handoffs) {
    steps.add(h.fromStep);
    steps.add(h.toStep);
  }
  for (const s of Object.keys(item.rework)) steps.add(s);
  for (const s of Object.keys(item.checklists)) steps.add(s);
  for (const e of item.clockLog) if (e.type === "item.created") steps.add(e.data.step);
  return [...steps];
}

/**
 * Migration to another version of the workflow: admin only, on a running item, and only where
 * every step the item was at, is at, or is handed to exists in the target with the same team,
 * and every field value it holds is still valid there. Refused with the list of what differs.
 */
function decideMigrate(
  item: Item,
  cmd: Extract<Command, { type: "migrate" }>,
  { actor, def }: DecideContext,
): ItemEventBody[] {
  if (!actor.isAdmin)
    throw new DomainError(
      "admin_only",
      "Only an admin can move an item to another workflow version.",
    );
  if (cmd.toVersion === item.workflowVersion) return [];
  const to = cmd.toDef;
  const steps: { step: string; problem: string }[] = [];
  for (const key of stepsOfItem(item)) {
    const before = def.steps.find((s) => s.key === key);
    const after = to.steps.find((s) => s.key === key);
    if (!after) steps.push({ step: key, problem: `not in version ${cmd.toVersion}` });
    else if (before && before.team !== after.team)
      steps.push({
        step: key,
        problem: `team ${before.team} in version ${item.workflowVersion}, ${after.team} in version ${cmd.toVersion}`,
      });
  }
  const fields: { field: string; problem: string }[] = [];
  for (const [k, v] of Object.entries(item.fields)) {
    const f = to.fields.find((x) => x.key === k);
    const problem = f ? checkFieldValue(f, v) : `not a field of version ${cmd.toVersion}`;
    if (problem) fields.push({ field: k, problem });
  }
  if (steps.length > 0 || fields.length > 0)
    throw new DomainError(
      "steps_differ",
      `${item.key} cannot move to version ${cmd.toVersion} of ${def.key}: ${[
        ...steps.map((s) => `step "${s.step}" ${s.problem}`),
        ...fields.map((f) => `field "${f.field}" ${f.problem}`),
      ].join("; ")}.`,
      { steps, fields, to_version: cmd.toVersion },
    );
  // Ticks follow their text: an entry the new version added starts unticked.
  const checklists: Record<string, boolean[]> = {};
  for (const [key, ticks] of Object.entries(item.checklists)) {
    const old = def.steps.find((s) => s.key === key)?.checklist ?? [];
    checklists[key] = stepOf(to, key).checklist.map((c) => {
      const i = old.findIndex((o) => o.text === c.text);
      return i >= 0 && ticks[i] === true;
    });
  }
  return [
    {
      type: "item.migrated",
      data: { fromVersion: item.workflowVersion, toVersion: cmd.toVersion, checklists },
    },
  ];
}

export function decideCreate(
  cmd: Extract<Command, { type: "create" }>,
  { actor, def }: DecideContext,
): ItemEventBody[] {
  const first = def.steps[0] as StepDef;
  if (!isMember(actor, first.team))
    throw new DomainError(
      "not_your_team",
      `Only members of the team of the first step ("${first.team}") can start a ${def.name} item.`,
      {
        team: first.team,
      },
    );
  const title = requireText(cmd.title, "title", 200);
  const fields = Object.fromEntries(Object.entries(cmd.fields ?? {}).filter(([, v]) => v !== null));
  checkFields(def, fields);
  const due = cmd.due ? checkDue(cmd.due) : null;
  return [
    {
      type: "item.created",
      data: {
        key: cmd.key,
        title,
        workflow: def.key,
        workflowVersion: cmd.workflowVersion,
        step: first.key,
        team: first.team,
        fields,
        ...(due ? { due } : {}),
      },
    },
  ];
}

/** A due date as stored: the end of a YYYY-MM-DD day (UTC) or an ISO instant. */
export function checkDue(value: string): string {
  const due = parseDue(value);
  if (due === undefined)
    throw new DomainError(
      "invalid_input",
      `due: "${value}" is not a date (YYYY-MM-DD) or an ISO 8601 date and time from ${DUE_YEARS.min} to ${DUE_YEARS.max}.`,
      {
        errors: [{ path: "due", message: DUE_MESSAGE }],
      },
    );
  return due;
}

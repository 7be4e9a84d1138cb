import { assertNever, DomainError, type MissingItem } from "./errors.ts";
import {
  type Item,
  type ItemEventBody,
  isClosed,
  nextTeam,
  pendingHandoff,
  type RejectReason,
  rejectReasons,
} from "./item.ts";
import {
  checkFieldValue,
  fieldLabel,
  routeHandoff,
  type StepDef,
  stepOf,
  type WorkflowDef,
} from "./workflow.ts";

/*
 * Every rule about who may do what to an item, and when. Pure: the caller passes the actor,
 * the workflow version the item runs on, and resolved facts such as an assignee's teams.
 */

/** Who is acting. */
export interface Actor {
  email: string;
  teams: readonly string[];
  isAdmin: boolean;
}

export type Command =
  | {
      type: "create";
      key: string;
      title: string;
      workflowVersion: number;
      fields?: Record<string, unknown>;
    }
  | { type: "update_fields"; fields: Record<string, unknown> }
  | { type: "set_checklist"; index: number; done: boolean }
  | { type: "claim" }
  /** `assigneeTeams` are the teams of the user to assign, resolved by the caller. */
  | { type: "assign"; email: string | null; assigneeTeams: readonly string[] }
  | { type: "comment"; body: string }
  | { type: "submit"; note?: string | null; confirm?: string[] }
  | { type: "withdraw" }
  | { type: "accept" }
  | { type: "reject"; reason: RejectReason; comment: string; failedCriteria?: string[] }
  | { type: "complete" }
  | { type: "cancel"; reason: string }
  | { type: "pause"; reason: string }
  | { type: "resume" };

export type CommandType = Command["type"];

export interface DecideContext {
  actor: Actor;
  def: WorkflowDef;
  /** The version the caller last saw (`If-Match`); checked when given. */
  expectedVersion?: number | undefined;
}

function isMember(actor: Actor, team: string): boolean {
  return actor.isAdmin || actor.teams.includes(team);
}

function requireTeam(actor: Actor, team: string, item: { key: string }, teamName = team): void {
  if (!isMember(actor, team))
    throw new DomainError(
      "not_your_team",
      `Only members of ${teamName} can do this on ${item.key} now.`,
      { team },
    );
}

function wrongState(item: Item, message: string): DomainError {
  return new DomainError("wrong_state", message, { state: item.status });
}

function requireText(value: string, what: string, max = 10_000): string {
  const v = value.trim();
  if (v.length === 0 || v.length > max)
    throw new DomainError("invalid_input", `${what} must be 1 to ${max} characters.`, {
      errors: [{ path: what, message: `must be 1 to ${max} characters` }],
    });
  return v;
}

/** Checks a batch of field values; names every bad one. */
export function checkFields(def: WorkflowDef, fields: Record<string, unknown>): void {
  const errors: { path: string; message: string }[] = [];
  for (const [k, v] of Object.entries(fields)) {
    const f = def.fields.find((x) => x.key === k);
    if (!f)
      errors.push({ path: `fields.${k}`, message: `unknown field "${k}" in workflow ${def.key}` });
    else {
      const problem = checkFieldValue(f, v);
      if (problem) errors.push({ path: `fields.${k}`, message: problem });
    }
  }
  if (errors.length > 0) {
    const first = errors[0] as { path: string; message: string };
    throw new DomainError("invalid_input", `${first.path} ${first.message}`, { errors });
  }
}

/** Everything that still blocks leaving the current step (fields, checklist, criteria), all at once. */
export function missingForHandoff(
  item: Item,
  step: StepDef,
  def: WorkflowDef,
  confirmed: readonly string[],
): MissingItem[] {
  const missing: MissingItem[] = [];
  for (const f of step.handoff?.requires ?? []) {
    const v = item.fields[f];
    if (v === undefined || v === null || v === "")
      missing.push({ kind: "field", field: f, label: fieldLabel(def, f) });
  }
  const ticks = item.checklists[step.key] ?? [];
  step.checklist.forEach((c, index) => {
    if (!c.optional && !ticks[index]) missing.push({ kind: "checklist", index, text: c.text });
  });
  for (const c of step.handoff?.criteria ?? []) {
    if (!confirmed.includes(c)) missing.push({ kind: "criterion", criterion: c });
  }
  return missing;
}

function describeMissing(m: MissingItem): string {
  switch (m.kind) {
    case "field":
      return `field "${m.label}"`;
    case "checklist":
      return `checklist item "${m.text}"`;
    case "criterion":
      return `criterion "${m.criterion}" not confirmed`;
    default:
      return assertNever(m, "missing item");
  }
}

function criteriaNotMet(missing: MissingItem[], doing: string): DomainError {
  return new DomainError(
    "criteria_not_met",
    `Cannot ${doing} yet: ${missing.map(describeMissing).join("; ")}.`,
    { missing },
  );
}

/**
 * Decides what happens when `cmd` is applied to `item` (null for create).
 * Returns the events to append (possibly none, for a no-op) or throws a DomainError.
 */
export function decide(item: Item | null, cmd: Command, ctx: DecideContext): ItemEventBody[] {
  const { actor, def } = ctx;
  if (cmd.type === "create") return decideCreate(cmd, ctx);
  if (!item) throw new DomainError("not_found", "No such item.");

  if (isClosed(item.status))
    throw new DomainError(
      "item_closed",
      `${item.key} is ${item.status === "done" ? "done" : "cancelled"}; it can no longer change.`,
      {
        state: item.status,
      },
    );
  if (ctx.expectedVersion !== undefined && ctx.expectedVersion !== item.version)
    throw new DomainError(
      "version_conflict",
      `${item.key} changed since you read it (you had version ${ctx.expectedVersion}, it is now ${item.version}). Reload and try again.`,
      { current_version: item.version },
    );

  const step = stepOf(def, item.step);
  const next = nextTeam(item) as string;

  switch (cmd.type) {
    case "update_fields": {
      if (item.status !== "in_progress")
        throw wrongState(
          item,
          item.status === "awaiting_acceptance"
            ? `Fields of ${item.key} are locked while its handoff awaits acceptance; withdraw the handoff to change them.`
            : `Fields of ${item.key} can change only while it is in progress.`,
        );
      requireTeam(actor, item.ownerTeam, item);
      checkFields(def, cmd.fields);
      const changes: Record<string, unknown> = {};
      const previous: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(cmd.fields)) {
        const before = item.fields[k] ?? null;
        if (before !== v) {
          changes[k] = v;
          previous[k] = before;
        }
      }
      return Object.keys(changes).length === 0
        ? []
        : [{ type: "item.fields_updated", data: { changes, previous } }];
    }
    case "set_checklist": {
      if (item.status !== "in_progress")
        throw wrongState(
          item,
          `The checklist of ${item.key} can change only while it is in progress.`,
        );
      requireTeam(actor, item.ownerTeam, item);
      const entry = step.checklist[cmd.index];
      if (!Number.isInteger(cmd.index) || !entry)
        throw new DomainError(
          "invalid_input",
          `Step "${step.key}" has no checklist item ${cmd.index} (it has ${step.checklist.length}).`,
          { errors: [{ path: "index", message: `must be 0 to ${step.checklist.length - 1}` }] },
        );
      if ((item.checklists[step.key]?.[cmd.index] ?? false) === cmd.done) return [];
      return [
        {
          type: "checklist.updated",
          data: { step: step.key, index: cmd.index, text: entry.text, done: cmd.done },
        },
      ];
    }
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
    case "comment":
      return [{ type: "comment.added", data: { body: requireText(cmd.body, "body") } }];
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

function decideCreate(
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
      },
    },
  ];
}

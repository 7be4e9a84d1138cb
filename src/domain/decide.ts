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
  matches,
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
      /** ISO instant, or YYYY-MM-DD meaning the end of that day (UTC), the item is due. */
      due?: string | null | undefined;
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
  | { type: "resume" }
  | { type: "ask"; toTeam: string; body: string; fromTeam?: string | undefined }
  | { type: "answer"; question: number; body: string }
  | {
      type: "schedule_meeting";
      startsAt: string;
      durationMinutes: number;
      location?: string | null | undefined;
      attendees?: string[] | undefined;
    }
  | {
      type: "reschedule_meeting";
      meeting: number;
      startsAt: string;
      durationMinutes?: number | undefined;
      location?: string | null | undefined;
    }
  | { type: "meeting_held"; meeting: number; notes: string; attended?: string[] | undefined };

export type CommandType = Command["type"];

export interface DecideContext {
  actor: Actor;
  def: WorkflowDef;
  /** The version the caller last saw (`If-Match`); checked when given. */
  expectedVersion?: number | undefined;
}

/**
 * The handoff a meeting now would prepare: the pending one, or the one the current step would
 * submit next. Null at a final step or on a closed item.
 */
export function meetingHandoff(
  item: Item,
  def: WorkflowDef,
): { id: number; fromTeam: string; toTeam: string; fromStep: string } | null {
  const pending = pendingHandoff(item);
  if (pending)
    return {
      id: pending.id,
      fromTeam: pending.fromTeam,
      toTeam: pending.toTeam,
      fromStep: pending.fromStep,
    };
  if (item.status !== "in_progress" && item.status !== "paused") return null;
  const step = stepOf(def, item.step);
  const to = routeHandoff(step, item.fields);
  if (!to) return null;
  return {
    id: item.handoffs.length + 1,
    fromTeam: item.ownerTeam,
    toTeam: stepOf(def, to).team,
    fromStep: step.key,
  };
}

/** Why the pending handoff cannot be accepted yet for want of a meeting, or null if it can. */
export function meetingBlock(item: Item, def: WorkflowDef): string | null {
  const h = pendingHandoff(item);
  if (!h) return null;
  const m = stepOf(def, h.fromStep).handoff?.meeting;
  if (!m) return null;
  const required =
    m.required === true || (m.required_when !== undefined && matches(m.required_when, h.package));
  if (!required) return null;
  const meetings = item.meetings.filter((x) => x.handoff === h.id);
  if (meetings.some((x) => x.held !== null)) return null;
  if (meetings.length === 0) return "a handoff meeting is required and none is scheduled";
  return "the handoff meeting has not been recorded as held with notes";
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

function checkInstant(value: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}T/.test(value))
    throw new DomainError(
      "invalid_input",
      `"${value}" is not a date and time (ISO 8601, e.g. 2026-03-02T14:00:00Z).`,
      {
        errors: [{ path: "starts_at", message: "must be an ISO 8601 date and time" }],
      },
    );
  return new Date(t).toISOString();
}

function checkDuration(minutes: number): number {
  if (!Number.isInteger(minutes) || minutes < 5 || minutes > 8 * 60)
    throw new DomainError("invalid_input", "A meeting lasts 5 to 480 minutes.", {
      errors: [{ path: "duration_minutes", message: "must be a whole number from 5 to 480" }],
    });
  return minutes;
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
    case "schedule_meeting": {
      const h = meetingHandoff(item, def);
      if (!h) throw wrongState(item, `${item.key} has no handoff to meet about.`);
      if (!isMember(actor, h.fromTeam) && !isMember(actor, h.toTeam))
        requireTeam(actor, h.toTeam, item);
      const m = stepOf(def, h.fromStep).handoff?.meeting;
      return [
        {
          type: "meeting.scheduled",
          data: {
            meeting: item.meetings.length + 1,
            handoff: h.id,
            startsAt: checkInstant(cmd.startsAt),
            durationMinutes: checkDuration(cmd.durationMinutes),
            location: cmd.location?.trim() || null,
            attendees: cmd.attendees ?? m?.attendees ?? [h.fromTeam, h.toTeam],
            agenda: m?.agenda ?? [],
          },
        },
      ];
    }
    case "reschedule_meeting":
    case "meeting_held": {
      const m = item.meetings.find((x) => x.id === cmd.meeting);
      if (!m) throw new DomainError("not_found", `${item.key} has no meeting #${cmd.meeting}.`);
      const h = item.handoffs.find((x) => x.id === m.handoff);
      const sides = h ? [h.fromTeam, h.toTeam] : [item.ownerTeam, next];
      if (!sides.some((t) => isMember(actor, t))) requireTeam(actor, sides[1] ?? next, item);
      if (m.held) throw wrongState(item, `Meeting #${m.id} has already been held.`);
      if (cmd.type === "meeting_held")
        return [
          {
            type: "meeting.held",
            data: {
              meeting: m.id,
              notes: requireText(cmd.notes, "notes"),
              attended: cmd.attended ?? [],
            },
          },
        ];
      return [
        {
          type: "meeting.rescheduled",
          data: {
            meeting: m.id,
            startsAt: checkInstant(cmd.startsAt),
            durationMinutes: checkDuration(cmd.durationMinutes ?? m.durationMinutes),
            location: cmd.location === undefined ? m.location : cmd.location?.trim() || null,
          },
        },
      ];
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

function checkDue(value: string): string {
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T23:59:59.999Z` : value;
  const t = Date.parse(iso);
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}/.test(value))
    throw new DomainError(
      "invalid_input",
      `due: "${value}" is not a date (YYYY-MM-DD) or an ISO 8601 date and time.`,
      {
        errors: [{ path: "due", message: "must be YYYY-MM-DD or an ISO 8601 date and time" }],
      },
    );
  return new Date(t).toISOString();
}

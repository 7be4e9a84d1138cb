import { DUE_MESSAGE, DUE_YEARS, INSTANT_MESSAGE, parseDue, parseInstant } from "./dates.ts";
import { assertNever, DomainError, type MissingItem } from "./errors.ts";
import { acceptProblem, type FileRef } from "./files.ts";
import {
  type Handoff,
  type Item,
  type ItemEdits,
  type ItemEventBody,
  isClosed,
  type Meeting,
  nextTeam,
  pendingHandoff,
  type RejectReason,
  rejectReasons,
} from "./item.ts";
import { textProblem } from "./text.ts";
import { describeMissing } from "./wording.ts";
import {
  checkFieldValue,
  fieldLabel,
  matches,
  nextStepKeys,
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
  /** Title and due date (null clears the due date); what is left out stays. */
  | { type: "edit"; title?: string | undefined; due?: string | null | undefined }
  /**
   * A comment's author changes its text. `target` is the comment as the log has it, resolved by
   * the caller (the projection keeps only a count); absent when there is no such comment.
   */
  | { type: "edit_comment"; comment: number; body: string; target?: CommentFacts | undefined }
  /** A comment's author (or an admin) takes it down; the history keeps it. */
  | { type: "delete_comment"; comment: number; target?: CommentFacts | undefined }
  /** A done item goes back to its last step's team. */
  | { type: "reopen"; reason: string }
  /**
   * Moves a running item to another version of its workflow (admin); `toDef` is that version,
   * resolved by the caller.
   */
  | { type: "migrate"; toVersion: number; toDef: WorkflowDef }
  /** A file stored by the caller; into `field` (a `file` field) or just onto the item. */
  | { type: "attach_file"; file: FileRef; field?: string | undefined }
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
      /** Team keys and e-mails to invite; each must be a known team or user (see `known`). */
      attendees?: string[] | undefined;
      /** The directory's answer about the attendees, resolved by the caller. */
      known?: KnownPeople | undefined;
    }
  | {
      type: "reschedule_meeting";
      meeting: number;
      startsAt: string;
      durationMinutes?: number | undefined;
      location?: string | null | undefined;
    }
  | {
      type: "meeting_held";
      meeting: number;
      notes: string;
      /** E-mails of the people who attended; each must be a known user (see `known`). */
      attended?: string[] | undefined;
      /** The directory's answer about the people who attended, resolved by the caller. */
      known?: KnownPeople | undefined;
    };

/** A comment as its events left it: who wrote it, its latest text, whether it was deleted. */
export interface CommentFacts {
  author: string;
  body: string;
  deleted: boolean;
}

/**
 * What the directory knows about the teams and people a command names, resolved by the caller
 * (the domain does no I/O). A name missing here is unknown, so a caller that resolves nothing
 * makes every named attendee fail: the safe default.
 */
export interface KnownPeople {
  /** The teams of each known user named, by lower-case e-mail. */
  users: ReadonlyMap<string, readonly string[]>;
  /** The names that are keys of existing teams. */
  teams: ReadonlySet<string>;
}

export type CommandType = Command["type"];

export interface DecideContext {
  actor: Actor;
  def: WorkflowDef;
  /** The instant the command happens (the engine stamps its events with the same one). */
  now: Date;
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

/*
 * The meeting gate. A required meeting counts as held only when it had started before it was
 * recorded, its notes say something (MIN_MEETING_NOTES), and the receiving team took part: one of
 * its members recorded it or is among those who attended. Either side may schedule; a meeting
 * cannot be put in the past (beyond clock skew) or more than a year ahead, and it invites only
 * teams and people Baton knows (an invite carries the item's title and agenda: it must not go to
 * a mistyped or outside address).
 *
 * A meeting belongs to the handoff attempt it was scheduled for. A rejection ends that attempt:
 * the receiver refused the package the meeting discussed, so the reworked one needs a meeting of
 * its own. A withdrawal does not: the receiver never decided, so the meetings of an unbroken run
 * of withdrawn attempts over the same edge (same steps) carry over to the next submission.
 */

/** Notes of a held meeting need this many characters besides white space. */
export const MIN_MEETING_NOTES = 20;
/** How far in the past a meeting may be scheduled: clock skew between machines, and "now". */
export const MEETING_PAST_SKEW_MS = 5 * 60_000;
/** How far ahead a meeting may be scheduled. */
export const MEETING_MAX_AHEAD_MS = 365 * 86_400_000;

/** Characters of a text that are not white space. */
function contentLength(text: string): number {
  return text.replace(/\s+/gu, "").length;
}

/**
 * The first handoff attempt whose meetings count for handoff `h`: `h` itself, or the earliest of
 * the withdrawn attempts over the same steps right before it. Attempts are numbered in order,
 * so the meetings that count are those whose handoff id lies in [first, h.id].
 */
function firstAttemptOf(item: Item, h: Handoff): number {
  let first = h.id;
  for (let i = item.handoffs.length - 2; i >= 0; i--) {
    const prev = item.handoffs[i] as Handoff;
    if (prev.outcome !== "withdrawn" || prev.fromStep !== h.fromStep || prev.toStep !== h.toStep)
      break;
    first = prev.id;
  }
  return first;
}

/** Whether a held meeting satisfies the gate for handoff `h` (records of older versions included). */
function countsAsHeld(m: Meeting, h: Handoff): boolean {
  if (!m.held) return false;
  // Records made before the rule was enforced carry no receiving team; their time and notes
  // are still checked, so a meeting "held" before it started never counts.
  return (
    (m.held.receivingTeam === undefined || m.held.receivingTeam === h.toTeam) &&
    m.held.at >= m.startsAt &&
    contentLength(m.held.notes) >= MIN_MEETING_NOTES
  );
}

/** Whether the pending handoff's definition requires a meeting (always, or by its rule). */
function meetingRequired(h: Handoff, def: WorkflowDef): boolean {
  const m = stepOf(def, h.fromStep).handoff?.meeting;
  if (!m) return false;
  return (
    m.required === true || (m.required_when !== undefined && matches(m.required_when, h.package))
  );
}

/** Why the pending handoff cannot be accepted yet for want of a meeting, or null if it can. */
export function meetingBlock(item: Item, def: WorkflowDef): string | null {
  const h = pendingHandoff(item);
  if (!h || !meetingRequired(h, def)) return null;
  const first = firstAttemptOf(item, h);
  let scheduled = false;
  for (const m of item.meetings)
    if (m.handoff >= first && m.handoff <= h.id) {
      if (countsAsHeld(m, h)) return null;
      scheduled = true;
    }
  return scheduled
    ? "the handoff meeting has not been recorded as held with notes"
    : "a handoff meeting is required and none is scheduled";
}

/** The team that receives the handoff meeting `m` prepares (sent or still to be sent). */
function receivingTeamOf(item: Item, def: WorkflowDef, m: Meeting): string | null {
  const sent = item.handoffs.find((x) => x.id === m.handoff);
  if (sent) return sent.toTeam;
  const upcoming = meetingHandoff(item, def);
  return upcoming && upcoming.id === m.handoff ? upcoming.toTeam : null;
}

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

function checkMeetingTime(value: string, now: Date): string {
  const at = checkInstant(value);
  const t = Date.parse(at);
  const bad = (message: string) =>
    new DomainError("invalid_input", `starts_at ${message}.`, {
      errors: [{ path: "starts_at", message }],
    });
  if (t < now.getTime() - MEETING_PAST_SKEW_MS)
    throw bad("must not be in the past (a meeting is scheduled before it happens)");
  if (t > now.getTime() + MEETING_MAX_AHEAD_MS) throw bad("must be within a year from now");
  return at;
}

/** Each attendee once, e-mails in lower case; every one must be a known team or user. */
function checkAttendees(
  entries: readonly string[],
  known: KnownPeople | undefined,
  path: string,
  { teamsAllowed }: { teamsAllowed: boolean },
): string[] {
  const list = [...new Set(entries.map((e) => (e.includes("@") ? e.trim().toLowerCase() : e)))];
  const errors = list.flatMap((e, i) => {
    if (e.includes("@"))
      return known?.users.has(e) ? [] : [{ path: `${path}[${i}]`, message: `no user ${e}` }];
    if (teamsAllowed && known?.teams.has(e)) return [];
    return [
      {
        path: `${path}[${i}]`,
        message: teamsAllowed ? `no team or user "${e}"` : `"${e}" is not an e-mail of a user`,
      },
    ];
  });
  if (errors.length > 0)
    throw new DomainError(
      "invalid_input",
      `Unknown ${path === "attended" ? "attendee" : "invitee"}: ${errors.map((x) => x.message).join("; ")}.`,
      { errors },
    );
  return list;
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
  const problem = textProblem(v);
  if (problem)
    throw new DomainError("invalid_input", `${what} ${problem}.`, {
      errors: [{ path: what, message: problem }],
    });
  return v;
}

function checkInstant(value: string): string {
  const t = parseInstant(value);
  if (t === undefined)
    throw new DomainError(
      "invalid_input",
      `"${value}" is not a date and time (ISO 8601, e.g. 2026-03-02T14:00:00Z).`,
      {
        errors: [{ path: "starts_at", message: INSTANT_MESSAGE }],
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

/** Fields change only in progress, by the team that owns the item. */
function requireFieldsEditable(item: Item, actor: Actor): void {
  if (item.status !== "in_progress")
    throw wrongState(
      item,
      item.status === "awaiting_acceptance"
        ? `Fields of ${item.key} are locked while its handoff awaits acceptance; withdraw the handoff to change them.`
        : `Fields of ${item.key} can change only while it is in progress.`,
    );
  requireTeam(actor, item.ownerTeam, item);
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

function criteriaNotMet(missing: MissingItem[], doing: string): DomainError {
  return new DomainError(
    "criteria_not_met",
    `Cannot ${doing} yet: ${missing.map((m) => describeMissing(m, "inline")).join("; ")}.`,
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
  if (cmd.type === "reopen") return decideReopen(item, cmd, ctx);

  if (isClosed(item.status))
    throw new DomainError(
      "item_closed",
      `${item.key} is ${item.status === "done" ? "done" : "cancelled"}; it can no longer change.`,
      {
        state: item.status,
      },
    );
  checkVersion(item, ctx.expectedVersion);

  const step = stepOf(def, item.step);
  const next = nextTeam(item) as string;

  switch (cmd.type) {
    case "update_fields": {
      requireFieldsEditable(item, actor);
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
    case "edit":
      return decideEdit(item, cmd, actor);
    case "edit_comment":
    case "delete_comment":
      return decideCommentChange(item, cmd, actor);
    case "migrate":
      return decideMigrate(item, cmd, ctx);
    case "attach_file": {
      // Into a field: what changing that field takes. Onto the item: anyone may, like a comment.
      if (cmd.field === undefined)
        return [{ type: "file.attached", data: { ...cmd.file, field: null } }];
      const f = def.fields.find((x) => x.key === cmd.field);
      if (f?.type !== "file")
        throw new DomainError("invalid_input", `${def.key} has no file field "${cmd.field}".`, {
          errors: [
            { path: "field", message: f ? `"${cmd.field}" is a ${f.type} field` : "unknown field" },
          ],
        });
      requireFieldsEditable(item, actor);
      const refused = acceptProblem(f, cmd.file);
      if (refused)
        throw new DomainError("invalid_input", `The file was refused: ${refused}.`, {
          errors: [{ path: "file", message: refused }],
        });
      return [{ type: "file.attached", data: { ...cmd.file, field: f.key } }];
    }
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
    case "schedule_meeting": {
      const h = meetingHandoff(item, def);
      if (!h) throw wrongState(item, `${item.key} has no handoff to meet about.`);
      if (!isMember(actor, h.fromTeam) && !isMember(actor, h.toTeam))
        requireTeam(actor, h.toTeam, item);
      const m = stepOf(def, h.fromStep).handoff?.meeting;
      const startsAt = checkMeetingTime(cmd.startsAt, ctx.now);
      const durationMinutes = checkDuration(cmd.durationMinutes);
      const attendees =
        cmd.attendees === undefined
          ? (m?.attendees ?? [h.fromTeam, h.toTeam])
          : checkAttendees(cmd.attendees, cmd.known, "attendees", { teamsAllowed: true });
      return [
        {
          type: "meeting.scheduled",
          data: {
            meeting: item.meetings.length + 1,
            handoff: h.id,
            startsAt,
            durationMinutes,
            location: cmd.location?.trim() || null,
            attendees,
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
      const receiving = receivingTeamOf(item, def, m) ?? next;
      // Both sides of the handoff it prepares, sent or not (the receiver may book it early).
      const sides = h ? [h.fromTeam, h.toTeam] : [item.ownerTeam, receiving];
      if (!sides.some((t) => isMember(actor, t))) requireTeam(actor, receiving, item);
      if (m.held) throw wrongState(item, `Meeting #${m.id} has already been held.`);
      if (cmd.type === "meeting_held") {
        if (ctx.now.getTime() < Date.parse(m.startsAt))
          throw wrongState(
            item,
            `Meeting #${m.id} starts at ${m.startsAt}; record it as held once it has taken place.`,
          );
        const notes = requireText(cmd.notes, "notes", 20_000);
        if (contentLength(notes) < MIN_MEETING_NOTES)
          throw new DomainError(
            "invalid_input",
            `The notes of a handoff meeting must say what was agreed: at least ${MIN_MEETING_NOTES} characters besides spaces.`,
            {
              errors: [
                {
                  path: "notes",
                  message: `must have at least ${MIN_MEETING_NOTES} characters besides spaces`,
                },
              ],
            },
          );
        const attended = checkAttendees(cmd.attended ?? [], cmd.known, "attended", {
          teamsAllowed: false,
        });
        // The receiving team must have taken part: it is the side a meeting protects. An admin
        // may record it too, but the rule of evidence still holds.
        if (
          !actor.teams.includes(receiving) &&
          !attended.some((e) => cmd.known?.users.get(e)?.includes(receiving))
        )
          throw new DomainError(
            "not_your_team",
            `Only a member of ${receiving} can record this meeting as held, or name one of them among those who attended.`,
            {
              team: receiving,
              errors: [{ path: "attended", message: `must include a member of ${receiving}` }],
            },
          );
        return [
          {
            type: "meeting.held",
            data: { meeting: m.id, notes, attended, receivingTeam: receiving },
          },
        ];
      }
      return [
        {
          type: "meeting.rescheduled",
          data: {
            meeting: m.id,
            startsAt: checkMeetingTime(cmd.startsAt, ctx.now),
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

function checkVersion(item: Item, expected: number | undefined): void {
  if (expected !== undefined && expected !== item.version)
    throw new DomainError(
      "version_conflict",
      `${item.key} changed since you read it (you had version ${expected}, it is now ${item.version}). Reload and try again.`,
      { current_version: item.version },
    );
}

/**
 * Reopening: only a done item, by a member of a team that had it (or an admin). It goes back to
 * its last step and that step's team, unassigned, as rework of that step.
 */
function decideReopen(
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

/** Title and due date: by the teams that hold the item now (owner or next), or an admin. */
function decideEdit(
  item: Item,
  cmd: Extract<Command, { type: "edit" }>,
  actor: Actor,
): ItemEventBody[] {
  const next = nextTeam(item) as string;
  if (!isMember(actor, next) && !isMember(actor, item.ownerTeam)) requireTeam(actor, next, item);
  const changes: ItemEdits = {};
  const previous: ItemEdits = {};
  if (cmd.title !== undefined) {
    const title = requireText(cmd.title, "title", 200);
    if (title !== item.title) {
      changes.title = title;
      previous.title = item.title;
    }
  }
  if (cmd.due !== undefined) {
    const due = cmd.due === null ? null : checkDue(cmd.due);
    if (due !== item.due) {
      changes.due = due;
      previous.due = item.due;
    }
  }
  return Object.keys(changes).length === 0
    ? []
    : [{ type: "item.edited", data: { changes, previous } }];
}

/** Editing and deleting a comment: its author only (an admin may delete, not put words in). */
function decideCommentChange(
  item: Item,
  cmd: Extract<Command, { type: "edit_comment" | "delete_comment" }>,
  actor: Actor,
): ItemEventBody[] {
  const c = cmd.target;
  if (!c || c.deleted)
    throw new DomainError("not_found", `${item.key} has no comment #${cmd.comment}.`);
  const isAuthor = c.author.toLowerCase() === actor.email.toLowerCase();
  if (!isAuthor && !(cmd.type === "delete_comment" && actor.isAdmin))
    throw new DomainError(
      "not_your_comment",
      cmd.type === "edit_comment"
        ? `Only ${c.author} can edit comment #${cmd.comment}.`
        : `Only ${c.author} or an admin can delete comment #${cmd.comment}.`,
      { author: c.author },
    );
  if (cmd.type === "delete_comment")
    return [{ type: "comment.deleted", data: { comment: cmd.comment } }];
  const body = requireText(cmd.body, "body");
  return body === c.body ? [] : [{ type: "comment.edited", data: { comment: cmd.comment, body } }];
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

import { decideEdits } from "./decide/edits.ts";
import { decideFieldChange } from "./decide/fields.ts";
import { decideHandoff } from "./decide/handoff.ts";
import { decideCreate, decideLifecycle, decideReopen } from "./decide/lifecycle.ts";
import { decideMeeting } from "./decide/meetings.ts";
import { decideQuestion } from "./decide/questions.ts";
import { checkVersion } from "./decide/rules.ts";
import { assertNever, DomainError } from "./errors.ts";
import type { FileRef } from "./files.ts";
import { type Item, type ItemEventBody, isClosed, nextTeam, type RejectReason } from "./item.ts";
import { type StepDef, stepOf, type WorkflowDef } from "./workflow.ts";

/*
 * Every rule about who may do what to an item, and when. Pure: the caller passes the actor,
 * the workflow version the item runs on, and resolved facts such as an assignee's teams.
 *
 * decide() checks what holds for every command (the item exists, is open, is at the version the
 * caller saw) and hands the command to its group in decide/: fields.ts (fields, checklist,
 * files), edits.ts (comments, title, due date), lifecycle.ts (create, claim and assign,
 * complete, cancel, pause, resume, reopen, migrate), handoff.ts, questions.ts and meetings.ts
 * (with the meeting gate); decide/rules.ts holds the checks they share.
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

/** A command on an open item: the step it is at and the team that acts next, computed once. */
export interface OpenItemContext extends DecideContext {
  step: StepDef;
  next: string;
}

// The property tests read what a step still needs from here, as they did before the split.
export { missingForHandoff } from "./decide/rules.ts";

/**
 * Decides what happens when `cmd` is applied to `item` (null for create).
 * Returns the events to append (possibly none, for a no-op) or throws a DomainError.
 */
export function decide(item: Item | null, cmd: Command, ctx: DecideContext): ItemEventBody[] {
  const { def } = ctx;
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

  const open: OpenItemContext = {
    ...ctx,
    step: stepOf(def, item.step),
    next: nextTeam(item) as string,
  };
  switch (cmd.type) {
    case "update_fields":
    case "set_checklist":
    case "attach_file":
      return decideFieldChange(item, cmd, open);
    case "comment":
    case "edit":
    case "edit_comment":
    case "delete_comment":
      return decideEdits(item, cmd, open);
    case "claim":
    case "assign":
    case "complete":
    case "cancel":
    case "pause":
    case "resume":
    case "migrate":
      return decideLifecycle(item, cmd, open);
    case "submit":
    case "withdraw":
    case "accept":
    case "reject":
      return decideHandoff(item, cmd, open);
    case "ask":
    case "answer":
      return decideQuestion(item, cmd, open);
    case "schedule_meeting":
    case "reschedule_meeting":
    case "meeting_held":
      return decideMeeting(item, cmd, open);
    default:
      return assertNever(cmd, "command");
  }
}

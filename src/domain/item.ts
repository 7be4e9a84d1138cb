import type { FileRef } from "./files.ts";

/*
 * An item's state and the events that change it. `evolve` is the only way state changes:
 * the store keeps the result as a projection, and replaying the log must reproduce it exactly.
 */

export const itemStates = [
  "in_progress",
  "awaiting_acceptance",
  "paused",
  "done",
  "cancelled",
] as const;
export type ItemStatus = (typeof itemStates)[number];

export const rejectReasons = ["incomplete", "incorrect", "wrong_team", "other"] as const;
export type RejectReason = (typeof rejectReasons)[number];

/** True once nothing more can happen to an item. */
export function isClosed(status: ItemStatus): boolean {
  return status === "done" || status === "cancelled";
}

/** One attempt to pass the item from one step (and team) to the next. */
export interface Handoff {
  /** 1, 2, 3… in submission order within the item. */
  id: number;
  fromStep: string;
  fromTeam: string;
  toStep: string;
  toTeam: string;
  submittedBy: string;
  submittedAt: string;
  note: string | null;
  /** The acceptance criteria the sender confirmed. */
  confirmed: string[];
  /** The field values at submission: the package both teams see. */
  package: Record<string, unknown>;
  /** `cancelled`: the item was cancelled while the handoff waited. */
  outcome: "pending" | "accepted" | "rejected" | "withdrawn" | "cancelled";
  decidedBy: string | null;
  decidedAt: string | null;
  reason: RejectReason | null;
  comment: string | null;
  failedCriteria: string[];
}

export interface Item {
  key: string;
  title: string;
  workflow: string;
  workflowVersion: number;
  status: ItemStatus;
  step: string;
  /** When the item entered its current step (created, accepted into it, or returned to it). */
  stepSince: string;
  ownerTeam: string;
  assignee: string | null;
  fields: Record<string, unknown>;
  /** Ticks per step, kept when work returns to a step. */
  checklists: Record<string, boolean[]>;
  /** Number of events applied; the optimistic-concurrency token (`If-Match`). */
  version: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  /** Every handoff attempt, oldest first; the pending one (if any) is last. */
  handoffs: Handoff[];
  /** How often work was returned to each step by a rejection. */
  rework: Record<string, number>;
  /** The rejection that sent the item back to its current step, until it is handed off again. */
  returned: {
    handoff: number;
    reason: RejectReason;
    comment: string;
    by: string;
    at: string;
    fromTeam: string;
    failedCriteria: string[];
  } | null;
  paused: { reason: string; by: string; at: string; team: string } | null;
  closed: { reason: string | null; by: string; at: string } | null;
  /** Every team that has owned or been handed the item, in order of first appearance. */
  teams: string[];
  comments: number;
  /** Questions asked across the boundary; asking never moves ownership. */
  questions: Question[];
  /** Handoff meetings, scheduled by either side of a handoff. */
  meetings: Meeting[];
  /** When the item must be done by (a `due` given at create), or null. */
  due: string | null;
  /**
   * The events service-level clocks are computed from (entering steps, handoffs, pauses,
   * closing), trimmed of what clocks do not read. Kept in the projection so a queue page can
   * show every item's clocks without reading the event log.
   */
  clockLog: ItemEvent[];
  /** Service-level alerts already raised, as `<clock id>:warning|breach`: each is raised once. */
  alerts: string[];
  /**
   * The last activity: the instant of the latest event other than the alerts Baton raises
   * itself (sla.*, item.stalled). Absent on items stored before stalls were detected, whose
   * `updatedAt` stands in (see activeAt()).
   */
  activeAt?: string;
  /** Set when the item was found stalled (no activity for its `stall_after`); any activity clears it. */
  stalled?: Stall | null;
  /** How many times the item stalled (names the stall timer of the next idle spell). */
  stalls?: number;
}

/** A stall: when it was raised, the last activity before it, and where the work sat. */
export interface Stall {
  at: string;
  since: string;
  step: string;
  team: string;
  stallAfter: string;
}

/** The item's last activity (see Item.activeAt). */
export function activeAt(item: Item): string {
  return item.activeAt ?? item.updatedAt;
}

/** Events Baton raises about an item on its own; they are not activity (see Item.activeAt). */
const alertEventTypes = new Set<string>(["sla.warning", "sla.breached", "item.stalled"]);

/** How an alert is remembered: one per clock and mark. */
export function alertKey(clock: string, fire: "warning" | "breach"): string {
  return `${clock}:${fire}`;
}

/** The event types the service-level clocks read. */
const clockEventTypes = new Set<string>([
  "item.created",
  "handoff.submitted",
  "handoff.withdrawn",
  "handoff.accepted",
  "handoff.rejected",
  "item.paused",
  "item.resumed",
  "item.completed",
  "item.cancelled",
  "item.reopened",
]);

/** The part of an event the clocks need (field values and notes can be large; clocks ignore them). */
function forClockLog(e: ItemEvent): ItemEvent {
  // Built field by field: an event read back from the store carries extra keys (its seq).
  const { type, actor, at } = e;
  if (e.type === "item.created")
    return { type: e.type, actor, at, data: { ...e.data, title: "", fields: {} } };
  if (e.type === "handoff.submitted")
    return { type: e.type, actor, at, data: { ...e.data, note: null, package: {} } };
  return { type, actor, at, data: e.data } as ItemEvent;
}

/** A question one team asks another about the item, with its answer once given. */
export interface Question {
  id: number;
  fromTeam: string;
  toTeam: string;
  body: string;
  askedBy: string;
  askedAt: string;
  answer: { body: string; by: string; at: string } | null;
}

/** A meeting for a handoff: the one pending when it was scheduled, or the next one. */
export interface Meeting {
  id: number;
  /** The handoff (its id) this meeting prepares. */
  handoff: number;
  startsAt: string;
  durationMinutes: number;
  location: string | null;
  /** Invited teams (from the definition's attendees, or given) and people. */
  attendees: string[];
  agenda: string[];
  scheduledBy: string;
  /** Increases with every reschedule (the iCalendar SEQUENCE). */
  sequence: number;
  /**
   * How it went. `receivingTeam` is the team whose member recorded it or attended (absent on
   * records made before that was required).
   */
  held: {
    notes: string;
    attended: string[];
    by: string;
    at: string;
    receivingTeam?: string;
  } | null;
}

/** What an `item.edited` event changes: the title, the due date (null: none), or both. */
export interface ItemEdits {
  title?: string;
  due?: string | null;
}

/** What happened, without who and when (the envelope adds those). */
export type ItemEventBody =
  | {
      type: "item.created";
      data: {
        key: string;
        title: string;
        workflow: string;
        workflowVersion: number;
        step: string;
        team: string;
        fields: Record<string, unknown>;
        /** ISO instant the item is due, if given. */
        due?: string | null;
      };
    }
  | {
      type: "item.fields_updated";
      data: { changes: Record<string, unknown>; previous: Record<string, unknown> };
    }
  | {
      type: "checklist.updated";
      data: { step: string; index: number; text: string; done: boolean };
    }
  | { type: "item.assigned"; data: { assignee: string | null } }
  | { type: "comment.added"; data: { body: string } }
  /** `comment` is the seq of the comment's `comment.added` event; the body replaces the text shown. */
  | { type: "comment.edited"; data: { comment: number; body: string } }
  | { type: "comment.deleted"; data: { comment: number } }
  /** A title or due date changed (`item.edited`); `previous` holds what each was before. */
  | {
      type: "item.edited";
      data: { changes: ItemEdits; previous: ItemEdits };
    }
  /**
   * A done item went back to work at its last step, with that step's team: counted as rework of
   * the step (like a rejection), so the metrics see it.
   */
  | { type: "item.reopened"; data: { reason: string; step: string; team: string } }
  /**
   * The item moved to another version of its workflow (an admin, where the steps match); the
   * checklist ticks are carried over by their text.
   */
  | {
      type: "item.migrated";
      data: { fromVersion: number; toVersion: number; checklists: Record<string, boolean[]> };
    }
  /** A file uploaded to the item; with `field`, it is that field's value from now on. */
  | { type: "file.attached"; data: FileRef & { field: string | null } }
  | {
      type: "handoff.submitted";
      data: {
        handoff: number;
        fromStep: string;
        fromTeam: string;
        toStep: string;
        toTeam: string;
        note: string | null;
        confirmed: string[];
        package: Record<string, unknown>;
      };
    }
  | { type: "handoff.withdrawn"; data: { handoff: number } }
  | { type: "handoff.accepted"; data: { handoff: number; assignee: string | null } }
  | {
      type: "handoff.rejected";
      data: {
        handoff: number;
        reason: RejectReason;
        comment: string;
        failedCriteria: string[];
        assignee: string | null;
      };
    }
  | { type: "item.completed"; data: Record<string, never> }
  | { type: "item.cancelled"; data: { reason: string } }
  | { type: "item.paused"; data: { reason: string } }
  | { type: "item.resumed"; data: Record<string, never> }
  | {
      type: "question.asked";
      data: { question: number; fromTeam: string; toTeam: string; body: string };
    }
  | { type: "question.answered"; data: { question: number; body: string } }
  | {
      type: "meeting.scheduled";
      data: {
        meeting: number;
        handoff: number;
        startsAt: string;
        durationMinutes: number;
        location: string | null;
        attendees: string[];
        agenda: string[];
      };
    }
  | {
      type: "meeting.rescheduled";
      data: { meeting: number; startsAt: string; durationMinutes: number; location: string | null };
    }
  | {
      type: "meeting.held";
      data: { meeting: number; notes: string; attended: string[]; receivingTeam?: string };
    }
  /** Service-level alerts, appended by the timer worker (actor "baton"). */
  | {
      type: "sla.warning" | "sla.breached";
      data: {
        /** The clock's id (`accept:3`, `complete:sell:1`, `answer:2`, `due`). */
        clock: string;
        kind: string;
        step: string;
        team: string;
        handoff: number | null;
        limitSeconds: number;
        dueAt: string | null;
      };
    }
  /** No activity for the step's `stall_after`: appended once per idle spell by the timer worker. */
  | {
      type: "item.stalled";
      data: { step: string; team: string; since: string; stallAfter: string };
    };

export type ItemEventType = ItemEventBody["type"];

/** An event as stored: who did it and when. */
export type ItemEvent = ItemEventBody & { actor: string; at: string };

function withTeam(teams: string[], team: string): string[] {
  return teams.includes(team) ? teams : [...teams, team];
}

function pendingOf(item: Item): Handoff {
  const h = pendingHandoff(item);
  if (!h) throw new Error(`${item.key} has no pending handoff`);
  return h;
}

/** The handoff waiting for the receiver's decision, if any. */
export function pendingHandoff(item: Item): Handoff | null {
  const h = item.handoffs.at(-1);
  return h && h.outcome === "pending" ? h : null;
}

function decideHandoff(
  item: Item,
  outcome: Handoff["outcome"],
  e: ItemEvent,
  extra: Partial<Handoff> = {},
): Handoff[] {
  const h = pendingOf(item);
  return [
    ...item.handoffs.slice(0, -1),
    { ...h, outcome, decidedBy: e.actor, decidedAt: e.at, ...extra },
  ];
}

/** Replaces the entry with `id` by `change(entry)`. */
function updateById<T extends { id: number }>(
  list: readonly T[],
  id: number,
  change: (x: T) => T,
): T[] {
  return list.map((x) => (x.id === id ? change(x) : x));
}

/** Applies one event. Pure and total over the events `decide` produces. */
export function evolve(item: Item | null, e: ItemEvent): Item {
  if (e.type === "item.created") {
    const d = e.data;
    return {
      key: d.key,
      title: d.title,
      workflow: d.workflow,
      workflowVersion: d.workflowVersion,
      status: "in_progress",
      step: d.step,
      stepSince: e.at,
      ownerTeam: d.team,
      assignee: null,
      fields: d.fields,
      checklists: {},
      version: 1,
      createdAt: e.at,
      createdBy: e.actor,
      updatedAt: e.at,
      handoffs: [],
      rework: {},
      returned: null,
      paused: null,
      closed: null,
      teams: [d.team],
      comments: 0,
      questions: [],
      meetings: [],
      due: d.due ?? null,
      clockLog: [forClockLog(e)],
      alerts: [],
      activeAt: e.at,
      stalled: null,
      stalls: 0,
    };
  }
  if (!item) throw new Error(`event ${e.type} before item.created`);
  const isActivity = !alertEventTypes.has(e.type);
  const base: Item = {
    ...item,
    version: item.version + 1,
    updatedAt: e.at,
    clockLog: clockEventTypes.has(e.type) ? [...item.clockLog, forClockLog(e)] : item.clockLog,
    ...(isActivity ? { activeAt: e.at, stalled: null } : {}),
  };
  switch (e.type) {
    case "item.fields_updated": {
      const fields = { ...item.fields };
      for (const [k, v] of Object.entries(e.data.changes)) {
        if (v === null) delete fields[k];
        else fields[k] = v;
      }
      return { ...base, fields };
    }
    case "checklist.updated": {
      const ticks = [...(item.checklists[e.data.step] ?? [])];
      while (ticks.length <= e.data.index) ticks.push(false);
      ticks[e.data.index] = e.data.done;
      return { ...base, checklists: { ...item.checklists, [e.data.step]: ticks } };
    }
    case "item.assigned":
      return { ...base, assignee: e.data.assignee };
    case "question.asked":
      return {
        ...base,
        questions: [
          ...item.questions,
          {
            id: e.data.question,
            fromTeam: e.data.fromTeam,
            toTeam: e.data.toTeam,
            body: e.data.body,
            askedBy: e.actor,
            askedAt: e.at,
            answer: null,
          },
        ],
      };
    case "question.answered":
      return {
        ...base,
        questions: updateById(item.questions, e.data.question, (q) => ({
          ...q,
          answer: { body: e.data.body, by: e.actor, at: e.at },
        })),
      };
    case "meeting.scheduled":
      return {
        ...base,
        meetings: [
          ...item.meetings,
          {
            id: e.data.meeting,
            handoff: e.data.handoff,
            startsAt: e.data.startsAt,
            durationMinutes: e.data.durationMinutes,
            location: e.data.location,
            attendees: e.data.attendees,
            agenda: e.data.agenda,
            scheduledBy: e.actor,
            sequence: 0,
            held: null,
          },
        ],
      };
    case "meeting.rescheduled":
      return {
        ...base,
        meetings: updateById(item.meetings, e.data.meeting, (m) => ({
          ...m,
          startsAt: e.data.startsAt,
          durationMinutes: e.data.durationMinutes,
          location: e.data.location,
          sequence: m.sequence + 1,
        })),
      };
    case "meeting.held":
      return {
        ...base,
        meetings: updateById(item.meetings, e.data.meeting, (m) => ({
          ...m,
          held: {
            notes: e.data.notes,
            attended: e.data.attended,
            by: e.actor,
            at: e.at,
            ...(e.data.receivingTeam === undefined ? {} : { receivingTeam: e.data.receivingTeam }),
          },
        })),
      };
    case "sla.warning":
    case "sla.breached":
      return {
        ...base,
        alerts: [
          ...item.alerts,
          alertKey(e.data.clock, e.type === "sla.warning" ? "warning" : "breach"),
        ],
      };
    case "item.stalled":
      return {
        ...base,
        stalled: { at: e.at, ...e.data },
        stalls: (item.stalls ?? 0) + 1,
      };
    case "comment.added":
      return { ...base, comments: item.comments + 1 };
    case "comment.edited":
      return base;
    case "comment.deleted":
      return { ...base, comments: Math.max(0, item.comments - 1) };
    case "item.edited": {
      const { title, due } = e.data.changes;
      return {
        ...base,
        ...(title === undefined ? {} : { title }),
        ...(due === undefined
          ? {}
          : // A new due date is a new promise: its warning and breach may be raised again.
            { due, alerts: item.alerts.filter((a) => !a.startsWith("due:")) }),
      };
    }
    case "item.reopened":
      return {
        ...base,
        status: "in_progress",
        step: e.data.step,
        ownerTeam: e.data.team,
        stepSince: e.at,
        assignee: null,
        closed: null,
        returned: null,
        rework: { ...item.rework, [e.data.step]: (item.rework[e.data.step] ?? 0) + 1 },
        teams: withTeam(item.teams, e.data.team),
      };
    case "item.migrated":
      return { ...base, workflowVersion: e.data.toVersion, checklists: e.data.checklists };
    case "file.attached": {
      const { field, ...file } = e.data;
      return field === null ? base : { ...base, fields: { ...item.fields, [field]: file } };
    }
    case "handoff.submitted": {
      const d = e.data;
      const handoff: Handoff = {
        id: d.handoff,
        fromStep: d.fromStep,
        fromTeam: d.fromTeam,
        toStep: d.toStep,
        toTeam: d.toTeam,
        submittedBy: e.actor,
        submittedAt: e.at,
        note: d.note,
        confirmed: d.confirmed,
        package: d.package,
        outcome: "pending",
        decidedBy: null,
        decidedAt: null,
        reason: null,
        comment: null,
        failedCriteria: [],
      };
      return {
        ...base,
        status: "awaiting_acceptance",
        assignee: null,
        handoffs: [...item.handoffs, handoff],
        returned: null,
        teams: withTeam(item.teams, d.toTeam),
      };
    }
    case "handoff.withdrawn":
      // Whoever the receiving team put on it (claim or assign while pending) no longer acts;
      // the item goes back to the sender unassigned, as it was once submitted.
      return {
        ...base,
        status: "in_progress",
        assignee: null,
        handoffs: decideHandoff(item, "withdrawn", e),
      };
    case "handoff.accepted": {
      const h = pendingOf(item);
      return {
        ...base,
        status: "in_progress",
        step: h.toStep,
        stepSince: e.at,
        ownerTeam: h.toTeam,
        assignee: e.data.assignee,
        handoffs: decideHandoff(item, "accepted", e),
      };
    }
    case "handoff.rejected": {
      const h = pendingOf(item);
      const d = e.data;
      return {
        ...base,
        status: "in_progress",
        stepSince: e.at,
        assignee: d.assignee,
        handoffs: decideHandoff(item, "rejected", e, {
          reason: d.reason,
          comment: d.comment,
          failedCriteria: d.failedCriteria,
        }),
        rework: { ...item.rework, [h.fromStep]: (item.rework[h.fromStep] ?? 0) + 1 },
        returned: {
          handoff: h.id,
          reason: d.reason,
          comment: d.comment,
          by: e.actor,
          at: e.at,
          fromTeam: h.toTeam,
          failedCriteria: d.failedCriteria,
        },
      };
    }
    case "item.completed":
      return { ...base, status: "done", closed: { reason: null, by: e.actor, at: e.at } };
    case "item.cancelled":
      return {
        ...base,
        status: "cancelled",
        handoffs: pendingHandoff(item) ? decideHandoff(item, "cancelled", e) : item.handoffs,
        closed: { reason: e.data.reason, by: e.actor, at: e.at },
      };
    case "item.paused":
      return {
        ...base,
        status: "paused",
        paused: { reason: e.data.reason, by: e.actor, at: e.at, team: item.ownerTeam },
      };
    case "item.resumed":
      return { ...base, status: "in_progress", paused: null };
  }
}

/** Rebuilds an item from its full event log. */
export function replay(events: readonly ItemEvent[]): Item | null {
  return events.reduce<Item | null>((item, e) => evolve(item, e), null);
}

/** The one team that must move next, or null for a closed item. */
export function nextTeam(item: Item): string | null {
  switch (item.status) {
    case "in_progress":
      return item.ownerTeam;
    case "awaiting_acceptance":
      return pendingOf(item).toTeam;
    case "paused":
      return item.paused?.team ?? item.ownerTeam;
    case "done":
    case "cancelled":
      return null;
  }
}

import type { MissingItem } from "../../../src/domain/wording.ts";
import type { WorkflowDef } from "../../../src/domain/workflow.ts";
import type { EventJson } from "../../../src/http/presenters.ts";

/*
 * The JSON the API sends, as src/http/presenters.ts writes it. Workflow definitions are sent as
 * the domain validated them, so their types come from the server's domain (type-only: nothing of
 * the server reaches the bundle). The presenters' snake_case shapes are mirrored here by hand;
 * keep them in step when a presenter changes.
 */

export type ItemState = "in_progress" | "awaiting_acceptance" | "paused" | "done" | "cancelled";
export const rejectReasons = ["incomplete", "incorrect", "wrong_team", "other"] as const;
export type RejectReason = (typeof rejectReasons)[number];

export interface NextAction {
  team: string;
  team_name: string;
  action: string;
  /** Whether accepting the pending handoff would succeed now (absent on older servers). */
  can_accept?: boolean;
  /** Why the pending handoff cannot be accepted yet (a required meeting not held), or null. */
  blocked_by?: { code: "meeting_required"; detail: string } | null;
}

/** Why accepting would fail now, or null if it may be offered (older servers say nothing). */
export function acceptBlock(next: NextAction | null | undefined): string | null {
  return next?.can_accept === false
    ? (next.blocked_by?.detail ?? "it cannot be accepted yet")
    : null;
}

export interface HandoffJson {
  id: number;
  from_step: string;
  from_team: string;
  to_step: string;
  to_team: string;
  submitted_by: string;
  submitted_at: string;
  note: string | null;
  criteria: string[];
  confirmed: string[];
  package: Record<string, unknown>;
  outcome: "pending" | "accepted" | "rejected" | "withdrawn" | "cancelled";
  decided_by: string | null;
  decided_at: string | null;
  reason: RejectReason | null;
  comment: string | null;
  failed_criteria: string[];
  /** The meetings held or planned for this handoff (in `Item.handoffs`, on servers with meetings). */
  meetings?: Meeting[];
}

/** What still blocks a handoff; the same shape as `missing` in a `criteria_not_met` problem. */
export type { MissingItem };

export interface PathEntry {
  step: string;
  name: string;
  team: string;
  status: "done" | "current" | "upcoming";
}

/** A question one team asked another about an item; ownership does not move. */
export interface Question {
  id: number;
  from_team: string;
  to_team: string;
  body: string;
  asked_by: string;
  asked_at: string;
  answer: { body: string; by: string; at: string } | null;
  state: "open" | "answered";
}

/** A handoff meeting; `ics` is the calendar invite's address. */
export interface Meeting {
  id: number;
  handoff: number;
  starts_at: string;
  duration_minutes: number;
  location: string | null;
  attendees: string[];
  agenda: string[];
  scheduled_by: string;
  sequence: number;
  held: {
    notes: string;
    attended: string[];
    by: string;
    at: string;
    /** The receiving team that took part (absent on older records). */
    receivingTeam?: string;
  } | null;
  ics: string;
}

export interface Item extends ServiceLevel {
  key: string;
  title: string;
  workflow: string;
  workflow_version: number;
  state: ItemState;
  step: string;
  step_name: string;
  is_final_step: boolean;
  step_since: string;
  owner_team: string;
  next: NextAction | null;
  assignee: string | null;
  fields: Record<string, unknown>;
  checklist: { index: number; text: string; optional: boolean; done: boolean }[];
  /** The pending handoff; `meeting_required` says why acceptance waits for a meeting, if it does. */
  handoff: (HandoffJson & { meeting_required?: string | null }) | null;
  readiness: {
    to_step: string | null;
    criteria: string[];
    requires: string[];
    /** Fields and checklist still missing; criteria are confirmed at submission, not stored. */
    missing: MissingItem[];
  } | null;
  returned: {
    handoff: number;
    reason: RejectReason;
    comment: string;
    by: string;
    at: string;
    from_team: string;
    failed_criteria: string[];
  } | null;
  rework: Record<string, number>;
  paused: { reason: string; by: string; at: string; team: string } | null;
  closed: { reason: string | null; by: string; at: string } | null;
  handoffs: HandoffJson[];
  /** Present on servers with questions and meetings. */
  questions?: Question[];
  meetings?: Meeting[];
  path: PathEntry[];
  teams: string[];
  /** The teams that may ask or be asked questions about the item (admins may ask any). */
  question_teams?: string[];
  comments: number;
  version: number;
  created_at: string;
  created_by: string;
  updated_at: string;
}

/** The nearest service-level deadline of an item and how it stands. */
export interface Deadline {
  kind: "complete" | "accept" | "answer" | "due";
  team: string;
  due_at: string | null;
  state: "running" | "paused" | "met" | "warning" | "breached";
}

/** Service-level fields, present on servers with service levels. */
export interface ServiceLevel {
  due?: string | null;
  next_deadline?: Deadline | null;
  sla?: "ok" | "warning" | "breached" | null;
}

export interface ItemSummary extends ServiceLevel {
  key: string;
  title: string;
  workflow: string;
  state: ItemState;
  step: string;
  step_name: string;
  /** While a handoff awaits acceptance, the step the receiving team takes on (newer servers). */
  to_step_name?: string | null;
  owner_team: string;
  next: NextAction | null;
  assignee: string | null;
  rework: number;
  open_questions?: { id: number; from_team: string; to_team: string; body: string }[];
  /**
   * The highest chance (0..1) that a running clock breaches, from the workflow's history; null
   * without enough history or a running clock (servers with forecasts).
   */
  risk?: number | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface Queue {
  team: string;
  incoming: ItemSummary[];
  in_progress: ItemSummary[];
  waiting_on_others: ItemSummary[];
  paused: ItemSummary[];
  /** Items with questions to this team (servers with questions). */
  questions?: ItemSummary[];
  /**
   * Work in the team's hands that breached a service level or stalled by its workflow's
   * `stall_after` rule (or sat untouched `stalled_after_days` when asked), in queue order.
   */
  stalled?: ItemSummary[];
}

export type QueueTab =
  | "incoming"
  | "in_progress"
  | "waiting_on_others"
  | "paused"
  | "questions"
  | "stalled";

/** One event of GET /items/{key}/events: each type with its own data, as the server stores it. */
export type ItemEvent = EventJson;

export interface Comment {
  seq: number;
  author: string;
  at: string;
  body: string;
}

export type Role = "member" | "lead";

export interface User {
  email: string;
  name: string;
  admin: boolean;
  teams: { key: string; role: Role }[];
}

export interface Team {
  key: string;
  name: string;
  members: { email: string; name: string; role: Role }[];
}

export const weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof weekdays)[number];

/** `["09:00", "17:00"]`: local start and end (`24:00` allowed) in the calendar's time zone. */
export type WorkingInterval = [start: string, end: string];

export interface Holiday {
  /** `YYYY-MM-DD`, a local date in the calendar's zone. */
  date: string;
  name?: string;
  /** Repeats on the same month and day every year. */
  yearly?: boolean;
}

/** A team's business calendar, which its service-level clocks count in. */
export interface BusinessCalendar {
  /** IANA time zone name, e.g. `Europe/Berlin`. */
  timezone: string;
  hours: Record<Weekday, WorkingInterval[]>;
  holidays: Holiday[];
}

/** `GET /teams/{key}/calendar`; `default` is true while the team has no calendar of its own. */
export interface TeamCalendar extends BusinessCalendar {
  team: string;
  default: boolean;
}

// Workflow definitions are the server's own types: the API sends them as validated.
export type {
  Condition,
  FieldDef,
  FieldType,
  HandoffDef,
  StepDef,
  WorkflowDef,
} from "../../../src/domain/workflow.ts";

export interface WorkflowSummary {
  key: string;
  name: string;
  prefix: string;
  version: number;
  updated_at: string;
  /** The team of the first step, whose members may start items (newer servers). */
  start_team?: string | null;
  /** Items not yet done or cancelled (newer servers). */
  open_items?: number;
}

export interface WorkflowVersion {
  key: string;
  version: number;
  definition: WorkflowDef;
  source: string;
  source_format: "yaml" | "json";
  published_by: string;
  published_at: string;
}

export interface WorkflowVersionSummary {
  version: number;
  source_format: "yaml" | "json";
  published_by: string;
  published_at: string;
}

export interface ApiToken {
  id: string;
  name: string;
  created_at: string;
}

/** The body of every error response (RFC 9457 problem details with Baton's `code`). */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  missing?: MissingItem[];
  errors?: { path: string; message: string }[];
  [extra: string]: unknown;
}

/** What the live stream sends when an item changes. */
export interface ItemChange {
  key: string;
  version: number;
  state: ItemState;
  next_team: string | null;
  owner_team: string;
  teams: string[];
  /** Teams asked a question not answered yet (servers with live queue updates). */
  question_teams?: string[];
}

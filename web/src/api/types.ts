import type { z } from "zod";
import type { Weekday } from "../../../src/domain/calendar.ts";
import type { RejectReason as ServerRejectReason } from "../../../src/domain/item.ts";
import type { MissingItem } from "../../../src/domain/wording.ts";
import type { ItemChange as ServerItemChange } from "../../../src/engine/changes.ts";
import type {
  EventJson,
  ItemJson,
  ItemSummaryJson,
  presentComment,
  presentTeam,
  presentUser,
} from "../../../src/http/presenters.ts";
import type {
  CalendarJson,
  ProblemJson,
  queueSchema,
  tokenSchema,
  WorkflowVersionJson,
  workflowSummarySchema,
  workflowVersionSummarySchema,
} from "../../../src/http/responses.ts";

/*
 * The JSON the API sends. Items, queue rows, clocks, events, comments, people and teams are the
 * types of the server's presenters (src/http/presenters.ts), the same ones the CLI reads;
 * workflows, tokens and queue sections come from the answer schemas (src/http/responses.ts);
 * workflow definitions and calendars are the domain's own. All type-only imports: nothing of the
 * server reaches the bundle, and a presenter change that breaks the web app fails `tsc -p web`.
 */

export type ItemState = Item["state"];
export type RejectReason = ServerRejectReason;
/** The reasons in the order the reject dialog offers them (checked against the server's). */
export const rejectReasons = [
  "incomplete",
  "incorrect",
  "wrong_team",
  "other",
] as const satisfies readonly RejectReason[];

/** Who moves next and what they must do. */
export type NextAction = NonNullable<ItemJson["next"]>;

/** Why accepting would fail now, or null if it may be offered (older servers say nothing). */
export function acceptBlock(next: NextAction | null | undefined): string | null {
  return next?.can_accept === false
    ? (next.blocked_by?.detail ?? "it cannot be accepted yet")
    : null;
}

/** A handoff of the item with the meetings held or planned for it. */
export type HandoffJson = ItemJson["handoffs"][number];

/** What still blocks a handoff; the same shape as `missing` in a `criteria_not_met` problem. */
export type { MissingItem };

export type PathEntry = ItemJson["path"][number];

/** A question one team asked another about an item; ownership does not move. */
export type Question = ItemJson["questions"][number];

/** A handoff meeting; `ics` is the calendar invite's address. */
export type Meeting = ItemJson["meetings"][number];

/** One item as GET /items/{key} and every item command return it. */
export type Item = ItemJson;

/** One service-level clock of an item. */
export type Clock = ItemJson["clocks"][number];

/** The nearest service-level deadline of an item and how it stands. */
export type Deadline = NonNullable<ItemJson["next_deadline"]>;

/**
 * One row of a queue or list, with its breach risk (0..1, null without enough history). The web
 * app reads queues with `clocks=false`, which leaves each row's clocks out (not its deadline).
 */
export type ItemSummary = Omit<ItemSummaryJson, "clocks"> & {
  clocks?: ItemSummaryJson["clocks"];
  risk?: number | null;
};

/** A team's queue: every section of GET /teams/{key}/queue. */
export type Queue = {
  [K in keyof z.infer<typeof queueSchema>]: K extends "team" ? string : ItemSummary[];
};

export type QueueTab = Exclude<keyof Queue, "team">;

/** One event of GET /items/{key}/events: each type with its own data, as the server stores it. */
export type ItemEvent = EventJson;

/** A comment with its latest text. */
export type Comment = ReturnType<typeof presentComment>;

export type Role = "member" | "lead";

export type User = ReturnType<typeof presentUser>;
export type Team = ReturnType<typeof presentTeam>;

/** The days of a calendar's week, in order (checked against the server's). */
export const weekdays = [
  "mon",
  "tue",
  "wed",
  "thu",
  "fri",
  "sat",
  "sun",
] as const satisfies readonly Weekday[];
// A team's business calendar, which its service-level clocks count in: the domain's own types.
export type {
  BusinessCalendar,
  Holiday,
  Weekday,
  WorkingInterval,
} from "../../../src/domain/calendar.ts";

/** `GET /teams/{key}/calendar`; `default` is true while the team has no calendar of its own. */
export type TeamCalendar = CalendarJson;

// Workflow definitions are the server's own types: the API sends them as validated.
export type {
  Condition,
  FieldDef,
  FieldType,
  HandoffDef,
  StepDef,
  WorkflowDef,
} from "../../../src/domain/workflow.ts";

export type WorkflowSummary = z.infer<typeof workflowSummarySchema>;

export type WorkflowVersion = WorkflowVersionJson;

/** One line of a workflow's version history (`GET /workflows/{key}/versions`). */
export type WorkflowVersionSummary = z.output<typeof workflowVersionSummarySchema>;

export type ApiToken = z.infer<typeof tokenSchema>;

/** The body of every error response (RFC 9457 problem details with Baton's `code`). */
export type Problem = ProblemJson;

/** What the live stream sends when an item changes. */
export type ItemChange = ServerItemChange;

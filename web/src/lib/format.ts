import type { Deadline, ItemEvent, ItemState, RejectReason } from "../api/types.ts";

/*
 * Words and numbers as people read them: states, reasons, ages, the timeline's sentences.
 */

export const stateLabel: Record<ItemState, string> = {
  in_progress: "In progress",
  awaiting_acceptance: "Awaiting acceptance",
  paused: "Paused",
  done: "Done",
  cancelled: "Cancelled",
};

/** Mantine colours whose filled badges keep white text above 4.5:1 contrast. */
export const stateColor: Record<ItemState, string> = {
  in_progress: "blue.8",
  awaiting_acceptance: "orange.9",
  paused: "gray.7",
  done: "green.9",
  cancelled: "red.9",
};

export const reasonLabel: Record<RejectReason, string> = {
  incomplete: "Incomplete",
  incorrect: "Incorrect",
  wrong_team: "Wrong team",
  other: "Other",
};

export const reasonHelp: Record<RejectReason, string> = {
  incomplete: "Something required is missing",
  incorrect: "Something is there but wrong",
  wrong_team: "This work belongs to another team",
  other: "Explain in the comment",
};

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600_000],
  ["month", 30 * 24 * 3600_000],
  ["week", 7 * 24 * 3600_000],
  ["day", 24 * 3600_000],
  ["hour", 3600_000],
  ["minute", 60_000],
];
const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "3 hours ago", "in 2 days", "now". */
export function timeAgo(iso: string, now = Date.now()): string {
  const diff = new Date(iso).getTime() - now;
  for (const [unit, ms] of units)
    if (Math.abs(diff) >= ms) return rtf.format(Math.round(diff / ms), unit);
  return "just now";
}

/** "2 h 10 m", "3 d 4 h", "5 m": the time something has been waiting. */
export function duration(ms: number): string {
  const m = Math.max(0, Math.floor(ms / 60_000));
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const min = m % 60;
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return min > 0 ? `${h} h ${min} m` : `${h} h`;
  return `${min} m`;
}

const deadlineWords: Record<Deadline["kind"], string> = {
  complete: "to finish the step",
  accept: "to accept or reject",
  answer: "to answer",
  // Only read for the clocks of teams; the item's own due date is worded apart.
  due: "for the due date",
};

/** What ran late, as the start of a sentence: "Acceptance overdue by 2 h". */
const overdueWords: Record<Deadline["kind"], string> = {
  complete: "Step overdue",
  accept: "Acceptance overdue",
  answer: "Answer overdue",
  due: "Item overdue",
};

/** How a deadline stands, for colour, icon and words alike. */
export type DeadlineLevel = "breached" | "warning" | "ok" | "paused";

/** The text colour of each level (global.css: 4.5:1 or more on light and dark backgrounds). */
export const levelColor: Record<DeadlineLevel, string> = {
  breached: "var(--baton-red)",
  warning: "var(--baton-orange)",
  ok: "dimmed",
  paused: "dimmed",
};

/**
 * A deadline as people say it: "2 h 10 m left", "overdue by 1 h", "clock paused", with its
 * level (breached, warning, ok, paused) and a colour for it. Null when there is no deadline.
 */
export function describeDeadline(
  d: Deadline | null | undefined,
  now = Date.now(),
): {
  text: string;
  long: string;
  color: string;
  overdue: boolean;
  level: DeadlineLevel;
} | null {
  if (!d) return null;
  if (d.state === "paused" || !d.due_at)
    return {
      text: "clock paused",
      long: "Service-level clock paused",
      color: levelColor.paused,
      overdue: false,
      level: "paused",
    };
  const ms = new Date(d.due_at).getTime() - now;
  const overdue = ms < 0 || d.state === "breached";
  const level: DeadlineLevel = overdue ? "breached" : d.state === "warning" ? "warning" : "ok";
  const left =
    d.kind === "due" ? `Due in ${duration(ms)}` : `${duration(ms)} left ${deadlineWords[d.kind]}`;
  return {
    text: overdue ? `overdue by ${duration(-ms)}` : `${duration(ms)} left`,
    long: overdue
      ? `${overdueWords[d.kind]} by ${duration(-ms)}`
      : level === "warning"
        ? `Due soon: ${left.replace(/^Due in/, "due in")}`
        : left,
    color: levelColor[level],
    overdue,
    level,
  };
}

const dateTime = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short" });

export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

/** An instant as an `<input type="datetime-local">` value in the browser's zone: "2026-03-02T14:00". */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The part of an e-mail before the @, for compact lists. */
export function shortName(email: string | null | undefined): string {
  return email ? (email.split("@")[0] ?? email) : "";
}

/** Shows a field value the way it was meant: yes/no, dates, plain text. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined || v === "") return "—";
  if (typeof v === "boolean") return v ? "Yes" : "No";
  if (typeof v === "object" && "name" in v) return String(v.name); // a file
  return String(v);
}

/** A size in bytes as people read it: 812 B, 14.2 KB, 3.1 MB. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} KB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

/** How the timeline names what events carry as keys. */
export interface EventNames {
  team: (key: string) => string;
  /** A field's label. */
  field?: (key: string) => string;
  /** A step's name. */
  step?: (key: string) => string;
  /** A person's name, by e-mail. */
  person?: (email: string) => string;
}

/** One sentence per timeline event: what someone did, naming teams, steps, fields and people. */
export function describeEvent(e: ItemEvent, names: EventNames): string {
  const teamName = names.team;
  const label = names.field ?? ((f: string) => f);
  const stepName = names.step ?? ((s: string) => s);
  const person = names.person ?? ((p: string) => p);
  const d = e.data as Record<string, unknown>;
  const str = (k: string) => String(d[k] ?? "");
  switch (e.type) {
    case "item.created":
      return `created the item at “${stepName(str("step"))}” for ${teamName(str("team"))}`;
    case "item.fields_updated": {
      const changes = Object.keys((d.changes as Record<string, unknown>) ?? {});
      return `changed ${changes.map(label).join(", ")}`;
    }
    case "checklist.updated":
      return `${d.done ? "ticked" : "unticked"} “${str("text")}”`;
    case "item.assigned":
      return d.assignee ? `assigned it to ${person(str("assignee"))}` : "unassigned it";
    case "comment.added":
      return "commented";
    case "file.attached":
      return d.field
        ? `attached “${str("name")}” as ${label(str("field"))}`
        : `attached “${str("name")}”`;
    case "handoff.submitted":
      return `handed it off from ${teamName(str("fromTeam"))} to ${teamName(str("toTeam"))}`;
    case "handoff.withdrawn":
      return "withdrew the handoff";
    case "handoff.accepted":
      return d.assignee
        ? `accepted the handoff, assigned to ${person(str("assignee"))}`
        : "accepted the handoff";
    case "handoff.rejected":
      return `returned it: ${reasonLabel[d.reason as RejectReason] ?? str("reason")} — “${str("comment")}”`;
    case "item.completed":
      return "completed the item";
    case "item.cancelled":
      return `cancelled it: ${str("reason")}`;
    case "item.paused":
      return `paused it: ${str("reason")}`;
    case "item.resumed":
      return "resumed work";
    case "question.asked":
      return `asked ${teamName(str("toTeam"))}: “${str("body")}”`;
    case "question.answered":
      return `answered: “${str("body")}”`;
    case "meeting.scheduled":
      return `scheduled a handoff meeting for ${formatDateTime(str("startsAt"))}`;
    case "meeting.rescheduled":
      return `moved the handoff meeting to ${formatDateTime(str("startsAt"))}`;
    case "meeting.held":
      return "recorded the handoff meeting as held";
    case "sla.warning":
      return d.kind === "due"
        ? "warned that the item is nearly due"
        : `warned that ${teamName(str("team"))} is close to its deadline ${deadlineWords[d.kind as Deadline["kind"]] ?? ""}`.trimEnd();
    case "sla.breached":
      return d.kind === "due"
        ? "recorded that the item passed its due date"
        : `recorded that ${teamName(str("team"))} missed its deadline ${deadlineWords[d.kind as Deadline["kind"]] ?? ""}`.trimEnd();
    case "item.stalled":
      return `recorded that nothing had happened with ${teamName(str("team"))} for ${str("stallAfter")} of its working time`;
    default:
      return e.type.replace(/[._]/g, " ");
  }
}

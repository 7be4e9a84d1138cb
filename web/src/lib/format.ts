import { clockPurpose, rejectReasonLabel } from "../../../src/domain/wording.ts";
import type { Deadline, ItemState, RejectReason } from "../api/types.ts";

/*
 * Words and numbers as people read them: states, reasons, ages, deadlines. What a handoff still
 * needs and the timeline's sentences are worded in src/domain/wording.ts, shared with the server
 * and the CLI.
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

export const reasonLabel: Record<RejectReason, string> = rejectReasonLabel;

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

const deadlineWords: Record<Deadline["kind"], string> = clockPurpose;

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

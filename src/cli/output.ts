import Table from "cli-table3";
import { formatBytes } from "../domain/byte-size.ts";
import { isFileRef } from "../domain/files.ts";
import { describeMissing } from "../domain/wording.ts";
import {
  ApiError,
  type Cli,
  CliError,
  type ClockJson,
  type ItemJson,
  type ItemSummaryJson,
} from "./client.ts";

/*
 * How the CLI talks to people: plain tables and short blocks on stdout, errors on stderr. No
 * colours, so the output reads the same in a terminal, a log and a test. With --json every
 * command prints the API's JSON instead, unchanged, for scripts.
 */

/** Prints one line (or a blank one) to stdout. */
export function say(line = ""): void {
  process.stdout.write(`${line}\n`);
}

/** Prints an API answer as indented JSON, exactly as the server sent it. */
export function sayJson(body: unknown): void {
  say(JSON.stringify(body, null, 2));
}

/** Prints the API's answer as JSON (with --json) or runs `human` to describe it. */
export function emit<T>(cli: Cli, body: T, human: (body: T) => void): void {
  if (cli.json) sayJson(body);
  else human(body);
}

/**
 * A borderless table with upper-case headings, like `ps` or `kubectl get`; with no headings,
 * just aligned columns.
 */
export function table(head: string[], rows: string[][]): string {
  const t = new Table({
    head: head.map((h) => h.toUpperCase()),
    chars: {
      top: "",
      "top-mid": "",
      "top-left": "",
      "top-right": "",
      bottom: "",
      "bottom-mid": "",
      "bottom-left": "",
      "bottom-right": "",
      left: "",
      "left-mid": "",
      mid: "",
      "mid-mid": "",
      right: "",
      "right-mid": "",
      middle: "  ",
    },
    // Empty style lists keep cli-table3 from adding colour codes.
    style: { "padding-left": 0, "padding-right": 0, head: [], border: [] },
  });
  t.push(...rows);
  return t
    .toString()
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n");
}

/** Indents every line of a block (a table under a heading). */
export function indent(text: string, by = "  "): string {
  return text
    .split("\n")
    .map((l) => by + l)
    .join("\n");
}

/** `2026-03-02T09:00:00.000Z` → `2026-03-02 10:00` in the reader's time zone. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** True when two instants fall on the same day in the reader's time zone. */
function isSameLocalDay(a: Date, b: Date): boolean {
  return (
    a.getFullYear() === b.getFullYear() &&
    a.getMonth() === b.getMonth() &&
    a.getDate() === b.getDate()
  );
}

/** Like formatTime, but only `14:00` for a moment later today: deadlines are mostly near. */
export function formatMoment(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime()) || !isSameLocalDay(d, now)) return formatTime(iso);
  return formatTime(iso).slice(11);
}

/**
 * Seconds as a person reads a span: `2 h 10 m`, `45 m`, `30 s`. Service-level figures are
 * business time, where a "day" means a working day of the team's calendar, not 24 hours, so
 * they stay in hours (`52 h`); only wall-clock spans (`withDays`) switch to `3 d 4 h`.
 */
export function formatDuration(seconds: number, { withDays = false } = {}): string {
  const s = Math.abs(Math.trunc(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (withDays && days > 0) return hours % 24 > 0 ? `${days} d ${hours % 24} h` : `${days} d`;
  if (hours === 0) return `${minutes} m`;
  return minutes % 60 > 0 ? `${hours} h ${minutes % 60} m` : `${hours} h`;
}

/** `in 2 h 10 m` or `3 d ago`, in plain clock time from the reader's now. */
export function formatRelative(iso: string, now = new Date()): string {
  const seconds = (new Date(iso).getTime() - now.getTime()) / 1000;
  if (Number.isNaN(seconds)) return "";
  const span = formatDuration(seconds, { withDays: true });
  return seconds >= 0 ? `in ${span}` : `${span} ago`;
}

/** `14:00 (in 2 h 10 m)`: a deadline in local time, then how far off it is. */
export function formatDue(iso: string, now = new Date()): string {
  return `${formatMoment(iso, now)} (${formatRelative(iso, now)})`;
}

/** The state column of a clock; a breach is in capitals so it stands out without colour. */
export function formatClockState(state: ClockJson["state"]): string {
  return state === "breached" ? "BREACHED" : state;
}

/**
 * How a clock stands against its limit: `2 h 10 m left`, `over by 5 m`, `met, 1 h to spare`.
 * Wall-clock limits (due dates, `48h wall`) count whole days; business time stays in hours.
 */
export function describeLeft(
  c: Pick<ClockJson, "remaining_s" | "state" | "ended_at" | "wall">,
): string {
  const span = formatDuration(c.remaining_s, { withDays: c.wall });
  if (c.remaining_s < 0 || c.state === "breached") return `over by ${span}`;
  if (c.ended_at !== null) return c.remaining_s > 0 ? `met, ${span} to spare` : "met";
  return c.state === "paused" ? `${span} left (paused)` : `${span} left`;
}

/**
 * The clock behind the next move: the next team's step or acceptance clock with the least time
 * left, else the item's due date. Question clocks are left out: they are not what NEXT asks for.
 */
function clockOfNext(item: Pick<ItemJson, "clocks" | "next">): ClockJson | undefined {
  const open = item.clocks.filter((c) => c.ended_at === null);
  const step = open
    .filter((c) => (c.kind === "complete" || c.kind === "accept") && c.team === item.next?.team)
    .sort((a, b) => a.remaining_s - b.remaining_s)[0];
  return step ?? open.find((c) => c.kind === "due");
}

/**
 * What the service levels say about the next move, for the end of the NEXT line:
 * `2 h 10 m left, due 14:00`, or `BREACHED: over by 5 m, was due 14:00`. Empty without clocks.
 */
export function formatSla(item: Pick<ItemJson, "clocks" | "next">): string {
  const c = clockOfNext(item);
  if (!c) return "";
  const due = c.due_at ? formatMoment(c.due_at) : "";
  const span = formatDuration(c.remaining_s, { withDays: c.wall });
  switch (c.state) {
    case "breached":
      return `BREACHED: over by ${span}${due ? `, was due ${due}` : ""}`;
    case "warning":
      return `warning: ${span} left${due ? `, due ${due}` : ""}`;
    case "paused":
      return `clock paused with ${span} left`;
    case "running":
    case "met":
      return `${span} left${due ? `, due ${due}` : ""}`;
    default: {
      // A newer server may add clock states; show them rather than fail.
      const unknown: never = c.state;
      return String(unknown);
    }
  }
}

/** `awaiting_acceptance` → `awaiting acceptance`. */
export function formatState(state: string): string {
  return state.replaceAll("_", " ");
}

/** A field value as a person reads it; unset fields show as a dash. */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null || v === "") return "—";
  if (isFileRef(v)) return `${v.name} (${formatBytes(v.size)})`;
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** "Sales: Finish … — 2 h 10 m left, due 14:00", or why nobody has to move. */
export function formatNext(item: Pick<ItemJson, "next" | "state" | "clocks">): string {
  if (!item.next) return `nobody, the item is ${formatState(item.state)}`;
  const sla = formatSla(item);
  return `${item.next.team_name} (${item.next.team}): ${item.next.action}${sla ? ` — ${sla}` : ""}`;
}

/** After a command changed an item: what happened, and who moves next. */
export function sayItemChanged(cli: Cli, item: ItemJson, headline: string): void {
  emit(cli, item, () => {
    say(headline);
    say(`NEXT  ${formatNext(item)}`);
  });
}

/** An item's nearest deadline in a cell: `BREACHED accept 14:00 (over by 5 m)`. */
export function formatDeadline(i: Pick<ItemSummaryJson, "next_deadline" | "clocks">): string {
  const d = i.next_deadline;
  if (!d?.due_at) return "—";
  const clock = i.clocks.find(
    (c) => c.ended_at === null && c.kind === d.kind && c.team === d.team && c.due_at === d.due_at,
  );
  const mark = d.state === "breached" ? "BREACHED " : d.state === "warning" ? "warning " : "";
  const left = clock ? ` (${describeLeft(clock)})` : "";
  return `${mark}${d.kind} ${formatMoment(d.due_at)}${left}`;
}

/**
 * The table of items used by `item list` and `queue`. The deadline column appears only when
 * some item has a service-level clock, so workflows without limits keep a narrow table.
 */
export function itemTable(items: ItemSummaryJson[]): string {
  const hasDeadlines = items.some((i) => i.next_deadline !== null);
  return table(
    [
      "key",
      "title",
      "state",
      "step",
      "next",
      ...(hasDeadlines ? ["deadline"] : []),
      "assignee",
      "updated",
    ],
    items.map((i) => [
      i.key,
      i.title,
      formatState(i.state) + (i.rework > 0 ? ` (rework ×${i.rework})` : ""),
      i.step_name,
      i.next ? `${i.next.team_name}: ${i.next.action}` : "—",
      ...(hasDeadlines ? [formatDeadline(i)] : []),
      i.assignee ?? "",
      formatTime(i.updated_at),
    ]),
  );
}

/**
 * Writes an error to stderr in plain words: `error: <detail>`, then each missing item and each
 * validation problem on its own line, then any hints.
 */
export function printError(e: unknown): void {
  const lines: string[] = [];
  if (e instanceof ApiError) {
    const { detail, missing = [], errors = [] } = e.problem;
    lines.push(`error: ${detail}`);
    for (const m of missing) lines.push(`  - ${describeMissing(m, "line")}`);
    // A lone validation error is usually the detail itself; printing it twice adds nothing.
    const only = errors.length === 1 ? errors[0] : undefined;
    if (!(only && detail.includes(only.path) && detail.includes(only.message)))
      for (const x of errors) lines.push(`  - ${x.path}: ${x.message}`);
    lines.push(...e.hints);
  } else if (e instanceof CliError) {
    lines.push(`error: ${e.message}`, ...e.lines);
  } else {
    lines.push(`error: ${e instanceof Error ? e.message : String(e)}`);
  }
  process.stderr.write(`${lines.join("\n")}\n`);
}

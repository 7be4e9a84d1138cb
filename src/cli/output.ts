import Table from "cli-table3";
import type { MissingItem } from "../domain/errors.ts";
import { ApiError, type Cli, CliError, type ItemJson, type ItemSummaryJson } from "./client.ts";

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

/** `awaiting_acceptance` → `awaiting acceptance`. */
export function formatState(state: string): string {
  return state.replaceAll("_", " ");
}

/** A field value as a person reads it; unset fields show as a dash. */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null || v === "") return "—";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** One gap that blocks a handoff, as a line: `field: Signed contract`. */
export function describeMissing(m: MissingItem): string {
  switch (m.kind) {
    case "field":
      return `field: ${m.label}`;
    case "checklist":
      return `checklist: ${m.text}`;
    case "criterion":
      return `criterion not confirmed: ${m.criterion}`;
    default: {
      // A newer server may report kinds this CLI does not know yet; show them rather than fail.
      const unknown: never = m;
      return JSON.stringify(unknown);
    }
  }
}

/** "Sales: Finish …", or why nobody has to move. */
export function formatNext(item: Pick<ItemJson, "next" | "state">): string {
  if (item.next) return `${item.next.team_name} (${item.next.team}): ${item.next.action}`;
  return `nobody, the item is ${formatState(item.state)}`;
}

/** After a command changed an item: what happened, and who moves next. */
export function sayItemChanged(cli: Cli, item: ItemJson, headline: string): void {
  emit(cli, item, () => {
    say(headline);
    say(`NEXT  ${formatNext(item)}`);
  });
}

/** The table of items used by `item list` and `queue`. */
export function itemTable(items: ItemSummaryJson[]): string {
  return table(
    ["key", "title", "state", "step", "next", "assignee", "updated"],
    items.map((i) => [
      i.key,
      i.title,
      formatState(i.state) + (i.rework > 0 ? ` (rework ×${i.rework})` : ""),
      i.step_name,
      i.next ? `${i.next.team_name}: ${i.next.action}` : "—",
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
    for (const m of missing) lines.push(`  - ${describeMissing(m)}`);
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

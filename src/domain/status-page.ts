import { DateTime } from "luxon";
import type { Clock } from "./clocks.ts";
import { type Item, pendingHandoff } from "./item.ts";
import { stepPath } from "./next-action.ts";
import { optionLabel, type WorkflowDef } from "./workflow.ts";

/*
 * What the requester's status page says, in plain words: where the work is, since when, the
 * steps done and to come, and the date to expect when a due date or a clock gives one. Pure.
 *
 * The page is readable by anyone holding the link, so it is built from an allow-list: the
 * item's key and title, team and step names, dates, and only the fields the workflow marks
 * `public: true`. Never comments, notes, reasons, people (names or e-mails), questions or any
 * other field: those stay out because nothing here reads them.
 */

export interface StatusView {
  key: string;
  title: string;
  state: "in_progress" | "awaiting_acceptance" | "paused" | "done" | "cancelled";
  /** "With Implementation since Tuesday — they are working on “Set-up”." */
  headline: string;
  steps: { name: string; team: string; status: "done" | "current" | "upcoming" }[];
  /** "Expected by Friday 6 March", or null when no due date or clock gives a date. */
  expected: string | null;
  /** The workflow's public fields that have a value, in definition order. */
  fields: { label: string; value: string }[];
  /** "Last change: today" (the last activity). */
  updated: string;
}

export interface StatusInput {
  item: Item;
  def: WorkflowDef;
  /** The item's current clocks (for an expected date when there is no due date). */
  clocks: readonly Clock[];
  teamName: (key: string) => string;
  /**
   * When the forecast (domain/forecast.ts) expects the item done, if it has enough history to
   * say: the median and the 85th percentile of the simulated finishes.
   */
  forecast?: { p50: string; p85: string } | null;
  /** The time zone dates are written in (the owner team's calendar). */
  timezone: string;
  now: Date;
}

/** A past moment in words relative to now: "today", "yesterday", "Tuesday", "3 March", "3 March 2025". */
export function pastWords(iso: string, now: Date, timezone: string): string {
  const at = DateTime.fromISO(iso, { zone: timezone });
  const today = DateTime.fromJSDate(now, { zone: timezone }).startOf("day");
  const days = Math.round(today.diff(at.startOf("day"), "days").days);
  if (days <= 0) return "today";
  if (days === 1) return "yesterday";
  if (days < 7) return at.toFormat("cccc");
  return at.toFormat(at.year === today.year ? "d MMMM" : "d MMMM yyyy");
}

/** A date in words with its weekday: "Friday 6 March" (with the year when not this one). */
export function dateWords(iso: string, now: Date, timezone: string): string {
  const at = DateTime.fromISO(iso, { zone: timezone });
  const year = DateTime.fromJSDate(now, { zone: timezone }).year;
  return at.toFormat(at.year === year ? "cccc d MMMM" : "cccc d MMMM yyyy");
}

/** A public field's value as text; values of no simple shape are left out. */
function valueText(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (Array.isArray(v) && v.every((x) => typeof x === "string" || typeof x === "number"))
    return v.join(", ");
  return null;
}

/** The status page's content for an item (see the allow-list above). */
export function statusView({
  item,
  def,
  clocks,
  forecast = null,
  teamName,
  timezone,
  now,
}: StatusInput): StatusView {
  const since = (iso: string) => pastWords(iso, now, timezone);
  // "on Tuesday", "on 3 March", but "today", "yesterday".
  const on = (iso: string) => {
    const w = since(iso);
    return w === "today" || w === "yesterday" ? w : `on ${w}`;
  };
  const stepName = (key: string) => {
    const s = def.steps.find((x) => x.key === key);
    return s?.name ?? key;
  };
  const owner = teamName(item.ownerTeam);
  let headline: string;
  switch (item.status) {
    case "in_progress":
      headline = `With ${owner} since ${since(item.stepSince)} — they are working on “${stepName(item.step)}”.`;
      break;
    case "awaiting_acceptance": {
      const h = pendingHandoff(item);
      const to = h ? teamName(h.toTeam) : owner;
      headline = `Handed to ${to} ${on(h?.submittedAt ?? item.updatedAt)} — waiting for them to take it on (“${stepName(h?.toStep ?? item.step)}”).`;
      break;
    }
    case "paused":
      headline = `On hold since ${since(item.paused?.at ?? item.updatedAt)} — ${owner} will carry on with “${stepName(item.step)}” when what it waits for arrives.`;
      break;
    case "done":
      headline = `Done ${on(item.closed?.at ?? item.updatedAt)}.`;
      break;
    case "cancelled":
      headline = `Stopped ${on(item.closed?.at ?? item.updatedAt)}; no more work will be done on it.`;
      break;
  }
  const steps = stepPath(item, def).map((s) => ({
    name: s.name,
    team: teamName(s.team),
    status: s.status,
  }));
  const isOpen = item.status !== "done" && item.status !== "cancelled";
  let expected: string | null = null;
  // A promised date first, then the forecast of the whole item, then the current step's clock.
  if (isOpen && item.due) expected = `Expected by ${dateWords(item.due, now, timezone)}`;
  else if (isOpen && forecast) {
    const p50 = dateWords(forecast.p50, now, timezone);
    const p85 = dateWords(forecast.p85, now, timezone);
    expected =
      p50 === p85
        ? `Expected to be done around ${p50}`
        : `Expected to be done around ${p50} (very likely by ${p85})`;
  } else if (isOpen) {
    const running = clocks.find(
      (c) =>
        c.endedAt === null && c.dueAt !== null && (c.kind === "complete" || c.kind === "accept"),
    );
    if (running?.dueAt)
      expected = `${teamName(running.team)} expects to ${running.kind === "accept" ? "take it on" : `finish “${stepName(running.step)}”`} by ${dateWords(running.dueAt, now, timezone)}`;
  }
  const fields: StatusView["fields"] = [];
  for (const f of def.fields) {
    if (f.public !== true) continue;
    const raw = item.fields[f.key];
    const text =
      f.type === "choice" && typeof raw === "string" ? optionLabel(f, raw) : valueText(raw);
    if (text !== null && text !== "") fields.push({ label: f.label ?? f.key, value: text });
  }
  return {
    key: item.key,
    title: item.title,
    state: item.status,
    headline,
    steps,
    expected,
    fields,
    updated: `Last change: ${since(item.activeAt ?? item.updatedAt)}`,
  };
}

import type { Command } from "commander";
import { formatBytes } from "../domain/byte-size.ts";
import { describeEvent, describeMissing, type EventWording } from "../domain/wording.ts";
import {
  type ClockJson,
  cliOf,
  type EventJson,
  type ItemJson,
  seg,
  type WorkflowJson,
} from "./client.ts";
import { definitionOf, getItem } from "./item-api.ts";
import {
  describeLeft,
  emit,
  formatClockState,
  formatDue,
  formatDuration,
  formatMoment,
  formatNext,
  formatState,
  formatTime,
  formatValue,
  indent,
  say,
  sayJson,
  table,
} from "./output.ts";

/* `baton item show|history`: an item in words (who moves next, clocks, fields…) and its timeline. */

/** What a clock measures, in a few words: `accept handoff #2`, `answer question #1`. */
function describeClock(c: ClockJson): string {
  switch (c.kind) {
    case "complete":
      return `complete ${c.step}`;
    case "accept":
      return `accept handoff #${c.handoff}`;
    case "answer":
      return `answer question #${c.id.split(":")[1] ?? "?"}`;
    case "due":
      return "due date";
    default: {
      // A newer server may add kinds; show them rather than fail.
      const unknown: never = c.kind;
      return String(unknown);
    }
  }
}

/** One row of the service-level table of `item show`. */
function clockRow(c: ClockJson): string[] {
  // A due date's "limit" is an instant, not a span: elapsed / limit says nothing there.
  const progress = c.kind === "due" ? "—" : `${formatDuration(c.elapsed_s)} / ${c.limit}`;
  let due = "—";
  if (c.ended_at !== null) due = `ended ${formatMoment(c.ended_at)}`;
  else if (c.due_at !== null) due = formatDue(c.due_at);
  return [describeClock(c), c.team, formatClockState(c.state), progress, describeLeft(c), due];
}

/** Questions asked across the boundary, open ones with their answer-by time. */
function sayQuestions(item: ItemJson): void {
  if (item.questions.length === 0) return;
  say();
  say("Questions");
  for (const q of item.questions) {
    say(
      `  #${q.id} ${q.from_team} → ${q.to_team}, asked by ${q.asked_by} ${formatTime(q.asked_at)}: "${q.body}"`,
    );
    if (q.answer)
      say(`     answered by ${q.answer.by} ${formatTime(q.answer.at)}: "${q.answer.body}"`);
    else
      say(
        `     open${q.due_at ? `, answer due ${formatDue(q.due_at)}` : ""}; baton question answer ${item.key} ${q.id} TEXT`,
      );
  }
}

/** Handoff meetings: when, where, whether held, and the invite to import. */
function sayMeetings(item: ItemJson, baseUrl: string): void {
  if (item.meetings.length === 0) return;
  say();
  say("Meetings");
  for (const m of item.meetings) {
    const where = m.location ? `, ${m.location}` : "";
    say(
      `  #${m.id} ${formatTime(m.starts_at)}, ${m.duration_minutes} min${where} (handoff #${m.handoff})`,
    );
    if (m.attendees.length > 0) say(`     attendees: ${m.attendees.join(", ")}`);
    if (m.agenda.length > 0) say(`     agenda: ${m.agenda.join(" · ")}`);
    if (m.held) {
      const who = m.held.attended.length > 0 ? ` (attended: ${m.held.attended.join(", ")})` : "";
      say(`     held, recorded ${formatTime(m.held.at)} by ${m.held.by}${who}: "${m.held.notes}"`);
    } else
      say(`     not held yet; afterwards: baton meeting held ${item.key} ${m.id} --notes TEXT`);
    say(`     invite: ${baseUrl}${m.ics}`);
  }
}

/** The readable block of `item show`; `baseUrl` makes the meeting invite links absolute. */
function sayItem(item: ItemJson, def: WorkflowJson["definition"], baseUrl: string): void {
  say(`${item.key}  ${item.title}`);
  say(`NEXT      ${formatNext(item)}`);
  say(
    `State     ${formatState(item.state)} at "${item.step_name}" (${item.step}), owned by ${item.owner_team}`,
  );
  say(`Assignee  ${item.assignee ?? "nobody"}`);
  if (item.due) say(`Due       ${formatDue(item.due)}`);
  say(
    `Workflow  ${item.workflow} version ${item.workflow_version}, created ${formatTime(item.created_at)} by ${item.created_by}`,
  );
  const rework = Object.entries(item.rework).filter(([, n]) => n > 0);
  if (rework.length > 0)
    say(`Rework    ${rework.map(([step, n]) => `${step} returned ${n}×`).join(", ")}`);

  if (item.returned) {
    const r = item.returned;
    say();
    say(`Returned for rework by ${r.from_team} (${r.by}, ${formatTime(r.at)}): ${r.reason}`);
    say(`  "${r.comment}"`);
    if (r.failed_criteria.length > 0) say(`  failed criteria: ${r.failed_criteria.join(" · ")}`);
  }
  if (item.paused) {
    const p = item.paused;
    say();
    say(`Paused since ${formatTime(p.at)} by ${p.by}: ${p.reason}`);
  }
  if (item.closed) {
    const c = item.closed;
    say();
    say(
      `${item.state === "done" ? "Completed" : "Cancelled"} ${formatTime(c.at)} by ${c.by}${c.reason ? `: ${c.reason}` : ""}`,
    );
  }

  if (item.clocks.length > 0) {
    say();
    say("Service levels");
    say(
      indent(
        table(
          ["clock", "team", "state", "elapsed / limit", "left", "due"],
          item.clocks.map(clockRow),
        ),
      ),
    );
  }

  say();
  say("Fields");
  const known = new Set(def.fields.map((f) => f.key));
  const rows = [
    ...def.fields.map((f) => [`${f.label ?? f.key} (${f.key})`, formatValue(item.fields[f.key])]),
    // Values the definition no longer names still belong to the item; show them too.
    ...Object.entries(item.fields)
      .filter(([k]) => !known.has(k))
      .map(([k, v]) => [k, formatValue(v)]),
  ];
  say(rows.length === 0 ? "  none" : indent(table([], rows)));

  say();
  say(`Checklist of "${item.step_name}"`);
  if (item.checklist.length === 0) say("  none");
  for (const c of item.checklist)
    say(`  ${c.index} [${c.done ? "x" : " "}] ${c.text}${c.optional ? " (optional)" : ""}`);

  const h = item.handoff;
  if (h) {
    say();
    say(
      `Pending handoff #${h.id}: ${h.from_step} (${h.from_team}) → ${h.to_step} (${h.to_team}), submitted ${formatTime(h.submitted_at)} by ${h.submitted_by}`,
    );
    if (h.note) say(`  note: ${h.note}`);
    if (h.criteria.length > 0)
      for (const c of h.criteria) say(`  [${h.confirmed.includes(c) ? "x" : " "}] ${c}`);
    if (h.meeting_required) say(`  before accepting: ${h.meeting_required}`);
  }

  sayQuestions(item);
  sayMeetings(item, baseUrl);

  const ready = item.readiness;
  if (ready) {
    say();
    if (!ready.to_step) say("No route of this step's handoff matches the fields yet.");
    else if (ready.missing.length === 0) say(`Ready to hand off to ${ready.to_step}.`);
    else {
      say(`Still needed before handing off to ${ready.to_step}:`);
      for (const m of ready.missing) say(`  - ${describeMissing(m, "line")}`);
    }
    // Criteria are confirmed by the sender when handing off, so they are listed, never "missing".
    if (ready.to_step && ready.criteria.length > 0) {
      say("Acceptance criteria to confirm when handing off:");
      for (const c of ready.criteria) say(`  - ${c}`);
    }
  } else if (item.is_final_step && item.state === "in_progress") {
    say();
    say(`Final step: finish the checklist, then baton item complete ${item.key}`);
  }
}

/** How `item events` tells each event: the terse log, with keys, ids and values. */
const eventWording: EventWording = {
  style: "log",
  time: formatTime,
  value: formatValue,
  bytes: formatBytes,
};

/** Registers `item show` and `item history`. */
export function registerItemShowCommands(item: Command): void {
  item
    .command("show")
    .description(
      "show an item: who moves next, service-level clocks, fields, checklist, pending handoff, questions, meetings",
    )
    .argument("<key>", "item key, e.g. ONB-42")
    .action(async (key: string, _flags: unknown, command: Command) => {
      const cli = cliOf(command);
      const it = await getItem(cli.api, key);
      if (cli.json) return sayJson(it);
      sayItem(it, (await definitionOf(cli.api, it)).definition, cli.api.url);
    });

  item
    .command("history")
    .description("the item's timeline, oldest first")
    .argument("<key>", "item key")
    .option("--csv", "print it as CSV (seq, at, actor, type, data), e.g. for a spreadsheet")
    .action(async (key: string, flags: { csv?: boolean }, command: Command) => {
      const cli = cliOf(command);
      if (flags.csv) {
        const csv = await cli.api.download(`/items/${seg(key)}/events`, "text/csv", {
          format: "csv",
        });
        process.stdout.write(csv);
        return;
      }
      const body = await cli.api.get<{ events: EventJson[] }>(`/items/${seg(key)}/events`);
      emit(cli, body, ({ events }) =>
        say(
          table(
            ["when", "who", "what"],
            events.map((e) => [formatTime(e.at), e.actor, describeEvent(e, eventWording)]),
          ),
        ),
      );
    });
}

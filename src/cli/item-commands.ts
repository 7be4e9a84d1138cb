import type { Command } from "commander";
import { describeEvent, describeMissing, type EventWording } from "../domain/wording.ts";
import type { FieldDef } from "../domain/workflow.ts";
import {
  type Api,
  type Cli,
  CliError,
  type ClockJson,
  type CommentJson,
  cliOf,
  collect,
  type EventJson,
  type ItemJson,
  type ItemSummaryJson,
  seg,
  type WorkflowJson,
} from "./client.ts";
import {
  describeLeft,
  emit,
  formatBytes,
  formatClockState,
  formatDue,
  formatDuration,
  formatMoment,
  formatNext,
  formatState,
  formatTime,
  formatValue,
  indent,
  itemTable,
  say,
  sayItemChanged,
  sayJson,
  table,
} from "./output.ts";
import { registerShareCommands } from "./share-commands.ts";

/*
 * `baton item …`: start items, read them and their history, fill in fields and checklists, and
 * move them along (claim, assign, pause, complete…). Handoffs have their own group.
 */

/** Splits `key=value` words, before anything is fetched, so a typo fails fast. */
function parseAssignments(words: string[]): [key: string, raw: string][] {
  return words.map((word) => {
    const eq = word.indexOf("=");
    if (eq <= 0) throw new CliError(`expected key=value (or key= to clear), not "${word}"`);
    return [word.slice(0, eq), word.slice(eq + 1)];
  });
}

/**
 * Gives field values the JSON type their workflow declares, since the shell only has strings:
 * number fields get numbers, boolean fields true/false, the rest strings; an empty value is null,
 * which clears the field. A value of the wrong type is sent as written so the server, the one
 * judge of validity, explains what is wrong with it.
 */
function typedFields(
  pairs: [key: string, raw: string][],
  fields: FieldDef[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of pairs) {
    const type = fields.find((f) => f.key === key)?.type;
    if (raw === "") out[key] = null;
    else if (type === "number" && raw.trim() !== "" && Number.isFinite(Number(raw)))
      out[key] = Number(raw);
    else if (type === "boolean" && /^(true|yes)$/i.test(raw)) out[key] = true;
    else if (type === "boolean" && /^(false|no)$/i.test(raw)) out[key] = false;
    else out[key] = raw;
  }
  return out;
}

function getItem(api: Api, key: string): Promise<ItemJson> {
  return api.get<ItemJson>(`/items/${seg(key)}`);
}

/** The workflow version an item runs on (its field types and labels). */
function definitionOf(api: Api, item: Pick<ItemJson, "workflow" | "workflow_version">) {
  return api.get<WorkflowJson>(`/workflows/${seg(item.workflow)}`, {
    version: item.workflow_version,
  });
}

/** Runs one POST command on an item and reports the change in a line. */
async function runOnItem(
  cli: Cli,
  key: string,
  path: string,
  body: unknown,
  headline: (item: ItemJson) => string,
): Promise<ItemJson> {
  const item = await cli.api.post<ItemJson>(`/items/${seg(key)}/${path}`, body);
  sayItemChanged(cli, item, headline(item));
  return item;
}

/** What still stands between a step in progress and its handoff (fields and checklist). */
function sayWhatIsLeft(cli: Cli, item: ItemJson): void {
  if (cli.json || item.state !== "in_progress" || !item.readiness) return;
  // Criteria are confirmed while handing off, not before, so they never count as left here.
  const left = item.readiness.missing.filter((m) => m.kind !== "criterion");
  if (left.length === 0) {
    say(`Ready to hand off: baton handoff submit ${item.key} --confirm-all`);
    return;
  }
  say("Still needed before the handoff:");
  for (const m of left) say(`  - ${describeMissing(m, "line")}`);
}

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

/** The list filters `item list`, `item search` and `view save` share. */
export interface ListFlags {
  team?: string;
  involves?: string;
  state?: string;
  workflow?: string;
  assignee?: string;
  sla?: string;
  field?: string[];
  createdAfter?: string;
  createdBefore?: string;
  updatedAfter?: string;
  updatedBefore?: string;
  minAgeDays?: string;
  maxAgeDays?: string;
  limit?: string;
  csv?: boolean;
}

/** Adds the list filters to a command. */
export function withListFilters(c: Command): Command {
  return c
    .option("--team <key>", "items this team must move next")
    .option("--involves <key>", "items this team has owned or been handed")
    .option(
      "--state <states>",
      "comma-separated: in_progress, awaiting_acceptance, paused, done, cancelled",
    )
    .option("--workflow <key>", "items of one workflow")
    .option("--assignee <email>", "items assigned to this person")
    .option("--sla <states>", "open items whose clocks are breached or warning (comma-separated)")
    .option(
      "--field <key:value>",
      "a field's current value, e.g. tier:enterprise (repeat)",
      collect,
    )
    .option("--created-after <date>", "YYYY-MM-DD or an ISO 8601 instant")
    .option("--created-before <date>", "YYYY-MM-DD or an ISO 8601 instant")
    .option("--updated-after <date>", "YYYY-MM-DD or an ISO 8601 instant")
    .option("--updated-before <date>", "YYYY-MM-DD or an ISO 8601 instant")
    .option("--min-age-days <n>", "created at least this many days ago")
    .option("--max-age-days <n>", "created at most this many days ago")
    .option("--limit <n>", "at most this many (default 100)")
    .option("--csv", "print the list as CSV, e.g. for a spreadsheet");
}

/** The query string of GET /items for the given flags (names as the API spells them). */
export function listQuery(f: ListFlags): Record<string, string | string[] | undefined> {
  return {
    team: f.team,
    involves: f.involves,
    state: f.state,
    workflow: f.workflow,
    assignee: f.assignee,
    sla: f.sla,
    field: f.field,
    created_after: f.createdAfter,
    created_before: f.createdBefore,
    updated_after: f.updatedAfter,
    updated_before: f.updatedBefore,
    min_age_days: f.minAgeDays,
    max_age_days: f.maxAgeDays,
    limit: f.limit,
    ...(f.csv ? { format: "csv" } : {}),
  };
}

/** Prints the items a list query finds: a table, JSON with --json, or the API's CSV. */
export async function sayList(
  cli: Cli,
  query: Record<string, string | string[] | undefined>,
): Promise<void> {
  if (query.format === "csv") {
    process.stdout.write(await cli.api.download("/items", "text/csv", query));
    return;
  }
  const body = await cli.api.get<{ items: ItemSummaryJson[] }>("/items", query);
  emit(cli, body, ({ items }) => say(items.length === 0 ? "No items match." : itemTable(items)));
}

/** Registers the `item` commands. */
export function registerItemCommands(program: Command): void {
  const item = program.command("item").description("start, read and work on items");

  item
    .command("create")
    .description("start an item at the first step of a workflow")
    .argument("<workflow>", "workflow key, e.g. onboarding")
    .requiredOption("--title <title>", "what the item is about")
    .option("--field <key=value>", "a field value (repeat for several)", collect)
    .option(
      "--due <date>",
      "when the item must be done: YYYY-MM-DD (end of that day) or an ISO 8601 instant",
    )
    .action(
      async (
        workflow: string,
        flags: { title: string; field?: string[]; due?: string },
        command: Command,
      ) => {
        const cli = cliOf(command);
        let fields: Record<string, unknown> | undefined;
        if (flags.field) {
          const pairs = parseAssignments(flags.field);
          const w = await cli.api.get<WorkflowJson>(`/workflows/${seg(workflow)}`);
          fields = typedFields(pairs, w.definition.fields);
        }
        const created = await cli.api.post<ItemJson>("/items", {
          workflow,
          title: flags.title,
          fields,
          due: flags.due,
        });
        sayItemChanged(
          cli,
          created,
          `Created ${created.key} "${created.title}" at "${created.step_name}".`,
        );
        sayWhatIsLeft(cli, created);
      },
    );

  withListFilters(
    item
      .command("list")
      .description("list items across teams, oldest update first (filters AND together)")
      .option("--search <words>", "search words: key, title, field values, comments"),
  ).action(async (flags: ListFlags & { search?: string }, command: Command) => {
    await sayList(cliOf(command), { ...listQuery(flags), q: flags.search });
  });

  withListFilters(
    item
      .command("search")
      .description(
        "find items by key, title, field values and comments (each word a prefix); an exact key first",
      )
      .argument("<words...>", "what to look for, e.g. acme or ONB-17"),
  ).action(async (words: string[], flags: ListFlags, command: Command) => {
    await sayList(cliOf(command), { ...listQuery(flags), q: words.join(" ") });
  });

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

  item
    .command("set")
    .description("change field values (key= clears a field)")
    .argument("<key>", "item key")
    .argument("<assignments...>", "key=value pairs")
    .action(async (key: string, words: string[], _flags: unknown, command: Command) => {
      const cli = cliOf(command);
      const pairs = parseAssignments(words);
      const def = await definitionOf(cli.api, await getItem(cli.api, key));
      const fields = typedFields(pairs, def.definition.fields);
      const updated = await cli.api.patch<ItemJson>(`/items/${seg(key)}/fields`, fields);
      const changes = Object.entries(fields).map(([k, v]) =>
        v === null ? `${k} cleared` : `${k} = ${formatValue(v)}`,
      );
      sayItemChanged(cli, updated, `Updated ${updated.key}: ${changes.join(", ")}.`);
      sayWhatIsLeft(cli, updated);
    });

  item
    .command("check")
    .description("tick a checklist item of the current step (by its number or its text)")
    .argument("<key>", "item key")
    .argument("<index>", "the number `item show` prints before it, or its text")
    .option("--undo", "untick it instead")
    .action(async (key: string, which: string, flags: { undo?: boolean }, command: Command) => {
      const cli = cliOf(command);
      let index = /^\d+$/.test(which) ? Number(which) : undefined;
      if (index === undefined) {
        const list = (await getItem(cli.api, key)).checklist;
        index = list.find((c) => c.text.toLowerCase() === which.trim().toLowerCase())?.index;
        if (index === undefined)
          throw new CliError(
            `the current step's checklist has no "${which}"`,
            list.map((c) => `  ${c.index} ${c.text}`),
          );
      }
      const done = flags.undo !== true;
      const updated = await runOnItem(cli, key, "checklist", { index, done }, (it) => {
        const text = it.checklist[index]?.text ?? `#${index}`;
        return `${done ? "Ticked" : "Unticked"} "${text}" on ${it.key}.`;
      });
      sayWhatIsLeft(cli, updated);
    });

  item
    .command("claim")
    .description("assign the item to yourself")
    .argument("<key>", "item key")
    .action(async (key: string, _flags: unknown, command: Command) => {
      await runOnItem(
        cliOf(command),
        key,
        "claim",
        undefined,
        (it) => `${it.key} is assigned to you.`,
      );
    });

  item
    .command("assign")
    .description("assign the item to a member of the team that moves next")
    .argument("<key>", "item key")
    .argument("<email>", 'who, or "none" to unassign')
    .action(async (key: string, email: string, _flags: unknown, command: Command) => {
      const to = email === "none" ? null : email;
      await runOnItem(cliOf(command), key, "assign", { email: to }, (it) =>
        to ? `${it.key} is assigned to ${to}.` : `${it.key} is unassigned.`,
      );
    });

  item
    .command("comment")
    .description("comment on the item (anyone can)")
    .argument("<key>", "item key")
    .argument("<text>", "the comment")
    .action(async (key: string, text: string, _flags: unknown, command: Command) => {
      await runOnItem(
        cliOf(command),
        key,
        "comments",
        { body: text },
        (it) => `Commented on ${it.key}.`,
      );
    });

  item
    .command("edit")
    .description("change the item's title or due date")
    .argument("<key>", "item key")
    .option("--title <title>", "the new title")
    .option("--due <date>", "YYYY-MM-DD (end of that day) or an ISO 8601 instant")
    .option("--no-due", "clear the due date")
    .action(
      async (key: string, flags: { title?: string; due?: string | false }, command: Command) => {
        const cli = cliOf(command);
        // commander sets due to true by default because of --no-due: only a string or false counts.
        const due =
          typeof flags.due === "string" ? flags.due : flags.due === false ? null : undefined;
        if (flags.title === undefined && due === undefined)
          throw new CliError("say what to change: --title, --due or --no-due");
        const updated = await cli.api.patch<ItemJson>(`/items/${seg(key)}`, {
          title: flags.title,
          due,
        });
        const what = [
          ...(flags.title === undefined ? [] : [`title "${updated.title}"`]),
          ...(due === undefined
            ? []
            : [updated.due ? `due ${formatTime(updated.due)}` : "no due date"]),
        ];
        sayItemChanged(cli, updated, `Updated ${updated.key}: ${what.join(", ")}.`);
      },
    );

  item
    .command("comments")
    .description("the item's comments with their numbers (latest text; deleted ones left out)")
    .argument("<key>", "item key")
    .action(async (key: string, _flags: unknown, command: Command) => {
      const cli = cliOf(command);
      const body = await cli.api.get<{ comments: CommentJson[] }>(`/items/${seg(key)}/comments`);
      emit(cli, body, ({ comments }) =>
        say(
          comments.length === 0
            ? "No comments."
            : table(
                ["#", "when", "who", "comment"],
                comments.map((c) => [
                  `${c.seq}`,
                  formatTime(c.at),
                  c.author,
                  c.edited_at ? `${c.body} (edited)` : c.body,
                ]),
              ),
        ),
      );
    });

  item
    .command("comment-edit")
    .description("change the text of your comment (the history keeps the old one)")
    .argument("<key>", "item key")
    .argument("<number>", "the comment's number (baton item comments)")
    .argument("<text>", "the new text")
    .action(async (key: string, n: string, text: string, _flags: unknown, command: Command) => {
      const cli = cliOf(command);
      const updated = await cli.api.patch<ItemJson>(`/items/${seg(key)}/comments/${seg(n)}`, {
        body: text,
      });
      sayItemChanged(cli, updated, `Edited comment #${n} on ${updated.key}.`);
    });

  item
    .command("comment-delete")
    .description("delete your comment (an admin: any); the history keeps it")
    .argument("<key>", "item key")
    .argument("<number>", "the comment's number (baton item comments)")
    .action(async (key: string, n: string, _flags: unknown, command: Command) => {
      const cli = cliOf(command);
      const updated = await cli.api.delete<ItemJson>(`/items/${seg(key)}/comments/${seg(n)}`);
      sayItemChanged(cli, updated, `Deleted comment #${n} on ${updated.key}.`);
    });

  item
    .command("reopen")
    .description("reopen a done item: back to its last step's team, counted as rework")
    .argument("<key>", "item key")
    .requiredOption("--reason <reason>", "what is not done after all")
    .action(async (key: string, flags: { reason: string }, command: Command) => {
      await runOnItem(
        cliOf(command),
        key,
        "reopen",
        { reason: flags.reason },
        (it) => `${it.key} is reopened at "${it.step_name}" (${it.owner_team}).`,
      );
    });

  item
    .command("migrate")
    .description("move a running item to its workflow's current version (admin)")
    .argument("<key>", "item key")
    .action(async (key: string, _flags: unknown, command: Command) => {
      await runOnItem(
        cliOf(command),
        key,
        "migrate",
        undefined,
        (it) => `${it.key} runs on ${it.workflow} version ${it.workflow_version}.`,
      );
    });

  item
    .command("complete")
    .description("complete the item at its final step")
    .argument("<key>", "item key")
    .action(async (key: string, _flags: unknown, command: Command) => {
      await runOnItem(cliOf(command), key, "complete", undefined, (it) => `${it.key} is done.`);
    });

  item
    .command("cancel")
    .description("cancel the item")
    .argument("<key>", "item key")
    .requiredOption("--reason <reason>", "why, for the record")
    .action(async (key: string, flags: { reason: string }, command: Command) => {
      await runOnItem(
        cliOf(command),
        key,
        "cancel",
        { reason: flags.reason },
        (it) => `${it.key} is cancelled.`,
      );
    });

  item
    .command("pause")
    .description("pause work, e.g. while waiting on the customer (service-level clocks stop)")
    .argument("<key>", "item key")
    .requiredOption("--reason <reason>", "what the work waits for")
    .action(async (key: string, flags: { reason: string }, command: Command) => {
      await runOnItem(
        cliOf(command),
        key,
        "pause",
        { reason: flags.reason },
        (it) => `${it.key} is paused.`,
      );
    });

  item
    .command("resume")
    .description("resume paused work")
    .argument("<key>", "item key")
    .action(async (key: string, _flags: unknown, command: Command) => {
      await runOnItem(cliOf(command), key, "resume", undefined, (it) => `${it.key} is resumed.`);
    });

  registerShareCommands(item);
}

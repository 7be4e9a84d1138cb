import type { Command } from "commander";
import { describeMissing } from "../domain/wording.ts";
import type { FieldDef } from "../domain/workflow.ts";
import {
  type Cli,
  CliError,
  cliOf,
  collect,
  type ItemJson,
  seg,
  type WorkflowJson,
} from "./client.ts";
import { definitionOf, getItem, runOnItem } from "./item-api.ts";
import { formatValue, say, sayItemChanged } from "./output.ts";

/*
 * `baton item create|set|check|claim|assign`: start an item, fill in its fields and checklist,
 * say who works on it.
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

/** Registers `item create`. */
export function registerItemCreateCommand(item: Command): void {
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
}

/** Registers `item set`, `item check`, `item claim` and `item assign`. */
export function registerItemWorkCommands(item: Command): void {
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
}

import type { Command } from "commander";
import { type Cli, cliOf, collect, type ItemSummaryJson } from "./client.ts";
import { emit, itemTable, say } from "./output.ts";

/* `baton item list|search`: items across teams by filters; the filters `view save` shares. */

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

/** Registers `item list` and `item search`. */
export function registerItemListCommands(item: Command): void {
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
}

import type { Command } from "commander";
import { CliError, cliOf, seg, type ViewJson } from "./client.ts";
import { type ListFlags, listQuery, sayList, withListFilters } from "./item-list.ts";
import { emit, say, table } from "./output.ts";

/*
 * `baton view …`: saved views, the filters of `item list` kept under a name, for yourself or
 * shared with one of your teams; `view show` lists what a view finds now.
 */

/** Registers the `view` commands. */
export function registerViewCommands(program: Command): void {
  const view = program.command("view").description("saved list filters, personal or shared");

  view
    .command("list")
    .description("your saved views and those shared with your teams")
    .action(async (_flags: unknown, command: Command) => {
      const cli = cliOf(command);
      const body = await cli.api.get<{ views: ViewJson[] }>("/views");
      emit(cli, body, ({ views }) =>
        say(
          views.length === 0
            ? "No saved views."
            : table(
                ["id", "name", "owner", "shared with", "filters"],
                views.map((v) => [
                  v.id,
                  v.name,
                  v.owner,
                  v.team ?? "",
                  new URLSearchParams(
                    Object.entries(v.query).flatMap(([k, x]) =>
                      (Array.isArray(x) ? x : [x]).map((y) => [k, y]),
                    ),
                  ).toString(),
                ]),
              ),
        ),
      );
    });

  withListFilters(
    view
      .command("save")
      .description("save the given list filters under a name")
      .argument("<name>", 'what to call it, e.g. "Breached enterprise work"')
      .option("--search <words>", "search words")
      .option("--share <team>", "share it with one of your teams"),
  ).action(
    async (
      name: string,
      flags: ListFlags & { search?: string; share?: string },
      command: Command,
    ) => {
      const cli = cliOf(command);
      const { limit: _limit, format: _format, ...filters } = listQuery(flags);
      const query = Object.fromEntries(
        Object.entries({ ...filters, q: flags.search }).filter(([, v]) => v !== undefined),
      );
      if (Object.keys(query).length === 0)
        throw new CliError(
          "give at least one filter, e.g. --sla breached or --workflow onboarding",
        );
      const saved = await cli.api.post<ViewJson>("/views", { name, query, team: flags.share });
      emit(cli, saved, (v) =>
        say(`Saved view ${v.id} "${v.name}"${v.team ? `, shared with ${v.team}` : ""}.`),
      );
    },
  );

  view
    .command("show")
    .description("list the items a saved view finds now")
    .argument("<id>", "the view's id (baton view list)")
    .option("--csv", "print them as CSV")
    .action(async (id: string, flags: { csv?: boolean }, command: Command) => {
      const cli = cliOf(command);
      const { views } = await cli.api.get<{ views: ViewJson[] }>("/views");
      const v = views.find((x) => x.id === id);
      if (!v) throw new CliError(`no saved view ${id} of yours or your teams (baton view list)`);
      await sayList(cli, { ...v.query, ...(flags.csv ? { format: "csv" } : {}) });
    });

  view
    .command("delete")
    .description("delete a saved view (yours, or your team's as its lead)")
    .argument("<id>", "the view's id")
    .action(async (id: string, _flags: unknown, command: Command) => {
      const cli = cliOf(command);
      await cli.api.delete(`/views/${seg(id)}`);
      if (!cli.json) say(`Deleted view ${id}.`);
    });
}

import type { Command } from "commander";
import { cliOf, type TeamJson } from "./client.ts";
import { emit, say, table } from "./output.ts";

/* `baton team create|list`: the teams work is handed between. */

/** Registers `team create` and `team list`. */
export function registerTeamCommands(program: Command): void {
  const team = program.command("team").description("create and list teams");

  team
    .command("create")
    .description("create a team (admin)")
    .argument("<key>", "short key used in workflows, e.g. sales")
    .requiredOption("--name <name>", "display name, e.g. Sales")
    .action(async (key: string, flags: { name: string }, command: Command) => {
      const cli = cliOf(command);
      const created = await cli.api.post<TeamJson>("/teams", { key, name: flags.name });
      emit(cli, created, (t) => say(`Created team ${t.key} (${t.name}).`));
    });

  team
    .command("list")
    .description("list teams with their leads and member count")
    .action(async (_flags: unknown, command: Command) => {
      const cli = cliOf(command);
      const body = await cli.api.get<{ teams: TeamJson[] }>("/teams");
      emit(cli, body, ({ teams }) => {
        if (teams.length === 0)
          return say("No teams yet. Create one: baton team create KEY --name NAME");
        say(
          table(
            ["key", "name", "members", "leads"],
            teams.map((t) => [
              t.key,
              t.name,
              String(t.members.length),
              t.members
                .filter((m) => m.role === "lead")
                .map((m) => m.email)
                .join(", "),
            ]),
          ),
        );
      });
    });
}

import type { Command } from "commander";
import { cliOf, type StalledItemJson } from "./client.ts";
import { emit, formatDuration, formatState, formatTime, say, table } from "./output.ts";

/*
 * `baton stalled`: work nobody has touched for its step's stall_after, across teams, most
 * stalled first (README "Stalled work").
 */

/** Registers `stalled`. */
export function registerStalledCommands(program: Command): void {
  program
    .command("stalled")
    .description(
      "stalled work across teams, most stalled first: idle for its step's stall_after, and where it sits",
    )
    .option("--team <key>", "only work this team must move")
    .option("--workflow <key>", "only items of this workflow")
    .option("--limit <n>", "at most this many (default 100)")
    .action(
      async (flags: { team?: string; workflow?: string; limit?: string }, command: Command) => {
        const cli = cliOf(command);
        const body = await cli.api.get<{ items: StalledItemJson[] }>("/stalled", flags);
        emit(cli, body, ({ items }) => {
          if (items.length === 0) {
            const where = [
              flags.team ? ` for ${flags.team}` : "",
              flags.workflow ? ` in ${flags.workflow}` : "",
            ].join("");
            return say(`Nothing is stalled${where}.`);
          }
          say(
            table(
              ["key", "title", "idle for", "with", "step", "state", "since", "stall after"],
              items.map((i) => [
                i.key,
                i.title,
                // Wall-clock time since the last activity; the rule is the team's business time.
                formatDuration(i.stalled.idle_s, { withDays: true }),
                i.stalled.team_name,
                i.stalled.step_name,
                formatState(i.state),
                formatTime(i.stalled.since),
                i.stalled.stall_after,
              ]),
            ),
          );
        });
      },
    );
}

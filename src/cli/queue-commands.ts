import type { Command } from "commander";
import { cliOf, type ItemSummaryJson, seg } from "./client.ts";
import { emit, indent, itemTable, say } from "./output.ts";

/* `baton queue TEAM`: what a team has to do, and what it waits for. */

interface QueueJson {
  team: string;
  incoming: ItemSummaryJson[];
  in_progress: ItemSummaryJson[];
  waiting_on_others: ItemSummaryJson[];
  paused: ItemSummaryJson[];
}

/** The sections in the order a team works through them. */
const sections: [keyof Omit<QueueJson, "team">, string][] = [
  ["incoming", "Incoming: handed to the team, waiting to be accepted or rejected"],
  ["in_progress", "In progress"],
  ["waiting_on_others", "Waiting on others: handed off, not yet accepted"],
  ["paused", "Paused"],
];

/** Registers `queue TEAM`. */
export function registerQueueCommands(program: Command): void {
  program
    .command("queue")
    .description("a team's queue: incoming, in progress, waiting on others, paused")
    .argument("<team>", "team key")
    .action(async (team: string, _flags: unknown, command: Command) => {
      const cli = cliOf(command);
      const q = await cli.api.get<QueueJson>(`/teams/${seg(team)}/queue`);
      emit(cli, q, () => {
        say(`Queue of ${q.team}`);
        for (const [key, title] of sections) {
          const items = q[key];
          say();
          say(`${title} (${items.length})`);
          say(items.length === 0 ? "  none" : indent(itemTable(items)));
        }
      });
    });
}

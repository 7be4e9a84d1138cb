import type { Command } from "commander";
import { cliOf, type ItemSummaryJson, seg } from "./client.ts";
import { emit, formatDue, indent, itemTable, say, table } from "./output.ts";

/* `baton queue TEAM`: what a team has to do, and what it waits for. */

interface QueueJson {
  team: string;
  incoming: ItemSummaryJson[];
  in_progress: ItemSummaryJson[];
  waiting_on_others: ItemSummaryJson[];
  paused: ItemSummaryJson[];
  /** Items with questions asked of this team and not yet answered. */
  questions: ItemSummaryJson[];
}

type ItemSection = keyof Omit<QueueJson, "team" | "questions">;

/** The sections in the order a team works through them; questions come after incoming. */
const sections: [ItemSection, string][] = [
  ["incoming", "Incoming: handed to the team, waiting to be accepted or rejected"],
  ["in_progress", "In progress"],
  ["waiting_on_others", "Waiting on others: handed off, not yet accepted"],
  ["paused", "Paused"],
];

/** Long questions are cut to keep one line each; `item show` has the whole text. */
function shorten(text: string, max = 60): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** One row per open question asked of `team`, with its answer-by time. */
function questionTable(team: string, items: ItemSummaryJson[]): string {
  const rows = items.flatMap((i) =>
    i.open_questions
      .filter((q) => q.to_team === team)
      .map((q) => {
        const clock = i.clocks.find((c) => c.id === `answer:${q.id}`);
        const due = clock?.due_at ? formatDue(clock.due_at) : "—";
        return [
          i.key,
          `#${q.id}`,
          shorten(q.body),
          q.from_team,
          clock?.state === "breached" ? `BREACHED ${due}` : due,
        ];
      }),
  );
  return table(["key", "#", "question", "from", "answer due"], rows);
}

/** Registers `queue TEAM`. */
export function registerQueueCommands(program: Command): void {
  program
    .command("queue")
    .description(
      "a team's queue: incoming, questions to answer, in progress, waiting on others, paused",
    )
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
          if (key === "incoming") {
            // An older server has no questions section; show none rather than fail.
            const asked = q.questions ?? [];
            const count = asked.reduce(
              (n, i) => n + i.open_questions.filter((x) => x.to_team === q.team).length,
              0,
            );
            say();
            say(`Questions to answer (${count})`);
            say(count === 0 ? "  none" : indent(questionTable(q.team, asked)));
          }
        }
      });
    });
}

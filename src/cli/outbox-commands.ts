import type { Command } from "commander";
import { cliOf, type OutboxMessageJson } from "./client.ts";
import { emit, formatTime, say, table } from "./output.ts";

/*
 * `baton outbox`: the messages Baton has recorded for delivery (service-level warnings and
 * escalations), so an admin can see who was told what, and whether it went out.
 */

/** Registers `outbox`. */
export function registerOutboxCommands(program: Command): void {
  program
    .command("outbox")
    .description("the recorded notifications (escalations, warnings), newest first (admin)")
    .option("--item <key>", "only those about this item")
    .option("--limit <n>", "at most this many (default 100)")
    .action(async (flags: { item?: string; limit?: string }, command: Command) => {
      const cli = cliOf(command);
      const body = await cli.api.get<{ messages: OutboxMessageJson[] }>("/outbox", flags);
      emit(cli, body, ({ messages }) => {
        if (messages.length === 0)
          return say(flags.item ? `No messages about ${flags.item}.` : "No messages yet.");
        say(
          table(
            ["when", "item", "kind", "to", "subject", "delivered"],
            messages.map((m) => [
              formatTime(m.created_at),
              m.item ?? "—",
              m.kind,
              m.recipient,
              m.subject,
              m.delivered_at ? formatTime(m.delivered_at) : "not yet",
            ]),
          ),
        );
      });
    });
}

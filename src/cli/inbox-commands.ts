import type { Command } from "commander";
import { CliError, cliOf, type InboxJson, seg, type WatchJson } from "./client.ts";
import { emit, formatTime, say, table } from "./output.ts";

/*
 * `baton inbox`, `baton inbox read` and `baton watch|unwatch KEY`: the reader's own
 * notifications (README "Notifications"), the same lines as the web app's bell.
 */

/** "3 unread" or "nothing unread", for the line above the inbox. */
function describeUnread(n: number): string {
  return n === 0 ? "Nothing unread." : `${n} unread.`;
}

/** Registers `inbox`, `inbox read`, `watch` and `unwatch`. */
export function registerInboxCommands(program: Command): void {
  const inbox = program
    .command("inbox")
    .description("your notifications, newest first: what happened, what to do, the item")
    .option("--unread", "only lines not read yet")
    .option("--limit <n>", "at most this many, 1 to 200 (default 50)")
    .option("--before <id>", "older lines: the id the previous page ends with")
    .action(
      async (flags: { unread?: boolean; limit?: string; before?: string }, command: Command) => {
        const cli = cliOf(command);
        const body = await cli.api.get<InboxJson>("/me/notifications", {
          unread: flags.unread ? "true" : undefined,
          limit: flags.limit,
          before: flags.before,
        });
        emit(cli, body, ({ notifications, unread, next_before }) => {
          if (notifications.length === 0)
            return say(flags.unread ? "Nothing unread." : "Your inbox is empty.");
          say(describeUnread(unread));
          say(
            table(
              ["id", "", "when", "item", "what happened", "what to do"],
              notifications.map((n) => [
                n.id,
                // No colours (output.ts): an unread line is marked with a word.
                n.read ? "" : "new",
                formatTime(n.created_at),
                n.item ?? "—",
                n.title,
                // The action names its deadline itself ("Accept or reject it by … UTC.").
                n.action,
              ]),
            ),
          );
          if (next_before) say(`Older lines: baton inbox --before ${next_before}`);
        });
      },
    );

  inbox
    .command("read")
    .description("mark lines of your inbox read")
    .argument("[ids...]", "the lines' ids (the ID column of baton inbox)")
    .option("--all", "every line")
    .action(async (ids: string[], flags: { all?: boolean }, command: Command) => {
      const cli = cliOf(command);
      if (flags.all && ids.length > 0) throw new CliError("give ids or --all, not both");
      if (!flags.all && ids.length === 0)
        throw new CliError("name the lines to mark read (their ids from baton inbox), or --all");
      const body = await cli.api.post<{ marked: number; unread: number }>(
        "/me/notifications/read",
        flags.all ? { all: true } : { ids },
      );
      emit(cli, body, ({ marked, unread }) =>
        say(`Marked ${marked} read. ${describeUnread(unread)}`),
      );
    });

  program
    .command("watch")
    .description("watch an item: hear of every change of owner, state or due date")
    .argument("<key>", "item key")
    .action(async (key: string, _flags: unknown, command: Command) => {
      const cli = cliOf(command);
      const w = await cli.api.put<WatchJson>(`/items/${seg(key)}/watch`);
      emit(cli, w, ({ watchers }) => {
        say(`You watch ${key}: your inbox hears of every change of owner, state or due date.`);
        say(`Watching it: ${watchers.join(", ")}`);
      });
    });

  program
    .command("unwatch")
    .description("stop watching an item")
    .argument("<key>", "item key")
    .action(async (key: string, _flags: unknown, command: Command) => {
      const cli = cliOf(command);
      const w = await cli.api.delete<WatchJson>(`/items/${seg(key)}/watch`);
      emit(cli, w, ({ watchers }) => {
        say(`You no longer watch ${key}.`);
        say(watchers.length > 0 ? `Watching it: ${watchers.join(", ")}` : "Nobody watches it.");
      });
    });
}

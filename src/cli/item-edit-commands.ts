import type { Command } from "commander";
import { CliError, type CommentJson, cliOf, type ItemJson, seg } from "./client.ts";
import { runOnItem } from "./item-api.ts";
import { emit, formatTime, say, sayItemChanged, table } from "./output.ts";

/* `baton item comment|edit|comments|comment-edit|comment-delete`: comments, the title and due date. */

/** Registers the comment commands and `item edit`. */
export function registerItemEditCommands(item: Command): void {
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
}

import type { Command } from "commander";
import { cliOf, type ShareJson, seg, wholeNumber } from "./client.ts";
import { emit, formatTime, say } from "./output.ts";

/*
 * `baton item share|unshare KEY`: the requester's status link, a page anyone holding it reads
 * without an account (README "The requester's status link").
 */

/** Registers `item share` and `item unshare` under the `item` group. */
export function registerShareCommands(item: Command): void {
  item
    .command("share")
    .description(
      "make a status link for the requester: a page anyone holding it can read, without an account",
    )
    .argument("<key>", "item key")
    .option(
      "--expires <days>",
      "the link stops working after this many days (default: never)",
      wholeNumber("days"),
    )
    .action(async (key: string, flags: { expires?: number }, command: Command) => {
      const cli = cliOf(command);
      const share = await cli.api.post<ShareJson>(
        `/items/${seg(key)}/share`,
        flags.expires === undefined ? undefined : { expires_in_days: flags.expires },
      );
      emit(cli, share, (s) => {
        // The link alone on the first line, so `baton item share KEY | head -1` gives it.
        say(s.url);
        say(
          `Anyone holding this link sees where ${key} stands, without an account; ${
            s.expires_at ? `it works until ${formatTime(s.expires_at)}` : "it does not expire"
          }.`,
        );
        say(`Revoke it with: baton item unshare ${key}`);
      });
    });

  item
    .command("unshare")
    .description("revoke every status link of the item (their pages answer 404 from now on)")
    .argument("<key>", "item key")
    .action(async (key: string, _flags: unknown, command: Command) => {
      const cli = cliOf(command);
      await cli.api.delete(`/items/${seg(key)}/share`);
      if (!cli.json)
        say(`Revoked every status link of ${key}; their pages answer "not found" now.`);
    });
}

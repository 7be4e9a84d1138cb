import type { Command } from "commander";
import { cliOf } from "./client.ts";
import { runOnItem } from "./item-api.ts";

/* `baton item reopen|migrate|complete|cancel|pause|resume`: an item's life after it is started. */

/** Registers `item reopen`, `migrate`, `complete`, `cancel`, `pause` and `resume`. */
export function registerItemLifecycleCommands(item: Command): void {
  item
    .command("reopen")
    .description("reopen a done item: back to its last step's team, counted as rework")
    .argument("<key>", "item key")
    .requiredOption("--reason <reason>", "what is not done after all")
    .action(async (key: string, flags: { reason: string }, command: Command) => {
      await runOnItem(
        cliOf(command),
        key,
        "reopen",
        { reason: flags.reason },
        (it) => `${it.key} is reopened at "${it.step_name}" (${it.owner_team}).`,
      );
    });

  item
    .command("migrate")
    .description("move a running item to its workflow's current version (admin)")
    .argument("<key>", "item key")
    .action(async (key: string, _flags: unknown, command: Command) => {
      await runOnItem(
        cliOf(command),
        key,
        "migrate",
        undefined,
        (it) => `${it.key} runs on ${it.workflow} version ${it.workflow_version}.`,
      );
    });

  item
    .command("complete")
    .description("complete the item at its final step")
    .argument("<key>", "item key")
    .action(async (key: string, _flags: unknown, command: Command) => {
      await runOnItem(cliOf(command), key, "complete", undefined, (it) => `${it.key} is done.`);
    });

  item
    .command("cancel")
    .description("cancel the item")
    .argument("<key>", "item key")
    .requiredOption("--reason <reason>", "why, for the record")
    .action(async (key: string, flags: { reason: string }, command: Command) => {
      await runOnItem(
        cliOf(command),
        key,
        "cancel",
        { reason: flags.reason },
        (it) => `${it.key} is cancelled.`,
      );
    });

  item
    .command("pause")
    .description("pause work, e.g. while waiting on the customer (service-level clocks stop)")
    .argument("<key>", "item key")
    .requiredOption("--reason <reason>", "what the work waits for")
    .action(async (key: string, flags: { reason: string }, command: Command) => {
      await runOnItem(
        cliOf(command),
        key,
        "pause",
        { reason: flags.reason },
        (it) => `${it.key} is paused.`,
      );
    });

  item
    .command("resume")
    .description("resume paused work")
    .argument("<key>", "item key")
    .action(async (key: string, _flags: unknown, command: Command) => {
      await runOnItem(cliOf(command), key, "resume", undefined, (it) => `${it.key} is resumed.`);
    });
}

import type { Command } from "commander";
import { registerItemEditCommands } from "./item-edit-commands.ts";
import { registerItemLifecycleCommands } from "./item-lifecycle-commands.ts";
import { registerItemListCommands } from "./item-list.ts";
import { registerItemShowCommands } from "./item-show.ts";
import { registerItemCreateCommand, registerItemWorkCommands } from "./item-work-commands.ts";
import { registerShareCommands } from "./share-commands.ts";

/*
 * `baton item …`: start items, read them and their history, fill in fields and checklists, and
 * move them along (claim, assign, pause, complete…). Handoffs have their own group. Each part
 * lives in its own module; they register here in the order `baton item --help` lists them.
 */

/** Registers the `item` commands. */
export function registerItemCommands(program: Command): void {
  const item = program.command("item").description("start, read and work on items");

  registerItemCreateCommand(item);
  registerItemListCommands(item);
  registerItemShowCommands(item);
  registerItemWorkCommands(item);
  registerItemEditCommands(item);
  registerItemLifecycleCommands(item);
  registerShareCommands(item);
}

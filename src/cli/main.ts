import { Command } from "commander";
import { registerServerCommands } from "./server-commands.ts";

const program = new Command("baton")
  .description("Baton: hand work between teams without dropping it")
  .showHelpAfterError();

registerServerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
}

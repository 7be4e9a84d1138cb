import { DEFAULT_URL } from "./client.ts";
import { registerMineCommands } from "./mine-commands.ts";
import { batonProgram, stopQuietlyWhenThePipeCloses } from "./program.ts";

/*
 * `baton mine …` on its own (bin/baton.js comes here when `mine` is the first argument): the
 * same command as in main.ts, with the same global options, without loading the rest of the
 * CLI. Output and error helpers are imported only when needed.
 */

stopQuietlyWhenThePipeCloses();
const program = batonProgram(DEFAULT_URL);
registerMineCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  const { printError } = await import("./output.ts");
  printError(e);
  process.exit(1);
}

import { Command } from "commander";
import { registerMineCommands } from "./mine-commands.ts";

/*
 * `baton mine …` on its own (bin/baton.js comes here when `mine` is the first argument): the
 * same command as in main.ts, with the same global options, without loading the rest of the
 * CLI. Output and error helpers are imported only when needed.
 */

for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
}

const program = new Command("baton")
  .description("Baton: hand work between teams without dropping it")
  .option("--url <url>", "the Baton server (not used by mine)")
  .option("--token <token>", "API token (not used by mine)")
  .option("--json", "print the report as JSON, for scripts")
  .showHelpAfterError();
registerMineCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  const { printError } = await import("./output.ts");
  printError(e);
  process.exit(1);
}

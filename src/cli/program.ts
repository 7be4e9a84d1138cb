import { Command } from "commander";

/* What main.ts (every command) and mine-main.ts (`baton mine` alone) start the same way. */

/**
 * A reader that stops early (`baton --json item history ONB-1 | head`) closes the pipe, and the
 * rest of the output has nobody to read it: stop quietly, as Unix tools do, not with a stack.
 */
export function stopQuietlyWhenThePipeCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(0);
      throw e;
    });
  }
}

/** The `baton` program with the global options; `defaultUrl` is named in --url's help. */
export function batonProgram(defaultUrl: string): Command {
  return new Command("baton")
    .description("Baton: hand work between teams without dropping it")
    .option("--url <url>", `the Baton server (default: BATON_URL, else ${defaultUrl})`)
    .option("--token <token>", "API token (default: BATON_TOKEN)")
    .option("--json", "print the API's JSON instead of tables, for scripts")
    .showHelpAfterError();
}

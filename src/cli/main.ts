import { Command } from "commander";
import { registerCalendarCommands } from "./calendar-commands.ts";
import { DEFAULT_URL } from "./client.ts";
import { registerMeetingCommands, registerQuestionCommands } from "./collaboration-commands.ts";
import { registerFileCommands } from "./file-commands.ts";
import { registerHandoffCommands } from "./handoff-commands.ts";
import { registerItemCommands } from "./item-commands.ts";
import { registerMineCommands } from "./mine-commands.ts";
import { registerOutboxCommands } from "./outbox-commands.ts";
import { printError } from "./output.ts";
import { registerQueueCommands } from "./queue-commands.ts";
import { registerServerCommands } from "./server-commands.ts";
import { registerTeamCommands } from "./team-commands.ts";
import { registerUserCommands } from "./user-commands.ts";
import { registerViewCommands } from "./view-commands.ts";
import { registerWorkflowCommands } from "./workflow-commands.ts";

/*
 * The `baton` command. Most commands are clients of the HTTP API (BATON_URL, BATON_TOKEN);
 * serve, migrate and admin run Baton itself on its database.
 */

// A reader that stops early (`baton --json item history ONB-1 | head`) closes the pipe, and the
// rest of the output has nobody to read it: stop quietly, as Unix tools do, not with a stack.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
}

const program = new Command("baton")
  .description("Baton: hand work between teams without dropping it")
  .option("--url <url>", `the Baton server (default: BATON_URL, else ${DEFAULT_URL})`)
  .option("--token <token>", "API token (default: BATON_TOKEN)")
  .option("--json", "print the API's JSON instead of tables, for scripts")
  .showHelpAfterError();

registerServerCommands(program);
registerTeamCommands(program);
registerUserCommands(program);
registerWorkflowCommands(program);
registerItemCommands(program);
registerViewCommands(program);
registerHandoffCommands(program);
registerQueueCommands(program);
registerQuestionCommands(program);
registerMeetingCommands(program);
registerCalendarCommands(program);
registerOutboxCommands(program);
registerFileCommands(program);
registerMineCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  printError(e);
  process.exit(1);
}

import { registerCalendarCommands } from "./calendar-commands.ts";
import { DEFAULT_URL } from "./client.ts";
import { registerMeetingCommands, registerQuestionCommands } from "./collaboration-commands.ts";
import { registerFileCommands } from "./file-commands.ts";
import { registerHandoffCommands } from "./handoff-commands.ts";
import { registerInboxCommands } from "./inbox-commands.ts";
import { registerItemCommands } from "./item-commands.ts";
import { registerMetricsCommands } from "./metrics-commands.ts";
import { registerMineCommands } from "./mine-commands.ts";
import { registerOutboxCommands } from "./outbox-commands.ts";
import { printError } from "./output.ts";
import { batonProgram, stopQuietlyWhenThePipeCloses } from "./program.ts";
import { registerQueueCommands } from "./queue-commands.ts";
import { registerServerCommands } from "./server-commands.ts";
import { registerStalledCommands } from "./stalled-commands.ts";
import { registerTeamCommands } from "./team-commands.ts";
import { registerUserCommands } from "./user-commands.ts";
import { registerViewCommands } from "./view-commands.ts";
import { registerWebhookCommands } from "./webhook-commands.ts";
import { registerWorkflowCommands } from "./workflow-commands.ts";

/*
 * The `baton` command. Most commands are clients of the HTTP API (BATON_URL, BATON_TOKEN);
 * serve, migrate and admin run Baton itself on its database.
 */

stopQuietlyWhenThePipeCloses();
const program = batonProgram(DEFAULT_URL);

registerServerCommands(program);
registerTeamCommands(program);
registerUserCommands(program);
registerWorkflowCommands(program);
registerItemCommands(program);
registerViewCommands(program);
registerHandoffCommands(program);
registerQueueCommands(program);
registerStalledCommands(program);
registerInboxCommands(program);
registerQuestionCommands(program);
registerMeetingCommands(program);
registerCalendarCommands(program);
registerMetricsCommands(program);
registerOutboxCommands(program);
registerWebhookCommands(program);
registerFileCommands(program);
registerMineCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  printError(e);
  process.exit(1);
}

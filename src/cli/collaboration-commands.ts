import { writeFile } from "node:fs/promises";
import { type Command, InvalidArgumentError } from "commander";
import {
  CliError,
  cliOf,
  collect,
  type ItemJson,
  type MeetingJson,
  type QuestionJson,
  seg,
  wholeNumber,
} from "./client.ts";
import { emit, formatDue, formatTime, say, sayJson } from "./output.ts";

/*
 * `baton question ask|answer` and `baton meeting schedule|reschedule|held|invite`: talking across
 * the team boundary about an item without moving its ownership.
 */

/**
 * A meeting time as the user types it. Without a zone (`2026-03-03 10:00`, `2026-03-03T10:00`)
 * it means the reader's local time, so it is converted here: the server would read it in its own
 * zone. Anything else goes as written, for the server to accept or explain.
 */
export function parseStartTime(value: string): string {
  const local = /^(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2}(:\d{2})?)$/.exec(value.trim());
  if (!local) return value;
  const t = new Date(`${local[1]}T${(local[2] as string).padStart(local[3] ? 8 : 5, "0")}`);
  return Number.isNaN(t.getTime()) ? value : t.toISOString();
}

const parseMinutes = wholeNumber("minutes");

function parseId(value: string): number {
  const id = /^#?(\d+)$/.exec(value)?.[1];
  if (!id) throw new InvalidArgumentError("Give the number `item show` prints after #.");
  return Number(id);
}

/** `2026-03-03 10:00, 30 min, Room 4`. */
function describeMeeting(m: MeetingJson): string {
  return `${formatTime(m.starts_at)}, ${m.duration_minutes} min${m.location ? `, ${m.location}` : ""}`;
}

/** Registers the `question` commands. */
export function registerQuestionCommands(program: Command): void {
  const question = program
    .command("question")
    .description("ask another team about an item, and answer what your team is asked");

  question
    .command("ask")
    .description("ask a team a question on an item (ownership does not move)")
    .argument("<key>", "item key")
    .argument("<text>", "the question")
    .requiredOption("--to <team>", "the team that should answer")
    .option("--from <team>", "the team you ask for, if you are in several")
    .action(
      async (key: string, text: string, flags: { to: string; from?: string }, command: Command) => {
        const cli = cliOf(command);
        const q = await cli.api.post<QuestionJson>(`/items/${seg(key)}/questions`, {
          to_team: flags.to,
          from_team: flags.from,
          body: text,
        });
        if (cli.json) return sayJson(q);
        // The question alone does not carry its answer-by time; the item's clocks do.
        const item = await cli.api.get<ItemJson>(`/items/${seg(key)}`);
        const due = item.questions.find((x) => x.id === q.id)?.due_at;
        say(`Asked ${q.to_team} on ${key} (question #${q.id}).`);
        if (due) say(`Answer due ${formatDue(due)}.`);
      },
    );

  question
    .command("answer")
    .description("answer a question asked of your team")
    .argument("<key>", "item key")
    .argument("<id>", "the question's number, as `item show` lists it", parseId)
    .argument("<text>", "the answer")
    .action(async (key: string, id: number, text: string, _flags: unknown, command: Command) => {
      const cli = cliOf(command);
      const q = await cli.api.post<QuestionJson>(`/items/${seg(key)}/questions/${id}/answer`, {
        body: text,
      });
      emit(cli, q, () => say(`Answered question #${q.id} of ${q.from_team} on ${key}.`));
    });
}

/** Registers the `meeting` commands. */
export function registerMeetingCommands(program: Command): void {
  const meeting = program
    .command("meeting")
    .description("handoff meetings: schedule, reschedule, record as held, get the invite");

  meeting
    .command("schedule")
    .description("schedule a meeting about the item's handoff (either side of it)")
    .argument("<key>", "item key")
    .requiredOption(
      "--at <time>",
      "start: ISO 8601 (2026-03-03T10:00:00Z) or YYYY-MM-DD HH:MM in your time zone",
      parseStartTime,
    )
    .requiredOption("--minutes <n>", "how long, 5 to 480", parseMinutes)
    .option("--location <where>", "a room or a video link")
    .option(
      "--attendee <who>",
      "a team key or an e-mail to invite (repeat; default: the workflow's attendees or both teams)",
      collect,
    )
    .action(
      async (
        key: string,
        flags: { at: string; minutes: number; location?: string; attendee?: string[] },
        command: Command,
      ) => {
        const cli = cliOf(command);
        const m = await cli.api.post<MeetingJson>(`/items/${seg(key)}/meetings`, {
          starts_at: flags.at,
          duration_minutes: flags.minutes,
          location: flags.location,
          attendees: flags.attendee,
        });
        emit(cli, m, () => {
          say(`Scheduled meeting #${m.id} on ${key}: ${describeMeeting(m)}.`);
          say(`Invite: ${cli.api.url}${m.ics}  (or baton meeting invite ${key} ${m.id} -o FILE)`);
        });
      },
    );

  meeting
    .command("reschedule")
    .description("move a meeting; calendar programs update the same invite")
    .argument("<key>", "item key")
    .argument("<id>", "the meeting's number", parseId)
    .requiredOption("--at <time>", "new start, as for schedule", parseStartTime)
    .option("--minutes <n>", "new length, 5 to 480", parseMinutes)
    .option("--location <where>", "new room or link")
    .action(
      async (
        key: string,
        id: number,
        flags: { at: string; minutes?: number; location?: string },
        command: Command,
      ) => {
        const cli = cliOf(command);
        const m = await cli.api.put<MeetingJson>(`/items/${seg(key)}/meetings/${id}`, {
          starts_at: flags.at,
          duration_minutes: flags.minutes,
          location: flags.location,
        });
        emit(cli, m, () => {
          say(`Moved meeting #${m.id} on ${key} to ${describeMeeting(m)}.`);
          say(`Send the invite again: ${cli.api.url}${m.ics}`);
        });
      },
    );

  meeting
    .command("held")
    .description(
      "record that the meeting was held, with notes (a required meeting unblocks accept)",
    )
    .argument("<key>", "item key")
    .argument("<id>", "the meeting's number", parseId)
    .requiredOption("--notes <text>", "what was agreed, for both teams")
    .option("--attended <email>", "someone who took part (repeat)", collect)
    .action(
      async (
        key: string,
        id: number,
        flags: { notes: string; attended?: string[] },
        command: Command,
      ) => {
        const cli = cliOf(command);
        const m = await cli.api.post<MeetingJson>(`/items/${seg(key)}/meetings/${id}/held`, {
          notes: flags.notes,
          attended: flags.attended,
        });
        emit(cli, m, () => {
          const who = m.held?.attended.length ? `, attended by ${m.held.attended.join(", ")}` : "";
          say(`Recorded meeting #${m.id} on ${key} as held${who}.`);
        });
      },
    );

  meeting
    .command("invite")
    .description("download the meeting's iCalendar invite (.ics), to stdout or a file")
    .argument("<key>", "item key")
    .argument("<id>", "the meeting's number", parseId)
    .option("-o, --output <file>", "write the invite to this file instead of stdout")
    .action(async (key: string, id: number, flags: { output?: string }, command: Command) => {
      const cli = cliOf(command);
      const ics = await cli.api.download(`/items/${seg(key)}/meetings/${id}.ics`, "text/calendar");
      // Without a file the invite itself is the output (`> invite.ics`), also with --json.
      if (!flags.output) return void process.stdout.write(ics);
      try {
        await writeFile(flags.output, ics);
      } catch (e) {
        throw new CliError(`cannot write ${flags.output}: ${(e as Error).message}`);
      }
      emit(cli, { file: flags.output, bytes: Buffer.byteLength(ics) }, ({ file }) =>
        say(`Wrote the invite for meeting #${id} on ${key} to ${file}.`),
      );
    });
}

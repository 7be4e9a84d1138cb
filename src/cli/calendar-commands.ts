import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import type { Holiday, Weekday, WorkingInterval } from "../domain/calendar.ts";
import { type CalendarJson, CliError, cliOf, seg } from "./client.ts";
import { emit, formatDuration, indent, say, table } from "./output.ts";

/*
 * `baton calendar show|set|reset TEAM`: the business calendar a team's service-level clocks run
 * on. The server is the one judge of a valid calendar (time zone, overlapping hours…); the flags
 * here only turn short notation into the calendar's JSON shape.
 */

/** Week order, as the calendar's `hours` and day ranges such as `mon-fri` follow it. */
const days: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** One `--hours` flag: these days get exactly these intervals (none: closed). */
interface HoursSpec {
  days: Weekday[];
  intervals: WorkingInterval[];
}

function dayOf(word: string): Weekday {
  const d = days.find((x) => x === word.trim().toLowerCase());
  if (!d) throw new InvalidArgumentError(`"${word}" is not a weekday (mon, tue … sun).`);
  return d;
}

/** `09:00` or `9:00` → `09:00`; anything else is left to fail here with a clear message. */
function timeOf(word: string): string {
  const m = /^(\d{1,2}):(\d{2})$/.exec(word.trim());
  if (!m) throw new InvalidArgumentError(`"${word}" is not a time written HH:MM.`);
  return `${(m[1] as string).padStart(2, "0")}:${m[2]}`;
}

/**
 * `mon-fri=09:00-17:00`, `mon,wed=09:00-12:00,13:00-17:00`, `sat=off` (or `sat=`): days as a
 * list or a range in week order, then intervals, or `off` for a day without working hours.
 */
export function parseHours(value: string, previous: HoursSpec[] = []): HoursSpec[] {
  const eq = value.indexOf("=");
  if (eq <= 0)
    throw new InvalidArgumentError("Give DAYS=HH:MM-HH:MM, e.g. mon-fri=09:00-17:00 or sat=off.");
  const picked = new Set<Weekday>();
  for (const part of value.slice(0, eq).split(",")) {
    const [from, to, ...rest] = part.split("-");
    if (rest.length > 0 || from === undefined)
      throw new InvalidArgumentError(`"${part}" is not a day or a range such as mon-fri.`);
    const a = days.indexOf(dayOf(from));
    const b = to === undefined ? a : days.indexOf(dayOf(to));
    if (b < a) throw new InvalidArgumentError(`"${part}" runs backwards; weeks start on mon.`);
    for (let i = a; i <= b; i++) picked.add(days[i] as Weekday);
  }
  const times = value.slice(eq + 1).trim();
  const intervals: WorkingInterval[] =
    times === "" || times.toLowerCase() === "off"
      ? []
      : times.split(",").map((span) => {
          const m = /^([^-]+)-([^-]+)$/.exec(span.trim());
          if (!m)
            throw new InvalidArgumentError(`"${span}" is not an interval such as 09:00-17:00.`);
          return [timeOf(m[1] as string), timeOf(m[2] as string)];
        });
  return [...previous, { days: [...picked], intervals }];
}

/** `2026-12-25` or `2026-12-25:Christmas Day`. */
export function parseHoliday(value: string, previous: Holiday[] = []): Holiday[] {
  const [date = "", ...name] = value.split(":");
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
    throw new InvalidArgumentError("Give YYYY-MM-DD, optionally followed by :NAME.");
  return [...previous, { date, ...(name.length > 0 ? { name: name.join(":") } : {}) }];
}

/**
 * `12-25[:name]` (or a full date): a holiday on that day every year. The calendar stores yearly
 * holidays as a full date of which only month and day count; 29 February needs a leap year.
 */
export function parseYearlyHoliday(value: string, previous: Holiday[] = []): Holiday[] {
  const [day = "", ...name] = value.split(":");
  let date = day;
  if (/^\d{2}-\d{2}$/.test(day)) {
    let year = new Date().getFullYear();
    while (day === "02-29" && new Date(Date.UTC(year, 1, 29)).getUTCMonth() !== 1) year--;
    date = `${year}-${day}`;
  } else if (!/^\d{4}-\d{2}-\d{2}$/.test(day))
    throw new InvalidArgumentError("Give MM-DD (or YYYY-MM-DD), optionally followed by :NAME.");
  return [
    ...previous,
    { date, yearly: true, ...(name.length > 0 ? { name: name.join(":") } : {}) },
  ];
}

/** The calendar file as written: JSON or YAML (which also reads JSON). */
async function readCalendarFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    if (extname(path).toLowerCase() === ".json") return JSON.parse(text);
    return (await import("yaml")).parse(text);
  } catch (e) {
    throw new CliError(`${path} is not valid ${extname(path) === ".json" ? "JSON" : "YAML"}`, [
      `  ${(e as Error).message.split("\n")[0]}`,
    ]);
  }
}

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** The readable calendar: time zone, a row per weekday, holidays. */
function sayCalendar(c: CalendarJson): void {
  say(
    c.default
      ? `Calendar of ${c.team}: the default (the team has no calendar of its own)`
      : `Calendar of ${c.team}`,
  );
  say(`Time zone  ${c.timezone}`);
  let weekMinutes = 0;
  const rows = days.map((d) => {
    const intervals = c.hours[d] ?? [];
    for (const [s, e] of intervals) weekMinutes += minutesOf(e) - minutesOf(s);
    return [
      d,
      intervals.length === 0 ? "closed" : intervals.map(([s, e]) => `${s}–${e}`).join(", "),
    ];
  });
  say();
  say(`Working hours (${formatDuration(weekMinutes * 60)} a week)`);
  say(indent(table([], rows)));
  say();
  if (c.holidays.length === 0) {
    say("Holidays   none");
    return;
  }
  say("Holidays");
  // By month and day, so yearly holidays (whose year means nothing) fall among the others.
  const sorted = [...c.holidays].sort(
    (a, b) => a.date.slice(5).localeCompare(b.date.slice(5)) || a.date.localeCompare(b.date),
  );
  say(
    indent(
      table(
        [],
        sorted.map((h) => [h.yearly ? `${h.date.slice(5)} every year` : h.date, h.name ?? ""]),
      ),
    ),
  );
}

interface SetFlags {
  file?: string;
  timezone?: string;
  hours?: HoursSpec[];
  holiday?: Holiday[];
  yearlyHoliday?: Holiday[];
  clearHolidays?: boolean;
}

/** The team's current calendar with the flags applied; each flag changes only what it names. */
function applyFlags(current: CalendarJson, flags: SetFlags): Record<string, unknown> {
  const hours = Object.fromEntries(days.map((d) => [d, current.hours[d] ?? []]));
  for (const spec of flags.hours ?? []) for (const d of spec.days) hours[d] = spec.intervals;
  const added = [...(flags.holiday ?? []), ...(flags.yearlyHoliday ?? [])];
  // A date given again replaces the holiday on it (a new name, or yearly instead of once).
  const kept = (flags.clearHolidays ? [] : current.holidays).filter(
    (h) => !added.some((a) => a.date === h.date),
  );
  return {
    timezone: flags.timezone ?? current.timezone,
    hours,
    holidays: [...kept, ...added],
  };
}

/** Registers `calendar show`, `calendar set` and `calendar reset`. */
export function registerCalendarCommands(program: Command): void {
  const calendar = program
    .command("calendar")
    .description("a team's business calendar: time zone, working hours, holidays");

  calendar
    .command("show")
    .description("show the calendar the team's service-level clocks run on")
    .argument("<team>", "team key")
    .action(async (team: string, _flags: unknown, command: Command) => {
      const cli = cliOf(command);
      const c = await cli.api.get<CalendarJson>(`/teams/${seg(team)}/calendar`);
      emit(cli, c, sayCalendar);
    });

  calendar
    .command("set")
    .description(
      "set the team's calendar from a file, or change parts of it with flags (admin or lead)",
    )
    .argument("<team>", "team key")
    .option("-f, --file <file>", "the whole calendar as YAML or JSON: {timezone, hours, holidays}")
    .option("--timezone <zone>", "IANA time zone, e.g. Europe/Berlin")
    .option(
      "--hours <days=times>",
      "working hours of some weekdays, e.g. mon-fri=09:00-17:00, mon,wed=09:00-12:00,13:00-17:00 " +
        "or sat=off (repeat for several; days not named keep their hours)",
      parseHours,
    )
    .option(
      "--holiday <date[:name]>",
      "a one-off holiday, e.g. 2026-12-24:Christmas Eve (repeat)",
      parseHoliday,
    )
    .option(
      "--yearly-holiday <mm-dd[:name]>",
      "a holiday every year, e.g. 12-25:Christmas (repeat)",
      parseYearlyHoliday,
    )
    .option("--clear-holidays", "drop the holidays set so far (before adding those given)")
    .addHelpText(
      "after",
      `
Without -f, the flags change the team's current calendar (the default one if it has none):
  baton calendar set implementation --timezone Europe/Berlin --hours mon-fri=09:00-17:00 \\
    --hours sat=off --yearly-holiday 12-25:Christmas --holiday "2026-12-24:Christmas Eve"

A calendar file (YAML):
  timezone: Europe/Berlin
  hours:
    mon: [["09:00", "17:00"]]
    tue: [["09:00", "12:00"], ["13:00", "17:00"]]   # weekdays left out are closed
  holidays:
    - {date: 2026-12-24, name: Christmas Eve}
    - {date: 2026-12-25, name: Christmas, yearly: true}

Open work's deadlines move with the calendar.`,
    )
    .action(async (team: string, flags: SetFlags, command: Command) => {
      const cli = cliOf(command);
      const hasFlags =
        flags.timezone !== undefined ||
        flags.hours !== undefined ||
        flags.holiday !== undefined ||
        flags.yearlyHoliday !== undefined ||
        flags.clearHolidays === true;
      if (flags.file && hasFlags)
        throw new CliError("give either -f FILE or flags, not both", [
          "Put everything in the file, or set it first and change it with flags afterwards.",
        ]);
      if (!flags.file && !hasFlags)
        throw new CliError(
          "nothing to set: give -f FILE, or flags such as --hours mon-fri=09:00-17:00",
          ["See baton calendar set --help."],
        );
      const path = `/teams/${seg(team)}/calendar`;
      const body = flags.file
        ? await readCalendarFile(flags.file)
        : applyFlags(await cli.api.get<CalendarJson>(path), flags);
      const saved = await cli.api.put<CalendarJson>(path, body);
      emit(cli, saved, (c) => {
        say(`Set the calendar of ${c.team}; open work's deadlines move with it.`);
        say();
        sayCalendar(c);
      });
    });

  calendar
    .command("reset")
    .description("return the team to the default calendar (admin or lead)")
    .argument("<team>", "team key")
    .action(async (team: string, _flags: unknown, command: Command) => {
      const cli = cliOf(command);
      const c = await cli.api.delete<CalendarJson>(`/teams/${seg(team)}/calendar`);
      emit(cli, c, () => {
        say(`${c.team} uses the default calendar again; open work's deadlines move with it.`);
        say();
        sayCalendar(c);
      });
    });
}

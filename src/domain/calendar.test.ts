import fc from "fast-check";
import { DateTime } from "luxon";
import { beforeAll, describe, expect, it } from "vitest";
import {
  addBusinessMs,
  addBusinessTime,
  addDuration,
  type BusinessCalendar,
  businessMsBetween,
  businessSecondsBetween,
  type CalendarInput,
  DEFAULT_CALENDAR,
  isWorkingTime,
  NO_DEADLINE,
  parseCalendar,
  parseDuration,
  readStoredCalendar,
  standardDaySeconds,
} from "./calendar.ts";
import { DomainError } from "./errors.ts";

const H = 3600;
const nineToFive: CalendarInput["hours"] = {
  mon: [["09:00", "17:00"]],
  tue: [["09:00", "17:00"]],
  wed: [["09:00", "17:00"]],
  thu: [["09:00", "17:00"]],
  fri: [["09:00", "17:00"]],
};
const every = (hours: [string, string][]) => ({
  mon: hours,
  tue: hours,
  wed: hours,
  thu: hours,
  fri: hours,
  sat: hours,
  sun: hours,
});

const cal = (input: CalendarInput) => parseCalendar(input);
const berlin = cal({ timezone: "Europe/Berlin", hours: nineToFive });
const newYork = cal({ timezone: "America/New_York", hours: nineToFive });
const split = cal({
  timezone: "UTC",
  hours: {
    mon: [
      ["13:00", "17:00"],
      ["09:00", "12:00"],
    ],
    tue: [
      ["09:00", "12:00"],
      ["13:00", "17:00"],
    ],
  },
});
/** Round the clock on Sundays only, so the day the clocks change is a working day. */
const berlinSundays = cal({ timezone: "Europe/Berlin", hours: { sun: [["00:00", "24:00"]] } });
/** A night shift spanning the 02:00 change in New York. */
const newYorkNights = cal({ timezone: "America/New_York", hours: every([["00:00", "06:00"]]) });
/** Sunday hours that start inside the hour Berlin skips in spring. */
const berlinSkipped = cal({ timezone: "Europe/Berlin", hours: { sun: [["02:30", "03:30"]] } });
const christmasEve = cal({
  timezone: "UTC",
  hours: nineToFive,
  holidays: [{ date: "2026-12-24", name: "Christmas Eve" }],
});
const yearlyChristmas = cal({
  timezone: "UTC",
  hours: nineToFive,
  holidays: [{ date: "2020-12-25", name: "Christmas", yearly: true }, { date: "2026-12-24" }],
});
const leapDay = cal({
  timezone: "UTC",
  hours: nineToFive,
  holidays: [{ date: "2024-02-29", yearly: true }],
});
const berlinMayDay = cal({
  timezone: "Europe/Berlin",
  hours: nineToFive,
  holidays: [{ date: "2026-05-01", name: "Tag der Arbeit" }],
});
/** Lord Howe Island moves its clocks by 30 minutes; a good stress case for the properties. */
const lordHowe = cal({
  timezone: "Australia/Lord_Howe",
  hours: { ...nineToFive, sat: [["10:00", "12:00"]], sun: [["01:00", "03:00"]] },
  holidays: [{ date: "2026-01-26", yearly: true }],
});

const t = (iso: string) => new Date(iso);
const dayIso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** 2024-01-01 … 2024-12-31: every month and day, 29 February included. */
const everyDayOf2024 = Array.from({ length: 366 }, (_, i) =>
  dayIso(Date.UTC(2024, 0, 1) + i * 86_400_000),
);
/** Monday to Friday of 2027 (261 days). */
const weekdaysOf2027 = Array.from({ length: 365 }, (_, i) => Date.UTC(2027, 0, 1) + i * 86_400_000)
  .filter((ms) => new Date(ms).getUTCDay() % 6 !== 0)
  .map(dayIso);

describe("business time on a calendar", () => {
  // Each row: adding `seconds` at `from` lands at `to`, and measuring from→to gives `seconds`.
  const rows: { name: string; cal: BusinessCalendar; from: string; seconds: number; to: string }[] =
    [
      {
        name: "a weekend does not count",
        cal: DEFAULT_CALENDAR,
        from: "2026-03-06T16:00:00Z",
        seconds: 2 * H,
        to: "2026-03-09T10:00:00Z",
      },
      {
        name: "a working day that ends mid-clock carries over to the next morning",
        cal: DEFAULT_CALENDAR,
        from: "2026-03-03T15:00:00Z",
        seconds: 4 * H,
        to: "2026-03-04T11:00:00Z",
      },
      {
        name: "a limit reached at closing time is due at closing time, not next morning",
        cal: DEFAULT_CALENDAR,
        from: "2026-03-03T15:00:00Z",
        seconds: 2 * H,
        to: "2026-03-03T17:00:00Z",
      },
      {
        name: "a clock started at night waits for the morning",
        cal: DEFAULT_CALENDAR,
        from: "2026-03-03T20:00:00Z",
        seconds: H,
        to: "2026-03-04T10:00:00Z",
      },
      {
        name: "a clock started on Saturday waits for Monday",
        cal: DEFAULT_CALENDAR,
        from: "2026-03-07T12:00:00Z",
        seconds: H,
        to: "2026-03-09T10:00:00Z",
      },
      {
        name: "two working days end at the same time of day",
        cal: DEFAULT_CALENDAR,
        from: "2026-03-02T10:00:00Z",
        seconds: parseDuration("2d").seconds,
        to: "2026-03-04T10:00:00Z",
      },
      {
        name: "a working week ends at the same time next week",
        cal: DEFAULT_CALENDAR,
        from: "2026-03-02T10:00:00Z",
        seconds: parseDuration("1w").seconds,
        to: "2026-03-09T10:00:00Z",
      },
      {
        name: "split hours skip the lunch break",
        cal: split,
        from: "2026-03-02T11:00:00Z",
        seconds: 2 * H,
        to: "2026-03-02T14:00:00Z",
      },
      {
        name: "split hours: a clock started during lunch waits for 13:00",
        cal: split,
        from: "2026-03-02T12:30:00Z",
        seconds: H,
        to: "2026-03-02T14:00:00Z",
      },
      {
        name: "split hours carry over to the next day's morning block",
        cal: split,
        from: "2026-03-02T16:00:00Z",
        seconds: 3 * H,
        to: "2026-03-03T11:00:00Z",
      },
      {
        name: "Berlin springs forward over the weekend: Monday 10:00 is 08:00 UTC",
        cal: berlin,
        from: "2026-03-27T15:00:00Z",
        seconds: 2 * H,
        to: "2026-03-30T08:00:00Z",
      },
      {
        name: "Berlin falls back over the weekend: Monday 10:00 is 09:00 UTC",
        cal: berlin,
        from: "2026-10-23T14:00:00Z",
        seconds: 2 * H,
        to: "2026-10-26T09:00:00Z",
      },
      {
        name: "New York springs forward over the weekend: Monday 10:00 is 14:00 UTC",
        cal: newYork,
        from: "2026-03-06T21:00:00Z",
        seconds: 2 * H,
        to: "2026-03-09T14:00:00Z",
      },
      {
        name: "New York falls back over the weekend: Monday 10:00 is 15:00 UTC",
        cal: newYork,
        from: "2026-10-30T20:00:00Z",
        seconds: 2 * H,
        to: "2026-11-02T15:00:00Z",
      },
      {
        name: "a round-the-clock Sunday in Berlin is 23 hours long in spring",
        cal: berlinSundays,
        from: "2026-03-28T23:00:00Z",
        seconds: 23 * H,
        to: "2026-03-29T22:00:00Z",
      },
      {
        name: "a round-the-clock Sunday in Berlin is 25 hours long in autumn",
        cal: berlinSundays,
        from: "2026-10-24T22:00:00Z",
        seconds: 25 * H,
        to: "2026-10-25T23:00:00Z",
      },
      {
        name: "the hour after a 23-hour Sunday falls on the next Sunday",
        cal: berlinSundays,
        from: "2026-03-28T23:00:00Z",
        seconds: 24 * H,
        to: "2026-04-04T23:00:00Z",
      },
      {
        name: "a New York night shift loses an hour when clocks spring forward",
        cal: newYorkNights,
        from: "2026-03-08T05:00:00Z",
        seconds: 5 * H,
        to: "2026-03-08T10:00:00Z",
      },
      {
        name: "a New York night shift gains an hour when clocks fall back",
        cal: newYorkNights,
        from: "2026-11-01T04:00:00Z",
        seconds: 7 * H,
        to: "2026-11-01T11:00:00Z",
      },
      {
        name: "hours starting in the skipped hour start when the clocks jump",
        cal: berlinSkipped,
        from: "2026-03-28T00:00:00Z",
        seconds: 1800,
        to: "2026-03-29T01:30:00Z",
      },
      {
        name: "a holiday does not count",
        cal: christmasEve,
        from: "2026-12-23T16:00:00Z",
        seconds: 2 * H,
        to: "2026-12-25T10:00:00Z",
      },
      {
        name: "a yearly holiday set in 2020 still holds in 2026, next to a one-off holiday",
        cal: yearlyChristmas,
        from: "2026-12-23T16:00:00Z",
        seconds: 2 * H,
        to: "2026-12-28T10:00:00Z",
      },
      {
        name: "a yearly 29 February holiday holds in leap years",
        cal: leapDay,
        from: "2028-02-28T16:00:00Z",
        seconds: 2 * H,
        to: "2028-03-01T10:00:00Z",
      },
      {
        name: "a yearly 29 February holiday does not take 1 March in other years",
        cal: leapDay,
        from: "2027-02-26T16:00:00Z",
        seconds: 2 * H,
        to: "2027-03-01T10:00:00Z",
      },
      {
        name: "holiday dates are local days in the calendar's zone",
        cal: berlinMayDay,
        from: "2026-04-30T14:00:00Z",
        seconds: 2 * H,
        to: "2026-05-04T08:00:00Z",
      },
      {
        name: "a year of 261 working days, jumped a week at a time",
        cal: DEFAULT_CALENDAR,
        from: "2026-01-01T00:00:00Z",
        seconds: 261 * 8 * H,
        to: "2026-12-31T17:00:00Z",
      },
      {
        name: "a year in Berlin across both clock changes",
        cal: berlin,
        from: "2025-12-31T23:00:00Z",
        seconds: 261 * 8 * H,
        to: "2026-12-31T16:00:00Z",
      },
      {
        name: "two years with two yearly and one one-off holiday",
        cal: yearlyChristmas,
        from: "2026-01-01T00:00:00Z",
        // 2026 and 2027 have 261 weekdays each; 25 Dec 2026 and 24 Dec 2026 fall on weekdays,
        // 25 Dec 2027 on a Saturday.
        seconds: (261 + 261 - 2) * 8 * H,
        to: "2027-12-31T17:00:00Z",
      },
    ];

  it.each(rows)("$name", ({ cal, from, seconds, to }) => {
    expect(addBusinessTime(t(from), seconds, cal).toISOString()).toBe(t(to).toISOString());
    expect(businessSecondsBetween(t(from), t(to), cal)).toBe(seconds);
  });

  it("measures a span that starts and ends outside working hours", () => {
    // Saturday noon to the next Saturday noon holds exactly one working week.
    expect(
      businessSecondsBetween(t("2026-03-07T12:00:00Z"), t("2026-03-14T12:00:00Z"), berlin),
    ).toBe(40 * H);
  });

  it("measures a whole year in Berlin and New York as 261 working days", () => {
    for (const c of [berlin, newYork])
      expect(
        businessSecondsBetween(t("2025-12-20T00:00:00Z"), t("2027-01-10T00:00:00Z"), c) -
          businessSecondsBetween(t("2025-12-20T00:00:00Z"), t("2026-01-01T00:00:00Z"), c) -
          businessSecondsBetween(t("2027-01-01T00:00:00Z"), t("2027-01-10T00:00:00Z"), c),
      ).toBe(261 * 8 * H);
  });

  it("is antisymmetric: measuring backwards gives the negative", () => {
    expect(
      businessSecondsBetween(
        t("2026-03-04T11:00:00Z"),
        t("2026-03-03T15:00:00Z"),
        DEFAULT_CALENDAR,
      ),
    ).toBe(-4 * H);
  });

  it("adding nothing stays put, even outside working hours", () => {
    expect(addBusinessTime(t("2026-03-07T12:00:00Z"), 0, DEFAULT_CALENDAR).toISOString()).toBe(
      "2026-03-07T12:00:00.000Z",
    );
  });

  it("refuses to add negative time", () => {
    expect(() => addBusinessTime(t("2026-03-07T12:00:00Z"), -1, DEFAULT_CALENDAR)).toThrow(
      RangeError,
    );
  });

  it("a calendar stored before it had to hold working time gives no deadline, at once", () => {
    // Refused today (see calendar validation); one saved earlier must not hang or fail reads.
    const never = readStoredCalendar({
      timezone: "UTC",
      hours: nineToFive,
      holidays: everyDayOf2024.map((date) => ({ date, yearly: true })),
    });
    const started = performance.now();
    expect(addBusinessMs(Date.parse("2026-03-02T09:00:00Z"), H * 1000, never)).toBe(NO_DEADLINE);
    expect(addBusinessTime(t("2026-03-02T09:00:00Z"), H, never).getTime()).toBeNaN();
    expect(
      businessSecondsBetween(t("2026-03-02T09:00:00Z"), t("2027-03-02T09:00:00Z"), never),
    ).toBe(0);
    const idle = readStoredCalendar({ timezone: "UTC", hours: {} });
    expect(addBusinessMs(Date.parse("2026-03-02T09:00:00Z"), 1, idle)).toBe(NO_DEADLINE);
    expect(parseDuration("2d", idle).seconds).toBe(16 * H);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("a limit of 99999999999999999999 weeks stored before limits existed gives no deadline, at once", () => {
    const started = performance.now();
    const huge = parseDuration("99999999999999999999w");
    expect(Number.isSafeInteger(huge.seconds * 1000)).toBe(true);
    for (const c of [DEFAULT_CALENDAR, berlin, lordHowe])
      expect(addBusinessMs(Date.parse("2026-03-02T09:00:00Z"), huge.seconds * 1000, c)).toBe(
        NO_DEADLINE,
      );
    // 1e7w and 1e8w once failed with "time zone displacement out of range" / "Invalid time value".
    for (const text of ["10000000w", "100000000w", "260w", "10400h"])
      expect(
        addBusinessMs(
          Date.parse("2026-03-02T09:00:00Z"),
          parseDuration(text).seconds * 1000,
          berlin,
        ),
      ).toBeGreaterThan(0);
    expect(addBusinessMs(0, 1e30, berlin)).toBe(NO_DEADLINE);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("five years of business time end five years later", () => {
    expect(
      addDuration(t("2026-03-02T09:00:00Z"), parseDuration("260w"), DEFAULT_CALENDAR).toISOString(),
    ).toBe("2031-02-21T17:00:00.000Z");
  });

  it("knows working time: start inclusive, end exclusive, holidays off", () => {
    expect(isWorkingTime(t("2026-03-02T09:00:00Z"), DEFAULT_CALENDAR)).toBe(true);
    expect(isWorkingTime(t("2026-03-02T17:00:00Z"), DEFAULT_CALENDAR)).toBe(false);
    expect(isWorkingTime(t("2026-03-02T12:30:00Z"), split)).toBe(false);
    expect(isWorkingTime(t("2026-12-25T10:00:00Z"), yearlyChristmas)).toBe(false);
    expect(isWorkingTime(t("2026-03-30T07:30:00Z"), berlin)).toBe(true); // 09:30 CEST
  });

  it("wall durations are plain clock time: 48h from Friday afternoon is Sunday afternoon", () => {
    const wall = parseDuration("48h wall", berlin);
    expect(wall).toEqual({ seconds: 48 * H, wall: true });
    expect(addDuration(t("2026-03-27T15:00:00Z"), wall, berlin).toISOString()).toBe(
      "2026-03-29T15:00:00.000Z",
    );
    // The same limit in business time needs six working hours more on Monday.
    expect(addDuration(t("2026-03-27T15:00:00Z"), parseDuration("48h", berlin), berlin)).toEqual(
      addBusinessTime(t("2026-03-27T15:00:00Z"), 48 * H, berlin),
    );
  });
});

describe("durations", () => {
  const monThu8Fri6 = cal({
    timezone: "UTC",
    hours: { ...nineToFive, fri: [["09:00", "15:00"]] },
  });
  const tie = cal({
    timezone: "UTC",
    hours: { mon: [["09:00", "17:00"]], tue: [["09:00", "15:00"]] },
  });
  const rows: { text: string; cal: BusinessCalendar; seconds: number; wall: boolean }[] = [
    { text: "90m", cal: DEFAULT_CALENDAR, seconds: 90 * 60, wall: false },
    { text: "4h", cal: DEFAULT_CALENDAR, seconds: 4 * H, wall: false },
    { text: "1.5h", cal: DEFAULT_CALENDAR, seconds: 1.5 * H, wall: false },
    { text: "2d", cal: DEFAULT_CALENDAR, seconds: 16 * H, wall: false },
    { text: "1w", cal: DEFAULT_CALENDAR, seconds: 40 * H, wall: false },
    { text: "1d", cal: split, seconds: 7 * H, wall: false },
    { text: "1d", cal: monThu8Fri6, seconds: 8 * H, wall: false },
    { text: "1d", cal: tie, seconds: 8 * H, wall: false },
    { text: "1w", cal: split, seconds: 35 * H, wall: false },
    { text: "48h wall", cal: split, seconds: 48 * H, wall: true },
    { text: "2d wall", cal: DEFAULT_CALENDAR, seconds: 48 * H, wall: true },
    { text: "1w wall", cal: DEFAULT_CALENDAR, seconds: 7 * 24 * H, wall: true },
    { text: " 3 h ", cal: DEFAULT_CALENDAR, seconds: 3 * H, wall: false },
  ];
  it.each(rows)("$text is $seconds s (wall: $wall)", ({ text, cal, seconds, wall }) => {
    expect(parseDuration(text, cal)).toEqual({ seconds, wall });
  });

  it("a business day is the calendar's most common working day", () => {
    expect(standardDaySeconds(DEFAULT_CALENDAR)).toBe(8 * H);
    expect(standardDaySeconds(newYorkNights)).toBe(6 * H);
  });

  it.each(["", "4", "h", "4x", "-1h", "4 hours", "48h  walls"])("rejects %j", (text) => {
    expect(() => parseDuration(text)).toThrow(DomainError);
  });
});

describe("calendar validation", () => {
  function problems(input: unknown): { path: string; message: string }[] {
    try {
      parseCalendar(input);
    } catch (e) {
      if (e instanceof DomainError && e.code === "invalid_input") return e.details.errors ?? [];
      throw e;
    }
    return [];
  }

  it("fills weekdays left out with no working hours and holidays with none", () => {
    const c = parseCalendar({ timezone: "Europe/Berlin", hours: { mon: [["09:00", "17:00"]] } });
    expect(c.hours.sun).toEqual([]);
    expect(c.holidays).toEqual([]);
  });

  it("accepts 24:00 as an end and touching intervals", () => {
    expect(
      problems({
        timezone: "UTC",
        hours: {
          mon: [
            ["00:00", "12:00"],
            ["12:00", "24:00"],
          ],
        },
      }),
    ).toEqual([]);
  });

  const rows: { name: string; input: unknown; path: string; message: RegExp }[] = [
    {
      name: "an unknown time zone",
      input: { timezone: "Mars/Olympus", hours: nineToFive },
      path: "timezone",
      message: /IANA time zone/,
    },
    {
      name: "an offset instead of a zone",
      input: { timezone: "+01:00", hours: nineToFive },
      path: "timezone",
      message: /IANA time zone/,
    },
    {
      name: "an inverted interval",
      input: { timezone: "UTC", hours: { ...nineToFive, wed: [["17:00", "09:00"]] } },
      path: "hours.wed[0]",
      message: /ends at 09:00/,
    },
    {
      name: "an empty interval",
      input: { timezone: "UTC", hours: { ...nineToFive, wed: [["09:00", "09:00"]] } },
      path: "hours.wed[0]",
      message: /end must come after the start/,
    },
    {
      name: "overlapping intervals",
      input: {
        timezone: "UTC",
        hours: {
          tue: [
            ["09:00", "12:30"],
            ["12:00", "17:00"],
          ],
        },
      },
      path: "hours.tue[1]",
      message: /overlaps 09:00–12:30/,
    },
    {
      name: "a time past midnight",
      input: { timezone: "UTC", hours: { mon: [["09:00", "25:00"]] } },
      path: "hours.mon[0][1]",
      message: /00:00.*24:00/,
    },
    {
      name: "a misspelt weekday",
      input: { timezone: "UTC", hours: { monday: [["09:00", "17:00"]] } },
      path: "hours",
      message: /unknown key "monday"/,
    },
    {
      name: "an impossible holiday",
      input: { timezone: "UTC", hours: nineToFive, holidays: [{ date: "2026-02-30" }] },
      path: "holidays[0].date",
      message: /real date/,
    },
    {
      // Date.UTC reads years below 100 as 19xx: 0050-01-01 would be kept as 1950.
      name: "a holiday in a year Baton does not compute in",
      input: { timezone: "UTC", hours: nineToFive, holidays: [{ date: "0050-01-01" }] },
      path: "holidays[0].date",
      message: /1970–2100/,
    },
    {
      name: "a week without working time",
      input: { timezone: "UTC", hours: {} },
      path: "hours",
      message: /at least one weekday/,
    },
    {
      name: "366 yearly holidays (no working day ever)",
      input: {
        timezone: "UTC",
        hours: nineToFive,
        holidays: everyDayOf2024.map((date) => ({ date, yearly: true })),
      },
      path: "holidays",
      message: /no working day from .* every 366 consecutive days need one/,
    },
    {
      name: "yearly holidays on every weekday's dates but one (a year of those without work)",
      input: {
        timezone: "UTC",
        hours: { mon: [["09:00", "17:00"]] },
        // Every date but 4 July: in a year in which 4 July is no Monday, nobody ever works.
        holidays: everyDayOf2024
          .filter((d) => d !== "2024-07-04")
          .map((date) => ({ date, yearly: true })),
      },
      path: "holidays",
      message: /no working day from \d{4}-\d{2}-\d{2} to/,
    },
    {
      name: "dated holidays covering every weekday of 2027",
      input: {
        timezone: "UTC",
        hours: nineToFive,
        holidays: weekdaysOf2027.map((date) => ({ date })),
      },
      path: "holidays",
      message: /no working day from 2027-01-01 to 2028-01-01/,
    },
    {
      name: "more than 1,000 holidays",
      input: {
        timezone: "UTC",
        hours: nineToFive,
        holidays: Array.from({ length: 1001 }, (_, i) => ({
          date: dayIso(Date.UTC(2030, 0, 1) + i * 7 * 86_400_000),
        })),
      },
      path: "holidays",
      message: /at most 1,000 holidays/,
    },
    {
      name: "a missing time zone",
      input: { hours: nineToFive },
      path: "timezone",
      message: /is required/,
    },
  ];
  it.each(rows)("rejects $name, naming $path", ({ input, path, message }) => {
    const found = problems(input);
    expect(found.map((p) => p.path)).toContain(path);
    expect(found.find((p) => p.path === path)?.message).toMatch(message);
  });

  it("accepts holidays that leave a working day in every year", () => {
    const butOne = weekdaysOf2027.filter((d) => d !== "2027-07-01").map((date) => ({ date }));
    expect(problems({ timezone: "UTC", hours: nineToFive, holidays: butOne })).toEqual([]);
    const started = performance.now();
    // 1,000 holidays in a row of weekends is a lot to check, and still quick.
    const many = Array.from({ length: 1000 }, (_, i) => ({
      date: dayIso(
        Date.UTC(2026, 0, 3) + Math.floor(i / 2) * 7 * 86_400_000 + (i % 2) * 86_400_000,
      ),
      yearly: i % 3 === 0,
    }));
    expect(
      problems({ timezone: "Europe/Berlin", hours: every([["09:00", "17:00"]]), holidays: many }),
    ).toEqual([]);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("the default calendar cannot be changed by accident", () => {
    expect(() => DEFAULT_CALENDAR.hours.mon.push(["18:00", "19:00"])).toThrow();
  });
});

describe("business time properties", () => {
  const calendars = [
    DEFAULT_CALENDAR,
    berlin,
    newYork,
    split,
    berlinSundays,
    newYorkNights,
    berlinSkipped,
    yearlyChristmas,
    leapDay,
    lordHowe,
  ];
  const calendar = fc.constantFrom(...calendars);
  const from = Date.parse("2025-01-01T00:00:00Z");
  const to = Date.parse("2029-01-01T00:00:00Z");
  /** Instants clustered near each other as well as spread over four years. */
  const instant = fc.integer({ min: from, max: to });
  const threeInstants = fc
    .tuple(instant, fc.integer({ min: 0, max: 40 * 86_400_000 }), fc.integer({ min: 0, max: to }))
    .map(([a, near, far]) =>
      [a, a + near, a + near + (far % (400 * 86_400_000))].sort((x, y) => x - y),
    );
  const amount = fc.oneof(
    fc.integer({ min: 0, max: 8 * 3_600_000 }),
    fc.integer({ min: 0, max: 2000 * 3_600_000 }),
  );

  it("is monotonic: a later end never measures less, a later start never lands earlier", () => {
    fc.assert(
      fc.property(calendar, threeInstants, amount, amount, (c, [a, b, x], s1, s2) => {
        const origin = a as number;
        expect(businessMsBetween(origin, b as number, c)).toBeLessThanOrEqual(
          businessMsBetween(origin, x as number, c),
        );
        const [lo, hi] = s1 <= s2 ? [s1, s2] : [s2, s1];
        expect(addBusinessMs(origin, lo, c)).toBeLessThanOrEqual(addBusinessMs(origin, hi, c));
        expect(addBusinessMs(origin, lo, c)).toBeLessThanOrEqual(addBusinessMs(b as number, lo, c));
      }),
    );
  });

  it("is additive: a→b plus b→c is a→c", () => {
    fc.assert(
      fc.property(calendar, threeInstants, (c, [a, b, x]) => {
        expect(
          businessMsBetween(a as number, b as number, c) +
            businessMsBetween(b as number, x as number, c),
        ).toBe(businessMsBetween(a as number, x as number, c));
      }),
    );
  });

  it("adding and measuring are inverse, and adding lands at the earliest such moment", () => {
    fc.assert(
      fc.property(calendar, instant, amount, (c, start, ms) => {
        const end = addBusinessMs(start, ms, c);
        expect(businessMsBetween(start, end, c)).toBe(ms);
        if (ms > 0) expect(businessMsBetween(start, end - 1, c)).toBe(ms - 1);
      }),
    );
  });

  it("never counts more than the wall-clock time between two instants", () => {
    fc.assert(
      fc.property(calendar, threeInstants, (c, [a, , x]) => {
        const ms = businessMsBetween(a as number, x as number, c);
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThanOrEqual((x as number) - (a as number));
      }),
    );
  });

  /**
   * An independent oracle: walk local days with luxon's own DateTime arithmetic and sum the
   * overlaps. Slow, but it shares nothing with the offset tables and the weekly jumps.
   */
  function naiveMs(c: BusinessCalendar, a: number, b: number): number {
    const names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
    const holidays = new Set(c.holidays.filter((h) => !h.yearly).map((h) => h.date));
    const yearly = new Set(c.holidays.filter((h) => h.yearly).map((h) => h.date.slice(5)));
    let sum = 0;
    const last = DateTime.fromMillis(b, { zone: c.timezone }).plus({ days: 1 });
    for (
      let day = DateTime.fromMillis(a, { zone: c.timezone }).startOf("day").minus({ days: 1 });
      day <= last;
      day = day.plus({ days: 1 })
    ) {
      const date = day.toISODate() as string;
      if (holidays.has(date) || yearly.has(date.slice(5))) continue;
      for (const [start, end] of c.hours[names[day.weekday - 1] as (typeof names)[number]]) {
        const at = (hhmm: string) =>
          hhmm === "24:00"
            ? day.plus({ days: 1 }).startOf("day").toMillis()
            : day.set({ hour: Number(hhmm.slice(0, 2)), minute: Number(hhmm.slice(3)) }).toMillis();
        sum += Math.max(0, Math.min(at(end), b) - Math.max(at(start), a));
      }
    }
    return sum;
  }

  it("agrees with a day-by-day count in luxon for hours away from clock changes", () => {
    const zoned = (timezone: string) => cal({ timezone, hours: nineToFive });
    const plain = fc.constantFrom(
      DEFAULT_CALENDAR,
      berlin,
      newYork,
      split,
      yearlyChristmas,
      leapDay,
      berlinMayDay,
      zoned("Australia/Sydney"),
      zoned("Asia/Kolkata"),
      zoned("Pacific/Chatham"),
      zoned("America/Sao_Paulo"),
    );
    fc.assert(
      fc.property(plain, instant, fc.integer({ min: 0, max: 60 * 86_400_000 }), (c, a, span) => {
        expect(businessMsBetween(a, a + span, c)).toBe(naiveMs(c, a, a + span));
      }),
      { numRuns: 60 },
    );
  });
});

describe("business time always answers quickly", () => {
  const zones = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Africa/Casablanca",
    "Asia/Kolkata",
  ];
  const clock = fc
    .integer({ min: 0, max: 24 * 60 })
    .map((m) =>
      m === 24 * 60
        ? "24:00"
        : `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`,
    );
  /** Up to three ascending, non-touching intervals (possibly none) for one weekday. */
  const day = fc
    .uniqueArray(clock, { maxLength: 6 })
    .map((marks) => marks.sort())
    .map((marks) => {
      const out: [string, string][] = [];
      for (let i = 0; i + 1 < marks.length; i += 2)
        out.push([marks[i], marks[i + 1]] as [string, string]);
      return out;
    });
  const holiday = fc.record({
    date: fc
      .integer({ min: Date.UTC(1990, 0, 1) / 86_400_000, max: Date.UTC(2100, 0, 1) / 86_400_000 })
      .map((d) => dayIso(d * 86_400_000)),
    yearly: fc.boolean(),
  });
  /**
   * Any calendar of the stored shape: validated ones, and also those refused today (no hours at
   * all, holidays over whole years) that an older Baton may have stored.
   */
  const anyCalendar = fc
    .record({
      timezone: fc.constantFrom(...zones),
      hours: fc.record({ mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day }),
      holidays: fc.oneof(
        fc.array(holiday, { maxLength: 20 }),
        fc.array(holiday, { maxLength: 1000 }),
        fc.constant(everyDayOf2024.map((date) => ({ date, yearly: true }))),
      ),
    })
    .map((c) => readStoredCalendar(c));
  const start = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });
  const amount = fc.oneof(
    fc.integer({ min: 0, max: 10_000_000 }),
    fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    fc.double({ min: 0, max: 1e30, noNaN: true }),
  );
  const HUNDRED_YEARS = 36_525 * 86_400_000;
  /** Generous: the machine running the tests may be busy; a loop that spins never ends at all. */
  const BOUND_MS = 5_000;
  beforeAll(() => {
    // Each zone's offsets are read from luxon once per year, module-wide; read them before the
    // clock starts, so the bound measures the arithmetic rather than that one-off cost.
    for (const timezone of zones)
      for (const from of [2000, 2100])
        businessMsBetween(
          Date.UTC(from, 0, 1),
          Date.UTC(from + 101, 0, 1),
          readStoredCalendar({ timezone, hours: { mon: [["09:00", "17:00"]] } }),
        );
  });

  it("adding any amount up to 1e30 ms ends within a bound: a deadline, or none beyond 100 years", () => {
    fc.assert(
      fc.property(anyCalendar, start, amount, (c, from, ms) => {
        const began = performance.now();
        const end = addBusinessMs(from, ms, c);
        expect(performance.now() - began).toBeLessThan(BOUND_MS);
        if (end === NO_DEADLINE) return;
        expect(end).toBeGreaterThanOrEqual(from);
        expect(end).toBeLessThanOrEqual(from + HUNDRED_YEARS);
        if (Number.isInteger(ms)) expect(businessMsBetween(from, end, c)).toBe(ms);
      }),
      { numRuns: 100 },
    );
  }, 60_000);

  it("measuring any span up to 1e30 ms ends within a bound and never exceeds the span", () => {
    fc.assert(
      fc.property(anyCalendar, start, amount, (c, from, span) => {
        const began = performance.now();
        // `from + span` rounds for fractional spans: compare with the span as it really is.
        const to = from + span;
        const ms = businessMsBetween(from, to, c);
        expect(performance.now() - began).toBeLessThan(BOUND_MS);
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThanOrEqual(to - from);
        expect(-businessMsBetween(to, from, c) === ms).toBe(true);
      }),
      { numRuns: 100 },
    );
  }, 60_000);
});

import {
  type BusinessCalendar,
  type Holiday,
  type Weekday,
  type WorkingInterval,
  weekdays,
} from "../../api/types.ts";

/*
 * The calendar editor's model: the calendar as the form holds it (rows with stable ids, so React
 * keys survive adding and removing), conversions to and from the API's shape, and the server's
 * validation paths (`hours.mon[0]`, `holidays[2].date`) turned into words.
 */

export const dayNames: Record<Weekday, string> = {
  mon: "Monday",
  tue: "Tuesday",
  wed: "Wednesday",
  thu: "Thursday",
  fri: "Friday",
  sat: "Saturday",
  sun: "Sunday",
};

const shortDay: Record<Weekday, string> = {
  mon: "Mon",
  tue: "Tue",
  wed: "Wed",
  thu: "Thu",
  fri: "Fri",
  sat: "Sat",
  sun: "Sun",
};

export interface IntervalRow {
  id: number;
  start: string;
  end: string;
}

export interface HolidayRow {
  id: number;
  date: string;
  name: string;
  yearly: boolean;
}

export interface CalendarDraft {
  timezone: string;
  hours: Record<Weekday, IntervalRow[]>;
  holidays: HolidayRow[];
}

let nextId = 1;
/** A row id unique in this page; rows are never sent with it. */
export const rowId = (): number => nextId++;

export function toDraft(c: BusinessCalendar): CalendarDraft {
  const hours = Object.fromEntries(
    weekdays.map((d) => [
      d,
      (c.hours[d] ?? []).map(([start, end]) => ({ id: rowId(), start, end })),
    ]),
  ) as Record<Weekday, IntervalRow[]>;
  return {
    timezone: c.timezone,
    hours,
    holidays: c.holidays.map((h) => ({
      id: rowId(),
      date: h.date,
      name: h.name ?? "",
      yearly: h.yearly ?? false,
    })),
  };
}

/**
 * The body of `PUT /teams/{key}/calendar`, in the draft's order so the server's error paths
 * point at the rows on screen. Empty holiday names are left out rather than sent as "".
 */
export function fromDraft(d: CalendarDraft): BusinessCalendar {
  const hours = Object.fromEntries(
    weekdays.map((day) => [
      day,
      d.hours[day].map((i): WorkingInterval => [i.start.trim(), i.end.trim()]),
    ]),
  ) as Record<Weekday, WorkingInterval[]>;
  return {
    timezone: d.timezone,
    hours,
    holidays: d.holidays.map((h): Holiday => {
      const name = h.name.trim();
      return { date: h.date, ...(name ? { name } : {}), ...(h.yearly ? { yearly: true } : {}) };
    }),
  };
}

/** True when the draft says the same as the saved calendar. */
export function sameCalendar(a: BusinessCalendar, b: BusinessCalendar): boolean {
  return JSON.stringify(fromDraft(toDraft(a))) === JSON.stringify(fromDraft(toDraft(b)));
}

/** Pads what people type: "9:00" → "09:00", "9" → "09:00", "1730" → "17:30". */
export function normalizeTime(v: string): string {
  const t = v.trim();
  let m = /^(\d{1,2})$/.exec(t);
  if (m) return `${(m[1] ?? "").padStart(2, "0")}:00`;
  m = /^(\d{1,2})[:.h](\d{2})$/.exec(t);
  if (m) return `${(m[1] ?? "").padStart(2, "0")}:${m[2]}`;
  m = /^(\d{2})(\d{2})$/.exec(t);
  if (m) return `${m[1]}:${m[2]}`;
  return t;
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

/** A new interval for a day: office hours on an empty day, else an hour after the last one. */
export function nextInterval(existing: IntervalRow[]): IntervalRow {
  const last = existing.at(-1);
  if (!last || !/^\d\d:\d\d$/.test(last.end)) return { id: rowId(), start: "09:00", end: "17:00" };
  const start = Math.min(minutes(last.end) + 60, 23 * 60);
  return { id: rowId(), start: hhmm(start), end: hhmm(Math.min(start + 120, 24 * 60)) };
}

/** "09:00–12:00, 13:00–17:00", or "closed". */
export function describeDay(intervals: readonly WorkingInterval[]): string {
  return intervals.length === 0 ? "closed" : intervals.map(([s, e]) => `${s}–${e}`).join(", ");
}

/**
 * The week in a line, consecutive days with the same hours grouped:
 * "Mon–Thu 09:00–17:00 · Fri 09:00–15:00". Days without hours are left out.
 */
export function describeWeek(c: BusinessCalendar): string {
  const groups: { from: Weekday; to: Weekday; hours: string }[] = [];
  for (const d of weekdays) {
    const hours = describeDay(c.hours[d] ?? []);
    const last = groups.at(-1);
    if (last && last.hours === hours) last.to = d;
    else groups.push({ from: d, to: d, hours });
  }
  const open = groups.filter((g) => g.hours !== "closed");
  if (open.length === 0) return "no working hours";
  return open
    .map((g) => `${shortDay[g.from]}${g.from === g.to ? "" : `–${shortDay[g.to]}`} ${g.hours}`)
    .join(" · ");
}

/** The server's path of a calendar problem, in words: `hours.mon[0][1]` → "Monday, interval 1, end". */
export function describePath(path: string): string {
  let m = /^hours\.(mon|tue|wed|thu|fri|sat|sun)(?:\[(\d+)\](?:\[(\d+)\])?)?$/.exec(path);
  if (m) {
    const day = dayNames[m[1] as Weekday];
    if (m[2] === undefined) return day;
    const interval = `${day}, interval ${Number(m[2]) + 1}`;
    if (m[3] === undefined) return interval;
    return `${interval}, ${m[3] === "0" ? "start" : "end"}`;
  }
  m = /^holidays\[(\d+)\](?:\.(\w+))?$/.exec(path);
  if (m) {
    const holiday = `Holiday ${Number(m[1]) + 1}`;
    const part = m[2] === "yearly" ? "every year" : m[2];
    return part ? `${holiday}, ${part}` : holiday;
  }
  if (path === "timezone") return "Time zone";
  if (path === "hours") return "Working hours";
  if (path === "holidays") return "Holidays";
  if (path === "(root)" || path === "(body)") return "The calendar";
  return path;
}

/** "starts at 17:00 but …" → "Starts at 17:00 but …". */
export function sentence(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** The server's field errors by path, and whether the form has a place to show each one. */
export function errorsByPath(errors: readonly { path: string; message: string }[]) {
  const map = new Map<string, string[]>();
  for (const e of errors) map.set(e.path, [...(map.get(e.path) ?? []), sentence(e.message)]);
  /** The messages at exactly this path, joined for one field. */
  const at = (path: string): string | null => map.get(path)?.join(" ") ?? null;
  return { at, all: errors };
}

/** Every IANA zone this browser knows, with the calendar's own (and UTC) always among them. */
export function timeZones(current: string): string[] {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf("timeZone");
  } catch {
    // Older browsers: the current zone and UTC still let the calendar be edited.
  }
  return [...new Set([current, "UTC", ...zones])].filter(Boolean).sort();
}

/** "Tuesday 14:05" in the zone, or null for a zone this browser does not know. */
export function nowIn(timezone: string, now = new Date()): string | null {
  try {
    return new Intl.DateTimeFormat("en", {
      timeZone: timezone,
      weekday: "long",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(now);
  } catch {
    return null;
  }
}

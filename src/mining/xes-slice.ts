import type { SlotMapping } from "./raw-event.ts";
import { parseTimestamp } from "./timestamps.ts";
import { XesProblem, XesReader } from "./xes.ts";

/*
 * One slice of an XES file read on its own: whole traces cut out of the document at `</trace>`
 * boundaries (xes-parallel.ts), parsed inside a `<log>` of their own, and sent back as compact
 * columns (typed arrays plus one table of the distinct strings) because copying hundreds of
 * thousands of small objects between threads would cost more than parsing them.
 */

/** What a slice held, in file order, with lines and trace numbers counted from the slice. */
export interface SliceResult {
  /** Distinct strings of the slice; the columns below hold indexes into it, -1 for none. */
  strings: string[];
  /** Per event: case, activity, team, resource, lifecycle, and the timestamp when unreadable. */
  fields: Int32Array;
  /** Per event: epoch ms, NaN when the timestamp is missing or unreadable (see `fields`). */
  time: Float64Array;
  /** Per event: the line it starts on (1 = the slice's first line). */
  line: Int32Array;
  /** Per event: the slice's trace it belongs to (1-based). */
  trace: Int32Array;
  /** After how many events each trace of the slice closed. */
  ends: Int32Array;
  traces: number;
  /** Line breaks in the slice, and characters after the last one: where the slice ends. */
  newlines: number;
  tailColumn: number;
  /** Event attribute names no slot maps (the first few), for the --team hint. */
  unmappedKeys: string[];
  /** The slice is not well-formed: what and where, counted as above. */
  problem?: { message: string; line: number; column: number };
  /**
   * The slice read well up to its end but did not end where it began, inside `<log>` and
   * outside any element (a `<trace>` inside a trace was cut after the inner one, say): its
   * events are not to be used, and the slice is to be read as part of the whole file.
   */
  unsliceable?: boolean;
}

export const FIELDS_PER_EVENT = 6;
/** The field of `fields` holding the timestamp text when it could not be read as a date. */
export const TIMESTAMP_FIELD = 5;
const MAX_UNMAPPED_KEYS = 30;
/** `<log>` put before the slice: its first line's columns count from after it. */
const WRAPPER = "<log>";

/** Reads one slice (whole traces, nothing else that opens or closes) into columns. */
export function readSlice(mapping: SlotMapping, text: string): SliceResult {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const intern = (s: string | undefined): number => {
    if (s === undefined) return -1;
    let i = index.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      index.set(s, i);
    }
    return i;
  };
  const fields: number[] = [];
  const time: number[] = [];
  const line: number[] = [];
  const trace: number[] = [];
  const ends: number[] = [];
  const unmapped = new Set<string>();
  let traces = 0;
  let teamSeen = false;
  const reader = new XesReader(mapping, {
    event(e, traceNo, at) {
      const t =
        e.timestamp === undefined || e.timestamp === "" ? undefined : parseTimestamp(e.timestamp);
      fields.push(
        intern(e.case),
        intern(e.activity),
        intern(e.team),
        intern(e.resource),
        intern(e.lifecycle),
        // The text only when it is there but no date: the skipped-event message quotes it.
        t === undefined && e.timestamp !== undefined ? intern(e.timestamp) : -1,
      );
      time.push(t ?? Number.NaN);
      if (e.team !== undefined && e.team !== "") teamSeen = true;
      line.push(at);
      trace.push(traceNo);
    },
    traceEnd() {
      traces++;
      ends.push(time.length);
    },
    unmappedKey(key) {
      // Wanted only when no event has a team (the hint says which attributes there are).
      if (!teamSeen && unmapped.size < MAX_UNMAPPED_KEYS) unmapped.add(key);
    },
  });
  let problem: SliceResult["problem"];
  let unsliceable = false;
  try {
    reader.write(WRAPPER);
    reader.write(text);
  } catch (e) {
    if (!(e instanceof XesProblem)) throw e;
    const column = e.line === 1 ? e.column - WRAPPER.length : e.column;
    problem = { message: e.message, line: e.line, column };
  }
  if (problem === undefined) {
    // What follows the slice in the file is not `</log>`; whether it closes here is all this
    // says, and it only closes if the slice ended where it began.
    unsliceable = reader.depth !== 1;
    if (!unsliceable)
      try {
        reader.write("</log>");
        reader.close();
      } catch (e) {
        if (!(e instanceof XesProblem)) throw e;
        unsliceable = true;
      }
  }
  const last = text.lastIndexOf("\n");
  let newlines = 0;
  for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) newlines++;
  return {
    strings,
    fields: Int32Array.from(fields),
    time: Float64Array.from(time),
    line: Int32Array.from(line),
    trace: Int32Array.from(trace),
    ends: Int32Array.from(ends),
    traces,
    newlines,
    tailColumn: text.length - last - 1,
    unmappedKeys: [...unmapped],
    ...(problem === undefined ? {} : { problem }),
    ...(unsliceable ? { unsliceable } : {}),
  };
}

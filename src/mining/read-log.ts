import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { basename } from "node:path";
import { pipeline, Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { DomainError } from "../domain/errors.ts";
import type { MiningLimits } from "./limits.ts";
import { type FoldedCase, LogMiner, type MiningReport } from "./metrics.ts";
import { type RawEvent, SLOTS, type Slot, type SlotMapping } from "./raw-event.ts";
import { parseTimestamp } from "./timestamps.ts";
import { smallPieces, utf8Pieces } from "./utf8.ts";

/*
 * Streaming readers of event logs: XES (IEEE 1849) through saxes and CSV through csv-parse,
 * either of them gzipped (told by the gzip magic bytes, not the name). They read the file once,
 * in chunks, and hand events to the pure LogMiner; an XES trace is folded as soon as it closes,
 * so memory follows the largest trace, not the file. A CSV may list a case's rows anywhere, so
 * its cases stay open (four numbers an event) until the end.
 *
 * A file that is not what it claims fails with `invalid_log` saying where (line and column, or
 * the byte offset in a compressed file) and what was expected; events that cannot be placed (no
 * case, no or a bad timestamp) are skipped, counted, and the first one is named.
 */

/** Which attribute (XES) or column (CSV) holds each part of an event. */
export interface ColumnMapping {
  case: string;
  activity: string;
  timestamp: string;
  team: string;
  resource?: string | undefined;
  lifecycle?: string | undefined;
}

/** The standard XES attribute names, which PM4Py's CSV exports use as column names too. */
export const DEFAULT_MAPPING: ColumnMapping = {
  case: "case:concept:name",
  activity: "concept:name",
  timestamp: "time:timestamp",
  team: "org:group",
};

export type LogFormat = "xes" | "csv";

export interface ReadOptions {
  /** Told from the name (`.xes`, `.csv`, either `.gz`) or the first character when absent. */
  format?: LogFormat | undefined;
  mapping?: Partial<ColumnMapping> | undefined;
  /** CSV field delimiter (default `,`). */
  delimiter?: string | undefined;
  /** With a lifecycle mapping, the transitions kept (default `complete`), lower case. */
  lifecycleKeep?: readonly string[] | undefined;
  /** Called as raw bytes are read (compressed bytes for a .gz). */
  onProgress?: ((bytesRead: number) => void) | undefined;
  limits?: Partial<MiningLimits> | undefined;
  /** XES: worker threads parsing slices of the file beside this one (default: see defaultXesThreads). */
  xesThreads?: number | undefined;
  /** XES: bytes per slice (default 1 MiB); smaller files are read in this thread alone. */
  xesSliceBytes?: number | undefined;
  /** XES: read every slice in this thread, one after another, as a worker would (tests of the slicing). */
  xesInlineSlices?: boolean | undefined;
  /** XES, for tests: see XesReadOptions.onSlice and awaitWorkers. */
  xesOnSlice?: ((reader: "worker" | "here") => void) | undefined;
  xesAwaitWorkers?: boolean | undefined;
  /** Each case as it is folded (the history import), see LogMiner. */
  onCase?: ((c: FoldedCase) => void) | undefined;
  /**
   * Awaited after every chunk of the file and every slice of the cases a CSV holds open to its
   * end: the consumer of `onCase` writes away what it gathered, and reading waits for it, so
   * memory stays bounded however fast the file reads.
   */
  drain?: (() => Promise<void>) | undefined;
}

/** Events the log has but the figures leave out, and why. */
export interface SkippedEvents {
  events: number;
  no_case: number;
  no_timestamp: number;
  bad_timestamp: number;
  /** Left out by the lifecycle filter (`--lifecycle`). */
  lifecycle: number;
  /** Where the first skipped event is and why, for the person fixing the export. */
  first_problem: string | null;
}

/** The mining report plus what was read and how. */
export type MineResult = {
  source: { name: string; format: LogFormat; gzip: boolean; bytes: number };
  mapping: ColumnMapping;
  skipped: SkippedEvents;
  warnings: string[];
} & MiningReport;

/** Mines a file on disk. */
export async function mineFile(path: string, options: ReadOptions = {}): Promise<MineResult> {
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new Error("not a regular file");
    size = s.size;
  } catch (e) {
    throw new DomainError("invalid_log", `cannot read ${path}: ${(e as Error).message}`);
  }
  const result = await mineStream(createReadStream(path, { highWaterMark: 256 * 1024 }), {
    ...options,
    name: basename(path),
    textBytes: await textBytesOf(path, size),
  });
  result.source.bytes = size;
  return result;
}

/**
 * How many bytes of text a file holds: its size, or for a gzip file the size gzip recorded of
 * what it compressed (its last four bytes: the size modulo 4 GiB, of the last member only, so
 * never taken for less than the file itself). It only chooses how to read, not what is read.
 */
export async function textBytesOf(path: string, size: number): Promise<number> {
  if (size < 18) return size;
  const file = await open(path, "r");
  try {
    const magic = Buffer.alloc(2);
    const trailer = Buffer.alloc(4);
    await file.read(magic, 0, 2, 0);
    if (magic[0] !== 0x1f || magic[1] !== 0x8b) return size;
    await file.read(trailer, 0, 4, size - 4);
    return Math.max(size, trailer.readUInt32LE(0));
  } finally {
    await file.close();
  }
}

/** Mines a byte stream (a file, an upload). `name` tells the format when `format` is absent. */
export async function mineStream(
  source: AsyncIterable<Buffer | Uint8Array>,
  options: ReadOptions & {
    name: string;
    /** The size of the text, decompressed, when known (mineFile knows it). */
    textBytes?: number | undefined;
  },
): Promise<MineResult> {
  const mapping: ColumnMapping = { ...DEFAULT_MAPPING, ...stripUndefined(options.mapping ?? {}) };
  const bytes = await openBytes(source, options.onProgress);
  const it = bytes.chunks[Symbol.asyncIterator]();
  let first: Buffer | undefined;
  try {
    for (let step = await it.next(); !step.done; step = await it.next())
      if (step.value.length > 0) {
        first = step.value;
        break;
      }
  } catch (e) {
    throw bytes.explain(e);
  }
  // A character cut at the end of the sample only matters to the sample.
  const head = first === undefined ? "" : new TextDecoder().decode(first.subarray(0, 4096));
  const format = options.format ?? formatOf(options.name, head);
  const chunks = prepend(first, it);
  const ctx: ReadContext = {
    mapping,
    miner: new LogMiner({
      limits: options.limits,
      hasResources: mapping.resource !== undefined,
      onCase: options.onCase,
    }),
    drain: options.drain,
    skipped: {
      events: 0,
      no_case: 0,
      no_timestamp: 0,
      bad_timestamp: 0,
      lifecycle: 0,
      first_problem: null,
    },
    warnings: [],
    lifecycleKeep: new Set((options.lifecycleKeep ?? ["complete"]).map((s) => s.toLowerCase())),
    teamSeen: false,
    eventKeys: new Set(),
  };
  try {
    if (format === "xes") await readXes(chunks, ctx, options);
    else await readCsv(decode(chunks), ctx, options.delimiter ?? ",");
  } catch (e) {
    throw bytes.explain(e);
  }
  if (options.drain !== undefined)
    while (ctx.miner.foldOpen(DRAIN_SLICE) > 0) await options.drain();
  const report = ctx.miner.report();
  if (report.events === 0 && ctx.skipped.events > 0)
    throw new DomainError(
      "invalid_log",
      `no event could be used (${ctx.skipped.events.toLocaleString("en")} skipped); the first: ${ctx.skipped.first_problem}`,
      { skipped: ctx.skipped },
    );
  if (report.events > 0 && !ctx.teamSeen)
    ctx.warnings.push(
      `no event has a value in "${mapping.team}", so there are no teams and no handoffs` +
        (ctx.eventKeys.size > 0
          ? `; the events have ${[...ctx.eventKeys].map((k) => `"${k}"`).join(", ")} (choose one with --team)`
          : ""),
    );
  return {
    source: { name: options.name, format, gzip: bytes.gzip, bytes: bytes.count() },
    mapping,
    skipped: ctx.skipped,
    warnings: ctx.warnings,
    ...report,
  };
}

/** Cases folded between two drains at the end of a CSV. */
const DRAIN_SLICE = 500;

interface ReadContext {
  mapping: ColumnMapping;
  miner: LogMiner;
  drain: (() => Promise<void>) | undefined;
  skipped: SkippedEvents;
  warnings: string[];
  lifecycleKeep: Set<string>;
  teamSeen: boolean;
  /** Attribute names seen on events (a few), to suggest a team mapping when none matched. */
  eventKeys: Set<string>;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function formatOf(name: string, head: string): LogFormat {
  const lower = name.toLowerCase().replace(/\.gz$/, "");
  if (lower.endsWith(".xes") || lower.endsWith(".xml")) return "xes";
  if (lower.endsWith(".csv") || lower.endsWith(".txt")) return "csv";
  return head.trimStart().startsWith("<") ? "xes" : "csv";
}

interface OpenedBytes {
  chunks: AsyncIterable<Buffer>;
  gzip: boolean;
  count: () => number;
  /** Turns a decompression error into `invalid_log` with the offset; passes others through. */
  explain: (e: unknown) => unknown;
}

/** The file's bytes, decompressed when they start with the gzip magic number. */
async function openBytes(
  source: AsyncIterable<Buffer | Uint8Array>,
  onProgress: ((n: number) => void) | undefined,
): Promise<OpenedBytes> {
  const it = source[Symbol.asyncIterator]();
  let read = 0;
  const firstStep = await it.next();
  const first = firstStep.done ? Buffer.alloc(0) : Buffer.from(firstStep.value);
  const gzip = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
  async function* raw(): AsyncGenerator<Buffer> {
    if (first.length > 0) {
      read += first.length;
      onProgress?.(read);
      yield first;
    }
    if (firstStep.done) return;
    for (;;) {
      const step = await it.next();
      if (step.done) return;
      read += step.value.length;
      onProgress?.(read);
      yield Buffer.from(step.value);
    }
  }
  const count = () => read;
  if (!gzip) return { chunks: raw(), gzip, count, explain: (e) => e };
  // Large output chunks: every chunk is a trip through the async iterators below.
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  // Errors of either side surface when the gunzip stream is read.
  pipeline(Readable.from(raw()), gunzip, () => {});
  return {
    chunks: gunzip,
    gzip,
    count,
    explain: (e) => {
      const code = (e as NodeJS.ErrnoException).code;
      if (typeof code === "string" && code.startsWith("Z_"))
        return new DomainError(
          "invalid_log",
          `the gzip data is damaged or cut short near byte ${read.toLocaleString("en")} of the file (${(e as Error).message})`,
          { offset: read },
        );
      return e;
    },
  };
}

/** UTF-8 text in chunks; a character split between two chunks is joined, a BOM dropped. */
async function* decode(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const text = utf8Pieces();
  for await (const chunk of chunks)
    for (const piece of smallPieces(chunk)) {
      const s = text(piece);
      if (s !== "") yield s;
    }
  const rest = text(new Uint8Array(0), true);
  if (rest !== "") yield rest;
}

async function* prepend(
  head: Buffer | undefined,
  rest: AsyncIterator<Buffer>,
): AsyncGenerator<Buffer> {
  if (head === undefined) return;
  yield head;
  for (;;) {
    const step = await rest.next();
    if (step.done) return;
    yield step.value;
  }
}

function skip(ctx: ReadContext, reason: keyof SkippedEvents, line: number, why: string): void {
  ctx.skipped.events++;
  (ctx.skipped[reason] as number)++;
  ctx.skipped.first_problem ??= `line ${line}: ${why}`;
}

/**
 * Checks an event's case and time and hands it to the miner; the case id, or undefined when it
 * was skipped. `read` is the timestamp already read elsewhere (NaN when it could not be).
 */
function take(ctx: ReadContext, e: RawEvent, line: number, read?: number): string | undefined {
  if (e.case === undefined || e.case === "") {
    skip(ctx, "no_case", line, `no case id in "${ctx.mapping.case}"`);
    return undefined;
  }
  const time =
    read !== undefined && !Number.isNaN(read)
      ? read
      : e.timestamp === undefined || e.timestamp === ""
        ? undefined
        : parseTimestamp(e.timestamp);
  if (time === undefined) {
    if (e.timestamp === undefined || e.timestamp === "")
      skip(ctx, "no_timestamp", line, `no timestamp in "${ctx.mapping.timestamp}"`);
    else
      skip(
        ctx,
        "bad_timestamp",
        line,
        `"${e.timestamp.slice(0, 60)}" is not an ISO 8601 date-time (expected e.g. 2011-10-11T13:45:40.276+02:00)`,
      );
    return undefined;
  }
  if (ctx.mapping.lifecycle !== undefined && e.lifecycle !== undefined) {
    if (!ctx.lifecycleKeep.has(e.lifecycle.toLowerCase())) {
      ctx.skipped.lifecycle++;
      ctx.skipped.events++;
      return undefined;
    }
  }
  const team = e.team === "" ? undefined : e.team;
  if (team !== undefined) ctx.teamSeen = true;
  ctx.miner.add(e.case, {
    time,
    team,
    activity: e.activity,
    resource: e.resource,
  });
  return e.case;
}

const MAX_EVENT_KEYS_REMEMBERED = 30;

/** Bytes of XES per slice; a file smaller than one is read in this thread alone. */
const XES_SLICE_BYTES = 1024 * 1024;

/**
 * The least XES text (decompressed) worth a second thread. A worker costs a thread's start and
 * a second warm-up of the compiled parser, about a tenth of a second of CPU; below this it
 * loses more than it saves (`npm run bench:mine`: 65,000 events, 29 MB, 464 ms in one thread
 * against 584 ms in two; 200,000 events, 89 MB, even; 1,000,000 events, 445 MB, 20 % faster
 * in two).
 */
const XES_PARALLEL_BYTES = 96 * 1024 * 1024;

/**
 * Worker threads for XES beside this thread, which reads slices too: for a file of at least
 * XES_PARALLEL_BYTES of text (or of unknown size) one fewer than the cores, at most one (with
 * more, this thread, which hands every event to the miner, is the bottleneck); none on one core.
 */
export function defaultXesThreads(textBytes: number | undefined): number {
  if (textBytes !== undefined && textBytes < XES_PARALLEL_BYTES) return 0;
  return Math.max(0, Math.min(1, availableParallelism() - 1));
}

async function readXes(
  chunks: AsyncIterable<Buffer>,
  ctx: ReadContext,
  options: ReadOptions & { textBytes?: number | undefined },
): Promise<void> {
  // Loaded here, not at the top: a CSV run never needs them, and every module costs start-up.
  const [{ XesProblem }, { readXesText }] = await Promise.all([
    import("./xes.ts"),
    import("./xes-parallel.ts"),
  ]);
  const casesOfTrace = new Set<string>();
  try {
    await readXesText(
      chunks,
      ctx.mapping as SlotMapping,
      {
        event(e, trace, line, time) {
          e.case ??= `trace ${trace}`;
          const id = take(ctx, e, line, time);
          if (id !== undefined) casesOfTrace.add(id);
        },
        traceEnd() {
          for (const id of casesOfTrace) ctx.miner.closeCase(id);
          casesOfTrace.clear();
        },
        unmappedKey(key) {
          if (!ctx.teamSeen && ctx.eventKeys.size < MAX_EVENT_KEYS_REMEMBERED)
            ctx.eventKeys.add(key);
        },
        drain: ctx.drain,
      },
      {
        threads: options.xesThreads ?? defaultXesThreads(options.textBytes),
        sliceBytes: options.xesSliceBytes ?? XES_SLICE_BYTES,
        inline: options.xesInlineSlices,
        onSlice: options.xesOnSlice,
        awaitWorkers: options.xesAwaitWorkers,
        expectedBytes: options.textBytes,
      },
    );
  } catch (e) {
    if (!(e instanceof XesProblem)) throw e;
    throw new DomainError("invalid_log", `line ${e.line}, column ${e.column}: ${e.message}`, {
      line: e.line,
      column: e.column,
    });
  }
}

async function readCsv(
  chunks: AsyncIterable<string>,
  ctx: ReadContext,
  delimiter: string,
): Promise<void> {
  const { Parser } = await import("csv-parse");
  /**
   * Each record with the line it ends on, for the messages about it. csv-parse's own `info`
   * option builds an object of a dozen fields for every record (a fifth of the read time).
   */
  class LinedParser extends Parser {
    override push(record: unknown): boolean {
      return super.push(record === null ? null : { record, line: this.info.lines });
    }
  }
  const parser = new LinedParser({
    delimiter,
    bom: true,
    skip_empty_lines: true,
    max_record_size: 1_000_000,
  });
  pipeline(Readable.from(chunks), parser, () => {});
  let index: Record<Slot, number> | undefined;
  try {
    for await (const { record, line } of parser as AsyncIterable<{
      record: string[];
      line: number;
    }>) {
      if (index === undefined) {
        index = headerIndex(record, ctx.mapping, ctx);
        continue;
      }
      const at = (slot: Slot) => {
        const i = index?.[slot] ?? -1;
        return i < 0 ? undefined : record[i];
      };
      take(
        ctx,
        {
          case: at("case"),
          activity: at("activity"),
          timestamp: at("timestamp"),
          team: at("team"),
          resource: at("resource"),
          lifecycle: at("lifecycle"),
        },
        line,
      );
    }
  } catch (e) {
    if (e instanceof DomainError) throw e;
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("CSV_"))
      throw new DomainError("invalid_log", `line ${parser.info.lines}: ${(e as Error).message}`, {
        line: parser.info.lines,
      });
    throw e;
  }
  if (index === undefined)
    throw new DomainError("invalid_log", "the file is empty: expected a CSV header line");
}

/** Column positions of the mapping; a required column missing is an error listing the header. */
function headerIndex(
  header: string[],
  mapping: ColumnMapping,
  ctx: ReadContext,
): Record<Slot, number> {
  const flags: Record<Slot, string> = {
    case: "--case",
    activity: "--activity",
    timestamp: "--timestamp",
    team: "--team",
    resource: "--resource",
    lifecycle: "--lifecycle",
  };
  const index = {} as Record<Slot, number>;
  const shown = header
    .slice(0, 40)
    .map((h) => `"${h}"`)
    .join(", ");
  for (const slot of SLOTS) {
    const name = mapping[slot];
    index[slot] = name === undefined ? -1 : header.indexOf(name);
    if (name === undefined || index[slot] >= 0) continue;
    if (slot === "activity" && name === DEFAULT_MAPPING.activity) {
      ctx.warnings.push(
        `no column "${name}": events have no activity (choose one with --activity)`,
      );
      continue;
    }
    throw new DomainError(
      "invalid_log",
      `line 1: the header has no column "${name}" (the ${slot}; choose another with ${flags[slot]}); the columns are ${shown}`,
      { line: 1, column_missing: name },
    );
  }
  return index;
}

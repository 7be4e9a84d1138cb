import type { Worker } from "node:worker_threads";
import type { RawEvent, SlotMapping } from "./raw-event.ts";
import { smallPieces, utf8Pieces, utf8Text } from "./utf8.ts";
import { XesProblem, XesReader } from "./xes.ts";
import { FIELDS_PER_EVENT, readSlice, type SliceResult, TIMESTAMP_FIELD } from "./xes-slice.ts";

/*
 * Reading an XES file on more than one core. Parsing XML in JavaScript is most of what mining
 * costs, and an XES file is a long run of self-contained traces, so the text is cut after a
 * `</trace>` into slices of about `sliceBytes`. A worker thread parses a slice while it has
 * fewer than two in hand; otherwise this thread parses it at once (xes-slice.ts, the same code
 * either way), so neither waits for the other. The slices' events are handed on here in file
 * order: the miner sees exactly the sequence one reader would give, with the same trace numbers
 * and lines.
 *
 * One XesReader in this thread reads everything that is not cut into slices: the prologue up to
 * the first `<trace>`, the end of the file, and everything after a place where cutting would not
 * be safe. For each slice it is told how many lines the slice held instead of reading it, so its
 * lines, and the root element's well-formedness, stay those of the whole file. Cutting stops when
 * the text ahead holds anything in which `</trace>` might not be a tag (a comment, CDATA, a
 * processing instruction, a document type) or a slice has no line break (a file on one line):
 * from there this thread reads on alone, which is always correct, only slower.
 *
 * Slices in flight are bounded (eight per worker), so memory stays that of a few slices; the
 * worker's young generation is capped at 16 MB (1M events: 215 MB peak RSS instead of 270).
 */

export interface XesSink {
  /** An event of trace `trace` starting on `line`; `time` when already read (NaN: none). */
  event(e: RawEvent, trace: number, line: number, time?: number): void;
  traceEnd(): void;
  unmappedKey(key: string): void;
  /** Awaited after each piece of the file has been handed on. */
  drain?: (() => Promise<void>) | undefined;
}

export interface XesReadOptions {
  /** Worker threads (0: read in this thread only). */
  threads: number;
  /** About how many bytes one slice holds. */
  sliceBytes: number;
  /**
   * Read the slices in this thread, one after another, as a worker would (for tests of the
   * slicing itself: no thread start-up per run).
   */
  inline?: boolean | undefined;
  /**
   * For tests: told who read each slice, and whether the first slice waits for the workers to
   * start (so that they surely read some) instead of being read here meanwhile.
   */
  onSlice?: ((reader: "worker" | "here") => void) | undefined;
  awaitWorkers?: boolean | undefined;
  /** The size of the text, when known: a file this large starts the workers early. */
  expectedBytes?: number | undefined;
}

/** A file this large starts the workers before its first slice is cut. */
const EARLY_START_BYTES = 64 * 1024;

interface Slices {
  /**
   * Reads `bytes[0, length)`. Its memory may move to another thread and back: use the bytes
   * that come back with the result.
   */
  read(bytes: Buffer, length: number): Promise<ReadSlice>;
  close(): void;
}

interface ReadSlice {
  result: SliceResult;
  bytes: Uint8Array;
}

type Phase = "prologue" | "slicing" | "alone";

/** A `<trace` start tag, not `<traces` or `<trace-x`. */
const TRACE_START = /<trace[\s>/]/;
const TRACE_END = Buffer.from("</trace>");
const NEWLINE = 0x0a;
/** A prologue longer than this without a trace is read here. */
const MAX_PROLOGUE = 16 * 1024 * 1024;

/**
 * Reads XES bytes, handing events to `sink` in file order. Slices are cut in the bytes, before
 * any decoding: `</trace>` is ASCII, so a cut never splits a UTF-8 character, and the bytes move
 * to the worker without a copy.
 */
export async function readXesText(
  chunks: AsyncIterable<Buffer>,
  mapping: SlotMapping,
  sink: XesSink,
  options: XesReadOptions,
): Promise<void> {
  let delegatedTraces = 0;
  const main = new XesReader(mapping, {
    event: (e, trace, line) => sink.event(e, delegatedTraces + trace, line),
    traceEnd: () => sink.traceEnd(),
    unmappedKey: (key) => sink.unmappedKey(key),
  });
  // One decoder for everything this thread reads itself: slices end after a `>`, so what it
  // reads before and after one joins up as if the slice had been read too.
  const text = utf8Pieces();
  const readHere = (bytes: Uint8Array) => {
    for (const piece of smallPieces(bytes)) main.write(text(piece));
  };
  const pool: Slices | undefined =
    options.threads <= 0
      ? undefined
      : options.inline
        ? inlineSlices(mapping)
        : new SharedSlices(
            new SlicePool(options.threads, mapping),
            inlineSlices(mapping),
            2,
            options.onSlice,
          );
  // A thread takes a while to start: for a file that will be cut, it starts while the first
  // slice is read.
  if (pool instanceof SharedSlices && (options.expectedBytes ?? 0) >= EARLY_START_BYTES)
    void pool.warm();
  const inFlight: Promise<ReadSlice>[] = [];
  // Slices whose reading has ended: handed on as soon as they are the oldest.
  const settled = new WeakSet<Promise<ReadSlice>>();
  // The workers' slices, and as many read here meanwhile: this thread waits for a worker only
  // when it is that far ahead.
  const maxInFlight = 8 * options.threads;
  // "prologue": before the first trace; "slicing": handing out slices; "alone": reading here.
  let phase: Phase = pool === undefined ? "alone" : "prologue";

  /** Hands on the oldest slice's events, then moves this thread's reader past it. */
  const deliverOldest = async () => {
    const { result, bytes } = await (inFlight.shift() as Promise<ReadSlice>);
    if (phase === "alone" || result.unsliceable) {
      // Not a run of whole traces after all (a trace inside a trace, say): from here on this
      // thread reads everything itself, this slice and those already handed out included.
      phase = "alone";
      readHere(bytes);
    } else {
      const startLine = main.line;
      const startColumn = main.column;
      if (result.problem !== undefined) {
        const { message, line, column } = result.problem;
        throw new XesProblem(
          message,
          startLine + line - 1,
          line === 1 ? startColumn + column : column,
        );
      }
      deliver(result, sink, delegatedTraces, startLine);
      delegatedTraces += result.traces;
      // Slices hold a line break (safeToCut), so the reader's columns restart after one.
      main.skipLines(result.newlines, result.tailColumn);
    }
    if (sink.drain !== undefined) await sink.drain();
  };
  const flush = async () => {
    while (inFlight.length > 0) await deliverOldest();
  };

  // Bytes read but neither handed out nor read here yet.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const takePending = (): Buffer => {
    const all =
      pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    return all;
  };
  try {
    for await (const chunk of chunks) {
      if (phase === "alone") {
        readHere(chunk);
        if (sink.drain !== undefined) await sink.drain();
        continue;
      }
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (phase === "prologue") {
        const bytes = takePending();
        // The prologue is short and ASCII in practice; latin1 keeps byte offsets as indexes.
        const start = TRACE_START.exec(bytes.toString("latin1"));
        if (start === null) {
          pending = [bytes];
          pendingBytes = bytes.length;
          if (pendingBytes > MAX_PROLOGUE) phase = "alone";
        } else {
          const prologue = bytes.subarray(0, start.index);
          readHere(prologue);
          pending = [bytes.subarray(start.index)];
          pendingBytes = bytes.length - start.index;
          // The first <trace> must be a child of <log>, after a tag, outside any markup.
          phase =
            main.depth === 1 && endsBetweenTags(prologue.toString("latin1")) ? "slicing" : "alone";
        }
        if (phase === "alone") {
          readHere(takePending());
          continue;
        }
      }
      if (phase === "slicing" && pendingBytes >= options.sliceBytes) {
        const bytes = takePending();
        const end = bytes.lastIndexOf(TRACE_END) + TRACE_END.length;
        if (end < TRACE_END.length) {
          // One trace longer than a slice so far: keep reading.
          pending = [bytes];
          pendingBytes = bytes.length;
        } else if (!safeToCut(bytes, end)) {
          phase = "alone";
          await flush();
          readHere(bytes);
        } else {
          // The rest is copied out, so the slice's memory can move to the worker whole.
          const rest = Buffer.from(bytes.subarray(end));
          if (rest.length > 0) {
            pending = [rest];
            pendingBytes = rest.length;
          }
          if (options.awaitWorkers && pool instanceof SharedSlices) await pool.warm();
          const reply = (pool as Slices).read(bytes, end);
          // Awaited in file order later; a failure meanwhile must not count as unhandled.
          reply.then(
            () => settled.add(reply),
            () => settled.add(reply),
          );
          inFlight.push(reply);
          while (
            inFlight.length > 0 &&
            (inFlight.length > maxInFlight || settled.has(inFlight[0] as Promise<ReadSlice>))
          )
            await deliverOldest();
          // (Delivering may have turned to reading here; the compiler cannot see that.)
          if ((phase as Phase) === "alone") {
            // That slice was not whole traces: read the later ones here too, then the rest.
            await flush();
            readHere(takePending());
          }
        }
      }
    }
    await flush();
    readHere(takePending());
    main.write(text(new Uint8Array(0), true));
    main.close();
  } finally {
    pool?.close();
  }
}

/**
 * Whether `</trace>` at the end of `bytes[0, end)` is surely a tag: the slice holds no markup in
 * which it could be text (a comment, CDATA, a processing instruction, a document type), and it
 * has a line break (a file written on one line is read in one thread, see readXesText).
 */
function safeToCut(bytes: Buffer, end: number): boolean {
  const slice = bytes.subarray(0, end);
  return slice.indexOf("<!") < 0 && slice.indexOf("<?") < 0 && slice.indexOf(NEWLINE) >= 0;
}

/** Whether `text` ends after a tag, not inside one, a comment, CDATA or a document type. */
function endsBetweenTags(text: string): boolean {
  return (
    /> *[\r\n\t ]*$/.test(text) &&
    text.lastIndexOf("<!--") <= text.lastIndexOf("-->") &&
    !text.includes("<![CDATA[") &&
    !text.includes("<!DOCTYPE")
  );
}

/** A slice's events and trace ends, in order, as one reader would have handed them on. */
function deliver(r: SliceResult, sink: XesSink, traceBase: number, startLine: number): void {
  const s = r.strings;
  const at = (i: number) => (i < 0 ? undefined : s[i]);
  let end = 0;
  const count = r.time.length;
  for (let i = 0; i < count; i++) {
    while (end < r.ends.length && (r.ends[end] as number) <= i) {
      sink.traceEnd();
      end++;
    }
    const f = i * FIELDS_PER_EVENT;
    const fields = r.fields;
    sink.event(
      {
        case: at(fields[f] as number),
        activity: at(fields[f + 1] as number),
        team: at(fields[f + 2] as number),
        resource: at(fields[f + 3] as number),
        lifecycle: at(fields[f + 4] as number),
        // Only a timestamp that could not be read travels as text; the rest as `time`.
        timestamp: at(fields[f + TIMESTAMP_FIELD] as number),
      },
      traceBase + (r.trace[i] as number),
      startLine + (r.line[i] as number) - 1,
      r.time[i],
    );
  }
  for (; end < r.ends.length; end++) sink.traceEnd();
  for (const key of r.unmappedKeys) sink.unmappedKey(key);
}

function inlineSlices(mapping: SlotMapping): Slices {
  return {
    read: async (bytes, length) => {
      const slice = bytes.subarray(0, length);
      return { result: readSlice(mapping, utf8Text(slice)), bytes: slice };
    },
    close: () => {},
  };
}

/**
 * Slices shared between worker threads and this thread: a slice goes to the workers while they
 * have fewer than `perWorker` each in hand, and is read here at once otherwise. This thread is
 * then never idle while the workers are busy, and the workers never wait for it.
 */
class SharedSlices implements Slices {
  constructor(
    private readonly workers: SlicePool,
    private readonly here: Slices,
    private readonly perWorker: number,
    private readonly onSlice: XesReadOptions["onSlice"],
  ) {}

  private warming: Promise<void> | undefined;

  /** Starts the workers (once) ahead of the first slice; resolves once they are ready for slices. */
  warm(): Promise<void> {
    // A worker that cannot start is never ready: this thread then reads every slice.
    this.warming ??= this.workers.start().then(
      () => this.workers.whenReady,
      () => {},
    );
    return this.warming;
  }

  read(bytes: Buffer, length: number): Promise<ReadSlice> {
    // Until the workers have started, which takes longer than reading a few slices, and slices
    // are handed on in order, a slice given to them would hold up the ones read here after it.
    void this.warm();
    const toWorker =
      this.workers.ready && this.workers.busy < this.workers.threads * this.perWorker;
    this.onSlice?.(toWorker ? "worker" : "here");
    return toWorker ? this.workers.read(bytes, length) : this.here.read(bytes, length);
  }

  close(): void {
    this.workers.close();
  }
}

/** Worker threads reading slices, started on first use; replies come back by slice id. */
class SlicePool implements Slices {
  private workers: Worker[] | undefined;
  private starting: Promise<Worker[]> | undefined;
  private next = 0;
  private id = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (r: ReadSlice) => void; reject: (e: unknown) => void }
  >();

  constructor(
    readonly threads: number,
    private readonly mapping: SlotMapping,
  ) {}

  /** Whether every worker has loaded its code and waits for slices. */
  get ready(): boolean {
    return this.started === this.threads;
  }
  private started = 0;
  private onReady: (() => void) | undefined;
  /** Resolves when every worker is ready (after `start`), or one has failed. */
  readonly whenReady = new Promise<void>((resolve) => {
    this.onReady = resolve;
  });

  /** A worker failed or ended: none is given slices again. */
  private stopped(): void {
    this.started = Number.NEGATIVE_INFINITY;
    // Whoever waits for the workers waits no longer; `ready` stays false.
    this.onReady?.();
  }

  /** Slices handed to the workers and not back yet. */
  get busy(): number {
    return this.sent - this.back;
  }
  private sent = 0;
  private back = 0;

  async read(bytes: Buffer, length: number): Promise<ReadSlice> {
    this.sent++;
    try {
      return await this.send(bytes, length);
    } finally {
      this.back++;
    }
  }

  private async send(bytes: Buffer, length: number): Promise<ReadSlice> {
    const workers = await this.start();
    const id = this.id++;
    const worker = workers[this.next++ % workers.length] as Worker;
    const reply = new Promise<ReadSlice>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // Only memory of its own can move (a small Buffer may share a slab with others).
      const own =
        bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length
          ? bytes
          : Uint8Array.prototype.slice.call(bytes);
      worker.postMessage({ id, buffer: own.buffer, length }, [own.buffer as ArrayBuffer]);
    });
    return reply;
  }

  close(): void {
    for (const w of this.workers ?? []) void w.terminate();
    for (const { reject } of this.waiting.values()) reject(new Error("the XES reader stopped"));
    this.waiting.clear();
  }

  /** Starts the workers now, so they are ready when the first slice is cut. */
  start(): Promise<Worker[]> {
    this.starting ??= (async () => {
      const { Worker } = await import("node:worker_threads");
      const entry = workerEntry();
      this.workers = Array.from({ length: this.threads }, () => {
        const w = new Worker(entry, {
          workerData: { mapping: this.mapping },
          resourceLimits: { maxYoungGenerationSizeMb: 16 },
        });
        w.on("message", (m: { id: number; result: SliceResult; bytes: Uint8Array } | "ready") => {
          if (m === "ready") {
            if (++this.started === this.threads) this.onReady?.();
            return;
          }
          this.waiting.get(m.id)?.resolve({ result: m.result, bytes: m.bytes });
          this.waiting.delete(m.id);
        });
        w.on("error", (e) => {
          this.stopped();
          for (const { reject } of this.waiting.values()) reject(e);
          this.waiting.clear();
        });
        w.on("exit", (code) => {
          this.stopped();
          for (const { reject } of this.waiting.values())
            reject(new Error(`an XES reader thread stopped (exit code ${code})`));
          this.waiting.clear();
        });
        return w;
      });
      return this.workers;
    })();
    return this.starting;
  }
}

/**
 * The worker's entry, next to this module: the prebuilt bundle of the `mine` command
 * (scripts/build-cli.ts) has a bundled worker; from source, xes-worker-boot.mjs registers tsx.
 */
function workerEntry(): URL {
  const here = import.meta.url;
  return new URL(here.endsWith(".ts") ? "./xes-worker-boot.mjs" : "./xes-worker.mjs", here);
}

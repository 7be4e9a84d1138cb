import { SaxesParser, type SaxesTag } from "saxes";
import { type RawEvent, SLOTS, type Slot, type SlotMapping } from "./raw-event.ts";
import { acceleratePlainMarkup, keepAttributeLists, type ListedTag } from "./saxes-fast.ts";

/*
 * The XES reader proper: saxes events turned into raw events and trace ends. It runs in the main
 * thread for a whole file, and on slices of one (see xes-parallel.ts), so it knows nothing of
 * the miner: it hands each event to a callback with the line it starts on, and reports a broken
 * file as an XesProblem with the line and column inside the text it was given.
 */

/** A file that is not well-formed XES: what is wrong, where (1-based, in the text given). */
export class XesProblem extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

export interface XesCallbacks {
  /** An event of trace number `trace` (1-based, in the text given), starting on `line`. */
  event(e: RawEvent, trace: number, line: number): void;
  /** The trace whose events were just handed over has closed. */
  traceEnd(): void;
  /** An event attribute no slot maps, for the "choose one with --team" hint (a few suffice). */
  unmappedKey(key: string): void;
}

function emptyEvent(): RawEvent {
  return {
    case: undefined,
    activity: undefined,
    timestamp: undefined,
    team: undefined,
    resource: undefined,
    lifecycle: undefined,
  };
}

/** `key → slots` for event attributes, and for trace attributes (`case:` names, prefix off). */
function slotMaps(mapping: SlotMapping): {
  event: Map<string, Slot[]>;
  trace: Map<string, Slot[]>;
} {
  const event = new Map<string, Slot[]>();
  const trace = new Map<string, Slot[]>();
  const add = (m: Map<string, Slot[]>, key: string, slot: Slot) => {
    const list = m.get(key);
    if (list) list.push(slot);
    else m.set(key, [slot]);
  };
  for (const slot of SLOTS) {
    const key = mapping[slot];
    if (key === undefined) continue;
    add(event, key, slot);
    if (key.startsWith("case:")) add(trace, key.slice(5), slot);
  }
  return { event, trace };
}

/** A tag's `key` and `value` attributes (XES's attribute elements), from its list or object. */
function keyValue(node: ListedTag): { key: string | undefined; value: string | undefined } {
  const list = node.list;
  if (list === undefined) {
    // Without namespace processing (the default) attribute values are plain strings.
    const attributes = node.attributes as Record<string, string>;
    return { key: attributes.key, value: attributes.value };
  }
  let key: string | undefined;
  let value: string | undefined;
  for (const a of list)
    if (a.name === "key") key = a.value;
    else if (a.name === "value") value = a.value;
  return { key, value };
}

/**
 * A streaming XES reader: `write` text as it arrives, `close` at the end. An event's values come
 * from its own attributes, else from its trace's (a trace's `concept:name` is the case id).
 */
export class XesReader {
  private readonly parser: SaxesParser;
  private openDepth = 0;
  // Names of the open elements, to say which close tag was expected.
  private readonly open: string[] = [];
  private lastClosed: string | undefined;
  private sawLog = false;
  private inTrace = false;
  private inEvent = false;
  private traceNo = 0;
  private trace = emptyEvent();
  private event = emptyEvent();
  private eventLine = 0;
  /**
   * Lines of the file this reader was not given (slices read elsewhere), counted into every
   * line it names; see {@link skipLines}.
   */
  private skippedLines = 0;

  constructor(
    mapping: SlotMapping,
    private readonly on: XesCallbacks,
  ) {
    const slots = slotMaps(mapping);
    const parser = new SaxesParser({ position: true });
    // (A saxes other than 6 may still keep its attribute lists.)
    if (!acceleratePlainMarkup(parser)) keepAttributeLists(parser);
    this.parser = parser;
    parser.on("error", (e) => {
      // saxes prefixes its message with "line:column: "; we say it in words.
      let message = e.message.replace(/^[^:]*:?\d+:\d+: /, "").replace(/\.$/, "");
      // saxes closes the inner element before it complains, so name both.
      if (message === "unexpected close tag" && this.lastClosed !== undefined)
        message = `found </${this.open.at(-1)}> while <${this.lastClosed}> is still open (expected </${this.lastClosed}>)`;
      else if (message.startsWith("unclosed tag"))
        message += " (the file ends before it is closed)";
      this.fail(
        this.openDepth === 0 && !this.sawLog
          ? `${message} (expected an XES document: <log> with <trace>s)`
          : message,
      );
    });
    parser.on("opentag", (node: SaxesTag) => {
      const depth = ++this.openDepth;
      const name = node.name;
      this.open.push(name);
      if (depth === 1) {
        if (name !== "log")
          this.fail(`expected <log> as the root element of an XES file, found <${name}>`);
        this.sawLog = true;
      } else if (depth === 2) {
        if (name === "trace") {
          this.inTrace = true;
          this.traceNo++;
          this.trace = emptyEvent();
        } else if (name === "event")
          this.fail("found an <event> directly in <log>: XES events belong inside a <trace>");
      } else if (depth === 3 && this.inTrace) {
        if (name === "event") {
          this.inEvent = true;
          this.event = emptyEvent();
          this.eventLine = parser.line + this.skippedLines;
        } else {
          const { key, value } = keyValue(node);
          const list = key === undefined ? undefined : slots.trace.get(key);
          if (list) for (const slot of list) this.trace[slot] = value;
        }
      } else if (depth === 4 && this.inEvent) {
        const { key, value } = keyValue(node);
        if (key === undefined) return;
        const list = slots.event.get(key);
        if (list) for (const slot of list) this.event[slot] = value;
        else on.unmappedKey(key);
      }
    });
    parser.on("closetag", (node) => {
      this.lastClosed = node.name;
      if (this.openDepth === 3 && this.inEvent) {
        this.inEvent = false;
        const { event, trace } = this;
        on.event(
          {
            case: event.case ?? trace.case,
            activity: event.activity ?? trace.activity,
            timestamp: event.timestamp ?? trace.timestamp,
            team: event.team ?? trace.team,
            resource: event.resource ?? trace.resource,
            lifecycle: event.lifecycle ?? trace.lifecycle,
          },
          this.traceNo,
          this.eventLine,
        );
      } else if (this.openDepth === 2 && this.inTrace) {
        this.inTrace = false;
        on.traceEnd();
      }
      this.openDepth--;
      this.open.pop();
    });
  }

  /** The line being read (1-based) and the characters read of it. */
  get line(): number {
    return this.parser.line + this.skippedLines;
  }

  get column(): number {
    return this.parser.column;
  }

  /** Elements open: 1 inside `<log>`, 2 inside a `<trace>`. */
  get depth(): number {
    return this.openDepth;
  }

  /**
   * Moves past text read elsewhere that held `newlines` line breaks (at least one) and ended
   * `tailColumn` characters into its last line, without reading it.
   */
  skipLines(newlines: number, tailColumn: number): void {
    // One line break read, the rest counted: the column restarts as it would have.
    this.skippedLines += newlines - 1;
    this.parser.write(`\n${" ".repeat(tailColumn)}`);
  }

  write(text: string): void {
    this.parser.write(text);
  }

  close(): void {
    this.parser.close();
    if (!this.sawLog)
      this.fail("the file is empty: expected an XES document (<log> with <trace>s)");
  }

  private fail(message: string): never {
    throw new XesProblem(message, this.line, this.parser.column + 1);
  }
}

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import { SaxesParser } from "saxes";
import { describe, expect, it } from "vitest";
import { type Attribute, acceleratePlainMarkup, type ListedTag } from "./saxes-fast.ts";

/*
 * The fast paths must change nothing a parser's user can see: the same tags with the same
 * attributes, the same errors with the same messages, at the same lines and columns, however
 * the text is cut into chunks. Each test parses the same chunks with a stock saxes parser and
 * with an accelerated one and compares everything they report.
 */

const data = join(import.meta.dirname, "../../../shared/data");

/** A tag's attributes as a list, from saxes's list when kept, else from its object. */
function attributeList(tag: ListedTag): Attribute[] {
  if (tag.list !== undefined) return tag.list;
  return Object.entries(tag.attributes as Record<string, string>).map(([name, value]) => ({
    name,
    value,
  }));
}

/** Everything a parser reports for `chunks`, as lines; errors are recorded and parsing goes on. */
function record(chunks: string[], fast: boolean): string[] {
  const parser = new SaxesParser({ position: true });
  if (fast) expect(acceleratePlainMarkup(parser)).toBe(true);
  const out: string[] = [];
  const at = () => `${parser.line}:${parser.column}`;
  parser.on("opentag", (tag: ListedTag) => {
    // The last value of a duplicated name, as saxes's own object keeps it.
    const attributes = new Map(attributeList(tag).map((a) => [a.name, a.value]));
    out.push(`open ${tag.name} ${JSON.stringify([...attributes])} ${tag.isSelfClosing} ${at()}`);
  });
  parser.on("closetag", (tag) => out.push(`close ${tag.name} ${at()}`));
  parser.on("error", (e) => out.push(`error ${e.message} ${at()}`));
  try {
    for (const chunk of chunks) parser.write(chunk);
    parser.close();
  } catch (e) {
    // saxes itself can throw on some broken text (a lone surrogate after `<!` at the end).
    out.push(`threw ${(e as Error).message}`);
  }
  out.push(`end ${at()}`);
  return out;
}

/** `text` cut at the given places (sorted, within it). */
function cut(text: string, at: number[]): string[] {
  const points = [...new Set(at.map((p) => p % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let from = 0;
  for (const p of points) {
    chunks.push(text.slice(from, p));
    from = p;
  }
  chunks.push(text.slice(from));
  return chunks.filter((c) => c !== "");
}

const pick = <T>(...values: T[]) => fc.constantFrom(...values);

/** An attribute: plain mostly, sometimes in every form saxes reads slowly or refuses. */
const attribute = fc
  .tuple(
    pick(" ", " ", " ", "  ", "\t", "\n", "", " \r\n "),
    pick("key", "value", "key", "k:x", "a-b.c", "_u", "é", "1x", "", "xmlns"),
    pick("=", "=", "=", " = ", "=\t", ""),
    pick('"', '"', "'", ""),
    pick(
      "plain",
      "Service desk",
      "2010-01-01T10:13:56.891+02:00",
      "",
      "a&amp;b",
      "a&bad;",
      "&#x41;",
      "tab\there",
      "line\nbreak",
      "cr\r\nlf",
      "lt<",
      "gt>",
      "é ü",
      "😀",
      "\ud800",
      "\udc00x",
      "\ufffe",
      "\uffff",
      "\u0001",
      "\u007f\u0085",
      "'",
      '"',
      "/>",
    ),
  )
  .map(([space, name, eq, quote, value]) => `${space}${name}${eq}${quote}${value}${quote}`);

const tagName = pick(
  "log",
  "trace",
  "event",
  "string",
  "date",
  "a",
  "b:c",
  "x-y",
  "é",
  "_1",
  "1bad",
);

/** Text between tags: indentation mostly, sometimes anything. */
const between = pick(
  "\n  ",
  "\n    ",
  "",
  " ",
  "\t",
  "\r\n  ",
  "\n\n",
  "text",
  " & ",
  "&amp;",
  "]]>",
  "\u0000",
  "<!-- c -->",
  "<![CDATA[x]]>",
  "<?pi x?>",
  "\u2028",
  "\u0085",
);

interface Element {
  name: string;
  attributes: string[];
  children: Element[];
  selfClosing: boolean;
  closing: string;
  gap: string;
}

const element: fc.Memo<Element> = fc.memo((depth) =>
  fc.record({
    name: tagName,
    attributes: fc.array(attribute, { maxLength: 3 }),
    children: depth > 1 ? fc.array(element(depth - 1), { maxLength: 3 }) : fc.constant([]),
    selfClosing: fc.boolean(),
    closing: pick("", "", "", "", " ", "\n", "x", "/"),
    gap: between,
  }),
);

function render(e: Element, mismatch: boolean): string {
  const open = `<${e.name}${e.attributes.join("")}`;
  if (e.selfClosing && e.children.length === 0)
    return `${e.gap}${open}${e.closing === "/" ? "/ >" : "/>"}`;
  const inner = e.children.map((c) => render(c, mismatch)).join("");
  const closeName = mismatch && e.closing === "x" ? "other" : e.name;
  const closeTail = e.closing === " " ? " >" : e.closing === "\n" ? "\n>" : ">";
  return `${e.gap}${open}>${inner}${e.gap}</${closeName}${closeTail}`;
}

const document = fc
  .tuple(
    pick("", '<?xml version="1.0" encoding="UTF-8"?>\n', '<?xml version="1.1"?>\n', "\ufeff"),
    fc.array(element(3), { minLength: 1, maxLength: 2 }),
    fc.boolean(),
    // Damage: characters put in or taken out at random places.
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.nat(2),
        pick("<", ">", "/", '"', "'", "=", " ", "\n", "&", "é", "\ud83d"),
      ),
      { maxLength: 3 },
    ),
  )
  .map(([prolog, roots, mismatch, damage]) => {
    let text = `${prolog}${roots.map((r) => render(r, mismatch)).join("")}\n`;
    for (const [at, remove, insert] of damage) {
      const p = at % (text.length + 1);
      text = text.slice(0, p) + insert + text.slice(p + remove);
    }
    return text;
  });

describe("saxes with the fast paths", () => {
  it("reports what stock saxes reports, on generated and damaged documents cut anywhere", () => {
    fc.assert(
      fc.property(document, fc.array(fc.nat(), { maxLength: 4 }), (text, at) => {
        const chunks = cut(text, at);
        expect(record(chunks, true)).toEqual(record(chunks, false));
      }),
      { numRuns: 3000 },
    );
  });

  it("reports what stock saxes reports on a real log, cut into 64 KiB chunks", () => {
    const text = gunzipSync(readFileSync(join(data, "bpic2013-closed-problems.xes.gz")))
      .toString("utf8")
      .slice(0, 2_000_000);
    const chunks = cut(
      text,
      Array.from({ length: 40 }, (_, k) => k * 65_536 + 7),
    );
    const fast = record(chunks, true);
    expect(fast.length).toBeGreaterThan(10_000);
    expect(fast).toEqual(record(chunks, false));
  });

  it("leaves a parser with namespaces as it is", () => {
    expect(acceleratePlainMarkup(new SaxesParser({ xmlns: true }))).toBe(false);
  });
});

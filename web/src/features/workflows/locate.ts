import { type Node, parseDocument } from "yaml";

/*
 * Finds where in the source a validation error's path points, so the editor can underline it.
 * Paths come from the server's validator: `steps[1].handoff.to`, `fields[0]`, `(root)`, or for
 * syntax errors `line 3, column 5`. When the exact node does not exist (a missing key), the
 * nearest existing parent is marked instead.
 */

export interface Span {
  from: number;
  to: number;
}

export function parsePath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[1] !== undefined) out.push(m[1]);
  }
  return out;
}

function lineStart(source: string, line: number): number {
  let pos = 0;
  for (let l = 1; l < line; l++) {
    const nl = source.indexOf("\n", pos);
    if (nl === -1) return source.length;
    pos = nl + 1;
  }
  return pos;
}

export function locate(source: string, path: string): Span {
  const whole = {
    from: 0,
    to: Math.min(source.length, source.indexOf("\n") === -1 ? source.length : source.indexOf("\n")),
  };
  const lc = /^line (\d+), column (\d+)/.exec(path);
  if (lc) {
    const start = lineStart(source, Number(lc[1]));
    const end = source.indexOf("\n", start);
    return { from: start, to: end === -1 ? source.length : end };
  }
  if (!path || path === "(root)" || path === "(body)") return whole;
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(source);
  } catch {
    return whole;
  }
  const segments = parsePath(path);
  for (let n = segments.length; n > 0; n--) {
    const node = doc.getIn(segments.slice(0, n), true) as Node | undefined;
    if (node && typeof node === "object" && "range" in node && node.range) {
      const [start, valueEnd] = node.range;
      // A whole map or list would underline many lines: mark its first line only.
      const firstLineEnd = source.indexOf("\n", start);
      const to = firstLineEnd !== -1 && firstLineEnd < valueEnd ? firstLineEnd : valueEnd;
      return { from: start, to: Math.max(to, start + 1) };
    }
  }
  return whole;
}

/** 1-based line number of an offset. */
export function lineOf(source: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < source.length; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}

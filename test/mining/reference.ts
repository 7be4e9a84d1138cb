import { gunzipSync } from "node:zlib";

/*
 * A second, deliberately plain implementation of the mining definitions (docs/mining.md), for
 * tests to compare the streaming miner with: the whole file read into memory, parsed with
 * regular expressions and Date.parse (not saxes, csv-parse or src/mining/timestamps.ts), every
 * case's events sorted with Array.prototype.sort (stable), then counted. Written from the
 * definitions, not from src/mining, and kept short so it can be checked by eye.
 */

export interface RefEvent {
  case: string;
  time: number;
  team: string | undefined;
}

const unescapeXml = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");

/** Events of an XES text in file order; the case is the trace's concept:name. */
export function refReadXes(bytes: Buffer, team = "org:group"): RefEvent[] {
  const text = (bytes[0] === 0x1f ? gunzipSync(bytes) : bytes).toString("utf8");
  const out: RefEvent[] = [];
  let traceNo = 0;
  for (const trace of text.split(/<trace>/).slice(1)) {
    traceNo++;
    const [head = "", ...events] = trace.split(/<event>/);
    const id = /key="concept:name" value="([^"]*)"/.exec(head)?.[1];
    for (const ev of events) {
      const body = ev.split("</event>")[0] ?? "";
      const attrs = new Map<string, string>();
      for (const m of body.matchAll(/<\w+ key="([^"]*)" value="([^"]*)"\s*\/>/g))
        attrs.set(unescapeXml(m[1] as string), unescapeXml(m[2] as string));
      const time = Date.parse(attrs.get("time:timestamp") ?? "");
      if (Number.isNaN(time)) continue;
      out.push({
        case: id === undefined ? `trace ${traceNo}` : `${traceNo}\u0000${unescapeXml(id)}`,
        time,
        team: attrs.get(team) || undefined,
      });
    }
  }
  return out;
}

/** Events of a simple CSV (no quoted fields) in file order. */
export function refReadCsv(
  bytes: Buffer,
  columns = { case: "case:concept:name", time: "time:timestamp", team: "org:group" },
): RefEvent[] {
  const text = (bytes[0] === 0x1f ? gunzipSync(bytes) : bytes).toString("utf8");
  const [header = "", ...rows] = text.split(/\r?\n/).filter((l) => l !== "");
  const cols = header.split(",");
  const [c, t, g] = [columns.case, columns.time, columns.team].map((n) => cols.indexOf(n));
  return rows.map((row) => {
    const f = row.split(",");
    // "2011-10-11 13:45:40.276000+02:00" → "2011-10-11T13:45:40.276+02:00" for Date.parse.
    const iso = (f[t as number] ?? "").replace(" ", "T").replace(/(\.\d{3})\d+/, "$1");
    return { case: f[c as number] ?? "", time: Date.parse(iso), team: f[g as number] || undefined };
  });
}

const rank = (values: number[], p: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil((p / 100) * s.length)) - 1] as number;
};

export interface RefPair {
  count: number;
  cases: number;
  gap: number[];
  pickup: number[];
}

/** The figures, straight from the definitions. */
export function refMine(events: RefEvent[]) {
  const byCase = new Map<string, { time: number; team: string | undefined; i: number }[]>();
  events.forEach((e, i) => {
    const list = byCase.get(e.case) ?? [];
    list.push({ time: e.time, team: e.team, i });
    byCase.set(e.case, list);
  });
  const teams = new Set<string>();
  const pairs = new Map<string, RefPair>();
  const paths = new Map<string, number>();
  let successions = 0;
  let handoffs = 0;
  let pingPong = 0;
  let revisit = 0;
  for (const list of byCase.values()) {
    list.sort((a, b) => a.time - b.time); // stable: ties keep file order
    const seq = list.filter((e) => e.team !== undefined) as { time: number; team: string }[];
    const seenPairs = new Set<string>();
    for (let k = 0; k < seq.length; k++) {
      const a = seq[k] as { time: number; team: string };
      teams.add(a.team);
      const b = seq[k + 1];
      if (!b) break;
      successions++;
      const key = `${a.team} → ${b.team}`;
      const p = pairs.get(key) ?? { count: 0, cases: 0, gap: [], pickup: [] };
      p.count++;
      if (!seenPairs.has(key)) p.cases++;
      seenPairs.add(key);
      pairs.set(key, p);
      if (a.team === b.team) continue;
      handoffs++;
      p.gap.push(b.time - a.time);
      const c = seq[k + 2];
      if (c && c.team === b.team) p.pickup.push(c.time - b.time);
    }
    const path: string[] = [];
    for (const e of seq) if (path[path.length - 1] !== e.team) path.push(e.team);
    if (path.some((t, k) => path[k + 2] === t)) pingPong++;
    if (path.some((t, k) => path.indexOf(t) < k)) revisit++;
    if (path.length > 0) paths.set(path.join(" → "), (paths.get(path.join(" → ")) ?? 0) + 1);
  }
  return {
    cases: byCase.size,
    events: events.length,
    teams: teams.size,
    successions,
    handoffs,
    pingPong,
    revisit,
    pairs,
    paths,
    /** Nearest-rank percentile in seconds, rounded to the millisecond like the report. */
    seconds: (values: number[], p: number) =>
      values.length === 0 ? null : Math.round(rank(values, p)) / 1000,
  };
}

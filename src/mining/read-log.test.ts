import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { refMine } from "../../test/mining/reference.ts";
import { DomainError } from "../domain/errors.ts";
import { type MineResult, mineStream, type ReadOptions } from "./read-log.ts";
import { parseAny, parseTimestamp } from "./timestamps.ts";

/* Hand-built logs with answers worked out by hand, bad files, and properties of the miner. */

function mine(text: string | Buffer, name: string, options: ReadOptions = {}) {
  const bytes = typeof text === "string" ? Buffer.from(text) : text;
  // Two-byte chunks: every boundary (inside a tag, a UTF-8 character, a CSV quote) is crossed.
  const chunks = Array.from({ length: Math.ceil(bytes.length / 2) }, (_, i) =>
    bytes.subarray(i * 2, i * 2 + 2),
  );
  return mineStream(Readable.from(chunks), { ...options, name });
}

async function failure(p: Promise<unknown>): Promise<DomainError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DomainError);
  expect((e as DomainError).code).toBe("invalid_log");
  return e as DomainError;
}

// c1: A,B,B,A (ping-pong). c2: A,A,C. c3 is listed out of order, with a tie at 02:00 that file
// order breaks (x before z): sorted it is y(A) x(B) z(C).
const small = `case:concept:name,concept:name,time:timestamp,org:group
c1,a,2024-01-01T00:00:00Z,A
c1,b,2024-01-01T01:00:00Z,B
c1,c,2024-01-01T03:00:00Z,B
c1,d,2024-01-01T04:00:00Z,A
c2,a,2024-01-02T00:00:00Z,A
c3,x,2024-01-03T02:00:00Z,B
c2,b,2024-01-02T00:30:00Z,A
c3,y,2024-01-03T01:00:00Z,A
c2,c,2024-01-02T02:30:00Z,C
c3,z,2024-01-03T02:00:00Z,C
`;

describe("a small log with known answers", () => {
  it("counts handoffs, gaps, pickups, ping-pong and paths by the definitions", async () => {
    const r = await mine(small, "small.csv");
    expect([r.cases, r.events, r.teams, r.direct_successions]).toEqual([3, 10, 3, 7]);
    expect(r.handoffs).toEqual({ total: 5, cases_with_handoff: 3, per_case: 1.6667 });
    expect(r.ping_pong).toEqual({
      cases: 1,
      share: 0.3333,
      examples: [{ case: "c1", path: ["A", "B", "A"] }],
    });
    expect(r.revisit.cases).toBe(1);
    const ab = r.pairs.find((p) => p.from === "A" && p.to === "B");
    expect(ab).toMatchObject({ count: 2, cases: 2, handover_of_work: 0.2857 });
    expect(ab?.transfer_gap).toMatchObject({ n: 2, p50_s: 3600, p90_s: 3600 });
    // Only c1's B picks up again (2 h later); c3's B hands on to C with its first event.
    expect(ab?.pickup_latency).toMatchObject({ n: 1, p50_s: 7200 });
    expect(r.pairs.find((p) => p.from === "B" && p.to === "C")?.transfer_gap.p50_s).toBe(0);
    expect(r.handover_of_work).toContainEqual({
      from: "B",
      to: "B",
      successions: 1,
      value: 0.1429,
    });
    expect(r.paths.map((p) => p.teams.join(""))).toEqual(["ABA", "ABC", "AC"]);
    expect(r.cycle_time).toMatchObject({ n: 3, p50_s: 3600 * 2.5, max_s: 3600 * 4 });
  });

  it("reads the same log as XES, gzipped, with the same answers", async () => {
    const csv = await mine(small, "small.csv");
    const xes = await mine(gzipSync(toXes(small)), "small.xes.gz");
    expect(xes.source).toMatchObject({ format: "xes", gzip: true });
    expect(strip(xes)).toEqual(strip(csv));
  });

  it("leaves events without a team out of team paths and counts them", async () => {
    const r = await mine(`${small}c1,e,2024-01-01T05:00:00Z,\n`, "small.csv");
    expect(r.events).toBe(11);
    expect(r.events_without_team).toBe(1);
    expect(r.handoffs.total).toBe(5);
  });

  it("keeps only the lifecycle transitions asked for", async () => {
    const log = `case,act,ts,team,life
1,a,2024-01-01T00:00:00Z,A,start
1,a,2024-01-01T01:00:00Z,A,complete
1,b,2024-01-01T02:00:00Z,B,COMPLETE
`;
    const r = await mine(log, "x.csv", {
      mapping: { case: "case", activity: "act", timestamp: "ts", team: "team", lifecycle: "life" },
    });
    expect(r.events).toBe(2);
    expect(r.skipped).toMatchObject({ events: 1, lifecycle: 1 });
  });
});

describe("bad files end in a clear error, never a crash", () => {
  it("names the line and column of broken XML", async () => {
    const e = await failure(
      mine('<log>\n<trace>\n<event><string key="a" value="b"></event>\n</trace></log>', "x.xes"),
    );
    expect(e.message).toBe(
      "line 3, column 42: found </event> while <string> is still open (expected </string>)",
    );
    expect(e.details).toMatchObject({ line: 3 });
  });

  it("refuses an attribute given twice, and reads attributes named like Object's own", async () => {
    // saxes's own check and message, kept where the reader keeps its attribute lists.
    const e = await failure(
      mine(
        '<log><trace>\n<event><string key="org:group" value="A" key="x"/></event></trace></log>',
        "x.xes",
      ),
    );
    expect(e.message).toBe("line 2, column 51: duplicate attribute: key");
    const r = await mine(
      `<log><trace><string key="concept:name" value="c1"/>
<event><string constructor="x" key="org:group" __proto__="y" value="A"/><date key="time:timestamp" value="2024-01-01T00:00:00Z"/></event>
<event><string key="org:group" value="B" toString="z"/><date value="2024-01-01T01:00:00Z" key="time:timestamp"/></event>
</trace></log>`,
      "x.xes",
    );
    expect(r).toMatchObject({ cases: 1, events: 2, handoffs: { total: 1 } });
    expect(r.pairs[0]).toMatchObject({ from: "A", to: "B", count: 1 });
  });

  it("says an XES file must start with <log>", async () => {
    const e = await failure(mine("<html><body/></html>", "x.xes"));
    expect(e.message).toMatch(/expected <log> as the root element/);
  });

  it("refuses an event outside a trace", async () => {
    const e = await failure(
      mine(
        '<log><event><date key="time:timestamp" value="2020-01-01T00:00:00Z"/></event></log>',
        "x.xes",
      ),
    );
    expect(e.message).toMatch(/line 1.*inside a <trace>/);
  });

  it("reports a cut gzip file with the byte offset", async () => {
    const gz = gzipSync(toXes(small));
    const e = await failure(mine(gz.subarray(0, gz.length - 30), "x.xes.gz"));
    expect(e.message).toMatch(/gzip data is damaged or cut short near byte/);
  });

  it("reports an XES file cut short", async () => {
    const text = toXes(small).toString();
    const e = await failure(mine(text.slice(0, text.length - 40), "x.xes"));
    expect(e.message).toMatch(/^line \d+, column \d+: /);
  });

  it("lists the CSV header when a mapped column is missing", async () => {
    const e = await failure(mine(small, "x.csv", { mapping: { team: "group" } }));
    expect(e.message).toBe(
      'line 1: the header has no column "group" (the team; choose another with --team); the columns are "case:concept:name", "concept:name", "time:timestamp", "org:group"',
    );
  });

  it("names the line of a CSV row with the wrong number of fields", async () => {
    const e = await failure(mine(`${small}c9,a,2024-01-01T00:00:00Z\n`, "x.csv"));
    expect(e.message).toMatch(/^line 12: /);
  });

  it("skips events with a bad timestamp and names the first", async () => {
    const r = await mine(`${small}c1,e,31/12/2024,A\n`, "x.csv");
    expect(r.skipped).toMatchObject({ events: 1, bad_timestamp: 1 });
    expect(r.skipped.first_problem).toMatch(
      /^line 12: "31\/12\/2024" is not an ISO 8601 date-time/,
    );
  });

  it("fails when no event can be used, saying why", async () => {
    const e = await failure(
      mine("case:concept:name,concept:name,time:timestamp,org:group\nc,a,yesterday,A\n", "x.csv"),
    );
    expect(e.message).toMatch(/no event could be used .*"yesterday" is not an ISO 8601/);
  });

  it("counts activities past the limit together as (other)", async () => {
    const r = await mine(small, "x.csv", { limits: { activities: 2 } });
    expect(r.activities).toBe(3);
    const names = r.team_list.flatMap((t) => t.top_activities.map((a) => a.activity));
    expect(new Set(names)).toEqual(new Set(["a", "b", "(other)"]));
  });

  it("stops at the team limit instead of growing", async () => {
    const e = await failure(mine(small, "x.csv", { limits: { teams: 2 } }));
    expect(e.message).toMatch(/more than 2 distinct teams/);
  });

  it("fails on an empty file", async () => {
    await failure(mine("", "x.csv"));
    await failure(mine("", "x.xes"));
  });
});

describe("timestamps", () => {
  it.each([
    ["2012-03-15T12:53:52.000+02:00", "2012-03-15T10:53:52.000Z"],
    ["2011-10-11 13:45:40.276000+02:00", "2011-10-11T11:45:40.276Z"],
    ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000Z"],
    ["2024-01-01T00:00:00.000Z", "2024-01-01T00:00:00.000Z"],
    ["2024-01-01 09:30", "2024-01-01T09:30:00.000Z"],
    ["2024-02-29T23:00:00-05:00", "2024-03-01T04:00:00.000Z"],
  ])("%s is %s", (text, iso) => {
    expect(new Date(parseTimestamp(text) as number).toISOString()).toBe(iso);
  });

  it.each([
    "2023-02-29T00:00:00Z",
    "2024-13-01",
    "2024-01-01T24:00:00Z",
    "1/2/2024",
    "",
    "1850-01-01",
  ])("%s is refused", (text) => expect(parseTimestamp(text)).toBeUndefined());

  it("knows the calendar's leap days and month lengths, and the epoch", () => {
    const at = (t: string) => parseTimestamp(`${t}T00:00:00Z`);
    expect(at("2000-02-29")).toBe(Date.UTC(2000, 1, 29));
    expect(at("2024-02-29")).toBe(Date.UTC(2024, 1, 29));
    for (const no of ["1900-02-29", "2100-02-29", "2023-02-29", "2023-04-31", "2023-11-31"])
      expect(at(no), no).toBeUndefined();
    expect(at("1970-01-01")).toBe(0);
    expect(parseTimestamp("1969-12-31T23:59:59.999Z")).toBe(-1);
    expect(parseTimestamp("2199-12-31T23:59:59.5+14:00")).toBe(
      Date.UTC(2199, 11, 31, 9, 59, 59, 500),
    );
  });

  it("reads every text as the general pattern does, fast path or not", () => {
    // Timestamp-shaped texts whose parts are mostly in range, so that whole texts often are,
    // and sometimes out of range or not digits at all.
    const num = (width: number, max: number) => {
      const padded = (hi: number) =>
        fc.integer({ min: 0, max: hi }).map((v) => String(v).padStart(width, "0"));
      return fc.oneof(
        { weight: 8, arbitrary: padded(max) },
        { weight: 1, arbitrary: padded(10 ** width - 1) },
        { weight: 1, arbitrary: fc.constantFrom("", "x", "1", "123", "-1", " 1") },
      );
    };
    const text = fc
      .tuple(
        fc.oneof(fc.integer({ min: 1890, max: 2210 }).map(String), num(4, 9999)),
        num(2, 13),
        num(2, 31),
        fc.constantFrom("T", " ", "T", " ", "t", "_"),
        num(2, 24),
        num(2, 60),
        num(2, 60),
        fc.oneof(
          fc.constant(""),
          fc
            .tuple(fc.constantFrom(".", ",", ":"), fc.stringMatching(/^\d{0,11}$/))
            .map(([dot, d]) => dot + d),
        ),
        fc.constantFrom(
          "",
          "Z",
          "z",
          "+02:00",
          "-05:30",
          "+14:59",
          "+15:00",
          "-0800",
          "+1",
          " Z",
          "Q",
        ),
      )
      .map(
        ([y, mo, d, sep, h, mi, s, frac, zone]) =>
          `${y}-${mo}-${d}${sep}${h}:${mi}:${s}${frac}${zone}`,
      );
    fc.assert(
      fc.property(text, (t) => {
        expect(parseTimestamp(t)).toBe(parseAny(t));
      }),
      { numRuns: 5000 },
    );
  });
});

/** The small CSV as XES: one trace a case, in order of first appearance. */
function toXes(csv: string): Buffer {
  const rows = csv
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(","));
  const cases = [...new Set(rows.map((r) => r[0] as string))];
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
  let out = '<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0">\n';
  for (const c of cases) {
    out += `  <trace>\n    <string key="concept:name" value="${esc(c)}"/>\n`;
    for (const r of rows.filter((r) => r[0] === c)) {
      out += `    <event>\n      <string key="concept:name" value="${esc(r[1] as string)}"/>\n`;
      out += `      <date key="time:timestamp" value="${r[2]}"/>\n`;
      if (r[3]) out += `      <string key="org:group" value="${esc(r[3])}"/>\n`;
      out += "    </event>\n";
    }
    out += "  </trace>\n";
  }
  return Buffer.from(`${out}</log>\n`);
}

/** The figures only: what was read from where differs between two formats of one log. */
function strip(r: MineResult) {
  const { source: _s, mapping: _m, warnings: _w, ...figures } = r;
  return figures;
}

/** Random logs: a few cases, teams from a small set (with "&<" to test escaping), times that tie. */
const logs = fc
  .array(
    fc.record({
      case: fc.integer({ min: 1, max: 8 }),
      team: fc.constantFrom("A", "B", "C", "D & <E>", ""),
      minute: fc.integer({ min: 0, max: 40 }),
    }),
    { maxLength: 60 },
  )
  .map((events) =>
    events.map((e, i) => ({ ...e, case: `case ${e.case}`, activity: `act ${i % 3}` })),
  );

type Row = { case: string; team: string; minute: number; activity: string };
const stamp = (minute: number) => new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString();
const csvOf = (rows: Row[]) =>
  `case:concept:name,concept:name,time:timestamp,org:group\n${rows
    .map((r) => `"${r.case}",${r.activity},${stamp(r.minute)},"${r.team}"`)
    .join("\n")}\n`;

// A few hundred runs each: seconds on a busy shared machine.
describe("properties", { timeout: 30_000 }, () => {
  it("agrees with the reference computation on any log", async () => {
    await fc.assert(
      fc.asyncProperty(logs, async (rows) => {
        fc.pre(rows.length > 0);
        const r = await mine(csvOf(rows), "x.csv");
        const ref = refMine(
          rows.map((e) => ({
            case: e.case,
            time: Date.parse(stamp(e.minute)),
            team: e.team || undefined,
          })),
        );
        expect([r.cases, r.events, r.teams, r.direct_successions, r.handoffs.total]).toEqual([
          ref.cases,
          ref.events,
          ref.teams,
          ref.successions,
          ref.handoffs,
        ]);
        expect([r.ping_pong.cases, r.revisit.cases, r.paths_total]).toEqual([
          ref.pingPong,
          ref.revisit,
          ref.paths.size,
        ]);
        for (const p of r.pairs) {
          const q = ref.pairs.get(`${p.from} → ${p.to}`);
          expect([p.count, p.cases, p.pickup_latency.n, p.transfer_gap.p90_s]).toEqual([
            q?.count,
            q?.cases,
            q?.pickup.length,
            ref.seconds(q?.gap ?? [], 90),
          ]);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("file order does not matter when a case's timestamps differ", async () => {
    const distinct = logs.map((rows) => rows.map((r, i) => ({ ...r, minute: i })));
    await fc.assert(
      fc.asyncProperty(
        distinct.chain((rows) =>
          fc.tuple(fc.constant(rows), fc.shuffledSubarray(rows, { minLength: rows.length })),
        ),
        async ([rows, shuffled]) => {
          fc.pre(rows.length > 0);
          const a = await mine(csvOf(rows), "a.csv");
          const b = await mine(csvOf(shuffled), "b.csv");
          // Examples and equal-count orderings follow the order cases first appear in.
          const figures = (r: MineResult) => ({
            ...strip(r),
            ping_pong: r.ping_pong.cases,
            revisit: r.revisit.cases,
            paths: new Map(r.paths.map((p) => [p.teams.join("|"), p.cases])),
            team_list: new Map(
              r.team_list.map((t) => [t.team, { ...t, top_activities: undefined }]),
            ),
          });
          expect(figures(b)).toEqual(figures(a));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("CSV and XES of the same log give the same report", async () => {
    await fc.assert(
      fc.asyncProperty(logs, async (rows) => {
        fc.pre(rows.length > 0);
        // XES lists a case's events together, so write the CSV in that order too.
        const grouped = [...new Set(rows.map((r) => r.case))].flatMap((c) =>
          rows.filter((r) => r.case === c),
        );
        const csv = csvOf(grouped);
        const a = await mine(csv, "a.csv");
        const b = await mine(toXes(csv.replace(/"/g, "")), "a.xes");
        expect(strip(b)).toEqual(strip(a));
      }),
      { numRuns: 100 },
    );
  });
});

import { readFileSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DomainError } from "../domain/errors.ts";
import {
  defaultXesThreads,
  mineFile,
  mineStream,
  type ReadOptions,
  textBytesOf,
} from "./read-log.ts";

/*
 * Reading XES in slices (xes-parallel.ts) must give exactly what one reader gives: the same
 * report, or the same error at the same line and column, whatever the file, where the slices
 * are cut and how the bytes arrive. Checked against the one-thread reader on the shared logs,
 * with real worker threads, and on generated and damaged files with the slices read inline.
 */

const data = join(import.meta.dirname, "../../../shared/data");

/** The report, or the error a user would see. */
async function outcome(bytes: Buffer, options: ReadOptions, chunk = 64 * 1024) {
  const chunks = Array.from({ length: Math.ceil(bytes.length / chunk) }, (_, i) =>
    bytes.subarray(i * chunk, (i + 1) * chunk),
  );
  try {
    return await mineStream(Readable.from(chunks), { ...options, name: "log.xes" });
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    return { error: e.message, details: e.details };
  }
}

const alone: ReadOptions = { xesThreads: 0 };

describe("slices read in worker threads", { timeout: 60_000 }, () => {
  it("give the report of one reader on the shared logs", async () => {
    for (const file of ["bpic2013-closed-problems.xes.gz", "running-example.xes"]) {
      const bytes = readFileSync(join(data, file));
      const expected = await outcome(bytes, alone);
      expect(expected).toHaveProperty("events");
      const readers = { worker: 0, here: 0 };
      const threads = await outcome(bytes, {
        xesThreads: 2,
        xesSliceBytes: 16 * 1024,
        xesAwaitWorkers: true,
        xesOnSlice: (reader) => readers[reader]++,
      });
      expect(threads).toEqual(expected);
      // The large log is cut and the workers read slices of it (this thread the others meanwhile);
      // the small one is shorter than a slice.
      if (file.startsWith("bpic")) expect(readers.worker).toBeGreaterThan(0);
      else expect(readers).toEqual({ worker: 0, here: 0 });
      const inline = await outcome(bytes, {
        xesThreads: 1,
        xesInlineSlices: true,
        xesSliceBytes: 300,
      });
      expect(inline).toEqual(expected);
    }
  });

  it("are used for a large file only: below 96 MiB of text one thread reads it all", async () => {
    const gz = join(data, "bpic2013-closed-problems.xes.gz");
    const plain = join(data, "running-example.xes");
    // The size of the text, for a gzip file from its trailer.
    expect(await textBytesOf(gz, statSync(gz).size)).toBe(gunzipSync(readFileSync(gz)).length);
    expect(await textBytesOf(plain, statSync(plain).size)).toBe(statSync(plain).size);
    let slices = 0;
    const report = await mineFile(gz, { xesOnSlice: () => slices++ });
    expect(report.events).toBeGreaterThan(0);
    expect(slices).toBe(0);
    expect(defaultXesThreads(96 * 1024 * 1024 - 1)).toBe(0);
    const cores = availableParallelism();
    expect(defaultXesThreads(96 * 1024 * 1024)).toBe(cores > 1 ? 1 : 0);
    expect(defaultXesThreads(undefined)).toBe(cores > 1 ? 1 : 0);
  });

  it("name the line and column of a broken trace deep in the file", async () => {
    const text = xes(
      Array.from({ length: 3_000 }, (_, i) => trace(`c${i}`, [event("A", 0), event("B", 5)])),
    );
    const broken = Buffer.from(text.replace('value="c2345"/>', 'value="c2345">'));
    const expected = await outcome(broken, alone);
    expect(expected).toMatchObject({ error: expect.stringMatching(/^line \d+, column \d+: /) });
    expect(
      await outcome(broken, { xesThreads: 2, xesSliceBytes: 32 * 1024, xesAwaitWorkers: true }),
    ).toEqual(expected);
  });
});

// Generated XES: traces of events, written with or without line breaks, sometimes with a trace
// inside a trace or a comment holding `</trace>`, the two places a cut could go wrong.
const TEAMS = ["A", "B", "C & D", "ä€𝄞"];
function event(team: string, minute: number, ts = true): string {
  const stamp = new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString();
  return `<event><string key="concept:name" value="act ${minute % 3}"/><string key="org:group" value="${team.replace("&", "&amp;")}"/>${ts ? `<date key="time:timestamp" value="${stamp}"/>` : ""}</event>`;
}
function trace(id: string, events: string[], nl = "\n"): string {
  return `<trace>${nl}  <string key="concept:name" value="${id}"/>${nl}  ${events.join(`${nl}  `)}${nl}</trace>`;
}
function xes(traces: string[], nl = "\n"): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${nl}<log xes.version="1.0">${nl}<string key="concept:name" value="generated"/>${nl}${traces.join(nl)}${nl}</log>${nl}`;
}

const generated = fc
  .record({
    traces: fc.array(
      fc.record({
        events: fc.array(
          fc.record({
            team: fc.constantFrom(...TEAMS),
            minute: fc.integer({ min: 0, max: 50 }),
            ts: fc.boolean(),
          }),
          { maxLength: 6 },
        ),
        nested: fc.boolean(),
        comment: fc.boolean(),
      }),
      { minLength: 1, maxLength: 12 },
    ),
    newlines: fc.constantFrom("\n", "\r\n", "", " "),
  })
  .map(({ traces, newlines }) =>
    xes(
      traces.map((t, i) => {
        const events = t.events.map((e) => event(e.team, e.minute, e.ts || i % 5 !== 0));
        let body = trace(`case ${i}`, events, newlines);
        if (t.nested && i % 4 === 1)
          body = body.replace("</trace>", `${trace("inner", [])}</trace>`);
        if (t.comment && i % 6 === 2) body = `<!-- an old </trace> -->${newlines}${body}`;
        return body;
      }),
      newlines,
    ),
  );

/** What happens to a file on its way here: nothing, cut short, a piece dropped or put in. */
const damage = fc.oneof(
  fc.constant((s: string) => s),
  fc.double({ min: 0, max: 1, noNaN: true }).map((at) => (s: string) => s.slice(0, at * s.length)),
  fc
    .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 30 }))
    .map(([at, n]) => (s: string) => {
      const i = Math.floor(at * s.length);
      return s.slice(0, i) + s.slice(i + n);
    }),
  fc
    .tuple(
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.constantFrom("<", "</trace>", "<trace>", "&", '"', ">", "<event>", "</log>", "\n"),
    )
    .map(([at, piece]) => (s: string) => {
      const i = Math.floor(at * s.length);
      return s.slice(0, i) + piece + s.slice(i);
    }),
);

/**
 * saxes reports text outside the root element where that text ends or where the piece of text it
 * was given ends, so even one reader names a line that depends on how the bytes arrived: that
 * one message is compared without its place.
 */
function comparable(o: Awaited<ReturnType<typeof outcome>>) {
  if (!("error" in o) || !o.error.includes("text data outside of root node")) return o;
  return { error: o.error.replace(/^line \d+, column \d+: /, "") };
}

describe("slices read inline", () => {
  it("give one reader's report or error on any generated or damaged file", async () => {
    await fc.assert(
      fc.asyncProperty(
        generated,
        damage,
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 700 }),
        async (text, hurt, sliceBytes, chunk) => {
          const bytes = Buffer.from(hurt(text));
          const expected = await outcome(bytes, alone, chunk);
          const sliced = await outcome(
            bytes,
            { xesThreads: 1, xesInlineSlices: true, xesSliceBytes: sliceBytes },
            chunk,
          );
          expect(comparable(sliced)).toEqual(comparable(expected));
        },
      ),
      { numRuns: 300 },
    );
  });
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validateWorkflow } from "../../src/domain/workflow.ts";
import { proposeWorkflow } from "../../src/mining/propose.ts";
import { type MineResult, mineFile } from "../../src/mining/read-log.ts";
import { type RefEvent, refMine, refReadCsv, refReadXes } from "./reference.ts";

/*
 * The miner on the real logs in ../shared/data (see its README), checked against the plain
 * reference in reference.ts run on the same bytes: every count, every handoff pair with its
 * percentiles, the paths. Numbers are never copied from the miner's own output.
 */

const data = join(import.meta.dirname, "../../../shared/data");

function compare(result: MineResult, events: RefEvent[]): void {
  const ref = refMine(events);
  expect(result.cases).toBe(ref.cases);
  expect(result.events).toBe(ref.events);
  expect(result.teams).toBe(ref.teams);
  expect(result.direct_successions).toBe(ref.successions);
  expect(result.handoffs.total).toBe(ref.handoffs);
  expect(result.ping_pong.cases).toBe(ref.pingPong);
  expect(result.revisit.cases).toBe(ref.revisit);
  const handoffPairs = [...ref.pairs].filter(([, p]) => p.gap.length > 0);
  expect(result.pairs_total).toBe(handoffPairs.length);
  for (const [key, p] of handoffPairs) {
    const mined = result.pairs.find((m) => `${m.from} → ${m.to}` === key);
    expect(mined, key).toBeDefined();
    expect({
      key,
      count: mined?.count,
      cases: mined?.cases,
      how: mined?.handover_of_work,
      gap: [mined?.transfer_gap.p50_s, mined?.transfer_gap.p90_s, mined?.transfer_gap.p95_s],
      pickups: mined?.pickup_latency.n,
      pickup: [mined?.pickup_latency.p50_s, mined?.pickup_latency.p90_s],
    }).toEqual({
      key,
      count: p.count,
      cases: p.cases,
      how: Math.round((p.count / ref.successions) * 10_000) / 10_000,
      gap: [ref.seconds(p.gap, 50), ref.seconds(p.gap, 90), ref.seconds(p.gap, 95)],
      pickups: p.pickup.length,
      pickup: [ref.seconds(p.pickup, 50), ref.seconds(p.pickup, 90)],
    });
  }
  const refPaths = [...ref.paths].sort((a, b) => b[1] - a[1]);
  expect(result.paths_total).toBe(refPaths.length);
  expect(result.paths[0]?.cases).toBe(refPaths[0]?.[1]);
  for (const path of result.paths) expect(ref.paths.get(path.teams.join(" → "))).toBe(path.cases);
}

describe("mining the shared logs agrees with a plain reference computation", {
  timeout: 30_000,
}, () => {
  it("BPI Challenge 2013 closed problems (XES, gzip)", async () => {
    const file = join(data, "bpic2013-closed-problems.xes.gz");
    const result = await mineFile(file);
    // The README's figures, which come from the log's publisher, not from us.
    expect([result.cases, result.events, result.teams]).toEqual([1487, 6660, 15]);
    compare(result, refReadXes(readFileSync(file)));
  });

  it("receipt phase of a permit process (CSV, gzip)", async () => {
    const file = join(data, "receipt.csv.gz");
    const result = await mineFile(file);
    expect([result.cases, result.events, result.teams]).toEqual([1434, 8577, 10]);
    compare(result, refReadCsv(readFileSync(file)));
  });

  it("the textbook running example, with org:resource as the team", async () => {
    const file = join(data, "running-example.xes");
    const result = await mineFile(file, { mapping: { team: "org:resource" } });
    expect([result.cases, result.events]).toEqual([6, 42]);
    compare(result, refReadXes(readFileSync(file), "org:resource"));
  });

  it("the running example names org:resource when org:group is on no event", async () => {
    const result = await mineFile(join(data, "running-example.xes"));
    expect(result.handoffs.total).toBe(0);
    expect(result.warnings[0]).toMatch(/no event has a value in "org:group".*"org:resource"/);
  });

  it("a proposal from each shared log is a valid Baton workflow", async () => {
    for (const name of ["bpic2013-closed-problems.xes.gz", "receipt.csv.gz"]) {
      const result = await mineFile(join(data, name));
      const { yaml, teams } = proposeWorkflow({ report: result, source: name });
      const def = validateWorkflow(parse(yaml), { teams: new Set(teams.map((t) => t.key)) });
      // The steps follow the most frequent path that has a handoff in it.
      const dominant = result.paths.find((p) => p.teams.length > 1);
      expect(def.steps.map((s) => s.name)).toEqual(dominant?.teams);
      expect(def.steps.at(-1)?.handoff).toBeUndefined();
    }
  });
});

import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, oneDbKind, useBaton } from "../harness.ts";
import { fuzzCase } from "./generators.ts";
import { loadOperations } from "./operations.ts";
import { type FuzzTarget, formatReport, runCase, runFuzz } from "./runner.ts";
import { dbFingerprint, injectSend } from "./targets.ts";
import { seedWorld } from "./world.ts";

/*
 * A few hundred generated requests against every route of the API, as a dozen principals, on
 * a seeded world: none may answer 5xx, every 4xx is problem+json and changes nothing, every
 * answer comes within 5 s (`npm run fuzz` holds it to 2 s; `npm test` shares a busy machine
 * with other suites, where a 512 KiB YAML definition alone can take a second). A fixed seed
 * keeps `npm test` repeatable; `npm run fuzz` runs many more cases from any seed (see
 * scripts/fuzz.ts). On one database kind only: it tests the HTTP layer, the same on both.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 8_2026);
const RUNS = Number(process.env.FUZZ_RUNS ?? 500);

/**
 * Families (or `group:variant`s, see generators.ts) kept out of this run while their defect is
 * not fixed on main, each with a TODO(issue 8) naming it. None at the moment: the `path`,
 * near-1 MB workflow and NUL/surrogate failures the fuzzer found are fixed.
 */
const KNOWN_FAILING: string[] = [];

describe.each(oneDbKind())("the HTTP API under fuzzing on $name", (kind) => {
  const b = useBaton(kind);

  it("answers hostile requests from every principal without 5xx, with problem+json 4xx that change nothing", async () => {
    const send = injectSend(b.app);
    const world = await seedWorld(send, ADMIN_TOKEN);
    const ops = await loadOperations(send);
    const report = await runFuzz({
      target: { send, fingerprint: dbFingerprint(b.engine.db) },
      arbitrary: fuzzCase(world, ops, { exclude: KNOWN_FAILING }),
      seed: SEED,
      numRuns: RUNS,
      timeBoundMs: 5_000,
      shrinkGroups: 5,
      shrinkMs: 3_000,
    });
    // FUZZ_REPORT=file keeps the whole report (the assertion message shows it too).
    if (process.env.FUZZ_REPORT) writeFileSync(process.env.FUZZ_REPORT, formatReport(report));
    expect(
      report.groups.map((g) => g.signature),
      formatReport(report),
    ).toEqual([]);
  }, 120_000);

  it("notices a 5xx, a 4xx that is not problem+json, a state change on a 4xx and a slow answer", async () => {
    let state = "a";
    const answers = [
      {
        status: 500,
        type: "application/problem+json",
        body: '{"code":"internal","status":500,"detail":"x"}',
      },
      { status: 404, type: "application/json", body: '{"message":"nope"}' },
      {
        status: 422,
        type: "application/problem+json",
        body: '{"code":"x","status":422,"detail":"x"}',
        change: true,
      },
      { status: 200, type: "application/json", body: "{}", ms: 5_000 },
    ];
    let next = 0;
    const target: FuzzTarget = {
      send: async () => {
        const a = answers[next++] as (typeof answers)[number];
        if (a.change) state = "b";
        return {
          status: a.status,
          headers: { "content-type": a.type },
          body: a.body,
          ms: a.ms ?? 1,
        };
      },
      fingerprint: async () => JSON.stringify({ x: state }),
    };
    const c = {
      family: "schema:valid-shape",
      route: "GET /x",
      principal: "admin",
      wire: { method: "GET", url: "/x", headers: {} },
    };
    const s = { last: await target.fingerprint() };
    const kinds = [];
    for (let i = 0; i < answers.length; i++)
      kinds.push((await runCase(target, c, s, 2_000)).problems.map((p) => p.kind));
    expect(kinds).toEqual([["server-error"], ["not-problem-json"], ["state-changed"], ["slow"]]);
  });
});

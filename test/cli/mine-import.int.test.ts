import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { sql } from "kysely";
import { beforeAll, describe, expect, it } from "vitest";
import { teamKeyOf } from "../../src/mining/propose.ts";
import { ADMIN_TOKEN, dbKinds, useBaton } from "../harness.ts";
import { refReadXes } from "../mining/reference.ts";
import { type Run, runBaton } from "./run-baton.ts";

/*
 * `baton mine FILE --import WORKFLOW` as a user runs it: the command uploads the log to the
 * server, which mines it and writes the cases as closed items; a team the workflow has no step
 * for is named and changes nothing; --map puts it onto a team; a second run adds nothing.
 */

const log = join(import.meta.dirname, "../../../shared/data/running-example.xes");

const yaml = `
key: claims
name: Claims
prefix: CLM
steps:
  - {key: register, team: pete, handoff: {to: check}}
  - {key: check, team: mike, handoff: {to: decide}}
  - {key: decide, team: sara, handoff: {to: pay}}
  - {key: pay, team: ellen}
`;

describe.each(dbKinds().slice(0, 1))(
  "baton mine --import on $name",
  { timeout: 120_000 },
  (kind) => {
    const b = useBaton(kind);
    let url: string;
    const baton = (args: string[]): Promise<Run> => runBaton(args, { url, token: ADMIN_TOKEN });
    const items = async () =>
      Number(
        (
          await sql<{
            n: string;
          }>`select count(*) as n from items where workflow_key = 'claims'`.execute(b.engine.db)
        ).rows[0]?.n,
      );

    beforeAll(async () => {
      url = await b.app.listen({ port: 0, host: "127.0.0.1" });
      for (const t of ["pete", "mike", "sara", "ellen"]) await b.team(t);
      await b.workflow(yaml);
    });

    it("names the log teams that own no step and writes nothing", async () => {
      const run = await baton(["mine", log, "--team", "org:resource", "--import", "claims"]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('2 team(s) of the log own no step of workflow "claims"');
      expect(run.stderr).toMatch(/"Sean".*"Sue"|"Sue".*"Sean"/);
      expect(await items()).toBe(0);
    });

    it("imports the cases with --map, and a second run adds nothing", async () => {
      const args = ["mine", log, "--team", "org:resource", "--import", "claims"];
      const maps = ["--map", "Sean=mike", "--map", "Sue=sara"];
      const run = await baton([...args, ...maps]);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^running-example\.xes \(XES\): 6 cases, 42 events/);
      expect(run.stdout).toContain("Imported into claims (version 0, import ");
      expect(run.stdout).toContain("6 new closed items, 0 cases already there");
      expect(await items()).toBe(6);
      const again = await baton([...args, ...maps, "--json"]);
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout).import).toMatchObject({
        cases_imported: 0,
        cases_present: 6,
      });
      expect(await items()).toBe(6);
      // The review shows the old process as version 0, in its own period.
      const review = await baton([
        "review",
        "claims",
        "--version",
        "0",
        "--from",
        "2010-12-01",
        "--to",
        "2011-06-30",
      ]);
      expect(review.code).toBe(0);
      expect(review.stdout).toContain("Review of claims (version 0), 2010-12-01 to 2011-07-01");
      expect(review.stdout).toMatch(/submitted [1-9]\d*, rejected 0/);
    });

    it("streams a larger gzipped log up from disk and imports it", async () => {
      const bpic = join(
        import.meta.dirname,
        "../../../shared/data/bpic2013-closed-problems.xes.gz",
      );
      const teams = [
        ...new Set(refReadXes(await readFile(bpic)).flatMap((e) => (e.team ? [e.team] : []))),
      ].sort();
      for (const t of teams) await b.team(teamKeyOf(t), t);
      // A chain through every org line (the import follows the log, not the chain).
      const keys = teams.map(teamKeyOf);
      const steps = keys
        .map((k, i) => {
          const next = keys[i + 1];
          return `  - {key: ${k}, team: ${k}${next ? `, handoff: {to: ${next}}` : ""}}\n`;
        })
        .join("");
      await b.workflow(`key: volvo\nname: Volvo\nprefix: VP\nsteps:\n${steps}`);
      const run = await baton(["mine", bpic, "--import", "volvo", "--json"]);
      // With --json, what was written is said on stderr (stdout is the JSON).
      expect(run.stderr).toContain("Imported into volvo (version 0, import ");
      expect(run.code).toBe(0);
      const out = JSON.parse(run.stdout);
      expect(out).toMatchObject({ cases: 1487, events: 6660, source: { bytes: 118_802 } });
      expect(out.import).toMatchObject({ workflow: "volvo", version: 0, cases_imported: 1487 });
    });

    it("--map without --import is an error", async () => {
      const run = await baton(["mine", log, "--map", "Sue=sara"]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("--map and --unmapped go with --import WORKFLOW");
    });
  },
);

describe.each(dbKinds().slice(0, 1))(
  "baton mine --import past the server's limits on $name",
  { timeout: 120_000 },
  (kind) => {
    const b = useBaton(kind, { engine: { importLimits: { cases: 3 } } });
    let url: string;
    beforeAll(async () => {
      url = await b.app.listen({ port: 0, host: "127.0.0.1" });
      for (const t of ["pete", "mike", "sara", "ellen"]) await b.team(t);
      await b.workflow(yaml);
    });

    it("says which limit and exits 1, writing nothing", async () => {
      const run = await runBaton(
        ["mine", log, "--team", "org:resource", "--import", "claims", "--unmapped", "skip"],
        { url, token: ADMIN_TOKEN },
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("The log has more than 3 cases (4 so far); import it in parts.");
      const { rows } = await sql<{ n: string }>`select count(*) as n from items`.execute(
        b.engine.db,
      );
      expect(Number(rows[0]?.n)).toBe(0);
    });
  },
);

import { describe, expect, it } from "vitest";
import { formatReport, runCrash } from "../../scripts/crash.ts";

/*
 * A small run of the crash script (scripts/crash.ts; `npm run crash` for a bigger one): clients
 * under load while Baton, then its embedded PostgreSQL, are killed with SIGKILL.
 */

describe("the crash script, small", () => {
  it("loses and duplicates no acknowledged transition through kill -9 of Baton and of its PostgreSQL", async () => {
    const options = { clients: 4, nodeKills: 1, dbKills: 1, minLoadMs: 300, maxLoadMs: 1_500 };
    const report = await runCrash({ ...options, maxSeconds: 75, seed: 8, log: () => {} });
    console.log(formatReport(report, { clients: options.clients, seed: 8 }));
    expect(report.nodeKills).toBe(1);
    expect(report.dbKills).toBe(1);
    expect(report.acknowledged).toBeGreaterThan(20);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ lost: 0, duplicated: 0, unexplained: 0, mismatches: 0 });
    expect(report.unexpected5xx).toBe(0);
  }, 120_000);
});

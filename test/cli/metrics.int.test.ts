import { beforeAll, describe, expect, it } from "vitest";
import { relayYaml } from "../fixtures.ts";
import { ADMIN_TOKEN, type ApiClient, dbKinds, useBaton } from "../harness.ts";
import { type Run, runBaton } from "./run-baton.ts";

/* `baton metrics` and `baton review` as a user runs them, against a running server. */

const yaml = relayYaml({
  teams: ["alpha", "beta"],
  steps: ["one", "two"],
  fields: ["{key: customer, type: text}", "{key: logs_url, type: url, label: Logs}"],
  checklist: [],
  handoff: "criteria: [Scope agreed], accept_within: 1h wall",
});

describe.each(dbKinds().slice(0, 1))("baton metrics and baton review on $name", (kind) => {
  const b = useBaton(kind);
  let url: string;
  const baton = (args: string[]): Promise<Run> => runBaton(args, { url, token: ADMIN_TOKEN });

  beforeAll(async () => {
    url = await b.app.listen({ port: 0, host: "127.0.0.1" });
    await b.team("alpha");
    await b.team("beta");
    await b.workflow(yaml);
    const alice: ApiClient = await b.user("alice@example.com", ["alpha"]);
    const bob: ApiClient = await b.user("bob@example.com", ["beta"]);
    for (const title of ["A", "B", "C"]) {
      const c = await alice.post("/items", {
        workflow: "relay",
        title,
        fields: { customer: title },
      });
      await alice.post(`/items/${c.body.key}/handoff`, { confirm: ["Scope agreed"] });
      b.clock.advance(2 * 3_600_000);
      await bob.post(`/items/${c.body.key}/reject`, { reason: "incomplete", comment: "no logs" });
    }
  });

  it("baton metrics --workflow prints one row per edge; --csv prints CSV", async () => {
    const r = await baton(["metrics", "--workflow", "relay", "--from", "2026-03-01"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Handoffs of relay, 2026-03-01 to /);
    expect(r.stdout).toMatch(/one → two\s+alpha → beta\s+3\s+3 \(100 %\)\s+2 h\s+2 h/);
    const csv = await baton(["metrics", "--workflow", "relay", "--csv", "--from", "2026-03-01"]);
    expect(csv.stdout.split("\r\n")[1]).toMatch(/^one,two,alpha,beta,3,0,3,0,1,incomplete=3/);
    const teams = await baton(["metrics", "--json", "--from", "2026-03-01"]);
    expect(teams.stderr).toBe("");
    expect(JSON.parse(teams.stdout).teams.map((t: { team: string }) => t.team)).toEqual([
      "alpha",
      "beta",
    ]);
  });

  it("baton review WORKFLOW shows figures, reasons and suggestions; bad input exits 1", async () => {
    const r = await baton(["review", "relay", "--edge", "one:two", "--from", "2026-03-01"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("one → two (alpha → beta)");
    expect(r.stdout).toContain("reasons: incomplete 3");
    expect(r.stdout).toContain('Suggestion: Receivers keep asking for "Logs"');
    const bad = await baton(["review", "relay", "--edge", "one"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("FROM_STEP:TO_STEP");
  });
});

import { describe, expect, it } from "vitest";
import { type ApiClient, oneDbKind, useBaton } from "../harness.ts";

/*
 * What the review page's before/after and its limbo chart read: the teams and flow figures of a
 * second version or period beside the first (`compare=version:N`, `compare_from`/`compare_to`),
 * and limbo over time per edge and ISO week (GET /metrics/limbo). A hand-built history with
 * known answers: the clock starts on Monday 2026-03-02 09:00 UTC, in working hours, so business
 * and wall time agree.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const pairYaml = (limit: string) => `
key: pair
name: Pair
prefix: PR
steps:
  - key: ask
    team: alpha
    handoff: {to: answer, accept_within: ${limit}}
  - key: answer
    team: beta
`;

describe.each(oneDbKind())("before and after, limbo over time on $name", (kind) => {
  const b = useBaton(kind);
  let alice: ApiClient;
  let bob: ApiClient;

  /** One item handed from alpha to beta, accepted after `limboH` hours, done an hour later. */
  async function play(limboH: number, { reject = false } = {}) {
    const key = (await alice.post("/items", { workflow: "pair", title: "x" })).body.key;
    await alice.post(`/items/${key}/handoff`, {});
    if (reject) {
      b.clock.advance(HOUR);
      await bob.post(`/items/${key}/reject`, { reason: "incomplete", comment: "no" });
      await alice.post(`/items/${key}/handoff`, {});
    }
    b.clock.advance(limboH * HOUR);
    expect((await bob.post(`/items/${key}/accept`)).status).toBe(200);
    b.clock.advance(HOUR);
    expect((await bob.post(`/items/${key}/complete`)).status).toBe(200);
    return key;
  }

  it("plays version 1 in the first week and version 2 in the second", async () => {
    await b.team("alpha");
    await b.team("beta");
    await b.workflow(pairYaml("4h"));
    alice = await b.user("alice@example.com", ["alpha"]);
    bob = await b.user("bob@example.com", ["beta"]);
    // Week of 2 March, version 1: limbo 1 h, 2 h and 3 h (one of them after a rejection).
    await play(1);
    await play(2, { reject: true });
    await play(3);
    b.clock.now = new Date("2026-03-09T09:00:00Z");
    await b.workflow(pairYaml("2h"));
    // Week of 9 March, version 2: limbo 1 h twice.
    await play(1);
    await play(1);
  });

  it("limbo over time: per edge and week, the handoffs and their limbo percentiles", async () => {
    const r = await alice.get("/metrics/limbo?workflow=pair&from=2026-03-01&to=2026-03-15");
    expect(r.status).toBe(200);
    expect(r.body.series).toEqual([
      {
        from_step: "ask",
        to_step: "answer",
        from_team: "alpha",
        to_team: "beta",
        week: "2026-03-02",
        submitted: 4,
        rejected: 1,
        decided: 4,
        // Limbo 1 h (rejected), 1 h, 2 h and 3 h; the last ran from 15:00 to 18:00, an hour past
        // the working day, so 2 h in business time.
        limbo_p50_s: 3600,
        limbo_p85_s: 3 * 3600,
        limbo_business_p50_s: 3600,
        limbo_business_p85_s: 2 * 3600,
      },
      expect.objectContaining({
        week: "2026-03-09",
        submitted: 2,
        rejected: 0,
        decided: 2,
        limbo_p50_s: 3600,
        limbo_p85_s: 3600,
      }),
    ]);
    const csv = await b.app.inject({
      url: "/api/v1/metrics/limbo?workflow=pair&from=2026-03-01&to=2026-03-15&format=csv",
      headers: { authorization: `Bearer ${alice.token}` },
    });
    expect(csv.headers["content-type"]).toContain("text/csv");
    expect(csv.body.split("\r\n")[1]).toBe(
      "ask,answer,alpha,beta,2026-03-02,4,1,4,3600,10800,3600,7200",
    );
  });

  it("teams and flow compare two versions: the figures of each beside each other", async () => {
    const teams = await alice.get(
      "/metrics/teams?workflow=pair&version=2&compare=version:1&from=2026-03-01&to=2026-03-15",
    );
    expect(teams.status).toBe(200);
    const beta = (t: { teams: { team: string }[] }) => t.teams.find((x) => x.team === "beta");
    expect(beta(teams.body)).toMatchObject({ received: 2, rejected_by_team: 0, finished: 2 });
    expect(teams.body.compare.period.version).toBe(1);
    expect(beta(teams.body.compare)).toMatchObject({
      received: 4,
      rejected_by_team: 1,
      finished: 3,
    });

    const flow = await alice.get(
      "/metrics/flow?workflow=pair&version=2&compare=version:1&from=2026-03-01&to=2026-03-15",
    );
    expect(flow.status).toBe(200);
    expect(flow.body.cycle_time.count).toBe(2);
    expect(flow.body.compare.cycle_time.count).toBe(3);
    // Version 1's cycle times: limbo + 1 h, plus the rejected one's extra hour: 2 h, 4 h, 4 h.
    expect(flow.body.compare.cycle_time.p50_s).toBe(4 * 3600);
    expect(flow.body.cycle_time.p50_s).toBe(2 * 3600);
  });

  it("teams and flow compare two periods", async () => {
    const q = "from=2026-03-09&to=2026-03-15&compare_from=2026-03-02&compare_to=2026-03-08";
    const flow = await alice.get(`/metrics/flow?workflow=pair&${q}`);
    expect(flow.status).toBe(200);
    expect(flow.body.period.from).toBe("2026-03-09T00:00:00.000Z");
    expect(flow.body.compare.period.from).toBe("2026-03-02T00:00:00.000Z");
    expect([flow.body.cycle_time.count, flow.body.compare.cycle_time.count]).toEqual([2, 3]);
    const teams = await alice.get(`/metrics/teams?workflow=pair&${q}`);
    expect(teams.body.compare.teams.find((t: { team: string }) => t.team === "alpha").sent).toBe(4);
    b.clock.advance(DAY);
  });

  it("refuses a half-given comparison and compare on the limbo series, naming the parameter", async () => {
    const half = await alice.get("/metrics/flow?workflow=pair&compare_from=2026-03-02");
    expect(half.status).toBe(400);
    expect(half.headers["content-type"]).toContain("application/problem+json");
    expect(JSON.stringify(half.body.errors)).toContain("compare_from and compare_to go together");
    const limbo = await alice.get("/metrics/limbo?workflow=pair&compare=version:1");
    expect(limbo.status).toBe(400);
    expect(JSON.stringify(limbo.body)).toContain("compare");
    const unknown = await alice.get("/metrics/limbo?workflow=nope");
    expect(unknown.status).toBe(404);
  });
});

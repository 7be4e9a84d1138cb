import { describe, expect, it } from "vitest";
import { type ApiClient, dbKinds, useBaton } from "../harness.ts";

/*
 * Each metric on a hand-built history with known answers (docs/metrics.md). The clock starts on
 * Monday 2026-03-02 09:00 UTC, inside the default calendar's working hours, so business and
 * wall time agree here.
 */

const HOUR = 3_600_000;

const chainYaml = `
key: chain
name: Chain
prefix: CH
fields:
  - {key: customer, type: text, label: Customer}
  - {key: logs_url, type: url, label: Logs}
steps:
  - key: one
    team: alpha
    handoff:
      to: two
      requires: [customer]
      criteria: [Customer named, Scope agreed]
      accept_within: 2h wall
  - key: two
    team: beta
    handoff: {to: three}
  - key: three
    team: alpha
`;

describe.each(dbKinds())("metrics on a hand-built history on $name", (kind) => {
  const b = useBaton(kind);
  let alice: ApiClient;
  let bob: ApiClient;
  let first = "";
  let second = "";
  const hours = (n: number) => b.clock.advance(n * HOUR);

  it("sets up two teams and a three-step chain that returns to the first team", async () => {
    await b.team("alpha");
    await b.team("beta");
    await b.workflow(chainYaml);
    alice = await b.user("alice@example.com", ["alpha"]);
    bob = await b.user("bob@example.com", ["beta"]);
  });

  it("plays one item through a rejection, a question, a bounce and completion", async () => {
    const created = await alice.post("/items", {
      workflow: "chain",
      title: "First",
      fields: { customer: "ACME" },
    });
    first = created.body.key;
    const confirm = ["Customer named", "Scope agreed"];
    expect((await alice.post(`/items/${first}/handoff`, { confirm })).status).toBe(200);
    hours(1);
    const rejected = await bob.post(`/items/${first}/reject`, {
      reason: "incomplete",
      comment: "No logs attached, where are the logs?",
      failed_criteria: ["Scope agreed"],
    });
    expect(rejected.status).toBe(200);
    hours(1);
    await alice.post(`/items/${first}/handoff`, { confirm });
    hours(3);
    expect((await bob.post(`/items/${first}/accept`)).status).toBe(200);
    hours(1);
    const asked = await bob.post(`/items/${first}/questions`, {
      to_team: "alpha",
      body: "Which logs url?",
    });
    expect(asked.status).toBe(201);
    hours(1);
    const qid = asked.body.questions?.[0]?.id ?? 1;
    expect(
      (await alice.post(`/items/${first}/questions/${qid}/answer`, { body: "Here" })).status,
    ).toBe(200);
    hours(1);
    await bob.post(`/items/${first}/handoff`, {});
    hours(1);
    expect((await alice.post(`/items/${first}/accept`)).status).toBe(200);
    hours(1);
    expect((await alice.post(`/items/${first}/complete`)).status).toBe(200);
    const second_ = await alice.post("/items", {
      workflow: "chain",
      title: "Second",
      fields: { customer: "Initech" },
    });
    second = second_.body.key;
    await alice.post(`/items/${second}/handoff`, { confirm });
    hours(2);
  });

  it("edges: submitted, rejections by reason and criteria, limbo percentiles, bounces, questions, SLA", async () => {
    const r = await alice.get("/metrics/edges?workflow=chain&from=2026-03-01&to=2026-03-02");
    expect(r.status).toBe(200);
    expect(r.body.edges).toHaveLength(2);
    const [one, two] = r.body.edges;
    expect(one).toMatchObject({
      from_step: "one",
      to_step: "two",
      from_team: "alpha",
      to_team: "beta",
      submitted: 3,
      accepted: 1,
      rejected: 1,
      withdrawn: 0,
      rejection_rate: 0.3333,
      rejections_by_reason: { incomplete: 1 },
      failed_criteria: { "Scope agreed": 1 },
      limbo_p50_s: 3600,
      limbo_p85_s: 3 * 3600,
      limbo_p95_s: 3 * 3600,
      limbo_business_p50_s: 3600,
      limbo_business_p85_s: 3 * 3600,
      in_limbo_now: 1,
      oldest_in_limbo_s: 2 * 3600,
      bounces: 0,
      questions_after_accept: 1,
      sla_met: 1,
      sla_breached: 1,
      sla_attainment: 0.5,
    });
    expect(two).toMatchObject({
      from_step: "two",
      to_step: "three",
      from_team: "beta",
      to_team: "alpha",
      submitted: 1,
      accepted: 1,
      limbo_p50_s: 3600,
      bounces: 1,
      in_limbo_now: 0,
    });
  });

  it("flow: cycle time, time per step with active and waiting time, flow efficiency, WIP", async () => {
    const r = await alice.get("/metrics/flow?workflow=chain&from=2026-03-02&to=2026-03-02");
    expect(r.status).toBe(200);
    expect(r.body.cycle_time).toMatchObject({ count: 1, p50_s: 10 * 3600 });
    expect(r.body.steps).toEqual([
      expect.objectContaining({
        step: "one",
        visits: 1,
        p50_s: 5 * 3600,
        active_s: 3600,
        waiting_s: 4 * 3600,
      }),
      expect.objectContaining({ step: "three", visits: 1, active_s: 3600, waiting_s: 0 }),
      expect.objectContaining({ step: "two", visits: 1, active_s: 2 * 3600, waiting_s: 2 * 3600 }),
    ]);
    expect(r.body.flow_efficiency).toBe(0.4);
    expect(r.body.wip).toEqual([{ step: "one", items: 1 }]);
    expect(r.body.throughput).toEqual([{ week: "2026-03-02", done: 1 }]);
    expect(r.body.ageing).toEqual([
      expect.objectContaining({ key: second, step: "one", age_s: 2 * 3600, in_step_s: 2 * 3600 }),
    ]);
    expect(r.body.cfd).toEqual([{ day: "2026-03-02", steps: { one: 1 }, done: 1 }]);
  });

  it("teams: WIP now, steps finished, rejections both ways, attainment", async () => {
    const r = await alice.get("/metrics/teams?workflow=chain&from=2026-03-02&to=2026-03-02");
    expect(r.status).toBe(200);
    const beta = r.body.teams.find((t: { team: string }) => t.team === "beta");
    expect(beta).toMatchObject({ wip: 1, finished: 1, received: 3, rejected_by_team: 1, sent: 1 });
    const alpha = r.body.teams.find((t: { team: string }) => t.team === "alpha");
    expect(alpha).toMatchObject({
      wip: 0,
      finished: 2,
      sent: 3,
      sent_rejected: 1,
      bounces_received: 1,
    });
  });

  it("asks the receiver after acceptance and the sender once the receiver finished; one answer each", async () => {
    // Bob sent handoff 3 and Alpha finished its step (completed): his sender survey comes first.
    const forBob = await bob.get(`/items/${first}`);
    expect(forBob.body.survey).toMatchObject({
      role: "sender",
      handoff: 3,
      question: "Were the criteria clear and the response timely?",
    });
    const answered = await bob.post(`/items/${first}/survey`, {
      role: "receiver",
      score: 2,
      comment: "The logs were missing",
    });
    expect(answered.status).toBe(201);
    expect(answered.body).toMatchObject({ handoff: 2, role: "receiver", score: 2 });
    const again = await bob.post(`/items/${first}/survey`, { role: "receiver", score: 5 });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("already_exists");
    // The second item still waits for Beta's decision: nothing to ask Beta about yet.
    const early = await bob.post(`/items/${second}/survey`, { role: "receiver", score: 4 });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe("wrong_state");
    expect((await bob.get(`/items/${second}`)).body.survey).toBeNull();

    // Alice received handoff 3 and sent handoff 2, whose receiver (Beta) has finished its step.
    expect((await alice.get(`/items/${first}`)).body.survey).toMatchObject({
      role: "receiver",
      handoff: 3,
      question: "Did you have what you needed?",
      comment_question: "What was missing or unclear?",
    });
    await alice.post(`/items/${first}/survey`, { role: "receiver", score: 5 });
    expect((await alice.get(`/items/${first}`)).body.survey).toMatchObject({
      role: "sender",
      handoff: 2,
      question: "Were the criteria clear and the response timely?",
    });
    expect(
      (await alice.post(`/items/${first}/survey`, { role: "sender", score: 4, handoff: 2 })).status,
    ).toBe(201);
    const bad = await alice.post(`/items/${first}/survey`, { role: "sender", score: 6 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe("score");

    const edges = await alice.get("/metrics/edges?workflow=chain&from=2026-03-02&to=2026-03-02");
    expect(edges.body.edges[0]).toMatchObject({
      survey_receiver_avg: 2,
      survey_receiver_count: 1,
      survey_sender_avg: 4,
      survey_sender_count: 1,
    });
    expect(edges.body.edges[1]).toMatchObject({ survey_receiver_avg: 5, survey_sender_count: 0 });
    await bob.post(`/items/${first}/survey`, { role: "sender", score: 3 });
    expect((await bob.get(`/items/${first}`)).body.survey).toBeNull();
  });

  it("a workflow can turn surveys off or sample them", async () => {
    await b.workflow(`
key: quiet
name: Quiet
prefix: QU
surveys: {enabled: false}
steps:
  - {key: a, team: alpha, handoff: {to: b}}
  - {key: b, team: beta}
`);
    const c = await alice.post("/items", { workflow: "quiet", title: "Q" });
    await alice.post(`/items/${c.body.key}/handoff`, {});
    await bob.post(`/items/${c.body.key}/accept`);
    expect((await bob.get(`/items/${c.body.key}`)).body.survey).toBeNull();
    const bad = await b.admin.put(
      "/workflows/quiet",
      "key: quiet\nname: Quiet\nprefix: QU\nsurveys: {sample: 2}\nsteps:\n  - {key: a, team: alpha}\n",
    );
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].path).toBe("surveys.sample");
  });

  it("every table comes as CSV", async () => {
    const res = await b.app.inject({
      url: "/api/v1/metrics/edges?workflow=chain&format=csv&from=2026-03-02&to=2026-03-02",
      headers: { authorization: `Bearer ${alice.token}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/text\/csv/);
    const lines = res.body.trim().split("\r\n");
    expect(lines[0]).toMatch(/^from_step,to_step,from_team,to_team,submitted/);
    expect(lines[1]).toMatch(/^one,two,alpha,beta,3,1,1,0,0.3333,incomplete=1/);
    const flow = await b.app.inject({
      url: "/api/v1/metrics/flow?workflow=chain&table=cfd&from=2026-03-02&to=2026-03-02",
      headers: { authorization: `Bearer ${alice.token}`, accept: "text/csv" },
    });
    expect(flow.body).toBe("day,one,done\r\n2026-03-02,1,1\r\n");
  });

  it("the review suggests requiring a field receivers keep asking for, and drafts the next version", async () => {
    for (const title of ["Third", "Fourth"]) {
      const c = await alice.post("/items", { workflow: "chain", title, fields: { customer: "X" } });
      await alice.post(`/items/${c.body.key}/handoff`, {
        confirm: ["Customer named", "Scope agreed"],
      });
      await bob.post(`/items/${c.body.key}/reject`, {
        reason: "incomplete",
        comment: "Please attach the logs",
      });
    }
    b.clock.advance(30 * 60_000); // the second item's handoff is now over its 2h wall limit
    const r = await alice.get("/review/chain?edge=one:two&from=2026-03-02&to=2026-03-02");
    expect(r.status).toBe(200);
    expect(r.body.edges).toHaveLength(1);
    const [edge] = r.body.edges;
    expect(edge.accept_within).toBe("2h wall");
    expect(edge.top_reasons).toEqual([{ reason: "incomplete", count: 3 }]);
    expect(edge.reject_comments).toHaveLength(3);
    expect(edge.stalled).toEqual([
      expect.objectContaining({ key: second, to_team: "beta", over_limit: true }),
    ]);
    const suggestion = edge.suggestions.find(
      (s: { kind: string }) => s.kind === "add_required_field",
    );
    expect(suggestion).toMatchObject({
      id: "add_required_field:one:two:logs_url",
      evidence: { items: 3, in_reject_comments: 3, in_questions: 1 },
      change: { field: "logs_url" },
    });

    const draft = await alice.post("/review/chain/drafts", {
      suggestion: suggestion.id,
      from: "2026-03-02",
      to: "2026-03-02",
    });
    expect(draft.status).toBe(200);
    expect(draft.body.base_version).toBe(1);
    expect(draft.body.definition.steps[0].handoff.requires).toEqual(["customer", "logs_url"]);
    expect(draft.body.diff).toContain("+      requires: [customer, logs_url]");
    // The admin publishes the draft as version 2 with the existing API.
    const published = await b.admin.put("/workflows/chain", draft.body.source);
    expect(published.body).toMatchObject({ version: 2, changed: true });

    const unknown = await alice.post("/review/chain/drafts", { suggestion: "nope" });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe("not_found");
  });

  it("compares two versions before and after", async () => {
    const c = await alice.post("/items", {
      workflow: "chain",
      title: "V2",
      fields: { customer: "X", logs_url: "https://l.test" },
    });
    await alice.post(`/items/${c.body.key}/handoff`, {
      confirm: ["Customer named", "Scope agreed"],
    });
    await bob.post(`/items/${c.body.key}/accept`);
    const r = await alice.get(
      "/metrics/edges?workflow=chain&version=2&compare=version:1&from=2026-03-02&to=2026-03-02",
    );
    expect(r.status).toBe(200);
    expect(r.body.edges[0]).toMatchObject({
      from_step: "one",
      submitted: 1,
      rejected: 0,
      rejection_rate: 0,
    });
    expect(r.body.compare.period.version).toBe(1);
    expect(r.body.compare.edges[0]).toMatchObject({ from_step: "one", submitted: 5, rejected: 3 });
  });

  it("refuses bad periods, unknown workflows and malformed edges with problem details", async () => {
    const cases: [string, number, string][] = [
      ["/metrics/edges?workflow=chain&from=2026-13-01", 400, "query.from"],
      ["/metrics/edges?workflow=chain&from=2026-03-02&to=2026-03-01", 400, "query.from"],
      ["/metrics/edges?workflow=chain&from=2024-01-01&to=2026-01-01", 400, "query.to"],
      ["/metrics/edges?workflow=chain&edge=one", 400, "query.edge"],
      ["/metrics/edges?workflow=chain&compare=v2", 400, "query.compare"],
      ["/metrics/edges?workflow=chain&compare_from=2026-01-01", 400, "query.compare_to"],
      ["/metrics/edges?workflow=chain&version=-1", 400, "query.version"],
      // Version 0 is imported history (docs/mining.md); this workflow has none.
      ["/metrics/edges?workflow=chain&version=0", 404, ""],
      ["/metrics/edges?workflow=nope", 404, ""],
      ["/metrics/edges?workflow=chain&version=9", 404, ""],
    ];
    for (const [url, status, path] of cases) {
      const r = await alice.get(url);
      expect(r.status, url).toBe(status);
      if (path) expect(r.body.errors?.[0]?.path, url).toBe(path);
    }
  });
});

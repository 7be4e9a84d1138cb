import { describe, expect, it } from "vitest";
import { relayYaml } from "../fixtures.ts";
import { type ApiClient, oneDbKind, useBaton } from "../harness.ts";

/*
 * What the item page's survey prompt reads and writes: GET /items/{key}/survey (the survey due
 * now, after every change, without reading the whole item) and POST /items/{key}/survey/skip
 * (one click: not offered again). A skip is no answer: it counts in no figure, and the other
 * side is still asked.
 */

const yaml = relayYaml({
  teams: ["alpha", "beta"],
  steps: ["one", "two"],
  fields: [],
  checklist: [],
  then: ["handoff: {to: three}"],
  more: ["{key: three, team: alpha}"],
});

describe.each(oneDbKind())("skipping a handoff survey on $name", (kind) => {
  const b = useBaton(kind);
  let alice: ApiClient;
  let bob: ApiClient;
  let key = "";

  it("asks the receiver after acceptance, and a skip stops asking them", async () => {
    await b.team("alpha");
    await b.team("beta");
    await b.workflow(yaml);
    alice = await b.user("alice@example.com", ["alpha"]);
    bob = await b.user("bob@example.com", ["beta"]);
    key = (await alice.post("/items", { workflow: "relay", title: "x" })).body.key;
    expect((await bob.get(`/items/${key}/survey`)).body).toEqual({ survey: null });
    await alice.post(`/items/${key}/handoff`, {});
    await bob.post(`/items/${key}/accept`);

    const due = await bob.get(`/items/${key}/survey`);
    expect(due.status).toBe(200);
    expect(due.body.survey).toMatchObject({
      role: "receiver",
      handoff: 1,
      from_team: "alpha",
      to_team: "beta",
      question: "Did you have what you needed?",
      comment_question: "What was missing or unclear?",
    });
    const version = (await bob.get(`/items/${key}`)).body.version;

    const skipped = await bob.post(`/items/${key}/survey/skip`, { role: "receiver" });
    expect(skipped.status).toBe(200);
    expect(skipped.body).toMatchObject({ item: key, handoff: 1, role: "receiver" });
    expect((await bob.get(`/items/${key}/survey`)).body.survey).toBeNull();
    expect((await bob.get(`/items/${key}`)).body.survey).toBeNull();
    // Skipping is no write to the item: its version did not move.
    expect((await bob.get(`/items/${key}`)).body.version).toBe(version);
    // A second click is answered as the first.
    expect((await bob.post(`/items/${key}/survey/skip`, { role: "receiver" })).status).toBe(200);
  });

  it("still asks the sender once the receiver finished its step, and counts no skip as a score", async () => {
    expect((await alice.get(`/items/${key}/survey`)).body.survey).toBeNull();
    await bob.post(`/items/${key}/handoff`, {});
    const due = (await alice.get(`/items/${key}/survey`)).body.survey;
    expect(due).toMatchObject({
      role: "sender",
      handoff: 1,
      question: "Were the criteria clear and the response timely?",
    });
    expect((await alice.post(`/items/${key}/survey`, { role: "sender", score: 4 })).status).toBe(
      201,
    );
    expect((await alice.get(`/items/${key}/survey`)).body.survey).toBeNull();
    const edges = await alice.get("/metrics/edges?workflow=relay&from=2026-03-01&to=2026-03-03");
    const one = edges.body.edges.find((e: { from_step: string }) => e.from_step === "one");
    expect(one).toMatchObject({
      survey_receiver_count: 0,
      survey_receiver_avg: null,
      survey_sender_count: 1,
      survey_sender_avg: 4,
    });
  });

  it("refuses to skip what is not asked, or already answered, naming why", async () => {
    const none = await bob.post(`/items/${key}/survey/skip`, { role: "sender" });
    expect(none.status).toBe(409);
    expect(none.headers["content-type"]).toContain("application/problem+json");
    expect(none.body.code).toBe("wrong_state");
    expect(none.body.detail).toContain("asks no sender survey of you");
    const answered = await alice.post(`/items/${key}/survey/skip`, { role: "sender" });
    expect(answered.status).toBe(409);
    expect(answered.body.code).toBe("already_exists");
    const bad = await bob.post(`/items/${key}/survey/skip`, { role: "bystander" });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.errors)).toContain("role");
    expect((await bob.post("/items/RL-99/survey/skip", { role: "receiver" })).status).toBe(404);
    // None of these changed what bob is asked: nothing.
    expect((await bob.get(`/items/${key}/survey`)).body.survey).toBeNull();
  });
});

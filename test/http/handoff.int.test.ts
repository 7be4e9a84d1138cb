import { describe, expect, it } from "vitest";
import {
  castOnboarding,
  type OnboardingCast,
  onboardingCriteria,
  readyOnboardingItem,
} from "../fixtures.ts";
import { dbKinds, useBaton } from "../harness.ts";

describe.each(dbKinds())("handoffs through the HTTP API on $name", (kind) => {
  const b = useBaton(kind);
  let cast: OnboardingCast;
  it("sets up teams, users and the onboarding workflow", async () => {
    cast = await castOnboarding(b);
    const wf = await b.admin.get("/workflows/onboarding");
    expect(wf.status).toBe(200);
    expect(wf.body.version).toBe(1);
  });

  it("a new item starts at the first step with Sales as the next actor", async () => {
    const r = await cast.sales.post("/items", { workflow: "onboarding", title: "Globex" });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      key: expect.stringMatching(/^ONB-\d+$/),
      state: "in_progress",
      step: "sell",
      owner_team: "sales",
      next: { team: "sales", action: expect.stringContaining("hand off to Implementation") },
      version: 1,
      workflow_version: 1,
    });
    expect(r.headers.etag).toBe('"1"');
  });

  it("submitting lists every missing field, checklist item and criterion at once, and changes nothing", async () => {
    const created = await cast.sales.post("/items", {
      workflow: "onboarding",
      title: "Initech",
      fields: { customer: "Initech" },
    });
    const key = created.body.key;
    const r = await cast.sales.post(`/items/${key}/handoff`, { confirm: [onboardingCriteria[0]] });
    expect(r.status).toBe(422);
    expect(r.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(r.body.code).toBe("criteria_not_met");
    expect(r.body.missing).toEqual([
      { kind: "field", field: "contract_url", label: "Signed contract" },
      { kind: "field", field: "tier", label: "Tier" },
      { kind: "field", field: "requirements_url", label: "Technical requirements" },
      { kind: "checklist", index: 0, text: "Contract signed" },
      { kind: "checklist", index: 1, text: "Contacts verified" },
      { kind: "criterion", criterion: "Go-live date agreed with the customer" },
    ]);
    const after = await cast.sales.get(`/items/${key}`);
    expect(after.body.version).toBe(1);
    expect((await cast.sales.get(`/items/${key}/events`)).body.events).toHaveLength(1);
  });

  it("runs a full cycle: submit, reject as incomplete, fix, resubmit, accept, route, complete", async () => {
    const { sales, impl, support } = cast;
    const key = await readyOnboardingItem(sales);

    const submitted = await sales.post(`/items/${key}/handoff`, {
      note: "Kick-off on Monday",
      confirm: onboardingCriteria,
    });
    expect(submitted.status).toBe(200);
    expect(submitted.body.state).toBe("awaiting_acceptance");
    expect(submitted.body.next).toEqual({
      team: "implementation",
      team_name: "Implementation",
      action: "Accept or reject the handoff from Sales",
      can_accept: true,
      blocked_by: null,
    });
    expect(submitted.body.handoff).toMatchObject({
      from_step: "sell",
      from_team: "sales",
      to_step: "implement",
      to_team: "implementation",
      submitted_by: "sam@example.com",
      note: "Kick-off on Monday",
    });

    const incoming = await impl.get("/teams/implementation/queue");
    expect(incoming.body.incoming.map((i: { key: string }) => i.key)).toContain(key);
    const waiting = await sales.get("/teams/sales/queue");
    expect(waiting.body.waiting_on_others.map((i: { key: string }) => i.key)).toContain(key);

    expect((await sales.post(`/items/${key}/accept`)).body.code).toBe("not_your_team");

    const rejected = await impl.post(`/items/${key}/reject`, {
      reason: "incomplete",
      comment: "The requirements link is empty",
      failed_criteria: ["Technical requirements attached"],
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      state: "in_progress",
      step: "sell",
      owner_team: "sales",
      assignee: "sam@example.com",
      rework: { sell: 1 },
      returned: {
        reason: "incomplete",
        comment: "The requirements link is empty",
        from_team: "implementation",
        failed_criteria: ["Technical requirements attached"],
      },
      next: {
        team: "sales",
        action: expect.stringContaining("returned by Implementation: incomplete"),
      },
    });

    await sales.patch(`/items/${key}/fields`, {
      requirements_url: "https://docs.example.com/acme-reqs-v2",
      go_live: "2026-04-01",
    });
    const again = await sales.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });
    expect(again.body.state).toBe("awaiting_acceptance");
    expect(again.body.returned).toBeNull();

    const accepted = await impl.post(`/items/${key}/accept`);
    expect(accepted.body).toMatchObject({
      state: "in_progress",
      step: "implement",
      owner_team: "implementation",
      assignee: "ivy@example.com",
    });
    expect(accepted.body.handoffs.map((h: { outcome: string }) => h.outcome)).toEqual([
      "rejected",
      "accepted",
    ]);

    for (const index of [0, 1]) await impl.post(`/items/${key}/checklist`, { index, done: true });
    const toSupport = await impl.post(`/items/${key}/handoff`, {
      confirm: ["Customer signed off the setup", "Runbook written"],
    });
    expect(toSupport.body.handoff).toMatchObject({ to_step: "support", to_team: "support" });
    await support.post(`/items/${key}/accept`);
    expect((await support.post(`/items/${key}/complete`)).body.code).toBe("criteria_not_met");
    await support.post(`/items/${key}/checklist`, { index: 0, done: true });
    const done = await support.post(`/items/${key}/complete`);
    expect(done.body).toMatchObject({ state: "done", next: null });

    const closed = await support.post(`/items/${key}/comments`, { body: "late note" });
    expect(closed.status).toBe(409);
    expect(closed.body.code).toBe("item_closed");

    const events = (await sales.get(`/items/${key}/events`)).body.events;
    expect(events.map((e: { type: string }) => e.type)).toEqual([
      "item.created",
      "checklist.updated",
      "checklist.updated",
      "handoff.submitted",
      "handoff.rejected",
      "item.fields_updated",
      "handoff.submitted",
      "handoff.accepted",
      "checklist.updated",
      "checklist.updated",
      "handoff.submitted",
      "handoff.accepted",
      "checklist.updated",
      "item.completed",
    ]);
    expect(events[4]).toMatchObject({ actor: "ivy@example.com", data: { reason: "incomplete" } });
  });

  it("routes enterprise customers to Enterprise support", async () => {
    const { sales, impl } = cast;
    const key = await readyOnboardingItem(sales, { tier: "enterprise", go_live: "2026-05-01" });
    await sales.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });
    const meeting = await impl.post(`/items/${key}/meetings`, {
      starts_at: b.clock.now.toISOString(),
      duration_minutes: 30,
    });
    await impl.post(`/items/${key}/meetings/${meeting.body.id}/held`, {
      notes: "Walked through the requirements",
    });
    await impl.post(`/items/${key}/accept`);
    const item = await impl.get(`/items/${key}`);
    expect(
      item.body.path.map((p: { step: string; status: string }) => `${p.step}:${p.status}`),
    ).toEqual(["sell:done", "implement:current", "support-enterprise:upcoming"]);
  });

  it("a stale If-Match is refused with 409 version_conflict", async () => {
    const key = await readyOnboardingItem(cast.sales);
    const current = await cast.sales.get(`/items/${key}`);
    const ok = await cast.sales.patch(
      `/items/${key}/fields`,
      { customer: "ACME Ltd" },
      { "if-match": current.headers.etag as string },
    );
    expect(ok.status).toBe(200);
    const stale = await cast.sales.patch(
      `/items/${key}/fields`,
      { customer: "ACME GmbH" },
      { "if-match": current.headers.etag as string },
    );
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      code: "version_conflict",
      current_version: ok.body.version,
    });
    expect((await cast.sales.get(`/items/${key}`)).body.fields.customer).toBe("ACME Ltd");
  });

  it("concurrent commands on one item all land in order, none lost", async () => {
    const key = await readyOnboardingItem(cast.sales);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        cast.sales.post(`/items/${key}/comments`, { body: `comment ${i}` }),
      ),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    const events = (await cast.sales.get(`/items/${key}/events`)).body.events;
    expect(events.filter((e: { type: string }) => e.type === "comment.added")).toHaveLength(12);
    expect(events.map((e: { seq: number }) => e.seq)).toEqual(
      events.map((_: unknown, i: number) => i + 1),
    );
  });

  it("only the team that acts next may act; comments are open to anyone", async () => {
    const key = await readyOnboardingItem(cast.sales);
    const r = await cast.outsider.post(`/items/${key}/checklist`, { index: 0, done: false });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe("not_your_team");
    expect(
      (await cast.outsider.post(`/items/${key}/comments`, { body: "Finance needs the PO number" }))
        .status,
    ).toBe(201);
    const admin = await b.admin.post(`/items/${key}/checklist`, { index: 0, done: false });
    expect(admin.status).toBe(200);
  });

  it("bad input is a 4xx problem that changes nothing", async () => {
    const key = await readyOnboardingItem(cast.sales);
    const cases: [string, Promise<{ status: number; body: { code: string } }>, number, string][] = [
      [
        "wrong type",
        cast.sales.post(`/items/${key}/checklist`, { index: "first", done: true }),
        400,
        "invalid_input",
      ],
      [
        "unknown field",
        cast.sales.patch(`/items/${key}/fields`, { colour: "red" }),
        400,
        "invalid_input",
      ],
      [
        "bad url",
        cast.sales.patch(`/items/${key}/fields`, { contract_url: "not a url" }),
        400,
        "invalid_input",
      ],
      [
        "bad choice",
        cast.sales.patch(`/items/${key}/fields`, { tier: "gold" }),
        400,
        "invalid_input",
      ],
      ["unknown item", cast.sales.get("/items/ONB-999999"), 404, "not_found"],
      ["unknown team queue", cast.sales.get("/teams/nope/queue"), 404, "not_found"],
      [
        "unknown workflow",
        cast.sales.post("/items", { workflow: "nope", title: "x" }),
        404,
        "not_found",
      ],
      ["wrong state", cast.sales.post(`/items/${key}/accept`), 409, "wrong_state"],
      [
        "bad reason",
        cast.impl.post(`/items/${key}/reject`, { reason: "meh", comment: "x" }),
        400,
        "invalid_input",
      ],
      [
        "checklist index",
        cast.sales.post(`/items/${key}/checklist`, { index: 9, done: true }),
        400,
        "invalid_input",
      ],
      [
        "bad if-match",
        cast.sales.post(`/items/${key}/claim`, {}, { "if-match": "yesterday" }),
        400,
        "invalid_input",
      ],
      ["no token", b.api("").get("/teams"), 401, "unauthenticated"],
      ["bad token", b.api("bt_nope").get("/teams"), 401, "unauthenticated"],
      ["non-admin", cast.sales.post("/teams", { key: "x", name: "X" }), 403, "admin_only"],
    ];
    for (const [what, p, status, code] of cases) {
      const r = await p;
      expect({ what, status: r.status, code: r.body.code }).toEqual({ what, status, code });
    }
    const malformed = await b.app.inject({
      method: "POST",
      url: `/api/v1/items/${key}/handoff`,
      headers: { authorization: `Bearer ${cast.sales.token}`, "content-type": "application/json" },
      payload: "{not json",
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe("invalid_input");
    expect((await cast.sales.get(`/items/${key}`)).body.version).toBe(3);
  });

  it("withdraw takes a handoff back; pause and resume hold the work", async () => {
    const { sales, impl } = cast;
    const key = await readyOnboardingItem(sales);
    await sales.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });
    expect((await impl.post(`/items/${key}/withdraw`)).body.code).toBe("not_your_team");
    const back = await sales.post(`/items/${key}/withdraw`);
    expect(back.body).toMatchObject({ state: "in_progress", step: "sell", handoff: null });
    const paused = await sales.post(`/items/${key}/pause`, {
      reason: "Waiting for the customer's IT contact",
    });
    expect(paused.body).toMatchObject({
      state: "paused",
      next: { team: "sales", action: expect.stringContaining("Resume") },
    });
    expect(
      (await sales.get("/teams/sales/queue")).body.paused.map((i: { key: string }) => i.key),
    ).toContain(key);
    expect((await sales.post(`/items/${key}/resume`)).body.state).toBe("in_progress");
  });

  it("claim and assign set who works on it within the acting team", async () => {
    const key = await readyOnboardingItem(cast.sales);
    expect((await cast.sales.post(`/items/${key}/claim`)).body.assignee).toBe("sam@example.com");
    const wrong = await cast.sales.post(`/items/${key}/assign`, { email: "ivy@example.com" });
    expect(wrong.status).toBe(422);
    expect(wrong.body.code).toBe("not_a_member");
    expect(
      (await cast.sales.post(`/items/${key}/assign`, { email: null })).body.assignee,
    ).toBeNull();
  });

  it("publishing a changed definition makes a new version; running items stay on theirs", async () => {
    const key = await readyOnboardingItem(cast.sales);
    const wf = await b.admin.get("/workflows/onboarding");
    const changed = wf.body.source.replace("name: Close the deal", "name: Win the deal");
    const r = await b.admin.put("/workflows/onboarding", changed);
    expect(r.body).toMatchObject({ version: 2, changed: true });
    const same = await b.admin.put("/workflows/onboarding", changed);
    expect(same.body).toMatchObject({ version: 2, changed: false });
    expect((await cast.sales.get(`/items/${key}`)).body).toMatchObject({
      workflow_version: 1,
      step_name: "Close the deal",
    });
    const fresh = await cast.sales.post("/items", { workflow: "onboarding", title: "New" });
    expect(fresh.body).toMatchObject({ workflow_version: 2, step_name: "Win the deal" });
    const versions = await b.admin.get("/workflows/onboarding/versions");
    expect(versions.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
  });

  it("rejects invalid definitions naming the path", async () => {
    const wf = await b.admin.get("/workflows/onboarding");
    const typo = wf.body.source.replace("to: implement", "to: implment");
    const r = await b.admin.put("/workflows/onboarding", typo);
    expect(r.status).toBe(422);
    expect(r.body.code).toBe("invalid_workflow");
    expect(r.body.errors).toContainEqual({
      path: "steps[0].handoff.to",
      message: 'unknown step "implment"',
    });
    const yaml = await b.admin.put("/workflows/onboarding", "key: [unclosed");
    expect(yaml.body.code).toBe("invalid_workflow");
    expect(yaml.body.detail).toMatch(/line 1/);
  });

  it("serves OpenAPI and the workflow JSON Schema", async () => {
    const doc = await b.app.inject({ method: "GET", url: "/api/docs/json" });
    expect(doc.json().openapi).toBe("3.1.0");
    expect(Object.keys(doc.json().paths)).toContain("/api/v1/items/{key}/handoff");
    const schema = await b.app.inject({ method: "GET", url: "/api/v1/schemas/workflow.json" });
    expect(schema.json().properties.steps).toBeDefined();
  });
});

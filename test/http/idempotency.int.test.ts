import pg from "pg";
import { describe, expect, it } from "vitest";
import { requestFingerprint } from "../../src/http/idempotency.ts";
import { castOnboarding, onboardingCriteria, readyOnboardingItem } from "../fixtures.ts";
import { dbKinds, useBaton, useSecondNode } from "../harness.ts";

/*
 * A client that retries a POST with the same Idempotency-Key (its connection dropped, it timed
 * out) must get the first answer back, on whichever node, without the command running twice.
 */
describe.each(dbKinds())("Idempotency-Key on $name", (kind) => {
  const b = useBaton(kind);
  const nodeB = useSecondNode(b);

  async function countItems(title: string): Promise<number> {
    const c = new pg.Client(b.databaseUrl);
    await c.connect();
    try {
      const r = await c.query("select count(*)::int as n from items where doc->>'title' = $1", [
        title,
      ]);
      return r.rows[0].n;
    } finally {
      await c.end();
    }
  }

  it("a retried create returns the first answer and creates one item", async () => {
    const { sales } = await castOnboarding(b, "-retry");
    const body = { workflow: "onboarding", title: "Retry Corp" };
    const first = await sales.post("/items", body, { "idempotency-key": "create-retry-1" });
    expect(first.status).toBe(201);
    const again = await sales.post("/items", body, { "idempotency-key": "create-retry-1" });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(first.headers["idempotent-replayed"]).toBeUndefined();
    expect(await countItems("Retry Corp")).toBe(1);

    // Without a key, the same request is a new item each time.
    await sales.post("/items", body);
    expect(await countItems("Retry Corp")).toBe(2);
  });

  it("a retry on another node gets the first answer, and a command runs once", async () => {
    const { sales } = await castOnboarding(b, "-nodes");
    const key = await readyOnboardingItem(sales);
    const submit = { confirm: onboardingCriteria };
    const first = await sales.post(`/items/${key}/handoff`, submit, {
      "idempotency-key": "handoff-1",
    });
    expect(first.status).toBe(200);
    const onB = await nodeB.app.inject({
      method: "POST",
      url: `/api/v1/items/${key}/handoff`,
      headers: {
        authorization: `Bearer ${sales.token}`,
        "content-type": "application/json",
        "idempotency-key": "handoff-1",
      },
      payload: JSON.stringify(submit),
    });
    // Without the key this would be a 409 wrong_state (already awaiting acceptance).
    expect(onB.statusCode).toBe(200);
    expect(onB.json()).toEqual(first.body);
    const events = (await sales.get(`/items/${key}/events`)).body.events;
    expect(events.filter((e: { type: string }) => e.type === "handoff.submitted")).toHaveLength(1);
  });

  it("a refusal is replayed as well, and keys are per user", async () => {
    const { sales, outsider } = await castOnboarding(b, "-refusal");
    const key = await readyOnboardingItem(sales);
    const refused = await outsider.post(`/items/${key}/accept`, {}, { "idempotency-key": "k" });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    const again = await outsider.post(`/items/${key}/accept`, {}, { "idempotency-key": "k" });
    expect(again).toMatchObject({ status: refused.status, body: refused.body });
    // Another user's identical key is theirs alone.
    const mine = await sales.post(
      `/items/${key}/comments`,
      { body: "hi" },
      { "idempotency-key": "k" },
    );
    expect(mine.status).toBeLessThan(300);
  });

  it("the same key with a different body is refused with 422 and changes nothing", async () => {
    const { sales } = await castOnboarding(b, "-reused");
    const first = await sales.post(
      "/items",
      { workflow: "onboarding", title: "Reused A" },
      { "idempotency-key": "reused" },
    );
    expect(first.status).toBe(201);
    const other = await sales.post(
      "/items",
      { workflow: "onboarding", title: "Reused B" },
      { "idempotency-key": "reused" },
    );
    expect(other.status).toBe(422);
    expect(other.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(other.body.code).toBe("idempotency_key_reused");
    expect(await countItems("Reused B")).toBe(0);
    // A different path under the same key is a different request too.
    const elsewhere = await sales.post(
      "/workflows/validate",
      { workflow: "onboarding", title: "Reused A" },
      { "idempotency-key": "reused" },
    );
    expect(elsewhere.body.code).toBe("idempotency_key_reused");
  });

  it("a duplicate sent while the first is still running gets 409 with Retry-After", async () => {
    const { sales } = await castOnboarding(b, "-inflight");
    const body = { workflow: "onboarding", title: "In flight" };
    const me = (await sales.get("/users/me")).body;
    const user = await b.engine.directory.getUser(me.email);
    // The first request holds the key (claimed, its transaction open), as it would mid-command.
    const begun = await b.engine.idempotency.begin({
      userId: user.id,
      key: "inflight",
      fingerprint: requestFingerprint("POST", "/api/v1/items", body),
    });
    if (!("claim" in begun)) throw new Error("expected to claim the key");
    const first = await b.engine.idempotency.start(begun.claim);
    const dup = await sales.post("/items", body, { "idempotency-key": "inflight" });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe("idempotency_in_progress");
    expect(dup.headers["retry-after"]).toBe("1");
    expect(await countItems("In flight")).toBe(0);
    // The first dies without an answer (its transaction rolls back): the retry runs at once.
    await first.abort();
    const retried = await sales.post("/items", body, { "idempotency-key": "inflight" });
    expect(retried.status).toBe(201);
    expect(await countItems("In flight")).toBe(1);

    // Concurrent duplicates: whatever each gets, one item exists.
    const all = await Promise.all(
      Array.from({ length: 6 }, () =>
        sales.post("/items", { ...body, title: "Racing" }, { "idempotency-key": "racing" }),
      ),
    );
    for (const r of all) expect([201, 409]).toContain(r.status);
    expect(await countItems("Racing")).toBe(1);
  });

  it("a request cut off after its command but before its answer leaves no effect, and its retry runs", async () => {
    const { sales } = await castOnboarding(b, "-cutoff");
    const body = { workflow: "onboarding", title: "Cut off" };
    const principal = await b.engine.directory.authenticate(sales.token);
    const begun = await b.engine.idempotency.begin({
      userId: principal.user.id,
      key: "cutoff",
      fingerprint: requestFingerprint("POST", "/api/v1/items", body),
    });
    if (!("claim" in begun)) throw new Error("expected to claim the key");
    const run = await b.engine.idempotency.start(begun.claim);
    // The command runs in the request's transaction, then the node "dies" before the answer.
    await run.enter(() => b.engine.items.create(principal, body));
    await run.abort();
    expect(await countItems("Cut off")).toBe(0);
    const retried = await sales.post("/items", body, { "idempotency-key": "cutoff" });
    expect(retried.status).toBe(201);
    expect(await countItems("Cut off")).toBe(1);
  });

  it("bad keys are refused with 400, never a 5xx", async () => {
    const { sales } = await castOnboarding(b, "-badkeys");
    const body = { workflow: "onboarding", title: "Bad key" };
    for (const key of ["x".repeat(256), "é", "  ", "a\u00ffb"]) {
      const r = await sales.post("/items", body, { "idempotency-key": key });
      expect(r.status, JSON.stringify(key)).toBe(400);
      expect(r.body.code).toBe("invalid_input");
    }
    const longest = await sales.post("/items", body, { "idempotency-key": "x".repeat(255) });
    expect(longest.status).toBe(201);
    expect(await countItems("Bad key")).toBe(1);
  });

  it("a key is forgotten after 24 hours and purged", async () => {
    const { sales } = await castOnboarding(b, "-expiry");
    const body = { workflow: "onboarding", title: "Expiring" };
    expect((await sales.post("/items", body, { "idempotency-key": "day" })).status).toBe(201);
    b.clock.advance(24 * 3_600_000 + 1_000);
    // A new request may use the key now.
    const later = await sales.post(
      "/items",
      { ...body, title: "Expiring 2" },
      { "idempotency-key": "day" },
    );
    expect(later.status).toBe(201);
    expect(later.headers["idempotent-replayed"]).toBeUndefined();
    b.clock.advance(24 * 3_600_000 + 1_000);
    expect(await b.engine.idempotency.purgeExpired({ batchSize: 1 })).toBeGreaterThanOrEqual(1);
    expect(await b.engine.idempotency.purgeExpired()).toBe(0);
  });
});

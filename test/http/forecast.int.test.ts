import { describe, expect, it } from "vitest";
import { dealsYaml, onWeekdayMornings } from "../deal-history.ts";
import { type ApiClient, oneDbKind, useBaton } from "../harness.ts";

/*
 * GET /items/{key}/forecast and the queue's `risk` on a history made through the API: Sales
 * hands deals to Implementation (accept within 4 business hours). Most are accepted in half an
 * hour; one in four waits a day and breaches.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe.each(oneDbKind())("forecasts on $name", (kind) => {
  const b = useBaton(kind);
  let sam: ApiClient;
  let ivy: ApiClient;

  /** One deal from creation to done, starting at the clock's now (a weekday, 09:00). */
  async function deal(waitMs: number): Promise<void> {
    const key = (await sam.post("/items", { workflow: "deals", title: "d" })).body.key;
    b.clock.advance(HOUR);
    await sam.post(`/items/${key}/handoff`, {});
    b.clock.advance(waitMs);
    await ivy.post(`/items/${key}/accept`);
    b.clock.advance(2 * HOUR);
    await ivy.post(`/items/${key}/complete`);
  }

  it("says there is too little history before there is any", async () => {
    await b.team("sales");
    await b.team("implementation");
    await b.workflow(dealsYaml());
    sam = await b.user("sam@example.com", ["sales"]);
    ivy = await b.user("ivy@example.com", ["implementation"]);
    const key = (await sam.post("/items", { workflow: "deals", title: "first" })).body.key;
    const f = await sam.get(`/items/${key}/forecast`);
    expect(f.status).toBe(200);
    expect(f.body).toEqual({
      key,
      breach: [],
      completion: {
        p50: null,
        p85: null,
        p95: null,
        late_probability: null,
        sample_size: 0,
        reason: 'too little history for the work at "Close the deal" (0 past cases, 20 needed)',
      },
      queue_depth: null,
    });
    await sam.post(`/items/${key}/cancel`, { reason: "test item" });
  });

  it("estimates the breach chance and the finish from 40 past deals, and ranks the queue by risk", async () => {
    // 40 deals on 40 weekday mornings: 30 accepted in 30 minutes, 10 at 08:00 the next day
    // (breached: 7 business hours), before the next deal is handed off.
    await onWeekdayMornings(b.clock, 40, (i) => deal(i % 4 === 3 ? 22 * HOUR : 30 * MIN));
    // A new deal handed off now (09:00 on a weekday), and its forecast.
    const key = (
      await sam.post("/items", {
        workflow: "deals",
        title: "new",
        due: new Date(b.clock.now.getTime() + 30 * DAY).toISOString(),
      })
    ).body.key;
    await sam.post(`/items/${key}/handoff`, {});
    const f = await ivy.get(`/items/${key}/forecast`);
    expect(f.status).toBe(200);
    const [accept] = f.body.breach;
    expect(accept).toMatchObject({ clock: "accept:1", kind: "accept", sample_size: 40 });
    expect(accept.probability).toBeCloseTo(10.5 / 41, 10);
    const { completion } = f.body;
    const now = b.clock.now.getTime();
    // Half an hour's wait and two hours' work: done by 11:30 in most futures, later in the rest.
    expect(Date.parse(completion.p50)).toBe(now + 150 * MIN);
    expect(Date.parse(completion.p85)).toBeGreaterThan(now + DAY);
    expect(completion.sample_size).toBe(40);
    expect(completion.late_probability).toBe(0);
    expect(f.body.queue_depth).toBe(0);

    // In Implementation's queue, the row carries the same chance as `risk`.
    const queue = await ivy.get("/teams/implementation/queue");
    const row = queue.body.incoming.find((i: { key: string }) => i.key === key);
    expect(row.risk).toBeCloseTo(10.5 / 41, 10);

    // Five business hours later the clock has breached already; a deal accepted into
    // Implementation runs no clock, so it has no risk.
    b.clock.advance(5 * HOUR);
    await ivy.post(`/items/${key}/accept`);
    const accepted = await ivy.get("/teams/implementation/queue");
    expect(accepted.body.in_progress.find((i: { key: string }) => i.key === key).risk).toBeNull();
  });

  it("answers 404 for an unknown item", async () => {
    const r = await sam.get("/items/DL-9999/forecast");
    expect(r.status).toBe(404);
    expect(r.body.code).toBe("not_found");
  });
});

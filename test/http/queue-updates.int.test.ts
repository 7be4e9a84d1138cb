import { brotliDecompressSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { castOnboarding, onboardingCriteria, readyOnboardingItem } from "../fixtures.ts";
import { oneDbKind, useBaton } from "../harness.ts";

/*
 * What a browser holding a queue needs to follow changes without downloading it again: the
 * rows of the items that changed (`keys`), rows without their clock arrays, and compressed
 * answers for the big reads (never for the live stream).
 */

const keysOf = (rows: { key: string }[]) => rows.map((r) => r.key);

describe.each(oneDbKind())("reading part of a queue on $name", (kind) => {
  const b = useBaton(kind);

  it("`keys` answers where each named item is now, and nothing for an item that left", async () => {
    const { sales, impl } = await castOnboarding(b);
    const a = await readyOnboardingItem(sales, { customer: "A" });
    const other = await readyOnboardingItem(sales, { customer: "B" });
    await sales.post(`/items/${a}/handoff`, { confirm: onboardingCriteria });
    await sales.post(`/items/${other}/handoff`, { confirm: onboardingCriteria });

    const before = await impl.get(`/teams/implementation/queue?keys=${a}`);
    expect(before.status).toBe(200);
    expect(keysOf(before.body.incoming)).toEqual([a]);
    expect(before.body.in_progress).toEqual([]);

    await impl.post(`/items/${a}/accept`, {});
    const after = await impl.get(`/teams/implementation/queue?keys=${a},${a}`);
    expect(after.body.incoming).toEqual([]);
    expect(keysOf(after.body.in_progress)).toEqual([a]);
    // Sales still sees it, waiting on Implementation; a team it never reached sees nothing.
    expect(
      keysOf((await sales.get(`/teams/sales/queue?keys=${a}`)).body.waiting_on_others),
    ).toEqual([a]);
    const support = (await b.admin.get(`/teams/support/queue?keys=${a},NOPE-1`)).body;
    for (const section of ["incoming", "in_progress", "waiting_on_others", "paused", "stalled"])
      expect(support[section]).toEqual([]);
  });

  it("`clocks=false` leaves out the clock arrays, not the deadline", async () => {
    const { sales } = await castOnboarding(b, "-2");
    const key = await readyOnboardingItem(sales);
    const full = (await sales.get(`/teams/sales/queue?keys=${key}`)).body.in_progress[0];
    const lean = (await sales.get(`/teams/sales/queue?keys=${key}&clocks=false`)).body
      .in_progress[0];
    expect(full.clocks.length).toBeGreaterThan(0);
    expect(lean.clocks).toBeUndefined();
    expect(lean.next_deadline).toEqual(full.next_deadline);
    expect(lean.sla).toBe(full.sla);
  });

  it("refuses more than 100 keys, naming the parameter", async () => {
    const keys = Array.from({ length: 101 }, (_, i) => `ONB-${i + 1}`).join(",");
    const r = await b.admin.get(`/teams/sales/queue?keys=${keys}`);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain("keys");
    expect((await b.admin.get("/teams/sales/queue?clocks=maybe")).status).toBe(400);
  });

  it("compresses big answers for clients that accept it, and leaves small ones plain", async () => {
    const { sales } = await castOnboarding(b, "-3");
    for (let i = 0; i < 12; i++) await readyOnboardingItem(sales, { customer: `C${i}` });
    const inject = (url: string, encoding: string) =>
      b.app.inject({
        method: "GET",
        url: `/api/v1${url}`,
        headers: { authorization: `Bearer ${sales.token}`, "accept-encoding": encoding },
      });
    const big = await inject("/teams/sales/queue", "gzip, br");
    expect(big.headers["content-encoding"]).toBe("br");
    const plain = await inject("/teams/sales/queue", "identity");
    expect(big.rawPayload.length).toBeLessThan(plain.rawPayload.length / 4);
    expect(JSON.parse(brotliDecompressSync(big.rawPayload).toString())).toEqual(plain.json());

    const small = await inject("/users/me", "gzip, br");
    expect(small.statusCode).toBe(200);
    expect(small.headers["content-encoding"]).toBeUndefined();
  });
});

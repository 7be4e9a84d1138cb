import { afterAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine/engine.ts";
import { openDb } from "../../src/store/db.ts";
import { findItem, listEvents } from "../../src/store/items.ts";
import { castOnboarding, onboardingCriteria, readyOnboardingItem } from "../fixtures.ts";
import { dbKinds, useBaton } from "../harness.ts";

/*
 * Each node decides a command on its own recent copy of the item first. These tests take turns
 * on two nodes of one database, so every command on one node finds its copy made stale by the
 * other: the outcome must be exactly what one node alone would produce.
 */
describe.each(dbKinds())("two nodes on one $name database", (kind) => {
  const b = useBaton(kind);
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of closers.reverse()) await c();
  });

  async function secondNode(): Promise<Engine> {
    const db = openDb(b.databaseUrl, { max: 2 });
    const engine = createEngine({ db, clock: b.clock.read });
    closers.push(
      () => db.destroy(),
      () => engine.close(),
    );
    return engine;
  }

  it("commands alternating between nodes each act on the latest state", async () => {
    const { sales, impl } = await castOnboarding(b);
    const nodeB = await secondNode();
    const ivy = await nodeB.directory.authenticate(impl.token);
    const sam = await nodeB.directory.authenticate(sales.token);

    const key = await readyOnboardingItem(sales); // node A remembers the item now
    await sales.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });
    // Node B rejects: node A's copy (awaiting acceptance) is stale from here on.
    const rejected = await nodeB.items.run(ivy, key, {
      type: "reject",
      reason: "incomplete",
      comment: "No go-live date",
      failedCriteria: [],
    });
    expect(rejected.item.status).toBe("in_progress");

    // On node A, a stale copy would refuse the handoff (already awaiting) — it must not.
    const again = await sales.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      state: "awaiting_acceptance",
      version: rejected.item.version + 1,
    });

    // Node B's copy is stale now; If-Match with the true version still succeeds there.
    const v = again.body.version as number;
    const accepted = await nodeB.items.run(ivy, key, { type: "accept" }, v);
    expect(accepted.item).toMatchObject({ status: "in_progress", version: v + 1 });
    // And a stale If-Match is refused whichever copy a node holds.
    await expect(nodeB.items.run(sam, key, { type: "comment", body: "hi" }, v)).rejects.toThrow(
      /changed by someone else|version/,
    );

    const stored = await findItem(b.engine.db, key);
    const events = await listEvents(b.engine.db, stored?.id as string);
    expect(events.map((e) => e.type).slice(-4)).toEqual([
      "handoff.submitted",
      "handoff.rejected",
      "handoff.submitted",
      "handoff.accepted",
    ]);
    expect(stored?.item.version).toBe(events.length);
  });

  it("a no-op on a stale copy is checked against the stored item", async () => {
    const { sales, impl } = await castOnboarding(b, "-noop");
    const nodeB = await secondNode();
    const key = await readyOnboardingItem(sales);
    await sales.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });
    await impl.post(`/items/${key}/accept`); // node A: Ivy is the assignee
    // Node B unassigns; node A still remembers Ivy as the assignee.
    await nodeB.items.run(await nodeB.directory.authenticate(impl.token), key, {
      type: "assign",
      email: null,
    });
    // Claiming looks like a no-op on A's copy; it must claim for real.
    const claimed = await impl.post(`/items/${key}/claim`);
    expect(claimed.body.assignee).toBe("ivy-noop@example.com");
    expect((await impl.get(`/items/${key}/events`)).body.events.at(-1).type).toBe("item.assigned");
  });

  it("items created concurrently on two nodes get distinct keys in order of their numbers", async () => {
    const { sales } = await castOnboarding(b, "-keys");
    const nodeB = await secondNode();
    const sam = await nodeB.directory.authenticate(sales.token);
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2
          ? sales.post("/items", { workflow: "onboarding", title: `A${i}` }).then((r) => r.body.key)
          : nodeB.items
              .create(sam, { workflow: "onboarding", title: `B${i}` })
              .then((v) => v.item.key),
      ),
    );
    expect(new Set(created).size).toBe(20);
    for (const key of created) {
      expect(key).toMatch(/^ONB-\d+$/);
      // The stored item, its first event and the answer all carry the key it was given.
      const stored = await findItem(b.engine.db, key);
      expect(stored?.item.key).toBe(key);
      const [first] = await listEvents(b.engine.db, stored?.id as string);
      expect(first?.data).toMatchObject({ key });
    }
  });
});

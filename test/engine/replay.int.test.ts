import { describe, expect, it } from "vitest";
import { replay } from "../../src/domain/item.ts";
import { findItem, listEvents } from "../../src/store/items.ts";
import { castOnboarding, onboardingCriteria, readyOnboardingItem } from "../fixtures.ts";
import { dbKinds, useBaton } from "../harness.ts";

describe.each(dbKinds())("the event log on $name", (kind) => {
  const b = useBaton(kind);

  it("replaying each item's stored events reproduces its stored projection exactly", async () => {
    const { sales, impl, support, outsider } = await castOnboarding(b);
    const keys: string[] = [];
    for (let i = 0; i < 6; i++) {
      b.clock.advance(60_000);
      const key = await readyOnboardingItem(sales, {
        tier: i % 2 ? "enterprise" : "smb",
        go_live: "2026-06-01",
      });
      keys.push(key);
      await outsider.post(`/items/${key}/comments`, { body: "Finance is watching" });
      await sales.post(`/items/${key}/handoff`, {
        note: `attempt ${i}`,
        confirm: onboardingCriteria,
      });
      if (i % 3 === 0) {
        await impl.post(`/items/${key}/reject`, { reason: "incorrect", comment: "Wrong tier" });
        await sales.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });
      }
      if (i === 4) continue; // left awaiting acceptance
      await impl.post(`/items/${key}/accept`);
      if (i === 5) {
        await impl.post(`/items/${key}/cancel`, { reason: "Customer withdrew" });
        continue;
      }
      for (const index of [0, 1]) await impl.post(`/items/${key}/checklist`, { index, done: true });
      await impl.post(`/items/${key}/handoff`, {
        confirm: ["Customer signed off the setup", "Runbook written"],
      });
      if (i === 1) {
        await support.post(`/items/${key}/accept`);
        await support.post(`/items/${key}/pause`, { reason: "Customer on holiday" });
      }
    }
    for (const key of keys) {
      const stored = await findItem(b.engine.db, key);
      if (!stored) throw new Error(`no ${key}`);
      const events = await listEvents(b.engine.db, stored.id);
      expect(replay(events)).toEqual(stored.item);
      expect(stored.item.version).toBe(events.length);
    }
  });

  it("a command that fails writes no event", async () => {
    const { sales } = await castOnboarding(b, "-2");
    const created = await sales.post("/items", { workflow: "onboarding", title: "Empty" });
    const before = await b.engine.items.events(created.body.key);
    expect((await sales.post(`/items/${created.body.key}/handoff`, {})).status).toBe(422);
    expect(await b.engine.items.events(created.body.key)).toEqual(before);
  });
});

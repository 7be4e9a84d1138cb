import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ItemEvent } from "../../src/domain/item.ts";
import { findItem, type ItemSla, insertItem, listEvents } from "../../src/store/items.ts";
import { castOnboarding } from "../fixtures.ts";
import { dbKinds, useBaton } from "../harness.ts";

/*
 * Item numbers come from a sequence, which never gives a number back. The insert that takes one
 * must therefore read everything that could make it fail before it calls nextval: a create the
 * database refuses leaves no gap in the numbers.
 */

describe.each(dbKinds())("item numbers on $name", (kind) => {
  const b = useBaton(kind);

  it("an insert the database refuses uses no number: the next item gets the next one", async () => {
    const { sales } = await castOnboarding(b);
    const create = () => sales.post("/items", { workflow: "onboarding", title: "ACME" });
    const first = await create();
    expect(first.body.key).toBe("ONB-1");

    // A copy of the first item, inserted straight into the store (past the domain's checks),
    // with what PostgreSQL refuses only once it reads the events or the timers.
    const loaded = await findItem(b.engine.db, "ONB-1");
    if (!loaded) throw new Error("ONB-1 missing");
    const [created] = await listEvents(b.engine.db, loaded.id);
    const placeholder = `ONB-${randomUUID()}`;
    const item = { ...loaded.item, key: placeholder };
    const event = (data: Record<string, unknown>) =>
      [{ type: created?.type, actor: created?.actor, at: created?.at, data }] as ItemEvent[];
    const sla = (timers: ItemSla["timers"] = []): ItemSla => ({
      urgency: 3,
      nextDueAt: null,
      questionTeams: [],
      timers,
    });
    const insert = (events: ItemEvent[], s: ItemSla) =>
      insertItem(b.engine.db, { prefix: "ONB", placeholder }, item, events, s);

    // jsonb refuses \u0000 and a lone surrogate in an event's data.
    await expect(insert(event({ title: "a\u0000b" }), sla())).rejects.toThrow(/Unicode/);
    await expect(insert(event({ title: "x\ud800y" }), sla())).rejects.toThrow(/json/);
    // timestamptz refuses a year beyond 9999 (JavaScript writes it +010000-…) in a timer.
    const far = [{ key: "due", dueAt: "+010000-01-01T00:00:00.000Z", payload: {} }];
    await expect(insert(event({ key: placeholder }), sla(far))).rejects.toThrow(/range/);

    expect((await create()).body.key).toBe("ONB-2");
  });
});

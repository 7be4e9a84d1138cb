import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { afterItemChange, keys } from "../../web/src/api/queries.ts";
import type { Item } from "../../web/src/api/types.ts";

/*
 * The web app's item cache, fed by the answers of the commands a user runs. Two commands in
 * flight at once (a field saved as focus leaves it, a checklist item ticked) can answer out of
 * order; the page must show the newer item, or a tick made a moment ago looks undone until the
 * page is reloaded.
 */

const item = (version: number, done: boolean) =>
  ({
    key: "ONB-1",
    version,
    owner_team: "sales",
    next: null,
    teams: ["sales"],
    questions: [],
    checklist: [{ index: 0, text: "Contract signed", done }],
  }) as unknown as Item;

describe("the item cache", () => {
  it("keeps the newer item when an older answer arrives after it", () => {
    const qc = new QueryClient();
    afterItemChange(qc, item(3, true));
    afterItemChange(qc, item(2, false));
    expect(qc.getQueryData<Item>(keys.item("ONB-1"))?.version).toBe(3);
    expect(qc.getQueryData<Item>(keys.item("ONB-1"))?.checklist[0]?.done).toBe(true);
    afterItemChange(qc, item(4, false));
    expect(qc.getQueryData<Item>(keys.item("ONB-1"))?.version).toBe(4);
    qc.clear();
  });
});

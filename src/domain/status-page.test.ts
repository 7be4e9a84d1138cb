import { describe, expect, it } from "vitest";
import { statusView } from "./status-page.ts";
import { handoffWorkflow, itemLife } from "./test-fixtures.ts";

/* The expected date on the requester's page: a promised due date, else the forecast, else a clock. */

const now = new Date("2026-03-02T10:00:00Z"); // Monday
const base = {
  def: handoffWorkflow,
  clocks: [],
  teamName: (k: string) => (k === "sales" ? "Sales" : k),
  timezone: "UTC",
  now,
};

describe("status page expected date", () => {
  it("says when the forecast expects the work done when no due date promises one", () => {
    const item = itemLife("W-1", { created: now.getTime() - 3_600_000 });
    const v = statusView({
      ...base,
      item,
      forecast: { p50: "2026-03-06T12:00:00Z", p85: "2026-03-10T12:00:00Z" },
    });
    expect(v.expected).toBe(
      "Expected to be done around Friday 6 March (very likely by Tuesday 10 March)",
    );
    expect(v.headline).toBe("With Sales since today — they are working on “Sell”.");
  });

  it("prefers the item's due date to the forecast, and says nothing without either", () => {
    const item = { ...itemLife("W-2", { created: now.getTime() }), due: "2026-03-20T17:00:00Z" };
    const forecast = { p50: "2026-03-06T12:00:00Z", p85: "2026-03-10T12:00:00Z" };
    expect(statusView({ ...base, item, forecast }).expected).toBe("Expected by Friday 20 March");
    expect(statusView({ ...base, item: { ...item, due: null } }).expected).toBeNull();
  });
});

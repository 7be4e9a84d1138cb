import { describe, expect, it } from "vitest";
import { digestEdges, dueDigestWeek } from "./review-digest.ts";

describe("dueDigestWeek", () => {
  it("is nothing on Monday before 07:00 UTC (last week's was due all week before)", () => {
    expect(dueDigestWeek(new Date("2026-03-09T06:59:59Z"))).toBeNull();
  });
  it.each([
    ["2026-03-09T07:00:00Z", "2026-03-02", "2026-W10"],
    // Any later day of the week: the same week (a node down on Monday catches up).
    ["2026-03-13T18:00:00Z", "2026-03-02", "2026-W10"],
    ["2026-03-15T23:59:59Z", "2026-03-02", "2026-W10"],
    // ISO years: 29 Dec 2025 starts 2026-W01; 2026 has 53 weeks.
    ["2026-01-05T08:00:00Z", "2025-12-29", "2026-W01"],
    ["2027-01-04T07:00:00Z", "2026-12-28", "2026-W53"],
  ])("at %s the due week starts %s (%s)", (now, monday, label) => {
    const w = dueDigestWeek(new Date(now));
    expect(w).toMatchObject({ monday, label, from: `${monday}T00:00:00.000Z` });
    expect(Date.parse(w?.to ?? "") - Date.parse(w?.from ?? "")).toBe(7 * 86_400_000);
  });
});

describe("digestEdges", () => {
  const edge = {
    workflow: "w",
    from_step: "a",
    to_step: "b",
    from_team: "x",
    to_team: "y",
    submitted: 4,
    rejected: 0,
    rejection_rate: 0,
    bounces: 0,
    limbo_p85_s: 7200,
    limbo_business_p85_s: 1800,
    accept_within: "1h",
    accept_within_s: 3600,
    accept_within_wall: false,
    in_limbo_now: 0,
    suggestions: [],
  };
  it("compares p85 with the limit in the limit's own terms, and puts edges over it first", () => {
    const [first, second] = digestEdges([
      { ...edge, to_step: "business" },
      { ...edge, to_step: "wall", accept_within_wall: true, rejected: 0 },
    ]);
    expect(first).toMatchObject({ to_step: "wall", over_limit: true });
    expect(second).toMatchObject({ to_step: "business", over_limit: false });
  });
  it("leaves out edges with no handoff in the week and nothing in limbo", () => {
    expect(digestEdges([{ ...edge, submitted: 0 }])).toEqual([]);
    expect(digestEdges([{ ...edge, submitted: 0, in_limbo_now: 1 }])).toHaveLength(1);
  });
});

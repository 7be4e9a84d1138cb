import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { audit } from "./axe.ts";
import { useE2e } from "./fixture.ts";
import { seedReviewHistory } from "./review-history.ts";

/*
 * The review page on eight weeks of onboarding history: per edge the limbo against the limit,
 * rejections with their reasons and comments, the criteria that failed, rework, survey scores
 * and comments, what is stalled now, and the suggestions with their evidence; a suggestion
 * becomes a draft in the workflow editor, shown as a diff, that the admin publishes.
 */

describe("the review page", () => {
  const e = useE2e();
  let page: Page;

  beforeAll(async () => {
    await seedReviewHistory(e);
  }, 120_000);

  it("is reached from the navigation and the workflow page", async () => {
    page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "sam@example.com");
    await page.goto("/");
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Review" })
      .click();
    await page.getByRole("link", { name: "Review of Customer onboarding" }).click();
    await page.getByRole("heading", { name: "Review: Customer onboarding", level: 1 }).waitFor();
    await page.goto("/workflows/onboarding");
    await page.getByRole("link", { name: "Review how handoffs go in this workflow" }).click();
    await page.getByRole("heading", { name: "Review: Customer onboarding", level: 1 }).waitFor();
  });

  it("shows each edge's figures, words, stalled items and suggestions with evidence", async () => {
    const review = (await e.api["sam@example.com"]?.get("/review/onboarding"))?.body;
    const sell = review.edges.find((x: { from_step: string }) => x.from_step === "sell");
    expect(sell.rejected).toBeGreaterThan(3);
    const section = page.getByRole("region", { name: "Close the deal → Implement" });
    await section.waitFor();

    // Limbo p85 in Implementation's business time is over the 4 h limit: said in red words.
    const limbo = section.getByTestId("limbo");
    expect(await limbo.textContent()).toContain("p85 over the 4h limit");
    const rejected = section.getByTestId("rejected");
    expect(await rejected.textContent()).toContain(
      `${Math.round(sell.rejection_rate * 100)} % (${sell.rejected} of ${sell.submitted})`,
    );
    expect(await rejected.textContent()).toMatch(/Incomplete \d+/);
    expect(await section.getByTestId("rework").textContent()).toContain(
      `${sell.rejected} returns · ${sell.questions_after_accept} questions · 0 bounces`,
    );
    expect(await section.getByTestId("surveys").textContent()).toMatch(/\d\.\d \/ 5 \(\d+\)/);

    // Why handoffs came back, with the comments and the criteria that failed.
    await section
      .getByRole("list", { name: "Reject comments, Close the deal → Implement" })
      .getByText(/go-live date/i)
      .first()
      .waitFor();
    const failed = section.getByRole("list", {
      name: "Criteria failed, Close the deal → Implement",
    });
    await failed.getByText(/^Go-live date agreed with the customer: \d+ times?$/).waitFor();
    await section
      .getByRole("list", { name: "Survey comments, Close the deal → Implement" })
      .getByText(/Had to chase the go-live date again\.|Requirements were thin/)
      .first()
      .waitFor();

    // What is stuck now: the handoffs awaiting Implementation, oldest over the limit.
    expect(sell.stalled.length).toBeGreaterThanOrEqual(3);
    const stalled = section.getByRole("table", {
      name: "Stalled handoffs, Close the deal → Implement",
    });
    for (const s of sell.stalled) await stalled.getByRole("link", { name: s.key }).waitFor();
    await stalled.getByText("over the limit").first().waitFor();

    // The suggestions, each with its evidence.
    const goLive = section.getByRole("article").filter({ hasText: 'asking for "Go-live date"' });
    expect(await goLive.textContent()).toMatch(
      /Named in \d+ items: \d+ reject comments and \d+ questions/,
    );
    const limit = section
      .getByRole("article")
      .filter({ hasText: "Limbo p85 is above accept_within" });
    expect(await limit.textContent()).toMatch(/against a limit of 4h, over \d+ decided handoffs/);
    const support = page.getByRole("region", { name: "Implement → Support" });
    await support.getByText('"Runbook written" has never failed: consider dropping it').waitFor();
    expect(await support.getByTestId("surveys").textContent()).toMatch(
      /^Survey scores\d\.\d \/ 5 \(\d+\)/,
    );
    await e.shot(page, "review", true);
    expect(await audit(page)).toEqual([]);
    // The same in dark mode.
    await page.emulateMedia({ colorScheme: "dark" });
    await page.waitForTimeout(200);
    expect(await audit(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("compares every figure between two versions and between two periods", async () => {
    await page.goto("/workflows/onboarding/review");
    await page.getByRole("tab", { name: "Before and after" }).click();
    await page.getByText("Compare two versions or two periods").waitFor();
    await page.locator("label", { hasText: "Two versions" }).click();
    const sides = page.getByTestId("compare-sides");
    await sides.getByText(/^Before: version 1, .* After: version 2, /).waitFor();
    const api = (
      await e.api["sam@example.com"]?.get(
        "/metrics/edges?workflow=onboarding&version=2&compare=version:1",
      )
    )?.body;
    type Edge = { from_step: string; rejection_rate: number; submitted: number; rejected: number };
    const sell = (x: { edges: Edge[] }) => x.edges.find((y) => y.from_step === "sell") as Edge;
    const [before, after] = [sell(api.compare), sell(api)];
    const edges = page
      .getByRole("table", { name: "Handoff edges" })
      .locator("tbody")
      .filter({ hasText: "Close the deal → Implement" });
    const row = edges.getByRole("row", { name: /^Rejection rate/ }).first();
    const cells = await row.getByRole("cell").allTextContents();
    expect(cells.slice(0, 2)).toEqual([
      `${Math.round(before.rejection_rate * 100)} %`,
      `${Math.round(after.rejection_rate * 100)} %`,
    ]);
    // Fewer rejections on version 2, which requires the customer success manager.
    expect(after.rejection_rate).toBeLessThan(before.rejection_rate);
    expect(cells[2]).toMatch(/^−\d+ pts \(better\)$/);
    const submitted = await edges
      .getByRole("row", { name: /^Handoffs submitted/ })
      .first()
      .getByRole("cell")
      .allTextContents();
    expect(submitted.slice(0, 2)).toEqual([String(before.submitted), String(after.submitted)]);
    await page.getByRole("table", { name: "Teams" }).getByText("Implementation").waitFor();
    await page
      .getByRole("table", { name: "Whole workflow" })
      .getByRole("row", { name: /^Cycle time p85/ })
      .waitFor();
    await page.getByRole("table", { name: "Steps" }).getByText("Implement").first().waitFor();
    await e.shot(page, "review-compare", true);
    // The edge tiles show the version before beside each figure too.
    await page.getByRole("tab", { name: "Handoff edges" }).click();
    const tile = page
      .getByRole("region", { name: "Close the deal → Implement" })
      .getByTestId("rejected");
    expect(await tile.getByTestId("before").textContent()).toBe(
      `Before: ${Math.round(before.rejection_rate * 100)} % (${before.rejected} of ${before.submitted})`,
    );
    await page.getByRole("tab", { name: "Before and after" }).click();

    // Two periods: the chosen one against the one of the same length before it.
    await page.locator("label", { hasText: "Two periods" }).click();
    await sides
      .getByText(/^Before: [A-Z][a-z]{2} \d+, \d{4} – .* After: [A-Z][a-z]{2} \d+, \d{4} – /)
      .waitFor();
    // The period before is as long as the one shown and ends where it begins.
    const shown = (await e.api["sam@example.com"]?.get("/review/onboarding"))?.body.period;
    const q = new URL(page.url()).searchParams;
    expect(q.get("compare_to")).toBe(
      new Date(Date.parse(shown.from) - 1).toISOString().slice(0, 10),
    );
    expect(
      Date.parse(shown.from) - Date.parse(`${q.get("compare_from")}T00:00:00Z`),
    ).toBeGreaterThan(89 * 86_400_000);
    await page
      .getByRole("table", { name: "Handoff edges" })
      .getByRole("row", { name: /^Limbo p85/ })
      .first()
      .waitFor();
    expect(await audit(page)).toEqual([]);
  });

  it("draws the workflow map with the handoffs coloured by limbo time or rejection rate", async () => {
    const review = (await e.api["sam@example.com"]?.get("/review/onboarding"))?.body;
    const sell = review.edges.find((x: { from_step: string }) => x.from_step === "sell");
    await page.goto("/workflows/onboarding/review");
    await page.getByRole("tab", { name: "Map" }).click();
    const map = page.getByRole("figure", {
      name: /coloured by limbo p85 against the acceptance limit/,
    });
    await map.getByText("Close the deal").waitFor();
    // Sales → Implementation is over its 4 h limit: a red arrow that says so in words.
    const label = map.getByText(/^p85 .+ \/ 4h$/);
    await label.waitFor();
    const [border, red] = await label.evaluate((el) => [
      getComputedStyle(el).borderTopColor,
      getComputedStyle(document.body).getPropertyValue("--baton-red"),
    ]);
    expect(await label.getAttribute("data-tone")).toBe("bad");
    expect(border).not.toBe("");
    expect(red).not.toBe("");
    const table = page.getByRole("table", {
      name: "Handoffs by limbo p85 against the acceptance limit",
    });
    await table
      .getByRole("row", { name: /Close the deal → Implement .* over the limit/ })
      .waitFor();
    await e.shot(page, "review-map", true);

    await page.locator("label", { hasText: "Rejection rate" }).click();
    const rejections = page.getByRole("figure", { name: /coloured by rejection rate/ });
    await rejections.getByText(`${Math.round(sell.rejection_rate * 100)} % rejected`).waitFor();
    expect(page.url()).toContain("colour=rejections");
    await page
      .getByRole("table", { name: "Handoffs by rejection rate" })
      .getByRole("row", {
        name: new RegExp(
          `Close the deal → Implement ${Math.round(sell.rejection_rate * 100)} % rejected`,
        ),
      })
      .waitFor();
    expect(await audit(page)).toEqual([]);
  });

  it("draws six charts from a chunk of their own, each with its numbers as a table and as CSV", async () => {
    const flow = (await e.api["sam@example.com"]?.get("/metrics/flow?workflow=onboarding"))?.body;
    const scripts: string[] = [];
    page.on("request", (r) => {
      if (r.resourceType() === "script") scripts.push(r.url());
    });
    await page.goto("/workflows/onboarding/review");
    await page.getByRole("region", { name: "Close the deal → Implement" }).waitFor();
    const before = scripts.length;
    await page.getByRole("tab", { name: "Charts" }).click();
    for (const name of [
      /^Line chart: limbo p50 and p85 per week/,
      /^Stacked bar chart: rejections by reason/,
      /^Bar chart: service-level attainment of \d+ teams/,
      /^Cumulative flow diagram over \d+ days: \d+ items done/,
      /^Scatterplot: cycle times of \d+ items with p50, p85 and p95 lines/,
      /^Chart: \d+ open items by time in their step/,
    ]) {
      const chart = page.getByRole("img", { name });
      // Drawn: the SVG has its axes and marks (a straight axis line has no height, so not "visible").
      await chart.locator("svg path").first().waitFor({ state: "attached" });
      expect(await chart.locator("svg path").count()).toBeGreaterThan(5);
    }
    // The charts (and ECharts) arrived only when the tab opened.
    expect(scripts.length).toBeGreaterThan(before);
    // The cycle-time percentiles are drawn as labelled lines.
    const cycle = page.getByTestId("chart-cycle");
    for (const p of ["p50", "p85", "p95"])
      await cycle.locator("text", { hasText: p }).first().waitFor();
    await e.shot(page, "review-charts", true);

    // The table under a chart: every open item of the ageing chart, with its step's history.
    const ageing = page.getByRole("region", { name: "Ageing work in progress" });
    await ageing.getByText("The numbers as a table").click();
    const rows = ageing.getByRole("table", { name: "Ageing work in progress" }).locator("tbody tr");
    expect(await rows.count()).toBe(flow.ageing.length);
    expect(flow.ageing.length).toBeGreaterThan(0);

    // The CSV of the cumulative flow, as the link downloads it.
    const cfd = page.getByRole("region", { name: "Cumulative flow" });
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      cfd.getByRole("link", { name: "Cumulative flow as CSV" }).click(),
    ]);
    const path = await download.path();
    const text = (await import("node:fs")).readFileSync(path, "utf8");
    expect(text.split("\r\n")[0]?.split(",")).toEqual(
      expect.arrayContaining(["day", "done", "implement"]),
    );
    expect(text.split("\r\n").length).toBeGreaterThan(30);

    expect(await audit(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: "dark" });
    await page
      .getByRole("img", { name: /^Line chart: limbo/ })
      .locator("svg path")
      .first()
      .waitFor({ state: "attached" });
    expect(await audit(page)).toEqual([]);
    await e.shot(page, "review-charts-dark", true);
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("narrows the review to one team's handoffs, or to one edge", async () => {
    await page.goto("/workflows/onboarding/review");
    await page.getByRole("region", { name: "Close the deal → Implement" }).waitFor();
    await page.getByRole("combobox", { name: "Team" }).click();
    await page.getByRole("option", { name: "Support", exact: true }).click();
    await page.getByRole("region", { name: "Implement → Support" }).waitFor();
    await page
      .getByRole("region", { name: "Close the deal → Implement" })
      .waitFor({ state: "detached" });
    expect(page.url()).toContain("team=support");
    // And to one handoff edge.
    await page.goto("/workflows/onboarding/review");
    await page.getByRole("combobox", { name: "Handoff" }).click();
    await page.getByRole("option", { name: "Close the deal → Implement" }).click();
    await page.getByRole("region", { name: "Close the deal → Implement" }).waitFor();
    await page.getByRole("region", { name: "Implement → Support" }).waitFor({ state: "detached" });
    expect(page.url()).toContain("edge=sell%3Aimplement");
    await page.goto("/workflows/onboarding/review");
  });

  it("reads on a phone without scrolling sideways", async () => {
    const phone = await (await e.context(390)).newPage();
    await e.signInQuickly(phone.context(), "sam@example.com");
    await phone.goto("/workflows/onboarding/review");
    const section = phone.getByRole("region", { name: "Close the deal → Implement" });
    await section.getByTestId("limbo").waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await e.shot(phone, "review-phone");
    await phone.getByRole("tab", { name: "Charts" }).click();
    await phone
      .getByRole("img", { name: /^Cumulative flow diagram/ })
      .locator("svg")
      .waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await e.shot(phone, "review-charts-phone");
    await phone.context().close();
  });

  it("turns a suggestion into a draft the admin publishes from the editor", async () => {
    const admin = await (await e.context()).newPage();
    await e.signInQuickly(admin.context(), "admin@baton.local");
    await admin.goto("/workflows/onboarding/review");
    const section = admin.getByRole("region", { name: "Close the deal → Implement" });
    await section
      .getByRole("link", { name: /^Draft the change: Receivers keep asking for "Go-live date"/ })
      .click();
    const banner = admin.getByTestId("draft");
    await banner.getByText(/Receivers keep asking for "Go-live date"/).waitFor();
    const diff = admin.getByTestId("version-diff");
    await diff
      .getByText("requires: [customer, contract_url, tier, requirements_url, csm, go_live]")
      .waitFor();
    await diff
      .getByText("requires: [customer, contract_url, tier, requirements_url, csm]")
      .waitFor();
    await admin.getByText("Changes against version 2").waitFor();
    await admin.getByTestId("validation").getByText("Valid definition").waitFor();
    await e.shot(admin, "review-draft");
    await admin.getByRole("button", { name: "Publish" }).click();
    await admin.getByText("Published onboarding version 3.", { exact: false }).waitFor();
    const v3 = (await e.baton.admin.get("/workflows/onboarding")).body;
    expect(v3.version).toBe(3);
    expect(v3.definition.steps[0].handoff.requires).toContain("go_live");
    // The suggestion is gone from the review of the new version.
    await admin.goto("/workflows/onboarding/review");
    await admin.getByRole("region", { name: "Close the deal → Implement" }).waitFor();
    expect(await admin.getByText('asking for "Go-live date"').count()).toBe(0);
    await admin.context().close();
  });
});

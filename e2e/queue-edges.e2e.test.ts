import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { onboardingCriteria, readyOnboardingItem } from "../test/fixtures.ts";
import { useE2e } from "./fixture.ts";

/*
 * The queue's rough edges: a one-key accept that can be undone, j/k moving real focus, and the
 * queue on a 390 × 844 phone with its first rows on screen.
 */

/** The key of the row holding focus, if focus is in a row. */
const focusedRow = (page: Page) =>
  page.evaluate(
    () => document.activeElement?.closest("[data-key]")?.getAttribute("data-key") ?? null,
  );

describe("the team queue's rough edges", () => {
  const e = useE2e();
  const incoming: string[] = [];

  it("seeds incoming handoffs for Implementation", async () => {
    const sam = e.api["sam@example.com"];
    if (!sam) throw new Error("no demo user sam");
    for (let i = 0; i < 8; i++) {
      const key = await readyOnboardingItem(sam, { customer: `Customer ${i + 1}` });
      const r = await sam.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });
      expect(r.status).toBe(200);
      incoming.push(key);
    }
  });

  it("an accept with `a` or the row's button can be undone for a few seconds", async () => {
    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "ivy@example.com");
    await page.goto("/teams/implementation");
    const first = incoming[0] as string;
    const accepts: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && r.url().endsWith("/accept")) accepts.push(r.url());
    });
    await page.locator(`[data-key="${first}"]`).click({ position: { x: 300, y: 20 } });
    await page.keyboard.press("a");
    const toast = page.locator(".mantine-Notification-root").filter({ hasText: first });
    await toast.getByRole("button", { name: "Undo" }).click();
    await toast.getByText(`${first} not accepted`, { exact: false }).waitFor();

    // The row's button: Undo takes the place of Accept while the window is open.
    const second = incoming[1] as string;
    const row = page.locator(`[data-key="${second}"]`);
    await row.getByRole("button", { name: `Accept ${second}` }).click();
    await row.getByRole("button", { name: `Undo ${second}` }).waitFor();
    // Left alone, the accept goes through.
    await page.getByText(`${second} accepted.`).waitFor({ timeout: 10_000 });
    const ivy = e.api["ivy@example.com"];
    expect((await ivy?.get(`/items/${second}`))?.body.state).toBe("in_progress");

    // The second accept was sent after its own undo window, which opened after the first's:
    // so the first's window is over too, and the undone accept was never sent. It still waits
    // in Incoming. (This wait used to be six seconds of its own.)
    expect(accepts).toEqual([expect.stringContaining(`/items/${second}/accept`)]);
    expect((await ivy?.get(`/items/${first}`))?.body.state).toBe("awaiting_acceptance");
    await page.locator(`[data-key="${first}"]`).waitFor();
  });

  it("j and k move focus with the cursor, so screen readers follow", async () => {
    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "ivy@example.com");
    await page.goto("/teams/implementation");
    await page.locator("li[data-key]").first().waitFor();
    await page.keyboard.press("j");
    const afterJ = await page.locator('li[aria-current="true"]').getAttribute("data-key");
    await expect.poll(() => focusedRow(page)).toBe(afterJ);
    await page.keyboard.press("j");
    await page.keyboard.press("k");
    await expect.poll(() => focusedRow(page)).toBe(afterJ);
    // Enter on the focused row opens it.
    await page.keyboard.press("Enter");
    await page.waitForURL(new RegExp(`/items/${afterJ}$`));
  });

  it("on a 390 × 844 phone the first rows are on screen", async () => {
    const context = await e.browser.newContext({
      baseURL: e.url,
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 1,
      reducedMotion: "reduce",
    });
    await e.signInQuickly(context, "ivy@example.com");
    const page = await context.newPage();
    await page.goto("/teams/implementation");
    const rows = page.locator("li[data-key]");
    await rows.first().waitFor();
    const top = (await rows.first().boundingBox())?.y ?? 9999;
    // Heading, team picker, tabs and search take under 300 px (they took about 575).
    expect(top).toBeLessThan(300);
    const fifth = await rows.nth(4).boundingBox();
    expect(fifth && fifth.y + fifth.height).toBeLessThanOrEqual(844);
    // The filters are a button away, and the tabs stay on one line.
    await page.getByRole("button", { name: /^Filters/ }).click();
    await page.getByRole("combobox", { name: "Sort" }).waitFor();
    const tabs = await page.getByRole("tablist").boundingBox();
    expect(tabs?.height ?? 999).toBeLessThan(60);
    await page.getByRole("button", { name: /^Filters/ }).click();
    await e.shot(page, "queue-phone");
    await context.close();
  });
});

import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { onboardingCriteria, readyOnboardingItem } from "../test/fixtures.ts";
import { useE2e } from "./fixture.ts";

/*
 * Nobody has to guess, in the browser: the bell in the header counts unread lines and follows
 * new ones live over the event stream (no request for them), the inbox says what happened,
 * what the reader must do and links to the item, and lines are marked read one by one or all.
 */

const LIVE_MS = 15_000;

const unreadOf = async (page: Page) =>
  Number(await page.getByTestId("bell").getAttribute("data-unread"));

describe("the bell and the inbox", () => {
  const e = useE2e({ workers: true });

  it("counts a handoff to the reader's team live, without asking the server for it", async () => {
    const sam = e.api["sam@example.com"];
    if (!sam) throw new Error("no demo user sam");
    const page = await (await e.context()).newPage();
    const inboxRequests: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("/api/v1/me/notifications")) inboxRequests.push(r.url());
    });
    await e.signInQuickly(page.context(), "ivy@example.com");
    await page.goto("/");
    await page.getByRole("heading", { name: "My work", level: 1 }).waitFor();
    await page.locator("[data-live=live]").waitFor();
    const bell = page.getByTestId("bell");
    await bell.and(page.locator("[data-unread]")).waitFor();
    const before = await unreadOf(page);
    const asked = inboxRequests.length;

    const key = await readyOnboardingItem(sam, { customer: "Bell Corp" });
    await sam.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });
    await expect.poll(() => unreadOf(page), { timeout: LIVE_MS }).toBe(before + 1);
    expect(await bell.getAttribute("aria-label")).toBe(`Inbox, ${before + 1} unread`);
    // The line came over the stream: the page asked for nothing more.
    expect(inboxRequests.length).toBe(asked);
    await page.context().close();
  });

  it("lists what happened and what to do, links to the item, and marks one and all read", async () => {
    const sam = e.api["sam@example.com"];
    if (!sam) throw new Error("no demo user sam");
    const first = await readyOnboardingItem(sam, { customer: "Inbox One" });
    await sam.post(`/items/${first}/handoff`, { confirm: onboardingCriteria });

    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "ivy@example.com");
    await page.goto("/");
    await page.locator("[data-live=live]").waitFor();
    await page.getByTestId("bell").click();
    await page.getByRole("heading", { name: "Inbox", level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/inbox");

    const lineOf = (key: string) =>
      page.locator("[data-notification]").filter({ hasText: `${key} “` });
    const one = lineOf(first);
    await one.waitFor({ timeout: LIVE_MS });
    expect(await one.getAttribute("data-read")).toBe("false");
    // What happened, with the item as a link; what the reader must do; why they are told.
    const link = one.getByRole("link", { name: new RegExp(`Sales handed off ${first} “`) });
    expect(await link.getAttribute("href")).toBe(`/items/${first}`);
    expect(await one.textContent()).toContain("Accept or reject it");
    expect(await one.textContent()).toContain("by Sam Seller");
    expect(await one.textContent()).toContain("for your team");

    // A second handoff appears on top of the open inbox, live.
    const second = await readyOnboardingItem(sam, { customer: "Inbox Two" });
    await sam.post(`/items/${second}/handoff`, { confirm: onboardingCriteria });
    const two = lineOf(second);
    await two.waitFor({ timeout: LIVE_MS });
    expect(
      await page.locator("[data-notification]").first().getAttribute("data-notification"),
    ).toBe(await two.getAttribute("data-notification"));
    await page.mouse.move(600, 700);
    await e.shot(page, "inbox");

    const before = await unreadOf(page);
    await one.getByRole("button", { name: /^Mark read: / }).click();
    await expect.poll(() => one.getAttribute("data-read")).toBe("true");
    await expect.poll(() => unreadOf(page)).toBe(before - 1);
    // The server agrees (a reload reads it back).
    await page.reload();
    await lineOf(first).waitFor();
    expect(await lineOf(first).getAttribute("data-read")).toBe("true");
    expect(await lineOf(second).getAttribute("data-read")).toBe("false");

    await page.getByRole("button", { name: "Mark all read" }).click();
    await page.getByText("Nothing unread.").waitFor();
    await expect.poll(() => unreadOf(page)).toBe(0);
    expect(await page.getByRole("button", { name: /^Mark read: / }).count()).toBe(0);
    expect(await page.getByTestId("bell").getAttribute("aria-label")).toBe("Inbox, nothing unread");

    // The line's link opens the item.
    await lineOf(second).getByRole("link").click();
    await page.waitForURL(`**/items/${second}`);
    await page.getByRole("heading", { name: "ACME Corp", level: 1 }).waitFor();
    await page.context().close();
  });

  it("saves each preference as it is changed: a kind left out of the inbox, a muted workflow, a digest", async () => {
    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "lee@example.com");
    await page.goto("/");
    await page.getByRole("button", { name: "Lee L2", exact: true }).click();
    await page.getByRole("menuitem", { name: "Notification preferences" }).click();
    await page.getByRole("heading", { name: "Notification preferences", level: 1 }).waitFor();
    // Each kind sits under the heading of its group: the weekly review under Reviews.
    const groupOf = (kind: string) =>
      page.evaluate((k) => {
        let row = document.querySelector(`tr[data-kind="${k}"]`)?.previousElementSibling;
        while (row?.hasAttribute("data-kind")) row = row.previousElementSibling;
        return row?.textContent ?? null;
      }, kind);
    expect(await groupOf("review.digest")).toBe("Reviews");
    expect(await groupOf("item.changed")).toBe("Items you watch");

    const handoffs = page.getByRole("checkbox", {
      name: "Inbox: work was handed off to a team of yours",
    });
    expect(await handoffs.isChecked()).toBe(true);
    await handoffs.uncheck();
    await page.getByTestId("save-state").getByText("Saved").waitFor();

    await page.getByRole("combobox", { name: "Mute workflows" }).click();
    await page.getByRole("option", { name: "Incident" }).click();
    await page.keyboard.press("Escape");
    await page.getByRole("switch", { name: /One e-mail a day/ }).check();
    await page.getByRole("combobox", { name: "Digest sent at" }).click();
    await page.getByRole("option", { name: /^17:00 UTC/ }).click();
    await page.getByTestId("save-state").getByText("Saved").waitFor();
    await e.shot(page, "notification-preferences", true);

    // Kept on the server: a reload and the API read the same.
    await page.reload();
    await page.getByRole("heading", { name: "Notification preferences", level: 1 }).waitFor();
    expect(await handoffs.isChecked()).toBe(false);
    expect(
      await page
        .getByRole("checkbox", { name: "E-mail: work was handed off to a team of yours" })
        .isChecked(),
    ).toBe(true);
    expect(await page.getByRole("switch", { name: /One e-mail a day/ }).isChecked()).toBe(true);
    const saved = (await e.api["lee@example.com"]?.get("/me/notification-preferences"))?.body;
    expect(saved).toMatchObject({
      channels: { "handoff.submitted": ["email"] },
      muted_workflows: ["incident"],
      email_digest: true,
      digest_hour_utc: 17,
    });
    await page.context().close();
  });

  it("watches an item from its page, hears of its next change, and unwatches it", async () => {
    const sam = e.api["sam@example.com"];
    const sue = e.api["sue@example.com"];
    if (!sam || !sue) throw new Error("no demo users");
    const key = await readyOnboardingItem(sam, { customer: "Watch Corp" });
    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "sue@example.com");
    await page.goto(`/items/${key}`);
    await page.locator("[data-live=live]").waitFor();
    const watch = page.getByTestId("watch");
    await watch.waitFor();
    expect(await watch.textContent()).toBe("Watch · 1 other");
    await watch.click();
    await expect.poll(() => watch.textContent()).toBe("Unwatch · 1 other");
    expect((await sue.get(`/items/${key}/watch`)).body.watching).toBe(true);

    // A change of state reaches the watcher's bell live, and the inbox says there is nothing to do.
    const before = await unreadOf(page);
    await sam.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });
    await expect.poll(() => unreadOf(page), { timeout: LIVE_MS }).toBe(before + 1);
    const line = (await sue.get("/me/notifications?limit=1")).body.notifications[0];
    expect(line).toMatchObject({ item: key, reason: "watcher" });

    await watch.click();
    await expect.poll(() => watch.textContent()).toBe("Watch · 1 other");
    expect((await sue.get(`/items/${key}/watch`)).body.watching).toBe(false);
    await page.context().close();
  });
});

import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { onboardingCriteria, readyOnboardingItem, URGENT } from "../test/fixtures.ts";
import { useE2e } from "./fixture.ts";

/*
 * The item page's rough edges, each as a person meets it: a refused handoff, edits left behind,
 * breached work, an item in transit, names instead of keys, the receiver's package, and the
 * decision dialogs.
 */

/** The id of the element that has focus. */
const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? "");

describe("the item page", () => {
  const e = useE2e();

  it("a refused handoff lists each gap once, live, and clears once they are fixed", async () => {
    const sam = e.api["sam@example.com"];
    if (!sam) throw new Error("no demo user sam");
    const created = await sam.post("/items", { workflow: "onboarding", title: "Initech" });
    const key = created.body.key as string;
    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "sam@example.com");
    await page.goto(`/items/${key}`);
    const panel = page.getByRole("region", { name: "Hand off to Implementation" });
    const button = panel.getByRole("button", { name: "Hand off to Implementation" });
    await button.click();

    const refusal = page.getByRole("alert").filter({ hasText: "Acceptance criteria not met" });
    await refusal.waitFor();
    // One list: each gap is named once on the whole panel, not three times.
    expect(await panel.getByText("Signed contract", { exact: false }).count()).toBe(1);
    expect(await panel.getByText("Contract signed", { exact: false }).count()).toBe(1);
    // The button stays on screen with the list above it.
    const box = await button.boundingBox();
    expect(box && box.y + box.height).toBeLessThanOrEqual(860);

    // Each missing entry leads to its place.
    await panel.getByRole("button", { name: "Fill in “Signed contract”" }).click();
    expect(await focusedId(page)).toBe("field-contract_url");
    await page.keyboard.type("https://docs.example.com/initech.pdf");
    await panel.getByRole("button", { name: "Tick “Contract signed”" }).click();
    expect(await focusedId(page)).toBe("checklist-0");
    await page.keyboard.press("Space");

    await page.locator("#field-customer").fill("Initech");
    await page.getByRole("combobox", { name: "Tier" }).click();
    await page.getByRole("option", { name: "Small business" }).click();
    await page
      .getByRole("textbox", { name: "Technical requirements", exact: true })
      .fill("https://docs.example.com/initech-reqs");
    await page.getByRole("checkbox", { name: "Contacts verified" }).check();
    for (const c of onboardingCriteria) await panel.getByRole("checkbox", { name: c }).check();
    await panel.getByText("Everything is in place: ready to hand off.").waitFor();
    // The refusal no longer holds, so it is gone.
    await refusal.waitFor({ state: "detached" });
    await e.shot(page, "item-page-ready", true);
  });

  it("fields save as you go; leaving with a value that cannot be saved asks first", async () => {
    const sam = e.api["sam@example.com"];
    if (!sam) throw new Error("no demo user sam");
    const created = await sam.post("/items", { workflow: "onboarding", title: "Globex" });
    const key = created.body.key as string;
    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "sam@example.com");
    await page.goto(`/items/${key}`);

    await page.locator("#field-customer").fill("Globex Corporation");
    await page.getByRole("link", { name: "My work" }).first().click();
    await page.getByRole("heading", { name: "My work", level: 1 }).waitFor();
    await expect
      .poll(async () => (await sam.get(`/items/${key}`)).body.fields.customer)
      .toBe("Globex Corporation");

    await page.goto(`/items/${key}`);
    await page.getByLabel("Signed contract").fill("not a link");
    await page.getByRole("link", { name: "My work" }).first().click();
    const dialog = page.getByRole("dialog", { name: "Leave without saving?" });
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Stay and fix" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect(page.url()).toContain(`/items/${key}`);
    expect(await page.getByTestId("save-state").textContent()).toContain("not saved");
  });

  it("breached work stands out in the banner, the queue row and My work", async () => {
    const { baton } = e;
    const sam = e.api["sam@example.com"];
    if (!sam) throw new Error("no demo user sam");
    await baton.workflow(URGENT);
    const realNow = Object.getOwnPropertyDescriptor(baton.clock, "now") as PropertyDescriptor;
    Object.defineProperty(baton.clock, "now", {
      get: () => new Date(Date.now() - 11 * 24 * 3600_000),
      configurable: true,
    });
    let key = "";
    let lateItem = "";
    try {
      key = (await sam.post("/items", { workflow: "urgent", title: "Late request" })).body.key;
      expect((await sam.post(`/items/${key}/handoff`, {})).status).toBe(200);
      const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
      lateItem = (
        await sam.post("/items", { workflow: "urgent", title: "Past its date", due: yesterday })
      ).body.key;
    } finally {
      Object.defineProperty(baton.clock, "now", realNow);
    }
    expect(await baton.engine.timers.tick()).toBeGreaterThan(0);

    const ivy = await (await e.context()).newPage();
    await e.signInQuickly(ivy.context(), "ivy@example.com");
    await ivy.goto(`/items/${key}`);
    const banner = ivy.getByRole("status", { name: "Next action" });
    await banner.getByText("Overdue · Next: Implementation").waitFor();
    expect(await banner.getAttribute("data-level")).toBe("breached");
    expect(await ivy.getByTestId("deadline").textContent()).toMatch(/^Acceptance overdue by 1\d d/);

    // The queue row: an icon and the words on one line.
    await ivy.goto("/teams/implementation");
    const due = ivy.locator(`[data-key="${key}"] [data-level="breached"]`);
    await due.getByText(/^overdue by 1\d d \d+ h$/).waitFor();
    expect(await due.getByLabel("Breached").count()).toBe(1);
    const height = (await due.boundingBox())?.height ?? 0;
    expect(height).toBeLessThan(24);

    await ivy.goto("/");
    const line = ivy.locator(`li[data-key="${key}"]`);
    expect(await line.getAttribute("data-level")).toBe("breached");
    await line.getByText("Overdue", { exact: true }).waitFor();

    // An item past its due date says so, without "Overdue until the item is due".
    const samPage = await (await e.context()).newPage();
    await e.signInQuickly(samPage.context(), "sam@example.com");
    await samPage.goto(`/items/${lateItem}`);
    expect(await samPage.getByTestId("deadline").textContent()).toMatch(/^Item overdue by /);
    expect(await samPage.getByText("until the item is due").count()).toBe(0);
  });

  it("a handoff awaiting acceptance is drawn in transit, named by the receiver's step", async () => {
    const sam = e.api["sam@example.com"];
    if (!sam) throw new Error("no demo user sam");
    const key = await readyOnboardingItem(sam, { customer: "Umbrella" });
    expect((await sam.post(`/items/${key}/handoff`, { confirm: onboardingCriteria })).status).toBe(
      200,
    );
    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "sam@example.com");
    await page.goto(`/items/${key}`);
    const path = page.getByRole("list", { name: "Path across teams" });
    await path.getByTestId("in-transit").waitFor();
    expect(await path.getByText("Sales · now").count()).toBe(0);
    await path.getByText("Sales · handed off").waitFor();
    await path.getByText("Implementation · to accept").waitFor();

    const ivy = await (await e.context()).newPage();
    await e.signInQuickly(ivy.context(), "ivy@example.com");
    await ivy.goto("/teams/implementation");
    const row = ivy.locator(`[data-key="${key}"]`);
    await row.getByText("Implement", { exact: true }).waitFor();
    await ivy.goto("/");
    await ivy
      .locator(`li[data-key="${key}"]`)
      .getByText("Implement · Implementation · awaiting acceptance", { exact: false })
      .waitFor();
  });

  it("names people, steps and teams, and shows the receiver the package once", async () => {
    const sam = e.api["sam@example.com"];
    if (!sam) throw new Error("no demo user sam");
    const key = await readyOnboardingItem(sam, { customer: "Hooli" });
    await sam.post(`/items/${key}/comments`, { body: "Their CTO wants a call first" });
    expect((await sam.post(`/items/${key}/handoff`, { confirm: onboardingCriteria })).status).toBe(
      200,
    );
    const ivy = await (await e.context()).newPage();
    await e.signInQuickly(ivy.context(), "ivy@example.com");
    await ivy.goto(`/items/${key}`);

    const timeline = ivy.getByRole("region", { name: "Timeline" });
    await timeline.getByText("created the item at “Close the deal” for Sales").waitFor();
    expect(await timeline.getByText("Sam Seller", { exact: true }).count()).toBeGreaterThan(0);
    expect(await timeline.getByText("sam", { exact: true }).count()).toBe(0);
    await ivy.getByText("Created by Sam Seller", { exact: false }).waitFor();
    await ivy
      .getByRole("region", { name: "Handoff awaiting acceptance" })
      .getByText("sent by Sam Seller", { exact: false })
      .waitFor();

    // The package's link opens; the values in it are not listed a second time.
    const pending = ivy.getByRole("region", { name: "Handoff awaiting acceptance" });
    const link = pending.getByRole("link", { name: "https://docs.example.com/acme-contract.pdf" });
    expect(await link.getAttribute("href")).toBe("https://docs.example.com/acme-contract.pdf");
    const others = ivy.getByRole("region", { name: "Other fields" });
    expect(await others.getByText("Signed contract").count()).toBe(0);
    await others.getByText("Go-live date").waitFor();
    // A comment reads in full once; the timeline points to it.
    expect(await ivy.getByText("Their CTO wants a call first", { exact: false }).count()).toBe(1);
    await timeline.getByRole("link", { name: "Read the comment" }).waitFor();

    // The Reject dialog starts at the reason and names the sending team.
    await ivy.getByRole("button", { name: "Reject…" }).click();
    const dialog = ivy.getByRole("dialog", { name: `Return ${key} to the sender` });
    await dialog.getByText("goes back to Sales with your reason").waitFor();
    await expect
      .poll(() => ivy.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value))
      .toBe("incomplete");
    await e.shot(ivy, "reject-dialog");

    // The sender withdraws meanwhile: the dialog says so instead of vanishing.
    expect((await sam.post(`/items/${key}/withdraw`, {})).status).toBe(200);
    await dialog.getByText("Sales withdrew this handoff").waitFor({ timeout: 5_000 });
    await dialog.getByRole("button", { name: "Back to the item" }).click();
    await dialog.waitFor({ state: "hidden" });
  });

  it("New item starts where the user may, with a due date; My work offers only that", async () => {
    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "sam@example.com");
    await page.goto("/new");
    // Sales starts onboarding, not incidents (the first workflow by key).
    await expect
      .poll(() => page.getByRole("combobox", { name: "Workflow" }).inputValue())
      .toBe("Customer onboarding (ONB)");
    await page.getByLabel("Title").fill("Stark Industries");
    await page.getByLabel("Due date").fill("2031-05-20");
    await page.getByRole("button", { name: "Create item" }).click();
    await page.waitForURL(/\/items\/ONB-\d+$/);
    const key = page.url().split("/").pop() as string;
    const sam = e.api["sam@example.com"];
    expect((await sam?.get(`/items/${key}`))?.body.due).toMatch(/^2031-05-20/);

    // Lee's team (L2) starts no workflow: an empty My work does not offer to start one.
    const lee = await (await e.context()).newPage();
    await e.signInQuickly(lee.context(), "lee@example.com");
    await lee.goto("/");
    await lee.getByText("Nothing waits on you", { exact: true }).waitFor();
    expect(await lee.getByRole("link", { name: "Start an item" }).count()).toBe(0);
    expect(await lee.getByRole("link", { name: "New item" }).count()).toBe(0);
    await lee.getByText("it reaches you as handoffs from other teams", { exact: false }).waitFor();

    // The workflow list counts open items.
    await page.goto("/workflows");
    const open = (await e.baton.admin.get("/workflows")).body.workflows.find(
      (w: { key: string }) => w.key === "onboarding",
    ).open_items;
    expect(open).toBeGreaterThan(0);
    const row = page.getByRole("row").filter({ hasText: "Customer onboarding" });
    expect(await row.getByTestId("open-items").textContent()).toMatch(new RegExp(`^${open} `));
  });
});

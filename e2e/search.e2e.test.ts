import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { audit } from "./axe.ts";
import { useE2e } from "./fixture.ts";

/*
 * The global search in the header: Ctrl+K anywhere (even while typing in a field) opens it,
 * words find an item of any team, ↑/↓ and Enter open one, a whole key and Enter opens that
 * item at once (ONB-1, not ONB-11), Escape gives focus back. Accessible as a combobox with a
 * listbox, in dark mode and on a 390 px phone.
 */

describe("the global search", () => {
  const e = useE2e();
  const keys: string[] = [];

  const dialogOf = (page: Page) => page.getByRole("dialog", { name: "Search items" });
  const boxOf = (page: Page) => dialogOf(page).getByRole("combobox", { name: "Search items" });

  it("finds an item of another team by a word of its title and opens it from the keyboard", async () => {
    const sam = e.api["sam@example.com"];
    if (!sam) throw new Error("no demo user sam");
    // Eleven items, so ONB-1 has ONB-10 and ONB-11 beside it.
    for (let i = 1; i <= 11; i++) {
      const title = i === 5 ? "Zebra Logistics" : `Customer ${i}`;
      const r = await sam.post("/items", {
        workflow: "onboarding",
        title,
        fields: { customer: title },
      });
      keys.push(r.body.key as string);
    }
    expect(keys[0]).toBe("ONB-1");

    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "ivy@example.com");
    await page.goto("/");
    await page.getByRole("heading", { name: "My work", level: 1 }).waitFor();
    await page.keyboard.press("Control+k");
    const box = boxOf(page);
    await box.waitFor();
    expect(await box.evaluate((el) => el === document.activeElement)).toBe(true);

    await box.pressSequentially("zebra");
    const results = dialogOf(page).getByRole("listbox", { name: "Items found" });
    const zebra = results.getByRole("option", { name: /Zebra Logistics/ });
    await zebra.waitFor();
    expect(await box.getAttribute("aria-expanded")).toBe("true");
    expect(await zebra.getAttribute("aria-selected")).toBe("true");
    expect(await box.getAttribute("aria-activedescendant")).toBe(await zebra.getAttribute("id"));
    await dialogOf(page).getByText("1 item found.").waitFor();
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/items/${keys[4]}`);
    await page.getByRole("heading", { name: "Zebra Logistics", level: 1 }).waitFor();
    await dialogOf(page).waitFor({ state: "detached" });
    await page.context().close();
  });

  it("opens the item of an exact key on Enter, before any result arrives and after", async () => {
    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "ivy@example.com");
    await page.goto("/teams/implementation");
    await page.getByRole("heading", { name: "Implementation", level: 1 }).waitFor();

    // At once: the key and Enter, no waiting for the list.
    await page.getByTestId("search-button").click();
    await boxOf(page).fill("onb-1");
    await page.keyboard.press("Enter");
    await page.waitForURL("**/items/ONB-1");
    await page.getByRole("heading", { name: "Customer 1", level: 1 }).waitFor();

    // With the list shown: the exact key is first.
    await page.keyboard.press("Meta+k");
    await boxOf(page).fill("ONB-1");
    const options = dialogOf(page).getByRole("option");
    await expect.poll(() => options.count()).toBeGreaterThan(0);
    expect(await options.first().textContent()).toMatch(/^ONB-1 Customer 1/);
    await page.keyboard.press("Escape");

    // Words match as prefixes: "customer 1" finds Customer 1, 10 and 11; ↓ then Enter opens the
    // second.
    await page.keyboard.press("Control+k");
    await boxOf(page).fill("customer 1");
    await dialogOf(page).getByText("3 items found.").waitFor();
    await page.keyboard.press("ArrowDown");
    const second = (await options.nth(1).textContent()) ?? "";
    const secondKey = /^(ONB-\d+)/.exec(second)?.[1];
    expect(secondKey).toBeDefined();
    expect(await options.nth(1).getAttribute("aria-selected")).toBe("true");
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/items/${secondKey}`);

    // Escape closes and gives focus back to the button; nothing changes.
    await page.getByTestId("search-button").click();
    await boxOf(page).fill("Customer");
    await page.keyboard.press("Escape");
    await dialogOf(page).waitFor({ state: "detached" });
    const focused = (locator: ReturnType<Page["getByTestId"]>) =>
      locator.evaluate((el) => el === document.activeElement);
    expect(await focused(page.getByTestId("search-button"))).toBe(true);
    expect(new URL(page.url()).pathname).toBe(`/items/${secondKey}`);

    // Ctrl+K works while typing in a field too, and Escape goes back to the field as it was.
    const comment = page.getByRole("textbox", { name: "Add a comment" });
    await comment.click();
    await page.keyboard.type("half a thought");
    await page.keyboard.press("Control+k");
    await boxOf(page).waitFor();
    await page.keyboard.press("Escape");
    await dialogOf(page).waitFor({ state: "detached" });
    expect(await focused(comment)).toBe(true);
    expect(await comment.inputValue()).toBe("half a thought");
    await page.context().close();
  });

  it("says when nothing matches, and passes axe in dark mode on a 390 px phone", async () => {
    const page = await (await e.context(390)).newPage();
    await page.emulateMedia({ colorScheme: "dark" });
    await e.signInQuickly(page.context(), "ivy@example.com");
    await page.goto("/");
    await page.getByRole("heading", { name: "My work", level: 1 }).waitFor();
    // On the phone the header keeps the search as a button of its own, on screen.
    const button = page.getByRole("button", { name: "Search items", exact: true });
    const box = await button.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await e.shot(page, "header-phone-dark");
    await button.click();
    await boxOf(page).fill("nothing-like-this");
    await dialogOf(page).getByText("No item matches “nothing-like-this”.").waitFor();
    await boxOf(page).fill("customer");
    await dialogOf(page).getByRole("option").first().waitFor();
    expect(await audit(page)).toEqual([]);
    await e.shot(page, "search-phone-dark");
    await page.context().close();
  });
});

import { describe, expect, it } from "vitest";
import { readyOnboardingItem } from "../test/fixtures.ts";
import { audit } from "./axe.ts";
import { useE2e } from "./fixture.ts";

/*
 * `@` in a comment completes people and teams by their display names, from the keyboard; what
 * it inserts is the form the server's mention rule finds, so the person and the team named
 * are told, and the saved comment shows them by name.
 */

describe("mentions in comments", () => {
  const e = useE2e({ workers: true });

  it("completes @people and @teams from the keyboard and tells whoever is named", async () => {
    const sam = e.api["sam@example.com"];
    const ivy = e.api["ivy@example.com"];
    if (!sam || !ivy) throw new Error("no demo users");
    const key = await readyOnboardingItem(sam, { customer: "Mention Corp" });
    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "sam@example.com");
    await page.goto(`/items/${key}`);
    const box = page.getByRole("textbox", { name: "Add a comment" });
    const options = page.getByRole("listbox", { name: "People and teams to mention" });

    await box.click();
    await box.pressSequentially("Over to @iv");
    await options.waitFor();
    // Display names; the box points at the option that Enter would take.
    const ivyOption = options.getByRole("option", { name: /^Ivy Implementer/ });
    expect(await ivyOption.getAttribute("aria-selected")).toBe("true");
    expect(await box.getAttribute("aria-activedescendant")).toBe(
      await ivyOption.getAttribute("id"),
    );
    // The open list passes axe in both colour schemes.
    expect(await audit(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: "dark" });
    expect(await audit(page)).toEqual([]);
    await page.screenshot({ path: "test-results/screenshots/mention-completion-dark.png" });
    await page.emulateMedia({ colorScheme: "light" });
    await page.keyboard.press("Enter");
    await options.waitFor({ state: "detached" });
    expect(await box.inputValue()).toBe("Over to @ivy@example.com ");

    // "su" finds Sue (a person comes first) and the Support team; ↓ then Tab takes the team.
    await box.pressSequentially("and @su");
    await options.getByRole("option", { name: /^Sue Support/ }).waitFor();
    await page.keyboard.press("ArrowDown");
    expect(
      await options.getByRole("option", { name: /^Support team/ }).getAttribute("aria-selected"),
    ).toBe("true");
    await page.keyboard.press("Tab");
    expect(await box.inputValue()).toBe("Over to @ivy@example.com and @support ");
    // Still in the box: Tab inserted rather than moved on.
    expect(await box.evaluate((el) => el === document.activeElement)).toBe(true);

    // Escape closes the list and keeps what was typed.
    await box.pressSequentially("cc @eng");
    await options.waitFor();
    await page.keyboard.press("Escape");
    await options.waitFor({ state: "detached" });
    await box.press("Backspace");
    await box.press("Backspace");
    await box.press("Backspace");
    await box.press("Backspace");
    expect(await box.inputValue()).toBe("Over to @ivy@example.com and @support cc ");

    await page.getByRole("button", { name: "Comment", exact: true }).click();
    const saved = page.locator("[id^=comment-]").filter({ hasText: "Over to" });
    await saved.waitFor();
    // Shown by name; the address or key in the tooltip.
    expect((await saved.textContent())?.includes("Over to @Ivy Implementer and @Support cc")).toBe(
      true,
    );
    expect(await saved.locator(".mention").first().getAttribute("title")).toBe("ivy@example.com");

    // The server found both mentions: Ivy is told in person.
    await expect
      .poll(
        async () =>
          (await ivy.get("/me/notifications")).body.notifications.find(
            (n: { item: string; kind: string }) => n.item === key && n.kind === "comment.added",
          )?.reason,
        { timeout: 15_000 },
      )
      .toBe("mention");
    await page.context().close();
  });
});

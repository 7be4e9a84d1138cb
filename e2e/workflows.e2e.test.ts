import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useE2e } from "./fixture.ts";

/*
 * The workflow map and the definition editor: the server's validator answers as the admin
 * types, an invalid definition cannot be published and says why in words, a valid change
 * publishes version 2, and the history shows the difference.
 */

async function replaceSource(page: Page, source: string): Promise<void> {
  const editor = page.locator(".cm-content");
  await editor.click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.insertText(source);
}

describe("workflows in the browser", () => {
  const e = useE2e();
  let page: Page;

  it("draws the onboarding workflow as swimlanes with its handoffs", async () => {
    page = await (await e.context()).newPage();
    await e.signIn(page, "admin@baton.local");
    await page.goto("/workflows/onboarding");
    const map = page.getByTestId("workflow-map");
    await map.getByText("Close the deal").waitFor();
    for (const lane of ["Sales", "Implementation", "Support", "Enterprise support"])
      await map.getByText(lane, { exact: true }).first().waitFor();
    await map.getByText("✓ Technical requirements attached").waitFor();
    await map.getByText("tier = enterprise", { exact: true }).waitFor();
    await e.shot(page, "workflow-map", true);
  });

  it("rejects an invalid definition with a clear message and no publish", async () => {
    await page.getByRole("tab", { name: "Definition" }).click();
    await page.locator(".cm-content").waitFor();
    const original = (await e.baton.admin.get("/workflows/onboarding")).body.source as string;
    await page.getByText("Same as the published version.").waitFor();

    await replaceSource(page, original.replace("to: implement", "to: implment"));
    const problems = page.getByTestId("validation");
    await problems.getByText(/1 problem: cannot publish yet/).waitFor();
    const text = (await problems.textContent()) ?? "";
    expect(text).toContain("steps[0].handoff.to");
    expect(text).toContain('unknown step "implment"');
    expect(await page.getByRole("button", { name: "Publish" }).isDisabled()).toBe(true);
    // The editor underlines the offending value.
    await page.locator(".cm-lintRange-error").first().waitFor();
    // The editor scrolled the page to its cursor; the picture starts at the page's title.
    await page.evaluate(() => window.scrollTo(0, 0));
    await e.shot(page, "workflow-editor-invalid");

    await replaceSource(page, "key: onboarding\nname: [unclosed\n");
    // The last answer stays on screen until the new one comes ("Checking…" between them): wait
    // for the answer about this text, a syntax error, not the unknown step before it.
    await expect
      .poll(
        async () => {
          const t = (await problems.textContent()) ?? "";
          return t.includes("cannot publish yet") && !t.includes("implment") ? t : "";
        },
        { timeout: 10_000 },
      )
      .toMatch(/Line \d/);

    await replaceSource(page, original.replace("accept_within: 4h", "accept_within: 6h"));
    await problems.getByText("Valid definition").waitFor();
    await page.getByRole("button", { name: "Publish" }).click();
    await page.getByText("Published onboarding version 2.", { exact: false }).waitFor();
    expect((await e.baton.admin.get("/workflows/onboarding")).body.version).toBe(2);
  });

  it("shows the version history and the difference between versions", async () => {
    await page.goto("/workflows/onboarding?tab=history");
    const diff = page.getByTestId("version-diff");
    await diff.waitFor();
    await diff.getByText("accept_within: 4h").waitFor();
    await diff.getByText("accept_within: 6h").waitFor();
    await page.getByText("+1").waitFor();
    await e.shot(page, "workflow-history");
  });

  it("a person who is not an admin reads the definition but cannot publish", async () => {
    const sam = await (await e.context()).newPage();
    await e.signInQuickly(sam.context(), "sam@example.com");
    await sam.goto("/workflows/onboarding?tab=definition");
    await sam.getByText("Only admins publish workflows; you can read the definition.").waitFor();
    expect(await sam.getByRole("button", { name: "Publish" }).count()).toBe(0);
    await sam.context().close();
  });
});

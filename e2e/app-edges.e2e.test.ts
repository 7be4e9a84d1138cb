import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { readyOnboardingItem } from "../test/fixtures.ts";
import { useE2e } from "./fixture.ts";

/*
 * The rest of the web app's rough edges: the sign-in page's weight and its 401s, dark mode, the
 * workflow editor's syntax errors and read-only view, the version diff, and the workflow map's
 * attribution contrast.
 */

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);

/** axe-core's colour-contrast failures on the page, as "selector :: summary" lines. */
async function contrastFailures(page: Page): Promise<string[]> {
  await page.waitForTimeout(250);
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (...a: unknown[]) => Promise<any> } }).axe;
    const result = await axe.run(document, {
      runOnly: ["color-contrast"],
      resultTypes: ["violations"],
    });
    return result.violations.flatMap((v: any) =>
      v.nodes.slice(0, 5).map((n: any) => `${n.target.join(" ")} :: ${n.failureSummary}`),
    );
  });
}

/** WCAG contrast of two CSS colours as the browser computed them ("rgb(…)"). */
function contrast(fg: string, bg: string): number {
  const lum = (css: string) => {
    const [r, g, b] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map((x) => {
      const c = Number(x) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
  };
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return ((a ?? 0) + 0.05) / ((b ?? 0) + 0.05);
}

async function replaceSource(page: Page, source: string): Promise<void> {
  await page.locator(".cm-content").click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.insertText(source);
}

describe("the rest of the web app", () => {
  const e = useE2e();

  it("the sign-in page loads only itself and fires no request that answers 401", async () => {
    const page = await (await e.context()).newPage();
    const refused: string[] = [];
    // Each script's name and size, counted once its body has arrived (all awaited below; the
    // count used to be read while some were still arriving, and came out 310 to 480 KB).
    const scripts: Promise<{ name: string; bytes: number }>[] = [];
    page.on("response", (r) => {
      if (r.status() === 401) refused.push(`${r.request().method()} ${r.url()}`);
      if (r.request().resourceType() === "script") {
        const name = new URL(r.url()).pathname.split("/").at(-1) ?? "";
        scripts.push(
          r.body().then(
            (b) => ({ name, bytes: b.length }),
            () => ({ name, bytes: 0 }),
          ),
        );
      }
    });
    await page.goto("/items/ONB-1");
    await page.getByRole("button", { name: "Sign in", exact: true }).waitFor();
    await page.waitForLoadState("networkidle");
    const loaded = await Promise.all(scripts);
    const scriptBytes = loaded.reduce((sum, s) => sum + s.bytes, 0);
    expect(refused).toEqual([]);
    // Only the entry and what the sign-in form shows (Mantine's shared chunks, the problem
    // alert): none of the signed-in app's pages.
    const names = loaded.map((s) => s.name);
    expect(names.some((n) => n.startsWith("index-"))).toBe(true);
    expect(
      names.filter((n) => /^(signed-in-app|.*-page|layout|workflow-map|review-charts)-/.test(n)),
    ).toEqual([]);
    console.log(
      `[e2e] sign-in page script: ${Math.round(scriptBytes / 1024)} KB (${names.join(", ")})`,
    );
    // 492 KB on 2026-12-03, the whole app's scripts 2.3 MB.
    expect(scriptBytes).toBeLessThan(520 * 1024);

    // Signing in there lands on the page that was asked for.
    const sam = e.api["sam@example.com"];
    if (!sam) throw new Error("no demo user sam");
    const key = await readyOnboardingItem(sam);
    await page.goto(`/items/${key}`);
    await page.getByLabel("E-mail").fill("sam@example.com");
    await page.getByRole("textbox", { name: "Password" }).fill("baton-demo");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { name: /ACME Corp/, level: 1 }).waitFor();
  });

  it("follows the system's dark setting, keeps contrast, and can be switched", async () => {
    const sam = e.api["sam@example.com"];
    if (!sam) throw new Error("no demo user sam");
    const key = await readyOnboardingItem(sam, { customer: "Dark Corp" });
    const context = await e.context();
    await e.signInQuickly(context, "sam@example.com");
    const page = await context.newPage();
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto(`/items/${key}`);
    await page.getByRole("heading", { name: /ACME Corp/, level: 1 }).waitFor();
    const scheme = () =>
      page.evaluate(() => document.documentElement.getAttribute("data-mantine-color-scheme"));
    expect(await scheme()).toBe("dark");
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(contrast(background, "rgb(0, 0, 0)")).toBeLessThan(2);
    expect(await contrastFailures(page)).toEqual([]);
    await e.shot(page, "item-page-dark", true);
    for (const path of ["/", "/teams/sales?tab=in_progress"]) {
      await page.goto(path);
      await page.getByRole("heading", { level: 1 }).first().waitFor();
      expect(await contrastFailures(page), path).toEqual([]);
    }

    // The toggle overrides the system, and the choice survives a reload.
    await page.getByRole("button", { name: "Colour scheme: System" }).click();
    await page.getByRole("menuitem", { name: "Light" }).click();
    expect(await scheme()).toBe("light");
    await page.reload();
    await page.getByRole("button", { name: "Colour scheme: Light" }).waitFor();
    expect(await scheme()).toBe("light");
  });

  it("names a YAML syntax error's place once; the read-only editor takes no caret", async () => {
    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "admin@baton.local");
    await page.goto("/workflows/onboarding?tab=definition");
    await page.locator(".cm-content").waitFor();
    await replaceSource(page, "key: onboarding\nname: [unclosed\n");
    const problems = page.getByTestId("validation");
    await problems.getByText(/cannot publish yet/).waitFor();
    const text = (await problems.textContent()) ?? "";
    expect(text).toMatch(/Line \d+, column \d+/);
    expect(text).not.toMatch(/Line \d+ line \d+/i);

    const sam = await (await e.context()).newPage();
    await e.signInQuickly(sam.context(), "sam@example.com");
    await sam.goto("/workflows/onboarding?tab=definition");
    const content = sam.locator(".cm-content");
    await content.waitFor();
    expect(await content.getAttribute("contenteditable")).toBe("false");
    // Still reachable by keyboard, to scroll and select.
    expect(await content.getAttribute("tabindex")).toBe("0");
  });

  it("the version diff shows the changed lines and folds the rest", async () => {
    const original = (await e.baton.admin.get("/workflows/onboarding")).body.source as string;
    const changed = original.replace("accept_within: 4h", "accept_within: 6h");
    expect((await e.baton.workflow(changed)).version).toBe(2);
    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "sam@example.com");
    await page.goto("/workflows/onboarding?tab=history");
    const diff = page.getByTestId("version-diff");
    await diff.getByText("accept_within: 6h").waitFor();
    await diff
      .getByText(/⋯ \d+ unchanged lines/)
      .first()
      .waitFor();
    // The first line of the file is far from the change: folded away.
    expect(await diff.getByText("key: onboarding").count()).toBe(0);
    const lines = await diff.locator(".diff-line").count();
    expect(lines).toBeLessThan(12);
  });

  it("the workflow map's attribution is readable (4.5:1)", async () => {
    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "sam@example.com");
    await page.goto("/workflows/onboarding");
    const link = page.locator(".react-flow__attribution a");
    await link.waitFor();
    // React Flow may replace the element while it lays the map out; a detached one has no
    // computed style, so read until the link in the page answers.
    let [fg, bg] = ["", ""];
    await expect
      .poll(async () => {
        [fg, bg] = await link.evaluate((a) => {
          const box = a.closest(".react-flow__attribution") as HTMLElement;
          return [getComputedStyle(a).color, getComputedStyle(box).backgroundColor];
        });
        return fg !== "" && bg !== "";
      })
      .toBe(true);
    expect(contrast(fg, bg), `${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
  });
});

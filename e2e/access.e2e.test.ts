import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { onboardingCriteria, readyOnboardingItem } from "../test/fixtures.ts";
import { audit, type Violation } from "./axe.ts";
import { useE2e } from "./fixture.ts";

/*
 * Signing in and out (password and API token), the pages a signed-in person reaches, the 404
 * page, and an axe-core audit of every main page: no serious or critical violations.
 */

describe("sign-in, sign-out and accessibility", () => {
  const e = useE2e();

  it("signs in with e-mail and password, refuses a wrong one, and signs out", async () => {
    const page = await (await e.context()).newPage();
    await page.goto("/teams/sales");
    await page.getByRole("heading", { name: "Sign in to Baton" }).waitFor();
    expect(await audit(page)).toEqual([]);

    await page.getByLabel("E-mail").fill("sam@example.com");
    await page.getByRole("textbox", { name: "Password" }).fill("not-the-password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByText("That e-mail and password do not match.").waitFor();

    await page.getByRole("textbox", { name: "Password" }).fill("baton-demo");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    // Signed in where the visitor wanted to go.
    await page.getByRole("heading", { name: "Sales", level: 1 }).waitFor();

    await page.getByRole("button", { name: "Sam Seller", exact: true }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to Baton" }).waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "Sign in to Baton" }).waitFor();
    const me = await page.context().request.get(`${e.url}/api/v1/users/me`);
    expect(me.status()).toBe(401);
    await page.context().close();
  });

  it("signs in with an API token for one tab", async () => {
    const page = await (await e.context()).newPage();
    await page.goto("/");
    await page.getByRole("button", { name: "Sign in with an API token instead" }).click();
    await page.getByLabel("API token").fill(e.api["ivy@example.com"]?.token ?? "");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { name: "My work", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Ivy Implementer", exact: true }).waitFor();
    await page.context().close();
  });

  it("shows a 404 page for unknown addresses and items", async () => {
    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "sam@example.com");
    await page.goto("/no/such/page");
    await page.getByText("Nothing here").waitFor();
    expect(await audit(page)).toEqual([]);
    await page.goto("/items/ONB-999");
    await page.getByText("Nothing here").waitFor();
    await page.getByRole("link", { name: "Go to my work" }).click();
    await page.getByRole("heading", { name: "My work", level: 1 }).waitFor();
    await page.context().close();
  });

  it("serves the app at every non-API path and keeps API 404s as problem details", async () => {
    for (const path of ["/", "/items/ONB-1", "/teams/sales?tab=paused"]) {
      const r = await fetch(`${e.url}${path}`);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toContain("text/html");
      expect(r.headers.get("cache-control")).toBe("no-cache");
    }
    const html = await (await fetch(`${e.url}/`)).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1] ?? "";
    const asset = await fetch(`${e.url}${script}`, { headers: { "accept-encoding": "br" } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect(asset.headers.get("content-encoding")).toBe("br");
    const api = await fetch(`${e.url}/api/v1/no-such-thing`);
    expect(api.status).toBe(404);
    expect(api.headers.get("content-type")).toContain("application/problem+json");
    expect((await fetch(`${e.url}/assets/no-such-file.js`)).status).toBe(404);
  });

  it("loads the app and the API docs under the Content-Security-Policy without a violation", async () => {
    const page = await (await e.context()).newPage();
    const refused: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
    });
    const first = await page.goto("/");
    expect(first?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await page.getByRole("heading", { name: "Sign in to Baton" }).waitFor();
    await e.signIn(page, "sam@example.com");
    for (const [path, heading] of [
      ["/teams/sales", "Sales"],
      ["/workflows/onboarding", "Customer onboarding"],
      ["/workflows/onboarding?tab=definition", "Customer onboarding"],
    ] as const) {
      await page.goto(path);
      await page.getByRole("heading", { name: heading, level: 1 }).first().waitFor();
      await page.locator('[aria-busy="true"]').waitFor({ state: "detached" });
    }
    await page.goto("/api/docs");
    // Swagger UI renders the whole document in the browser: seconds on a busy machine.
    await page.getByRole("heading", { name: /Baton API/ }).waitFor({ timeout: 45_000 });
    await page.getByText("/api/v1/teams", { exact: true }).first().waitFor({ timeout: 45_000 });
    await page.waitForTimeout(300);
    expect(refused).toEqual([]);
    await page.context().close();
  });

  it("makes and revokes a personal API token", async () => {
    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "sam@example.com");
    await page.goto("/settings/tokens");
    await page.getByLabel("New token's name").fill("laptop CLI");
    await page.getByRole("button", { name: "Create token" }).click();
    const token = (await page.getByTestId("new-token").textContent()) ?? "";
    expect(token).toMatch(/^bt_/);
    expect((await e.baton.api(token).get("/users/me")).body.email).toBe("sam@example.com");
    await page.getByRole("cell", { name: "laptop CLI", exact: true }).waitFor();
    await page.getByRole("button", { name: "Revoke token laptop CLI" }).click();
    await page
      .getByRole("cell", { name: "laptop CLI", exact: true })
      .waitFor({ state: "detached" });
    expect((await e.baton.api(token).get("/users/me")).status).toBe(401);
    await page.context().close();
  });

  it("has no serious or critical axe violations on any main page", async () => {
    const sam = e.api["sam@example.com"];
    if (!sam) throw new Error("no demo user sam");
    const key = await readyOnboardingItem(sam);
    await sam.post(`/items/${key}/comments`, { body: "Contract is in the shared drive." });
    const globex = await readyOnboardingItem(sam, { customer: "Globex" });
    // Ivy's inbox gets a line to show (the fan-out ticked by hand: no workers run here).
    await sam.post(`/items/${globex}/handoff`, { confirm: onboardingCriteria });
    while ((await e.baton.engine.notifications.tick()) > 0);

    const pages: [string, string, string][] = [
      ["sam@example.com", "/", "My work"],
      ["sam@example.com", "/teams/sales?tab=in_progress", "Sales"],
      ["sam@example.com", "/teams", "Teams"],
      ["sam@example.com", "/teams/sales/calendar", "Sales calendar"],
      ["sam@example.com", `/items/${key}`, "ACME Corp"],
      ["sam@example.com", "/new?workflow=onboarding", "New item"],
      ["sam@example.com", "/workflows", "Workflows"],
      ["sam@example.com", "/workflows/onboarding", "Customer onboarding"],
      ["sam@example.com", "/workflows/onboarding?tab=definition", "Customer onboarding"],
      ["sam@example.com", "/workflows/onboarding?tab=history", "Customer onboarding"],
      ["sam@example.com", "/review", "Review"],
      ["sam@example.com", "/workflows/onboarding/review", "Review: Customer onboarding"],
      ["sam@example.com", "/settings/tokens", "API tokens"],
      ["ivy@example.com", "/inbox", "Inbox"],
      ["sam@example.com", "/settings/notifications", "Notification preferences"],
      ["admin@baton.local", "/admin", "Admin"],
      ["admin@baton.local", "/admin?tab=users", "Admin"],
      ["admin@baton.local", "/admin/webhooks", "Webhooks"],
    ];
    // The pages of the notifications and webhooks (and the item page with its watch button) in
    // dark mode too.
    const dark: [string, string, string][] = [
      ["ivy@example.com", "/inbox", "Inbox"],
      ["sam@example.com", "/settings/notifications", "Notification preferences"],
      ["sam@example.com", `/items/${key}`, "ACME Corp"],
      ["admin@baton.local", "/admin/webhooks", "Webhooks"],
    ];
    const found: Record<string, Violation[]> = {};
    const contexts = new Map<string, Page>();
    for (const [scheme, list] of [
      ["light", pages],
      ["dark", dark],
    ] as const) {
      for (const [who, path, heading] of list) {
        let page = contexts.get(who);
        if (!page) {
          page = await (await e.context()).newPage();
          await e.signInQuickly(page.context(), who);
          contexts.set(who, page);
        }
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(path);
        await page.getByRole("heading", { name: heading, level: 1 }).first().waitFor();
        await page.locator('[aria-busy="true"]').waitFor({ state: "detached" });
        const v = await audit(page);
        if (v.length > 0) found[scheme === "dark" ? `${path} (dark)` : path] = v;
      }
    }
    for (const page of contexts.values()) await page.emulateMedia({ colorScheme: "light" });
    // A dialog too: the reject dialog, as the receiving team sees it.
    await sam.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });
    const ivy = await (await e.context()).newPage();
    await e.signInQuickly(ivy.context(), "ivy@example.com");
    await ivy.goto(`/items/${key}`);
    await ivy.getByRole("button", { name: "Reject…" }).click();
    await ivy.getByRole("dialog").waitFor();
    const dialog = await audit(ivy);
    if (dialog.length > 0) found["reject dialog"] = dialog;
    await ivy.keyboard.press("Escape");
    await e.shot(contexts.get("sam@example.com") as Page, "last-audited");
    expect(found).toEqual({});
  }, 180_000); // a dozen pages, each audited by axe: ~50 s alone, more on a busy machine
});

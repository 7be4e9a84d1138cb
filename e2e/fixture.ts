import { copyFileSync, mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject } from "vitest";
import { toPrincipal } from "../src/engine/directory.ts";
import { DEMO_PASSWORD, seedDemo } from "../src/engine/seed.ts";
import type { SingleSignOnSettings } from "../src/engine/single-sign-on.ts";
import { type ApiClient, type TestBaton, useBaton } from "../test/harness.ts";
import { launchBrowser } from "./browser.ts";

/*
 * A real Baton for one browser test file: the test harness's Baton (engine, HTTP app, a fresh
 * database cloned from the migrated template) listening on a free port and serving the built
 * web app, loaded with the demo (teams, users with password "baton-demo", the two example
 * workflows), and one headless Chromium. Data is seeded through the API or the engine.
 */

export const PASSWORD = DEMO_PASSWORD;
export const ADMIN_PASSWORD = "admin-password-e2e";

/** Every screenshot lands here (ignored by git). */
const shotsDir = resolve(import.meta.dirname, "../test-results/screenshots");
/** `npm run screenshots` also copies the ones the README shows into docs/screenshots. */
const docsDir = process.env.BATON_SCREENSHOTS
  ? resolve(import.meta.dirname, "../docs/screenshots")
  : null;
const docShots = new Set([
  "my-work",
  "queue",
  "item-page",
  "item-page-returned",
  "item-page-phone",
  "workflow-map",
  "workflow-editor-invalid",
  "queue-phone",
  "item-page-dark",
  "review",
  "review-charts",
  "review-compare",
  "review-map",
  "item-survey",
  "inbox",
  "notification-preferences",
  "search-phone-dark",
  "webhooks",
  "status-page",
]);

export interface E2e {
  baton: TestBaton;
  url: string;
  browser: Browser;
  /** API clients holding each demo user's token, by e-mail (and "admin"). */
  api: Record<string, ApiClient>;
  /** A new browser context (its own cookies) at the given viewport width. */
  context: (width?: number) => Promise<BrowserContext>;
  /** Signs in through the sign-in form and waits for "My work". */
  signIn: (page: Page, email: string, password?: string) => Promise<void>;
  /** Signs a context in through the API (the session cookie), for tests not about sign-in. */
  signInQuickly: (context: BrowserContext, email: string, password?: string) => Promise<void>;
  /** Saves a screenshot; `whole` grows the viewport to the page's height first. */
  shot: (page: Page, name: string, whole?: boolean) => Promise<void>;
}

export function useE2e(
  /**
   * The port to serve on (a free one when left out), and single sign-on settings, asked for when
   * the app is built (after the test file's earlier hooks, which may start a provider).
   */
  options: {
    port?: number;
    sso?: () => SingleSignOnSettings;
    /** Run the background workers (timers, notification fan-out, deliveries) as a server does. */
    workers?: boolean;
  } = {},
): E2e {
  const kind = inject("databases")[0];
  if (!kind) throw new Error("the e2e global setup provided no database");
  const baton = useBaton(kind, options.sso ? { sso: options.sso } : {});
  const ctx = { baton } as E2e;
  const pageErrors: string[] = [];
  /** What the browser refused under the Content-Security-Policy, on any page. */
  const cspViolations: string[] = [];

  beforeAll(async () => {
    // The harness's clock stands still for determinism; a person in a browser sees real time.
    Object.defineProperty(baton.clock, "now", { get: () => new Date(), configurable: true });
    // Tests that are not about background work tick it by hand, or not at all.
    if (options.workers) baton.engine.startWorkers();
    await baton.app.listen({ port: options.port ?? 0, host: "127.0.0.1" });
    ctx.url = `http://127.0.0.1:${(baton.app.server.address() as AddressInfo).port}`;

    const admin = toPrincipal(await baton.engine.directory.getUser("admin@baton.local"));
    const tokens = await seedDemo(baton.engine, admin);
    ctx.api = Object.fromEntries(tokens.map((t) => [t.email, baton.api(t.token)]));
    ctx.api.admin = baton.admin;
    const r = await baton.admin.put("/users/admin@baton.local/password", {
      password: ADMIN_PASSWORD,
    });
    if (r.status !== 204) throw new Error(`admin password: ${JSON.stringify(r.body)}`);

    ctx.browser = await launchBrowser();
    ctx.context = async (width = 1280) => {
      const c = await ctx.browser.newContext({
        baseURL: ctx.url,
        viewport: { width, height: width < 600 ? 800 : 860 },
        deviceScaleFactor: 1,
        reducedMotion: "reduce",
      });
      c.setDefaultTimeout(10_000);
      c.on("weberror", (e) => pageErrors.push(e.error().message));
      c.on("console", (m) => {
        if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
      });
      return c;
    };
    ctx.signIn = async (
      page,
      email,
      password = email === "admin@baton.local" ? ADMIN_PASSWORD : PASSWORD,
    ) => {
      await page.goto("/");
      await page.getByLabel("E-mail").fill(email);
      await page.getByRole("textbox", { name: "Password" }).fill(password);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.getByRole("heading", { name: "My work", level: 1 }).waitFor();
    };
    ctx.signInQuickly = async (context, email, password) => {
      const res = await context.request.post(`${ctx.url}/api/v1/session`, {
        data: {
          email,
          password: password ?? (email === "admin@baton.local" ? ADMIN_PASSWORD : PASSWORD),
        },
      });
      if (!res.ok()) throw new Error(`sign-in failed: ${res.status()} ${await res.text()}`);
    };
    mkdirSync(shotsDir, { recursive: true });
    if (docsDir) mkdirSync(docsDir, { recursive: true });
    ctx.shot = async (page, name, whole = false) => {
      const size = page.viewportSize();
      // A tall viewport instead of fullPage: the fixed header and navigation stay in place.
      if (whole && size) {
        const height = await page.evaluate(() => document.documentElement.scrollHeight);
        await page.setViewportSize({ width: size.width, height: Math.min(height, 2400) });
        await page.waitForTimeout(150);
      }
      const path = join(shotsDir, `${name}.png`);
      // Pictures for the docs show the page, not the toasts of what the test just did.
      const hide = docShots.has(name)
        ? await page.addStyleTag({ content: ".mantine-Notifications-root{display:none}" })
        : null;
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.screenshot({ path, animations: "disabled" });
      await hide?.evaluate((el) => (el as Element).remove());
      if (whole && size) await page.setViewportSize(size);
      if (docsDir && docShots.has(name)) copyFileSync(path, join(docsDir, `${name}.png`));
    };
  });

  afterAll(async () => {
    await ctx.browser?.close();
    // Uncaught errors in any page fail the file: the app must not throw.
    expect(pageErrors).toEqual([]);
    // Nothing a page needs is refused by the Content-Security-Policy.
    expect(cspViolations).toEqual([]);
  });
  return ctx;
}

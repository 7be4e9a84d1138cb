import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { toPrincipal } from "../src/engine/directory.ts";
import { onboardingCriteria, readyOnboardingItem, URGENT } from "../test/fixtures.ts";
import { PASSWORD, useE2e } from "./fixture.ts";

/*
 * The team queue from the keyboard (j/k, Enter, x, a, r, c, ?), bulk actions, the stalled tab,
 * and the queue page holding 3,000 items: how long until it is on screen and answering keys.
 */

const BULK = `key: bulk
name: Bulk requests
prefix: BLK
fields:
  - {key: customer, type: text, label: Customer}
steps:
  - key: handle
    name: Handle the request
    team: ops
    checklist: [Handled]
`;
const COUNT = 3000;

/** The key of the row the keyboard cursor is on. */
const cursorKey = (page: Page) =>
  page.locator('li[aria-current="true"]').getAttribute("data-key", { timeout: 2000 });

describe("the team queue", () => {
  const e = useE2e();
  const incoming: string[] = [];

  it("seeds five incoming handoffs for Implementation", async () => {
    const sam = e.api["sam@example.com"];
    if (!sam) throw new Error("no demo user sam");
    for (let i = 0; i < 5; i++) {
      const key = await readyOnboardingItem(sam, { customer: `Customer ${i + 1}` });
      const r = await sam.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });
      expect(r.status).toBe(200);
      incoming.push(key);
    }
  });

  it("is driven from the keyboard: j/k, x, a, r, Enter and ?", async () => {
    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "ivy@example.com");
    await page.goto("/teams/implementation");
    await page.locator(`[data-key="${incoming[0]}"]`).waitFor();
    expect(await cursorKey(page)).toBe(incoming[0]);

    await page.keyboard.press("j");
    await page.keyboard.press("j");
    expect(await cursorKey(page)).toBe(incoming[2]);
    await page.keyboard.press("k");
    expect(await cursorKey(page)).toBe(incoming[1]);

    // a: accept the item under the cursor; it leaves the incoming tab.
    await page.keyboard.press("a");
    await page.getByText(`${incoming[1]} accepted.`).waitFor();
    await page.locator(`[data-key="${incoming[1]}"]`).waitFor({ state: "detached" });

    // r: the reject dialog for the item under the cursor; Escape leaves it untouched.
    const under = await cursorKey(page);
    await page.keyboard.press("r");
    const dialog = page.getByRole("dialog", { name: `Return ${under} to the sender` });
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });

    // ?: the shortcuts help.
    await page.keyboard.press("?");
    const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await help.waitFor();
    await page.keyboard.press("Escape");
    await help.waitFor({ state: "detached" });

    // x, x and a bulk accept.
    await page.keyboard.press("x");
    await page.keyboard.press("j");
    await page.keyboard.press("x");
    await page.getByText("2 selected").waitFor();
    await e.shot(page, "queue-keyboard");
    await page.getByRole("button", { name: "Accept 2" }).click();
    await page.getByText("Accept: 2 of 2 done").waitFor();
    await expect
      .poll(() => page.getByRole("tab", { name: /Incoming/ }).textContent())
      .toBe("Incoming2");

    // Ivy's home lists what waits on her and her team, most urgent first.
    await page.getByRole("link", { name: "My work" }).click();
    await page.getByRole("heading", { name: "Handoffs to accept" }).waitFor();
    await page.getByRole("heading", { name: "Assigned to you" }).waitFor();
    await e.shot(page, "my-work");
    await page.goBack();
    await page.locator(`[data-key]`).first().waitFor();

    // Enter opens the item under the cursor.
    const target = await cursorKey(page);
    await page.keyboard.press("Enter");
    await page.waitForURL(new RegExp(`/items/${target}$`));
    await page.getByTestId("next-action").waitFor();
    await page.context().close();
  });

  it("lists breached work under Stalled, with a count, and keeps the keyboard working", async () => {
    const { baton } = e;
    const sam = e.api["sam@example.com"];
    if (!sam) throw new Error("no demo user sam");
    await baton.workflow(URGENT);
    // Handed off ten minutes ago with a minute to accept: breached once the timers run.
    const realNow = Object.getOwnPropertyDescriptor(baton.clock, "now") as PropertyDescriptor;
    Object.defineProperty(baton.clock, "now", {
      get: () => new Date(Date.now() - 10 * 60_000),
      configurable: true,
    });
    const late: string[] = [];
    try {
      for (const title of ["Late request A", "Late request B"]) {
        const created = await sam.post("/items", { workflow: "urgent", title });
        expect((await sam.post(`/items/${created.body.key}/handoff`, {})).status).toBe(200);
        late.push(created.body.key);
      }
    } finally {
      Object.defineProperty(baton.clock, "now", realNow);
    }
    expect(await baton.engine.timers.tick()).toBeGreaterThan(0);

    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "ivy@example.com");
    await page.goto("/teams/implementation?tab=stalled");
    const tab = page.getByRole("tab", { name: /Stalled/ });
    await expect.poll(() => tab.textContent()).toBe("Stalled2");
    expect(await tab.getAttribute("aria-selected")).toBe("true");
    for (const key of late) {
      const row = page.locator(`[data-key="${key}"]`);
      await row.getByText(/overdue by \d+ m/).waitFor();
    }
    await e.shot(page, "queue-stalled");

    // j, Enter: the second row opens; its banner says the acceptance is overdue.
    const first = await cursorKey(page);
    await page.keyboard.press("j");
    const second = await cursorKey(page);
    expect(new Set([first, second])).toEqual(new Set(late));
    await page.keyboard.press("Enter");
    await page.waitForURL(new RegExp(`/items/${second}$`));
    expect(await page.getByTestId("deadline").textContent()).toMatch(/^Acceptance overdue by/);
    await page.goBack();

    // a: accepting takes the handoff in hand; the item leaves Stalled.
    await page.locator(`[data-key="${first}"]`).waitFor();
    expect(await cursorKey(page)).toBe(first);
    await page.keyboard.press("a");
    await page.getByText(`${first} accepted.`).waitFor();
    await page.locator(`[data-key="${first}"]`).waitFor({ state: "detached" });
    await expect.poll(() => tab.textContent()).toBe("Stalled1");

    // A team with nothing stalled says what would show there.
    await page.goto("/teams/sales?tab=stalled");
    await page.getByText("Nothing stalled").waitFor();
    await page
      .getByText(
        "Work your team holds that breached its service level or sat untouched longer than its workflow's stall_after (3 business days by default) shows here.",
      )
      .waitFor();
    await page.context().close();
  });

  it(`stays quick with ${COUNT} items, claimed with c`, async () => {
    const { baton } = e;
    await baton.team("ops", "Operations");
    await baton.workflow(BULK);
    const admin = toPrincipal(await baton.engine.directory.getUser("admin@baton.local"));
    await baton.engine.directory.createUser(admin, {
      email: "olga@example.com",
      name: "Olga Ops",
      teams: [{ key: "ops", role: "lead" }],
      isAdmin: false,
      password: PASSWORD,
    });
    const olga = toPrincipal(await baton.engine.directory.getUser("olga@example.com"));
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < COUNT; i = next++)
        await baton.engine.items.create(olga, {
          workflow: "bulk",
          title: `Request ${i + 1} from customer ${(i * 7919) % 997}`,
          fields: { customer: `Customer ${i % 50}` },
        });
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const seeded = performance.now() - started;
    const a = performance.now();
    await baton.admin.get("/teams/ops/queue?limit=5000");
    const api = Math.round(performance.now() - a);

    const page = await (await e.context()).newPage();
    // In the page: when the first row is in the DOM (ms after navigation start), and how long
    // the first key press takes to move the cursor (keydown to DOM change).
    await page.addInitScript(() => {
      const w = window as unknown as { __firstRow?: number; __keyAt?: number; __keyDone?: number };
      new MutationObserver(() => {
        if (w.__firstRow === undefined && document.querySelector("li[data-key]"))
          w.__firstRow = performance.now();
        if (w.__keyAt !== undefined && w.__keyDone === undefined)
          if (document.querySelector('li[aria-current="true"][aria-posinset="2"]'))
            w.__keyDone = performance.now();
      }).observe(document, { childList: true, subtree: true, attributes: true });
      document.addEventListener(
        "keydown",
        () => {
          w.__keyAt ??= performance.now();
        },
        true,
      );
    });
    await e.signInQuickly(page.context(), "olga@example.com");
    await page.goto("/");
    await page.getByRole("heading", { name: "My work", level: 1 }).waitFor();

    // A full load of the queue page: script, sign-in check, 3,000 items over the API, render,
    // then the first key press answered.
    const t0 = Date.now();
    await page.goto("/teams/ops?tab=in_progress");
    await page.locator("li[data-key]").first().waitFor();
    await page.keyboard.press("j");
    await page.locator('li[aria-current="true"][aria-posinset="2"]').waitFor();
    const wall = Date.now() - t0;
    const inPage = await page.evaluate(() => {
      const w = window as unknown as { __firstRow: number; __keyAt: number; __keyDone: number };
      return { firstRow: Math.round(w.__firstRow), key: Math.round(w.__keyDone - w.__keyAt) };
    });
    // Interactive: rows on screen (from navigation start) plus the time to answer a key.
    const interactive = inPage.firstRow + inPage.key;
    // The first rows of each tab come first ("50+"); the whole queue follows.
    await expect
      .poll(() => page.getByRole("tab", { name: /In progress/ }).textContent())
      .toContain(String(COUNT));
    // Virtualised: only the rows in view are in the page.
    const rows = await page.locator("li[data-key]").count();
    expect(rows).toBeLessThan(60);

    // The same from inside the app (client-side navigation, as when switching teams).
    await page.goto("/teams/implementation");
    await page.getByRole("heading", { name: "Implementation", level: 1 }).waitFor();
    const t1 = Date.now();
    await page.getByRole("link", { name: "Operations" }).first().click();
    await page.getByRole("tab", { name: /In progress/ }).click();
    await page.locator("li[data-key]").first().waitFor();
    const inApp = Date.now() - t1;

    console.log(
      `[e2e] ${COUNT} items seeded in ${Math.round(seeded)} ms; queue API ${api} ms; ` +
        `full page load: rows on screen ${inPage.firstRow} ms after navigation start, a key ` +
        `answered in ${inPage.key} ms, so interactive in ${interactive} ms ` +
        `(${wall} ms as the test driver sees it); in-app switch ${inApp} ms; ${rows} rows in the DOM`,
    );
    // The goal is 1 s on a quiet machine (see the printed figure); the bound here leaves room
    // for a CI machine busy with other work, and still catches a list that stopped virtualising.
    expect(interactive).toBeLessThan(2500);

    await e.shot(page, "queue");

    // Scrolling the page to the end renders the last rows.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page.locator(`li[aria-posinset="${COUNT}"]`).waitFor();

    // c: claim the item under the cursor.
    await page.evaluate(() => window.scrollTo(0, 0));
    const top = page.locator('li[aria-posinset="1"]');
    const first = await top.getAttribute("data-key");
    await top.click({ position: { x: 300, y: 10 } });
    await page.locator('li[aria-posinset="1"][aria-current="true"]').waitFor();
    await page.keyboard.press("c");
    await page.getByText(`${first} is yours now.`).waitFor();
    expect((await baton.admin.get(`/items/${first}`)).body.assignee).toBe("olga@example.com");
  });
  it(`at 1440×900 shows the first rows before the whole ${COUNT} arrive, and scrolls as one page`, async () => {
    const context = await e.context(1440);
    await e.signInQuickly(context, "olga@example.com");
    const page = await context.newPage();
    await page.setViewportSize({ width: 1440, height: 900 });
    // Hold the whole queue back: what shows meanwhile came from the first rows per tab.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const wholeAsked: string[] = [];
    await page.route(/\/api\/v1\/teams\/ops\/queue\?limit=5000/, async (route) => {
      wholeAsked.push(route.request().url());
      await held;
      await route.continue();
    });
    await page.goto("/teams/ops?tab=in_progress");
    const tab = page.getByRole("tab", { name: /In progress/ });
    await page.locator('li[aria-posinset="1"]').waitFor();
    expect(await tab.textContent()).toBe("In progress50+");
    // The first screenful is whole: rows down to the bottom of the window.
    const bottomRow = await page
      .locator("li[data-key]")
      .evaluateAll((rows) => Math.max(...rows.map((r) => r.getBoundingClientRect().bottom)));
    expect(bottomRow).toBeGreaterThanOrEqual(900);
    await expect.poll(() => wholeAsked.length).toBeGreaterThan(0);
    release();
    await expect.poll(() => tab.textContent()).toBe(`In progress${COUNT}`);

    // One scrollbar: the list has no frame of its own ending below the fold; the page scrolls,
    // and at its end the last row sits at the bottom of the window.
    const scroller = page.getByTestId("queue-scroller");
    const frame = await scroller.evaluate((el) => ({
      overflow: getComputedStyle(el).overflowY,
      inner: el.scrollHeight - el.clientHeight,
    }));
    expect(frame).toEqual({ overflow: "visible", inner: 0 });
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeGreaterThan(
      COUNT * 60,
    );
    await page.mouse.move(700, 600);
    await page.mouse.wheel(0, 3000);
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(2000);
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    const last = page.locator(`li[aria-posinset="${COUNT}"]`);
    await last.waitFor();
    const end = await last.evaluate((el) => el.getBoundingClientRect().bottom);
    expect(end).toBeLessThanOrEqual(900);
    expect(end).toBeGreaterThan(900 - 80);
    // The column head stays on screen under the app header while the rows scroll.
    const head = await page.getByText("Item and next action").boundingBox();
    expect(head?.y ?? -1).toBeGreaterThanOrEqual(50);
    expect(head?.y ?? 999).toBeLessThan(100);

    // Back to the queue from another page of the app: it opens at its top, heading in view.
    await page.getByRole("link", { name: "My work" }).click();
    await page.getByRole("heading", { name: "My work", level: 1 }).waitFor();
    await page.getByRole("link", { name: "Operations" }).first().click();
    await page.getByRole("tab", { name: /In progress/ }).click();
    await page.locator('li[aria-posinset="1"]').waitFor();
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    await context.close();
  });
});

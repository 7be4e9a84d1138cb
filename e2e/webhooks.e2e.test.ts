import { describe, expect, it } from "vitest";
import { onboardingCriteria, readyOnboardingItem } from "../test/fixtures.ts";
import { useReceiver } from "../test/webhooks/receiver.ts";
import { audit } from "./axe.ts";
import { useE2e } from "./fixture.ts";

/*
 * The webhook admin page against a real receiver that verifies every message with the
 * `standardwebhooks` package: a private target is refused in words; a subscription shows its
 * secret once, and that secret is the one the receiver verifies with; a test and a real
 * handoff appear in the delivery log with their tries, a failing receiver's error too; the
 * secret rotates; deleting asks twice. A team lead manages only their team's subscriptions.
 */

describe("the webhook admin page", () => {
  const e = useE2e({ workers: true });
  const receiver = useReceiver();

  it("subscribes a receiver, shows the secret once, and logs each delivery with its tries", async () => {
    const page = await (await e.context(1440)).newPage();
    await e.signInQuickly(page.context(), "admin@baton.local");
    await page.goto("/");
    await page.getByRole("link", { name: "Webhooks" }).click();
    await page.getByRole("heading", { name: "Webhooks", level: 1 }).waitFor();
    await page.getByText("No subscriptions yet").waitFor();

    // The loopback receiver is refused first, by name: webhooks go to public addresses.
    await page.getByRole("textbox", { name: "URL" }).fill(receiver.url);
    await page.getByRole("textbox", { name: "Description" }).fill("Test receiver");
    await page.getByRole("button", { name: "Subscribe" }).click();
    await page.getByText(/webhooks go only to public addresses/).waitFor();
    expect(await page.getByRole("textbox", { name: "URL" }).getAttribute("aria-invalid")).toBe(
      "true",
    );
    expect((await e.api.admin?.get("/webhooks"))?.body.webhooks).toEqual([]);

    // Allowed (as BATON_WEBHOOKS_ALLOW_PRIVATE=true does), it subscribes.
    e.baton.engine.webhooks.settings.allowPrivate = true;
    await page.getByRole("button", { name: "Subscribe" }).click();
    const secret = page.getByTestId("webhook-secret");
    await secret.waitFor();
    const shown = (await secret.textContent()) ?? "";
    expect(shown).toMatch(/^whsec_/);
    receiver.secrets.push(shown);
    const row = page.locator(`[data-webhook="${receiver.url}"]`);
    await row.getByText("Handoff submitted · every item").waitFor();

    // A test message: the receiver verifies it with the secret the page showed.
    await row.getByRole("button", { name: "Send test" }).click();
    await receiver.waitFor(1, 20_000);
    expect(receiver.requests[0]?.error).toBeNull();
    const log = row.getByRole("table", { name: /^Delivery log/ });
    const test = log.locator(`[data-delivery="${receiver.requests[0]?.id}"]`);
    await test.and(log.locator("[data-status=delivered]")).waitFor({ timeout: 20_000 });
    expect(await test.textContent()).toContain("Test message");
    expect(await test.textContent()).toMatch(/#1 delivered, \d+ ms/);

    // A real handoff reaches it too and shows up in the open log by itself.
    const sam = e.api["sam@example.com"];
    if (!sam) throw new Error("no demo user sam");
    const key = await readyOnboardingItem(sam, { customer: "Hook Corp" });
    await sam.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });
    await receiver.waitFor(2, 20_000);
    const handoff = log.locator("tr").filter({ hasText: key });
    await handoff.and(log.locator("[data-status=delivered]")).waitFor({ timeout: 20_000 });
    expect(await handoff.getByRole("link", { name: key }).getAttribute("href")).toBe(
      `/items/${key}`,
    );
    // Pictured and audited at rest: the pointer off the buttons.
    await page.mouse.move(0, 400);
    await e.shot(page, "webhooks", true);
    expect(await audit(page)).toEqual([]);

    // A receiver that refuses: the try and its error are in the log.
    receiver.failWith = () => 503;
    await row.getByRole("button", { name: "Send test" }).click();
    await receiver.waitFor(3, 20_000);
    await log
      .getByText(/HTTP 503/)
      .first()
      .waitFor({ timeout: 20_000 });
    receiver.failWith = () => null;

    // A new secret, shown once; the old one keeps signing for a while.
    await row.getByRole("button", { name: "Rotate secret" }).click();
    await expect.poll(() => secret.textContent()).not.toBe(shown);
    expect(await secret.textContent()).toMatch(/^whsec_/);
    await row.getByText(/the previous secret signs too until/).waitFor();

    // Deleting asks twice.
    await row.getByRole("button", { name: `Delete the subscription of ${receiver.url}…` }).click();
    await row.getByRole("button", { name: "Keep it" }).click();
    await row.getByRole("button", { name: `Delete the subscription of ${receiver.url}…` }).click();
    await row
      .getByRole("button", { name: `Delete the subscription of ${receiver.url} for good` })
      .click();
    await row.waitFor({ state: "detached" });
    await page.getByText("No subscriptions yet").waitFor();
    await page.context().close();
  });

  it("lets a team lead subscribe for a team they lead only, and in dark mode passes axe", async () => {
    e.baton.engine.webhooks.settings.allowPrivate = true;
    const page = await (await e.context()).newPage();
    await page.emulateMedia({ colorScheme: "dark" });
    await e.signInQuickly(page.context(), "ivy@example.com");
    await page.goto("/admin/webhooks");
    await page.getByRole("heading", { name: "Webhooks", level: 1 }).waitFor();
    const team = page.getByRole("combobox", { name: "Items of" });
    await expect.poll(() => team.inputValue()).toBe("Implementation");
    await team.click();
    // Only the teams Ivy leads.
    expect(await page.getByRole("option").allTextContents()).toEqual(["Implementation"]);
    await page.keyboard.press("Escape");
    await page.getByRole("textbox", { name: "URL" }).fill(`${receiver.url}?lead`);
    await page.getByRole("button", { name: "Subscribe" }).click();
    await page.getByTestId("webhook-secret").waitFor();
    await page.getByText("Handoff submitted · items of Implementation").waitFor();
    expect(await audit(page)).toEqual([]);
    // Not an admin: the Admin page is not offered.
    expect(await page.getByRole("link", { name: "Admin", exact: true }).count()).toBe(0);
    await page.context().close();
  });
});

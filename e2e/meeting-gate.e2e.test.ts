import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { onboardingCriteria, readyOnboardingItem } from "../test/fixtures.ts";
import { useE2e } from "./fixture.ts";

/*
 * An enterprise onboarding needs a handoff meeting before Implementation accepts it. Until the
 * meeting is held, neither the queue row, the `a` key, bulk accept nor the item page offers an
 * accept that the server would refuse: each says why instead. Once a member of Implementation
 * records the meeting, Accept is back.
 */

const LIVE_MS = 5_000;

describe("the meeting gate in the browser", () => {
  const e = useE2e();
  let key = "";
  let smb = "";

  const api = (email: string) => {
    const client = e.api[email];
    if (!client) throw new Error(`no demo user ${email}`);
    return client;
  };

  it("Sales hands off an enterprise customer (meeting required) and a small one (none)", async () => {
    const sam = api("sam@example.com");
    key = await readyOnboardingItem(sam, { customer: "Globex", tier: "enterprise" });
    smb = await readyOnboardingItem(sam, { customer: "Initech", tier: "smb" });
    for (const k of [key, smb])
      expect((await sam.post(`/items/${k}/handoff`, { confirm: onboardingCriteria })).status).toBe(
        200,
      );
  });

  it("the queue row, the a key and bulk accept do not offer the accept that would fail", async () => {
    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "ivy@example.com");
    await page.goto("/teams/implementation");
    const row = page.locator(`[data-key="${key}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain(
      "Hold the handoff meeting with Sales, then accept or reject",
    );
    expect(await row.getByRole("button", { name: `Accept ${key}` }).count()).toBe(0);
    expect(await row.getByTestId("accept-blocked").textContent()).toBe("Meeting first");
    // The item without a meeting rule keeps its one-click Accept.
    await page.getByRole("button", { name: `Accept ${smb}` }).waitFor();

    // a on the blocked row says why and sends nothing.
    await row.click();
    await page.keyboard.press("a");
    await page.getByText(`${key} cannot be accepted yet`).waitFor();
    await page.getByText("none is scheduled", { exact: false }).first().waitFor();
    expect((await api("ivy@example.com").get(`/items/${key}`)).body.state).toBe(
      "awaiting_acceptance",
    );

    // Bulk: only what can be accepted is offered; the rest is named.
    await page.getByRole("checkbox", { name: `Select ${key}` }).check();
    await page.getByTestId("bulk-accept-blocked").waitFor();
    expect(await page.getByRole("button", { name: /^Accept \d/ }).count()).toBe(0);
    await page.getByRole("checkbox", { name: `Select ${smb}` }).check();
    await page.getByRole("button", { name: "Accept 1" }).click();
    await page.getByText("Accept: 1 of 1 done").waitFor();
    expect((await api("ivy@example.com").get(`/items/${key}`)).body.state).toBe(
      "awaiting_acceptance",
    );
    expect((await api("ivy@example.com").get(`/items/${smb}`)).body.state).toBe("in_progress");
    await e.shot(page, "queue-meeting-first");
    await page.context().close();
  });

  it("the item page says why instead of offering Accept, and offers it once the meeting is held", async () => {
    const ivy: Page = await (await e.context()).newPage();
    await e.signInQuickly(ivy.context(), "ivy@example.com");
    await ivy.goto(`/items/${key}`);
    await ivy.getByTestId("next-action").waitFor();
    const banner = ivy.getByTestId("next-action");
    await banner.getByText("Hold the handoff meeting with Sales", { exact: false }).waitFor();
    const why = ivy.getByTestId("accept-blocked");
    await why.getByText("none is scheduled", { exact: false }).waitFor();
    expect(await ivy.getByRole("button", { name: "Accept", exact: true }).count()).toBe(0);
    // Rejecting is still possible.
    await ivy.getByRole("button", { name: "Reject…" }).waitFor();
    await ivy.keyboard.press("a");
    await ivy.getByText(`${key} cannot be accepted yet`).waitFor();
    expect(await ivy.getByRole("dialog", { name: `Accept ${key}?` }).count()).toBe(0);

    // Sales books the meeting now; Sales alone cannot record it (Implementation must take part).
    const sam = api("sam@example.com");
    const meeting = await sam.post(`/items/${key}/meetings`, {
      starts_at: new Date().toISOString(),
      duration_minutes: 30,
    });
    expect(meeting.status).toBe(201);
    const notes = "Walked through the requirements; go-live 1 May";
    expect(
      (await sam.post(`/items/${key}/meetings/${meeting.body.id}/held`, { notes })).body.code,
    ).toBe("not_your_team");
    await why
      .getByText("not been recorded as held", { exact: false })
      .waitFor({ timeout: LIVE_MS });
    await e.shot(ivy, "item-page-meeting-first", true);

    // Ivy records it on the page; Accept appears without a reload.
    const card = ivy.locator("[data-meeting]");
    await card.getByLabel("Meeting notes").fill(notes);
    await card.getByRole("button", { name: "Record as held" }).click();
    await ivy.getByRole("button", { name: "Accept", exact: true }).click({ timeout: LIVE_MS });
    await ivy.getByRole("button", { name: "Accept handoff" }).click();
    await ivy
      .getByText(/Finish "Implement"/)
      .first()
      .waitFor();
    await ivy.context().close();
  });

  it("questions are offered only to teams on the item's path", async () => {
    const fresh = await readyOnboardingItem(api("sam@example.com"), { customer: "Umbrella" });
    const sue = await (await e.context()).newPage();
    await e.signInQuickly(sue.context(), "sue@example.com");
    await sue.goto(`/items/${fresh}`);
    // Support comes two steps later: not on the path yet, so no form that would fail.
    await sue.getByTestId("ask-not-on-path").getByText("Sales, Implementation").waitFor();
    expect(await sue.getByRole("button", { name: "Ask" }).count()).toBe(0);
    await sue.context().close();

    const sam = await (await e.context()).newPage();
    await e.signInQuickly(sam.context(), "sam@example.com");
    await sam.goto(`/items/${fresh}`);
    await sam.getByRole("combobox", { name: "Ask team" }).click();
    await sam.getByRole("option", { name: "Implementation" }).waitFor();
    expect(await sam.getByRole("option").allTextContents()).toEqual(["Implementation"]);
    await sam.context().close();
  });
});

import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useE2e } from "./fixture.ts";

/*
 * Two people of two teams, each in their own browser, hand one customer across the boundary:
 * Sales tries too early and is told what is missing, completes it, hands off; Implementation
 * sees it arrive without reloading, returns it as incomplete; Sales sees why, fixes it, hands
 * off again; Implementation accepts. Both pages follow every step live.
 */

const LIVE_MS = 5_000;

async function banner(page: Page): Promise<string> {
  return (await page.getByTestId("next-action").textContent()) ?? "";
}

describe("a handoff between Sales and Implementation in two browsers", () => {
  const e = useE2e();
  let sam: Page;
  let ivy: Page;
  let key = "";

  it("Sales starts an item and Implementation watches its incoming queue", async () => {
    sam = await (await e.context()).newPage();
    ivy = await (await e.context()).newPage();
    await e.signIn(sam, "sam@example.com");
    await e.signIn(ivy, "ivy@example.com");

    await sam.goto("/new?workflow=onboarding");
    await sam.getByLabel("Title").fill("ACME Corp");
    await sam.getByLabel("Customer", { exact: true }).fill("ACME Corp");
    await sam.getByRole("combobox", { name: "Tier" }).click();
    await sam.getByRole("option", { name: "Small business" }).click();
    await sam.getByRole("button", { name: "Create item" }).click();
    await sam.waitForURL(/\/items\/ONB-\d+$/);
    key = sam.url().split("/").pop() as string;
    expect(await banner(sam)).toContain("hand off to Implementation");

    await ivy.goto("/teams/implementation");
    await ivy.getByRole("heading", { name: "Implementation", level: 1 }).waitFor();
    await ivy.getByText("No incoming handoffs").waitFor();
  });

  it("Sales tries to hand off too early and sees every missing piece", async () => {
    const panel = sam.getByRole("region", { name: "Hand off to Implementation" });
    // The panel lists what is missing before anyone presses the button...
    await panel.getByText("Fill in “Signed contract”").waitFor();
    await panel.getByText("Tick “Contract signed”").waitFor();
    await panel.getByText("2 criteria to confirm", { exact: false }).waitFor();
    await e.shot(sam, "item-page-missing", true);

    // ...and the server's refusal says the same in words, changing nothing.
    await panel.getByRole("button", { name: "Hand off to Implementation" }).click();
    const refusal = sam.getByRole("alert").filter({ hasText: "Acceptance criteria not met" });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain("Signed contract");
    expect(await banner(sam)).toContain("hand off to Implementation");
  });

  it("Sales completes the handoff; it appears in Implementation's queue without a reload", async () => {
    await sam.getByLabel("Signed contract").fill("https://docs.example.com/acme-contract.pdf");
    await sam
      .getByRole("textbox", { name: "Technical requirements", exact: true })
      .fill("https://docs.example.com/acme-reqs");
    await sam.getByRole("checkbox", { name: "Contract signed" }).check();
    await sam.getByRole("checkbox", { name: "Contacts verified" }).check();
    const panel = sam.getByRole("region", { name: "Hand off to Implementation" });
    await panel.getByRole("checkbox", { name: "Technical requirements attached" }).check();
    await panel.getByRole("checkbox", { name: "Go-live date agreed with the customer" }).check();
    await panel.getByText("Everything is in place: ready to hand off.").waitFor();
    await panel.getByLabel("Note to the receiving team").fill("Kick-off on Monday");
    await panel.getByRole("button", { name: "Hand off to Implementation" }).click();
    await sam.getByText("Accept or reject the handoff from Sales").first().waitFor();

    // Ivy's queue page was opened before the handoff and has not been reloaded.
    await ivy.locator(`[data-key="${key}"]`).waitFor({ timeout: LIVE_MS });
    expect(await ivy.getByRole("tab", { name: /Incoming/ }).textContent()).toContain("1");
    await e.shot(ivy, "queue-incoming");
  });

  it("Implementation returns it as incomplete; Sales sees the return and the reason live", async () => {
    await ivy.locator(`[data-key="${key}"]`).getByRole("link", { name: key }).click();
    // The receiver reads the package in words: the tier by its label, not its stored value.
    const tier = ivy.getByRole("main").getByText("Small business", { exact: true });
    await tier.first().waitFor();
    expect(await ivy.getByRole("main").getByText("smb", { exact: true }).count()).toBe(0);
    await ivy.getByRole("button", { name: "Reject…" }).click();
    const dialog = ivy.getByRole("dialog", { name: `Return ${key} to the sender` });
    await dialog.getByRole("radio", { name: /Incomplete/ }).check();
    await dialog.getByLabel("What must the sender fix?").fill("The requirements document is empty");
    await dialog.getByRole("checkbox", { name: "Technical requirements attached" }).check();
    await dialog.getByRole("button", { name: "Return to sender" }).click();
    await dialog.waitFor({ state: "hidden" });
    await ivy
      .getByText(/Rework "Close the deal"/)
      .first()
      .waitFor();

    // Sam's item page updates in place.
    const notice = sam.getByTestId("returned-notice");
    await notice.waitFor({ timeout: LIVE_MS });
    const text = (await notice.textContent()) ?? "";
    expect(text).toContain("Returned for rework by Implementation: Incomplete");
    expect(text).toContain("The requirements document is empty");
    expect(text).toContain("Technical requirements attached");
    await e.shot(sam, "item-page-returned", true);
  });

  it("Sales fixes it and hands off again; Implementation accepts", async () => {
    await sam
      .getByRole("textbox", { name: "Technical requirements", exact: true })
      .fill("https://docs.example.com/acme-reqs-v2");
    const panel = sam.getByRole("region", { name: "Hand off to Implementation" });
    await panel.getByRole("checkbox", { name: "Technical requirements attached" }).check();
    await panel.getByRole("checkbox", { name: "Go-live date agreed with the customer" }).check();
    await panel.getByRole("button", { name: "Hand off to Implementation" }).click();
    await sam.getByText("Accept or reject the handoff from Sales").first().waitFor();

    // Ivy is still on the item page: the Accept button appears without a reload.
    await ivy.getByRole("button", { name: "Accept", exact: true }).click({ timeout: LIVE_MS });
    await e.shot(ivy, "accept-dialog");
    await ivy.getByRole("button", { name: "Accept handoff" }).click();
    await ivy
      .getByText(/Finish "Implement"/)
      .first()
      .waitFor();
    // Sam's page follows: the item now waits on Implementation.
    await sam
      .getByText(/Finish "Implement"/)
      .first()
      .waitFor({ timeout: LIVE_MS });

    const timeline = ivy.getByRole("region", { name: "Timeline" });
    for (const line of [
      "returned it: Incomplete",
      "handed it off from Sales to Implementation",
      "accepted the handoff",
    ])
      await timeline.getByText(line, { exact: false }).first().waitFor();
    await e.shot(ivy, "item-page", true);
  });

  it("both teams read the handoff record, with a meeting moved and held", async () => {
    const record = ivy.getByRole("region", { name: "Handoffs and meetings" });
    // The returned handoff keeps its reason beside the accepted one.
    await record
      .getByText("Returned by Ivy Implementer", { exact: false })
      .getByText("The requirements document is empty", { exact: false })
      .waitFor();
    expect(await record.locator("[data-handoff]").count()).toBe(2);

    // Implementation books a meeting with Support before handing on (tomorrow), moves it to
    // now, holds it: a meeting is recorded once it has started, with Support taking part.
    const localInput = (offsetMs: number) =>
      ivy.evaluate((ms) => {
        const d = new Date(Date.now() + ms);
        const pad = (n: number) => String(n).padStart(2, "0");
        return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
      }, offsetMs);
    await record.getByRole("button", { name: "Schedule a meeting with Support" }).click();
    const form = record.getByRole("form", { name: "Schedule a meeting with Support" });
    await form.getByLabel("Meeting at").fill(await localInput(86_400_000));
    await form.getByRole("button", { name: "Schedule meeting" }).click();
    const meeting = record.locator("[data-meeting]");
    await meeting.getByText("planned").waitFor();
    await meeting
      .getByTestId("hold-problem")
      .getByText("once it has started", { exact: false })
      .waitFor();
    await meeting.getByRole("button", { name: "Reschedule…" }).click();
    const dialog = ivy.getByRole("dialog", { name: "Reschedule the handoff meeting" });
    await dialog.getByLabel("New time").fill(await localInput(0));
    await dialog.getByLabel("Where").fill("Video call");
    await dialog.getByRole("button", { name: "Move meeting" }).click();
    await meeting.getByText("moved once", { exact: false }).waitFor();
    await meeting.getByLabel("Meeting notes").fill("Runbook walked through with Support");
    await meeting.getByRole("combobox", { name: "Who attended" }).click();
    await ivy.getByRole("option", { name: "Ivy Implementer" }).click();
    await ivy.getByRole("option", { name: "Sue Support" }).click();
    await ivy.keyboard.press("Escape");
    await meeting.getByRole("button", { name: "Record as held" }).click();

    // Sales reads the same record, updated in place.
    const samRecord = sam.getByRole("region", { name: "Handoffs and meetings" });
    await samRecord
      .getByTestId("meeting-notes")
      .getByText("Runbook walked through with Support", { exact: false })
      .waitFor({ timeout: LIVE_MS });
    expect(await samRecord.getByTestId("meeting-attendance").textContent()).toBe(
      "Attended: Ivy Implementer and Sue Support",
    );
    const stored = (await e.baton.admin.get(`/items/${key}`)).body.meetings[0];
    expect(stored).toMatchObject({
      location: "Video call",
      sequence: 1,
      held: { attended: ["ivy@example.com", "sue@example.com"], receivingTeam: "support" },
    });
    await e.shot(sam, "item-page-handoff-record", true);
  });

  it("an item can be read and acted on at phone width", async () => {
    const phone = await (await e.context(375)).newPage();
    await e.signInQuickly(phone.context(), "ivy@example.com");
    await phone.goto(`/items/${key}`);
    await phone.getByTestId("next-action").waitFor();
    expect(await phone.getByRole("button", { name: "Claim" }).count()).toBe(0);
    await phone.getByRole("checkbox", { name: "Environment ready" }).check();
    const overflow = await phone.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.evaluate(() => window.scrollTo(0, 0));
    await e.shot(phone, "item-page-phone");
  });
});

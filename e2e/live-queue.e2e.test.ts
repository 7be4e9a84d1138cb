import { describe, expect, it } from "vitest";
import { onboardingCriteria, readyOnboardingItem } from "../test/fixtures.ts";
import { useE2e } from "./fixture.ts";

/*
 * An open queue follows changes made elsewhere by reading only the changed rows: a handoff to
 * the team shows up in Incoming without a reload or a second download of the queue, an accept
 * moves the row to In progress, and work in other teams costs the page no request at all.
 */

describe("a queue kept current by the live stream", () => {
  const e = useE2e();

  it("patches the rows that changed and ignores the rest", async () => {
    const sam = e.api["sam@example.com"];
    const ivy = e.api["ivy@example.com"];
    if (!sam || !ivy) throw new Error("no demo users");
    const page = await (await e.context(1440)).newPage();
    const queueReads: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("/queue")) queueReads.push(new URL(r.url()).search);
    });
    await e.signInQuickly(page.context(), "ivy@example.com");
    await page.goto("/teams/implementation");
    await page.getByRole("heading", { name: "Implementation", level: 1 }).waitFor();
    await expect.poll(() => queueReads.some((q) => q.includes("limit=5000"))).toBe(true);
    await page.locator("[data-live=live]").waitFor();
    await page.waitForTimeout(300);
    queueReads.length = 0;

    // Sam hands an item to Implementation: it appears under Incoming by itself.
    const key = await readyOnboardingItem(sam, { customer: "Live Corp" });
    await sam.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });
    await page.locator(`li[data-key="${key}"]`).waitFor();
    expect(queueReads.length).toBeGreaterThan(0);
    expect(queueReads.every((q) => q.includes(`keys=${key}`))).toBe(true);

    // Ivy accepts it elsewhere (the API): it leaves Incoming and is under In progress.
    await ivy.post(`/items/${key}/accept`, {});
    await page.locator(`li[data-key="${key}"]`).waitFor({ state: "detached" });
    await page.getByRole("tab", { name: /In progress/ }).click();
    await page.locator(`li[data-key="${key}"]`).waitFor();
    expect(queueReads.every((q) => q.includes(`keys=${key}`))).toBe(true);

    // Work that never touches Implementation: not one queue request.
    queueReads.length = 0;
    const other = await sam.post("/items", { workflow: "onboarding", title: "Elsewhere" });
    expect(other.status).toBe(201);
    await sam.post(`/items/${other.body.key}/comments`, { body: "Only Sales sees this" });
    await page.waitForTimeout(1500);
    expect(queueReads).toEqual([]);
    await page.context().close();
  });
});

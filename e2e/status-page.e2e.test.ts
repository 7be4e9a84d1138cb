import { describe, expect, it } from "vitest";
import { audit } from "./axe.ts";
import { useE2e } from "./fixture.ts";

/*
 * The requester's status page in a real browser, without an account: it says where the work is
 * in plain words, runs no script, breaks no rule of the Content-Security-Policy, passes an axe
 * audit in light and dark, and fits a phone.
 */

const requestsYaml = `
key: requests
name: Requests
prefix: RQ
fields:
  - {key: plan, type: text, label: Plan, public: true}
  - {key: note, type: text, label: Internal note}
steps:
  - {key: intake, name: Checking the request, team: sales, handoff: {to: setup}}
  - {key: setup, name: Setting it up, team: implementation, handoff: {to: live}}
  - {key: live, name: Going live, team: support}
`;

describe("the requester's status page", () => {
  const e = useE2e();

  it("reads in plain words without an account, with no script and no audit failure", async () => {
    const sam = e.api["sam@example.com"];
    const ivy = e.api["ivy@example.com"];
    if (!sam || !ivy) throw new Error("no demo users");
    await e.baton.workflow(requestsYaml);
    const key = (
      await sam.post("/items", {
        workflow: "requests",
        title: "New office printer",
        fields: { plan: "Gold", note: "margin is thin" },
      })
    ).body.key;
    await sam.post(`/items/${key}/handoff`, {});
    await ivy.post(`/items/${key}/accept`);
    const { url } = (await sam.post(`/items/${key}/share`, {})).body;
    const path = new URL(url).pathname;

    for (const [width, scheme] of [
      [1280, "light"],
      [390, "dark"],
    ] as const) {
      const context = await e.context(width);
      const page = await context.newPage();
      await page.emulateMedia({ colorScheme: scheme });
      const answer = await page.goto(path);
      expect(answer?.status()).toBe(200);
      await page
        .getByText("With Implementation since today — they are working on “Setting it up”.")
        .waitFor();
      expect(await page.locator("script").count()).toBe(0);
      expect(await page.getByRole("listitem").allTextContents()).toEqual([
        "Checking the request — Sales, done",
        "Setting it up — Implementation, now",
        "Going live — Support, to come",
      ]);
      expect(await page.locator("dd").allTextContents()).toEqual(["Gold"]);
      expect(await page.content()).not.toContain("margin is thin");
      // Nothing wider than a phone.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        width,
      );
      expect(await audit(page)).toEqual([]);
      if (width > 600) await e.shot(page, "status-page");
      await context.close();
    }
  });
});

import { describe, expect, it } from "vitest";
import { onboardingCriteria, readyOnboardingItem } from "../test/fixtures.ts";
import { audit } from "./axe.ts";
import { useE2e } from "./fixture.ts";

/*
 * The handoff survey on the item page: right after Ivy accepts, she is asked "Did you have what
 * you needed?" and answers with one click (and a comment she typed first); once Implementation
 * has handed the work on, Sam, who sent it, is asked "Were the criteria clear and the response
 * timely?" and skips it; neither is asked again, and nobody is asked on a workflow that turned
 * surveys off.
 */

describe("the survey prompt on the item page", () => {
  const e = useE2e();

  it("asks the receiver after accepting: one click records the score and the comment", async () => {
    const sam = e.api["sam@example.com"];
    if (!sam) throw new Error("no demo user sam");
    const key = await readyOnboardingItem(sam);
    await sam.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });

    const ivy = await (await e.context()).newPage();
    await e.signInQuickly(ivy.context(), "ivy@example.com");
    await ivy.goto(`/items/${key}`);
    await ivy.getByRole("button", { name: "Accept", exact: true }).click();
    await ivy.getByRole("button", { name: "Accept handoff" }).click();

    const survey = ivy.getByRole("region", { name: "Handoff survey" });
    await survey.getByText("You accepted this from Sales.").waitFor();
    await survey.getByText("Did you have what you needed?").waitFor();
    expect(await audit(ivy)).toEqual([]);
    await e.shot(ivy, "item-survey");
    await survey.getByLabel("What was missing or unclear?").fill("The go-live date was missing.");
    await survey.getByRole("button", { name: "4 of 5: mostly" }).click();
    await ivy.getByText("Thanks: your 4/5 is recorded.").waitFor();
    await survey.waitFor({ state: "detached" });

    const review = (await sam.get("/review/onboarding")).body;
    const edge = review.edges.find((x: { from_step: string }) => x.from_step === "sell");
    expect(edge.survey_receiver_avg).toBe(4);
    expect(edge.survey_comments).toEqual([
      expect.objectContaining({
        key,
        role: "receiver",
        score: 4,
        comment: "The go-live date was missing.",
      }),
    ]);
    // Not asked again, after a reload either.
    await ivy.reload();
    await ivy.getByRole("heading", { level: 1 }).waitFor();
    await ivy.getByText("Implement", { exact: false }).first().waitFor();
    expect(await ivy.getByRole("region", { name: "Handoff survey" }).count()).toBe(0);

    // Implementation hands on to Support: now Sam, who sent it, is asked — live, on his open page.
    const samPage = await (await e.context()).newPage();
    await e.signInQuickly(samPage.context(), "sam@example.com");
    await samPage.goto(`/items/${key}`);
    await samPage.getByRole("heading", { level: 1 }).waitFor();
    expect(await samPage.getByRole("region", { name: "Handoff survey" }).count()).toBe(0);
    const ivyApi = e.api["ivy@example.com"];
    if (!ivyApi) throw new Error("no demo user ivy");
    await ivyApi.patch(`/items/${key}/fields`, { go_live: "2027-01-15" });
    for (const index of [0, 1]) await ivyApi.post(`/items/${key}/checklist`, { index, done: true });
    const handed = await ivyApi.post(`/items/${key}/handoff`, {
      confirm: ["Customer signed off the setup", "Runbook written"],
    });
    expect(handed.status).toBe(200);
    const asked = samPage.getByRole("region", { name: "Handoff survey" });
    await asked.getByText("Implementation has finished the step you handed this to.").waitFor({
      timeout: 20_000,
    });
    await asked.getByText("Were the criteria clear and the response timely?").waitFor();
    await asked.getByRole("button", { name: "Skip" }).click();
    await asked.waitFor({ state: "detached" });
    await samPage.reload();
    await samPage.getByRole("heading", { level: 1 }).waitFor();
    await samPage.waitForTimeout(500);
    expect(await samPage.getByRole("region", { name: "Handoff survey" }).count()).toBe(0);
    // A skip is no score.
    const after = (await sam.get("/review/onboarding")).body.edges.find(
      (x: { from_step: string }) => x.from_step === "sell",
    );
    expect(after.survey_sender_count).toBe(0);
    await ivy.context().close();
    await samPage.context().close();
  });

  it("asks nobody on a workflow that turned surveys off", async () => {
    const admin = e.baton.admin;
    const source = (await admin.get("/workflows/onboarding")).body.source as string;
    const off = await admin.put(
      "/workflows/onboarding",
      `${source.trimEnd()}\nsurveys: {enabled: false}\n`,
    );
    expect(off.status).toBeLessThan(300);
    const sam = e.api["sam@example.com"];
    const ivyApi = e.api["ivy@example.com"];
    if (!sam || !ivyApi) throw new Error("no demo users");
    const key = await readyOnboardingItem(sam, { customer: "Quiet Corp" });
    await sam.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });
    await ivyApi.post(`/items/${key}/accept`);
    const ivy = await (await e.context()).newPage();
    await e.signInQuickly(ivy.context(), "ivy@example.com");
    await ivy.goto(`/items/${key}`);
    await ivy.getByRole("heading", { level: 1 }).waitFor();
    await ivy.waitForTimeout(500);
    expect(await ivy.getByRole("region", { name: "Handoff survey" }).count()).toBe(0);
    await ivy.context().close();
  });
});

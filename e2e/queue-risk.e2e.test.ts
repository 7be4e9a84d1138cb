import { describe, expect, it } from "vitest";
import { dealsYaml, inMarch, onWeekdayMornings } from "../test/deal-history.ts";
import { audit } from "./axe.ts";
import { useE2e } from "./fixture.ts";

/*
 * Risk in the queue: after a history of handoffs to Implementation, a new handoff of the
 * workflow whose handoffs mostly breached their accept limit reads "at risk" in Implementation's
 * queue (in words, not only in colour); one of a workflow that mostly made it does not; and the
 * "Most at risk" sort puts the likeliest breach first.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;

describe("risk in the team queue", () => {
  const e = useE2e();

  it("badges the handoffs likely to breach and sorts by risk", async () => {
    const sam = e.api["sam@example.com"];
    const ivy = e.api["ivy@example.com"];
    if (!sam || !ivy) throw new Error("no demo users");
    await e.baton.workflow(dealsYaml());
    await e.baton.workflow(dealsYaml({ key: "renewals", name: "Renewals", prefix: "RN" }));
    // The history happens in March (the harness's clock, held still and moved by hand); the new
    // handoffs happen now, in real time, as the browser sees them.
    const clock = e.baton.clock;
    // 24 of each on weekday mornings. Deals: three in four accepted the next morning (late).
    // Renewals: three in four accepted within half an hour.
    await inMarch(clock, () =>
      onWeekdayMornings(clock, 24, async (i, start) => {
        for (const [wf, late] of [
          ["deals", i % 4 !== 3],
          ["renewals", i % 4 === 3],
        ] as const) {
          const key = (await sam.post("/items", { workflow: wf, title: `${wf} ${i}` })).body.key;
          clock.now = new Date(start + HOUR);
          await sam.post(`/items/${key}/handoff`, {});
          clock.advance(late ? 22 * HOUR : 30 * MIN);
          await ivy.post(`/items/${key}/accept`);
          clock.advance(HOUR);
          await ivy.post(`/items/${key}/complete`);
        }
      }),
    );
    const handOff = async (wf: string, title: string) => {
      const key = (await sam.post("/items", { workflow: wf, title })).body.key as string;
      expect((await sam.post(`/items/${key}/handoff`, {})).status).toBe(200);
      return key;
    };
    // Created before the risky one, so the queue's own order (oldest first) shows it first.
    const calm = await handOff("renewals", "Parasol");
    const risky = await handOff("deals", "Umbrella");
    const queue = await ivy.get("/teams/implementation/queue?clocks=false");
    const riskOf = (key: string) =>
      (queue.body.incoming as { key: string; risk: number | null }[]).find((r) => r.key === key)
        ?.risk;
    // 18 of 24 breached: (18 + 1/2) / 25 = 74 %; 6 of 24: 26 %.
    expect(riskOf(risky)).toBeCloseTo(0.74, 2);
    expect(riskOf(calm)).toBeCloseTo(0.26, 2);

    const page = await (await e.context(1440)).newPage();
    await e.signInQuickly(page.context(), "ivy@example.com");
    await page.goto("/teams/implementation");
    const riskyRow = page.locator(`li[data-key="${risky}"]`);
    const badge = riskyRow.getByTestId("at-risk");
    await badge.waitFor();
    expect(await badge.textContent()).toBe("at risk · 74 %");
    expect(await badge.getAttribute("title")).toBe(
      "74 % likely to breach its limit, from this workflow's history",
    );
    await page.locator(`li[data-key="${calm}"]`).waitFor();
    expect(await page.locator(`li[data-key="${calm}"]`).getByTestId("at-risk").count()).toBe(0);
    // The badge is text in the warning's colour: it reads the same without colour, and passes
    // axe's contrast check, on the cursor's row too.
    expect(await badge.evaluate((el) => getComputedStyle(el).color)).toBe(
      await page.evaluate(() => {
        const probe = document.createElement("span");
        probe.style.color = "var(--baton-orange)";
        document.body.append(probe);
        const c = getComputedStyle(probe).color;
        probe.remove();
        return c;
      }),
    );
    await riskyRow.click({ position: { x: 400, y: 10 } });
    await page.locator(`li[data-key="${risky}"][aria-current="true"]`).waitFor();
    expect(await audit(page)).toEqual([]);

    // The queue's own order puts the older handoff first; "Most at risk" puts the risky one first.
    const order = () =>
      page.locator("li[data-key]").evaluateAll((rows) =>
        rows
          .map((r) => ({ key: r.getAttribute("data-key"), at: r.getBoundingClientRect().top }))
          .sort((a, b) => a.at - b.at)
          .map((r) => r.key),
      );
    const before = await order();
    expect(before.indexOf(calm)).toBeLessThan(before.indexOf(risky));
    await page.getByRole("combobox", { name: "Sort" }).click();
    await page.getByRole("option", { name: "Most at risk" }).click();
    await page.waitForURL(/sort=risk/);
    await expect.poll(async () => (await order()).slice(0, 2)).toEqual([risky, calm]);
    await page.context().close();
  });
});

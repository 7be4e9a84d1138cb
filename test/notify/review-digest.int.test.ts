import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { relayYaml } from "../fixtures.ts";
import { type ApiClient, dbKinds, useBaton, useSecondNode } from "../harness.ts";
import { useTestSmtp } from "./smtp-server.ts";

/*
 * The weekly review digest: from Monday 07:00 UTC each team's leads get last ISO week's edges
 * touching their team (limbo p85 against the accept limit, rejections, bounces, the top
 * suggestion) in the inbox and by mail to a real SMTP server, as their preferences say; two
 * nodes checking at the same moment send it once; a clock the test moves by hand.
 */

const HOUR = 3_600_000;

const yaml = relayYaml({
  steps: ["sell", "implement"],
  fields: [],
  checklist: [],
  handoff: "accept_within: 1h wall",
});

describe.each(dbKinds())("weekly review digest on $name", (kind) => {
  const { smtp, notify } = useTestSmtp();
  const b = useBaton(kind, { engine: { notify } });
  const second = useSecondNode(b, { notify });
  let sam: ApiClient;
  let ivy: ApiClient;
  let lena: ApiClient;
  let leo: ApiClient;

  const deliverAll = async () => {
    while ((await b.engine.deliveries.tick()) > 0);
  };
  const digestLines = async () =>
    (
      await sql<{ recipient: string; title: string }>`
        select recipient, title from notifications where kind = 'review.digest' order by id`.execute(
        b.engine.db,
      )
    ).rows;

  it("sets up two teams with a lead each and a week of handoffs", async () => {
    await b.team("sales");
    await b.team("implementation");
    sam = await b.user("sam@example.com", ["sales"]);
    ivy = await b.user("ivy@example.com", ["implementation"]);
    lena = await b.user("lena@example.com", [{ key: "implementation", role: "lead" }]);
    leo = await b.user("leo@example.com", [{ key: "sales", role: "lead" }]);
    await b.workflow(yaml);
    // Leo reads the digest in the inbox only.
    expect(
      (await leo.put("/me/notification-preferences", { channels: { "review.digest": ["inbox"] } }))
        .status,
    ).toBe(200);
    // Monday 2 March 2026 (ISO week 10): five handoffs, each decided two hours later.
    b.clock.now = new Date("2026-03-02T09:00:00Z");
    const keys: string[] = [];
    for (let i = 0; i < 5; i++) {
      const c = await sam.post("/items", { workflow: "relay", title: `Deal ${i}` });
      keys.push(c.body.key);
      expect((await sam.post(`/items/${c.body.key}/handoff`)).status).toBe(200);
    }
    b.clock.advance(2 * HOUR);
    for (const key of keys.slice(0, 4))
      expect((await ivy.post(`/items/${key}/accept`)).status).toBe(200);
    const rejected = await ivy.post(`/items/${keys[4]}/reject`, {
      reason: "incomplete",
      comment: "No contract attached",
    });
    expect(rejected.status).toBe(200);
  });

  it("nothing goes out before Monday 07:00 UTC of the next week", async () => {
    // Sunday night the due week is the one before (W09): nothing crossed a boundary then, so
    // both teams are looked at and recorded, and nobody is told.
    b.clock.now = new Date("2026-03-08T23:00:00Z");
    expect(await b.engine.reviewDigests.tick()).toBe(2);
    expect(await b.engine.reviewDigests.tick()).toBe(0);
    b.clock.now = new Date("2026-03-09T06:59:00Z");
    expect(await b.engine.reviewDigests.tick()).toBe(0);
    expect(await digestLines()).toEqual([]);
  });

  it("two nodes at 07:05 send each lead one digest; members get none", async () => {
    b.clock.now = new Date("2026-03-09T07:05:00Z");
    await Promise.all([b.engine.reviewDigests.tick(), second.engine.reviewDigests.tick()]);
    await Promise.all([b.engine.reviewDigests.tick(), second.engine.reviewDigests.tick()]);
    const lines = await digestLines();
    expect(lines.map((l) => l.recipient).sort()).toEqual(["lena@example.com", "leo@example.com"]);
    expect(lines[0]?.title).toBe(
      `Weekly review for ${lines[0]?.recipient.startsWith("lena") ? "Implementation" : "Sales"}, 2026-W10: 1 edge(s), 1 rejection(s), 0 bounce(s), 1 over the accept limit`,
    );
    // The inbox shows it, linking to the review page.
    const inbox = await lena.get("/me/notifications");
    const line = inbox.body.notifications.find((n: { kind: string }) => n.kind === "review.digest");
    expect(line).toMatchObject({ item: null, url: "/review", reason: "lead" });
    const members = (await ivy.get("/me/notifications")).body.notifications;
    expect(members.some((n: { kind: string }) => n.kind === "review.digest")).toBe(false);
  });

  it("the mail says limbo p85 against the limit, rejections, bounces and the top suggestion", async () => {
    const before = smtp.mails.length;
    await deliverAll();
    const mails = await smtp.waitFor(before + 1);
    const digests = mails.filter((m) => m.subject?.startsWith("[Baton] Weekly review"));
    // Leo chose the inbox only: one mail, to Lena.
    expect(digests).toHaveLength(1);
    const mail = digests[0];
    expect(mail?.to).toMatchObject({ text: "lena@example.com" });
    expect(mail?.subject).toBe("[Baton] Weekly review for Implementation, 2026-W10");
    expect(mail?.text).toContain("Handoffs submitted 2026-03-02 to 2026-03-08 (UTC)");
    expect(mail?.text).toContain(
      "- relay: Sales sell → Implementation implement: 5 handed off, limbo p85 2 h (limit 1h wall, OVER), 1 rejected (20 %), 0 bounce(s)",
    );
    expect(mail?.text).toContain(
      "  Suggestion: Limbo p85 is above accept_within (1h wall): add receiver capacity or allow longer",
    );
    expect(mail?.text).toContain("https://baton.example.com/workflows/relay/review");
    expect(mail?.html).toContain("<table");
    expect(mail?.html).toContain("1h wall <strong>over</strong>");
    expect(mail?.headerLines.some((h) => h.key === "list-unsubscribe")).toBe(true);
    // Asking again sends nothing more.
    expect(await b.engine.reviewDigests.tick()).toBe(0);
    await deliverAll();
    expect(smtp.mails.filter((m) => m.subject?.startsWith("[Baton] Weekly review"))).toHaveLength(
      1,
    );
  });

  it("a lead's muted workflows are left out of their copy", async () => {
    await b.workflow(yaml.replace("key: relay", "key: quiet").replace("prefix: RL", "prefix: QT"));
    b.clock.now = new Date("2026-03-10T09:00:00Z");
    for (const w of ["relay", "quiet"]) {
      const c = await sam.post("/items", { workflow: w, title: `In ${w}` });
      expect((await sam.post(`/items/${c.body.key}/handoff`)).status).toBe(200);
      expect((await ivy.post(`/items/${c.body.key}/accept`)).status).toBe(200);
    }
    await lena.put("/me/notification-preferences", { muted_workflows: ["quiet"] });
    b.clock.now = new Date("2026-03-16T07:30:00Z");
    const before = smtp.mails.length;
    expect(await b.engine.reviewDigests.tick()).toBe(2);
    await deliverAll();
    const mails = await smtp.waitFor(before + 1);
    const mail = mails.slice(before).find((m) => m.subject?.includes("2026-W11"));
    expect(mail?.text).toContain("- relay: Sales sell → Implementation implement: 1 handed off");
    expect(mail?.text).not.toContain("quiet:");
    // Leo muted nothing: both workflows in his inbox line's count.
    const leo = (await digestLines()).filter((l) => l.recipient === "leo@example.com").at(-1);
    expect(leo?.title).toMatch(/^Weekly review for Sales, 2026-W11: 2 edge\(s\)/);
    await lena.put("/me/notification-preferences", {});
  });

  it("a week with no handoff across the team's boundaries sends nothing", async () => {
    b.clock.now = new Date("2026-03-23T08:00:00Z");
    const lines = (await digestLines()).length;
    expect(await b.engine.reviewDigests.tick()).toBe(2); // both teams looked at, once
    expect(await b.engine.reviewDigests.tick()).toBe(0);
    expect(await digestLines()).toHaveLength(lines);
  });
});

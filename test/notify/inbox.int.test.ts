import { describe, expect, it } from "vitest";
import { rolloutYaml } from "../fixtures.ts";
import { type ApiClient, dbKinds, useBaton } from "../harness.ts";

/*
 * Who is told what, through the in-app inbox: the rules of issue 9 end to end (command →
 * outbox row in the command's statement → the worker's fan-out → the reader's inbox), with the
 * worker ticked by hand as the SLA tests tick the timers.
 */

const workflow = rolloutYaml();

type Line = { kind: string; reason: string; item: string; title: string; action: string };

describe.each(dbKinds())("the inbox on $name", (kind) => {
  const b = useBaton(kind);
  let sam: ApiClient; // sales
  let sara: ApiClient; // sales
  let ivy: ApiClient; // implementation
  let lena: ApiClient; // implementation lead
  let otto: ApiClient; // ops

  /** Fans out everything committed so far. */
  const deliver = async () => {
    while ((await b.engine.notifications.tick()) > 0);
  };
  const inbox = async (who: ApiClient, query = "") => {
    const r = await who.get(`/me/notifications${query}`);
    expect(r.status).toBe(200);
    return r.body as { notifications: Line[]; unread: number; next_before: string | null };
  };
  const kindsFor = async (who: ApiClient, key: string) =>
    (await inbox(who)).notifications.filter((n) => n.item === key).map((n) => n.kind);
  const newItem = async (by: ApiClient, title = "Acme") =>
    (await by.post("/items", { workflow: "rollout", title })).body.key as string;

  it("sets up teams and people", async () => {
    for (const t of ["sales", "implementation", "ops"]) await b.team(t);
    sam = await b.user("sam@example.com", ["sales"]);
    sara = await b.user("sara@example.com", ["sales"]);
    ivy = await b.user("ivy@example.com", ["implementation"]);
    lena = await b.user("lena@example.com", [{ key: "implementation", role: "lead" }]);
    otto = await b.user("otto@example.com", ["ops"]);
    await b.workflow(workflow);
  });

  it("a handoff tells every member of the receiving team, never the sender, with what to do", async () => {
    const key = await newItem(sam);
    await sam.post(`/items/${key}/handoff`);
    await deliver();
    const ivys = await inbox(ivy);
    expect(ivys.unread).toBe(1);
    expect(ivys.notifications[0]).toMatchObject({
      kind: "handoff.submitted",
      reason: "team",
      item: key,
      title: `Sales handed off ${key} “Acme” to Implementation`,
      action: expect.stringMatching(/^Accept or reject it by 2026-03-02 13:00 UTC\.$/),
      actor: "sam@example.com",
      read: false,
      url: `/items/${key}`,
    });
    expect(await kindsFor(lena, key)).toEqual(["handoff.submitted"]);
    // The sender and the rest of their team are not told; sam watches it as its creator, but
    // the actor is never told.
    expect(await kindsFor(sam, key)).toEqual([]);
    expect(await kindsFor(sara, key)).toEqual([]);
    expect(await kindsFor(otto, key)).toEqual([]);
  });

  it("accepting tells the sender's team and the submitter; rejecting asks them to fix it", async () => {
    const a = await newItem(sam, "Accepted");
    await sam.post(`/items/${a}/handoff`);
    await ivy.post(`/items/${a}/accept`);
    const r = await newItem(sara, "Rejected");
    await sara.post(`/items/${r}/handoff`);
    await ivy.post(`/items/${r}/reject`, { reason: "incomplete", comment: "No customer contact" });
    await deliver();
    const sams = (await inbox(sam)).notifications;
    expect(sams.find((n) => n.item === a)).toMatchObject({
      kind: "handoff.accepted",
      reason: "submitter",
      title: `Implementation accepted ${a} “Accepted”`,
    });
    expect(sams.find((n) => n.item === r)).toMatchObject({
      kind: "handoff.rejected",
      reason: "team",
      title: expect.stringContaining("(incomplete): “No customer contact”"),
      action: expect.stringMatching(/^Fix what is missing and hand it off again/),
    });
    expect((await inbox(sara)).notifications.find((n) => n.item === r)?.reason).toBe("submitter");
    // Lena (the receiving team) hears of the submissions, not of her colleague's decisions.
    expect(await kindsFor(lena, a)).toEqual(["handoff.submitted"]);
    expect(await kindsFor(ivy, a)).toEqual(["handoff.submitted"]);
  });

  it("a withdrawn handoff tells the receiving team", async () => {
    const key = await newItem(sam, "Withdrawn");
    await sam.post(`/items/${key}/handoff`);
    await sam.post(`/items/${key}/withdraw`);
    await deliver();
    expect(await kindsFor(ivy, key)).toEqual(["handoff.withdrawn", "handoff.submitted"]);
  });

  it("a question tells the asked team; its answer tells the asker; assigning tells the assignee", async () => {
    const key = await newItem(sam, "Questions");
    await sam.post(`/items/${key}/handoff`);
    await ivy.post(`/items/${key}/accept`);
    const q = await ivy.post(`/items/${key}/questions`, { to_team: "sales", body: "Which VPN?" });
    expect(q.status).toBe(201);
    await deliver();
    expect(
      (await inbox(sara)).notifications.find((n) => n.kind === "question.asked" && n.item === key),
    ).toMatchObject({ reason: "team", action: expect.stringMatching(/^Answer the question/) });
    await sara.post(`/items/${key}/questions/${q.body.id}/answer`, { body: "WireGuard" });
    // Accepting made ivy the assignee; she hands the work to her lead.
    expect((await ivy.post(`/items/${key}/assign`, { email: "lena@example.com" })).status).toBe(
      200,
    );
    await deliver();
    const ivys = (await inbox(ivy)).notifications.filter((n) => n.item === key);
    expect(ivys.map((n) => [n.kind, n.reason])).toEqual([
      ["question.answered", "asker"],
      ["handoff.submitted", "team"],
    ]);
    expect((await inbox(lena)).notifications.find((n) => n.item === key)).toMatchObject({
      kind: "item.assigned",
      reason: "assignee",
      title: `ivy@example.com assigned ${key} “Questions” to lena@example.com`,
    });
    expect(ivys[0]?.title).toContain("“WireGuard”");
  });

  it("@person and @team in a comment tell them; a plain comment tells no one", async () => {
    const key = await newItem(sam, "Mentions");
    await sam.post(`/items/${key}/comments`, {
      body: "@otto@example.com and @implementation, see",
    });
    await sam.post(`/items/${key}/comments`, { body: "mail sam@example.com, no mention" });
    await deliver();
    expect(await kindsFor(otto, key)).toEqual(["comment.added"]);
    expect(await kindsFor(ivy, key)).toEqual(["comment.added"]);
    expect((await inbox(lena)).notifications.find((n) => n.item === key)?.reason).toBe("mention");
    expect(await kindsFor(sam, key)).toEqual([]);
  });

  it("watchers hear of every change of owner or state; the creator watches until they stop", async () => {
    const key = await newItem(sara, "Watched");
    const watch = await otto.put(`/items/${key}/watch`);
    expect(watch.body).toEqual({
      watching: true,
      watchers: ["otto@example.com", "sara@example.com"],
    });
    await sam.post(`/items/${key}/comments`, { body: "no news for watchers" });
    await sam.post(`/items/${key}/handoff`);
    await deliver();
    expect(await kindsFor(otto, key)).toEqual(["handoff.submitted"]);
    expect((await inbox(otto)).notifications[0]).toMatchObject({
      reason: "watcher",
      action: "Nothing to do: you watch this item.",
    });
    expect(await kindsFor(sara, key)).toEqual(["handoff.submitted"]);

    const stopped = await sara.delete(`/items/${key}/watch`);
    expect(stopped.body).toEqual({ watching: false, watchers: ["otto@example.com"] });
    await ivy.post(`/items/${key}/accept`);
    await ivy.post(`/items/${key}/pause`, { reason: "Customer on holiday" });
    await deliver();
    expect(await kindsFor(otto, key)).toEqual([
      "item.paused",
      "handoff.accepted",
      "handoff.submitted",
    ]);
    // sara hears of the acceptance as one of the sending team, of the pause no more.
    expect(await kindsFor(sara, key)).toEqual(["handoff.accepted", "handoff.submitted"]);
    // sam submitted it: told of the acceptance as submitter, not as a watcher.
    expect((await inbox(sam)).notifications.find((n) => n.item === key)?.reason).toBe("submitter");
    expect((await b.admin.get("/items/NOPE-1/watch")).status).toBe(404);
  });

  it("a muted workflow tells nothing; a kind turned off stays out of the inbox", async () => {
    const prefs = await lena.get("/me/notification-preferences");
    expect(prefs.body).toMatchObject({
      channels: {},
      muted_workflows: [],
      email_digest: false,
      email_enabled: false,
    });
    expect(prefs.body.kinds.map((k: { kind: string }) => k.kind)).toContain("handoff.submitted");
    const put = await lena.put("/me/notification-preferences", { muted_workflows: ["rollout"] });
    expect(put.status).toBe(200);
    const ivyPrefs = await ivy.put("/me/notification-preferences", {
      channels: { "handoff.submitted": ["email"] },
    });
    expect(ivyPrefs.body.channels).toEqual({ "handoff.submitted": ["email"] });
    const key = await newItem(sam, "Muted");
    await sam.post(`/items/${key}/handoff`);
    await deliver();
    expect(await kindsFor(lena, key)).toEqual([]);
    expect(await kindsFor(ivy, key)).toEqual([]);
    const bad = await lena.put("/me/notification-preferences", {
      channels: { "handoff.exploded": ["pigeon"] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("invalid_input");
    await lena.put("/me/notification-preferences", {});
    await ivy.put("/me/notification-preferences", {});
  });

  it("pages newest first; lines are marked read by id or all at once, only one's own", async () => {
    for (let i = 0; i < 3; i++) {
      const key = await newItem(sam, `Page ${i}`);
      await sam.post(`/items/${key}/handoff`);
    }
    await deliver();
    const all = await inbox(lena);
    const first = await inbox(lena, "?limit=2");
    expect(first.notifications).toEqual(all.notifications.slice(0, 2));
    expect(first.next_before).toBe((all.notifications[1] as { id?: string }).id);
    const second = await inbox(lena, `?limit=2&before=${first.next_before}`);
    expect(second.notifications).toEqual(all.notifications.slice(2, 4));

    const ids = first.notifications.map((n) => (n as { id?: string }).id);
    const mine = await lena.post("/me/notifications/read", { ids });
    expect(mine.body).toEqual({ marked: 2, unread: all.unread - 2 });
    // Someone else's ids change nothing.
    expect((await ivy.post("/me/notifications/read", { ids })).body.marked).toBe(0);
    expect((await inbox(lena, "?unread=true")).notifications).toHaveLength(all.unread - 2);
    expect((await lena.post("/me/notifications/read", { all: true })).body).toEqual({
      marked: all.unread - 2,
      unread: 0,
    });
    const bad = await lena.post("/me/notifications/read", { ids: ["x"] });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("invalid_input");
  });

  it("a breach tells the owner team, its leads and the escalation team; the outbox shows who", async () => {
    b.clock.now = new Date("2026-03-03T09:00:00Z");
    const key = await newItem(sam, "Late");
    await sam.post(`/items/${key}/handoff`);
    b.clock.advance(5 * 3_600_000);
    await b.engine.timers.tick();
    await deliver();
    const told = await b.admin.get(`/outbox?item=${key}`);
    const breach = told.body.messages.filter((m: { kind: string }) => m.kind === "sla.breached");
    expect(
      breach.map((m: { recipient: string; reason: string }) => [m.recipient, m.reason]).sort(),
    ).toEqual([
      ["ivy@example.com", "team"],
      ["lena@example.com", "lead"],
      ["otto@example.com", "escalation"],
    ]);
    expect(breach[0].subject).toContain(`${key} breached`);
  });
});

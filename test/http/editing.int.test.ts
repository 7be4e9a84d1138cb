import { describe, expect, it } from "vitest";
import { relayYaml } from "../fixtures.ts";
import { type ApiClient, dbKinds, useBaton } from "../harness.ts";

/*
 * Editing what was written: an item's title and due date, one's own comments, reopening done
 * work, and moving a running item to its workflow's current version. Every change is an event.
 */

/** The relay with a checklist of its own at each step. */
const editingYaml = (checklist = ["Contract signed"]) =>
  relayYaml({ checklist, then: ["checklist: [Built]"] });

describe.each(dbKinds())("editing items on $name", (kind) => {
  const b = useBaton(kind);
  let sales: ApiClient;
  let impl: ApiClient;
  let other: ApiClient;

  async function started(title = "ACME rollout"): Promise<string> {
    const r = await sales.post("/items", { workflow: "relay", title, fields: { tier: "smb" } });
    expect(r.status).toBe(201);
    return r.body.key;
  }
  async function done(): Promise<string> {
    const key = await started();
    await sales.post(`/items/${key}/checklist`, { index: 0, done: true });
    await sales.post(`/items/${key}/handoff`);
    await impl.post(`/items/${key}/accept`);
    await impl.post(`/items/${key}/checklist`, { index: 0, done: true });
    expect((await impl.post(`/items/${key}/complete`)).body.state).toBe("done");
    return key;
  }

  it("the team holding an item renames it and moves its due date; each change is an event", async () => {
    for (const t of ["sales", "implementation", "finance"]) await b.team(t);
    await b.workflow(editingYaml());
    sales = await b.user("sam@example.com", ["sales"]);
    impl = await b.user("ivy@example.com", ["implementation"]);
    other = await b.user("fin@example.com", ["finance"]);
    const key = await started();

    const renamed = await sales.patch(
      `/items/${key}`,
      { title: "ACME rollout (EU)", due: "2026-04-01" },
      { "if-match": '"1"' },
    );
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({
      title: "ACME rollout (EU)",
      due: "2026-04-01T23:59:59.999Z",
      version: 2,
    });
    expect(renamed.body.clocks.map((c: { kind: string }) => c.kind)).toContain("due");
    expect(renamed.headers.etag).toBe('"2"');

    const cleared = await sales.patch(`/items/${key}`, { due: null });
    expect(cleared.body.due).toBeNull();
    expect(cleared.body.clocks).toEqual([]);

    const events = (await sales.get(`/items/${key}/events`)).body.events;
    expect(events.slice(1).map((e: { type: string; data: unknown }) => [e.type, e.data])).toEqual([
      [
        "item.edited",
        {
          changes: { title: "ACME rollout (EU)", due: "2026-04-01T23:59:59.999Z" },
          previous: { title: "ACME rollout", due: null },
        },
      ],
      ["item.edited", { changes: { due: null }, previous: { due: "2026-04-01T23:59:59.999Z" } }],
    ]);

    // Nothing changed: no event, the same version.
    const same = await sales.patch(`/items/${key}`, { title: "ACME rollout (EU)" });
    expect(same.body.version).toBe(3);
  });

  it("editing is refused to outsiders, on stale versions and with bad values, naming what is wrong", async () => {
    const key = await started();
    expect((await other.patch(`/items/${key}`, { title: "Mine now" })).body.code).toBe(
      "not_your_team",
    );
    const stale = await sales.patch(`/items/${key}`, { title: "Late" }, { "if-match": '"7"' });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe("version_conflict");
    const empty = await sales.patch(`/items/${key}`, {});
    expect(empty.status).toBe(400);
    expect(empty.body.detail).toContain("give title or due");
    const badDue = await sales.patch(`/items/${key}`, { due: "2026-02-30" });
    expect(badDue.status).toBe(400);
    expect(badDue.body.errors[0].path).toContain("due");
    const blank = await sales.patch(`/items/${key}`, { title: "   " });
    expect(blank.status).toBe(400);
    const extra = await sales.patch(`/items/${key}`, { title: "x", state: "done" });
    expect(extra.status).toBe(400);
    expect((await sales.get(`/items/${key}`)).body.version).toBe(1);
  });

  it("a comment's author edits and deletes it; the comments show the latest text, the history every change", async () => {
    const key = await started();
    const added = await impl.post(`/items/${key}/comments`, { body: "Kick-off on Mondy" });
    expect(added.status).toBe(201);
    const [comment] = (await impl.get(`/items/${key}/comments`)).body.comments;
    expect(comment).toMatchObject({ author: "ivy@example.com", body: "Kick-off on Mondy" });
    const seq = comment.seq as number;

    const notMine = await sales.patch(`/items/${key}/comments/${seq}`, { body: "Kick-off never" });
    expect(notMine.status).toBe(403);
    expect(notMine.body.code).toBe("not_your_comment");

    b.clock.advance(60_000);
    const edited = await impl.patch(`/items/${key}/comments/${seq}`, {
      body: "Kick-off on Monday",
    });
    expect(edited.status).toBe(200);
    expect(edited.body.comments).toBe(1);
    const shown = (await sales.get(`/items/${key}/comments`)).body.comments;
    expect(shown).toEqual([
      {
        seq,
        author: "ivy@example.com",
        at: comment.at,
        body: "Kick-off on Monday",
        edited_at: b.clock.now.toISOString(),
      },
    ]);

    await impl.post(`/items/${key}/comments`, { body: "Second thought" });
    const deleted = await impl.delete(`/items/${key}/comments/${seq}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.comments).toBe(1);
    expect(
      (await sales.get(`/items/${key}/comments`)).body.comments.map(
        (c: { body: string }) => c.body,
      ),
    ).toEqual(["Second thought"]);
    const history = (await sales.get(`/items/${key}/events`)).body.events.map(
      (e: { type: string }) => e.type,
    );
    expect(history).toEqual([
      "item.created",
      "comment.added",
      "comment.edited",
      "comment.added",
      "comment.deleted",
    ]);

    // Gone is gone: neither edited nor deleted again; a seq that is no comment is a 404.
    expect((await impl.delete(`/items/${key}/comments/${seq}`)).status).toBe(404);
    expect((await impl.patch(`/items/${key}/comments/${seq}`, { body: "Back" })).status).toBe(404);
    expect((await impl.delete(`/items/${key}/comments/1`)).status).toBe(404);
    expect((await impl.delete(`/items/${key}/comments/0`)).status).toBe(400);
    expect((await impl.delete(`/items/NOPE-1/comments/2`)).status).toBe(404);
  });

  it("an admin deletes anyone's comment but cannot edit it", async () => {
    const key = await started();
    await other.post(`/items/${key}/comments`, { body: "Buy our product!" });
    expect((await b.admin.patch(`/items/${key}/comments/2`, { body: "Edited" })).status).toBe(403);
    expect((await b.admin.delete(`/items/${key}/comments/2`)).status).toBe(200);
    expect((await sales.get(`/items/${key}/comments`)).body.comments).toEqual([]);
  });

  it("a done item reopens at its last step with that step's team, counted as rework", async () => {
    const key = await done();
    expect((await other.post(`/items/${key}/reopen`, { reason: "Still broken" })).status).toBe(403);
    expect((await sales.post(`/items/${key}/reopen`, {})).status).toBe(400);
    // Sales had the item before, so it may say the work is not done.
    const reopened = await sales.post(`/items/${key}/reopen`, { reason: "Still broken" });
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({
      state: "in_progress",
      step: "build",
      owner_team: "implementation",
      next: { team: "implementation" },
      assignee: null,
      closed: null,
      rework: { build: 1 },
    });
    const events = (await sales.get(`/items/${key}/events`)).body.events;
    expect(events.at(-1)).toMatchObject({
      type: "item.reopened",
      actor: "sam@example.com",
      data: { reason: "Still broken", step: "build", team: "implementation" },
    });
    const listed = await impl.get("/items?team=implementation&state=in_progress");
    expect(listed.body.items.find((i: { key: string }) => i.key === key)?.rework).toBe(1);
    // Only done work reopens.
    const again = await sales.post(`/items/${key}/reopen`, { reason: "Twice" });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("wrong_state");
    const cancelled = await started();
    await sales.post(`/items/${cancelled}/cancel`, { reason: "Deal lost" });
    expect(
      (await sales.post(`/items/${cancelled}/reopen`, { reason: "Deal back" })).body.code,
    ).toBe("item_closed");
  });

  it("an admin moves a running item to the current version where the steps match, carrying ticks over", async () => {
    const key = await started();
    await sales.post(`/items/${key}/checklist`, { index: 0, done: true });
    // Version 2 adds a checklist entry before the signed contract.
    await b.workflow(
      editingYaml(["Contract signed", "Kick-off booked"]).replace(
        "[Contract signed",
        "[Call held, Contract signed",
      ),
    );
    expect((await sales.post(`/items/${key}/migrate`)).body.code).toBe("admin_only");
    const moved = await b.admin.post(`/items/${key}/migrate`);
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ workflow_version: 2, step: "prepare" });
    expect(
      moved.body.checklist.map((c: { text: string; done: boolean }) => [c.text, c.done]),
    ).toEqual([
      ["Call held", false],
      ["Contract signed", true],
      ["Kick-off booked", false],
    ]);
    const events = (await sales.get(`/items/${key}/events`)).body.events;
    expect(events.at(-1)).toMatchObject({
      type: "item.migrated",
      data: { fromVersion: 1, toVersion: 2 },
    });
    // At the current version already: nothing to do.
    expect((await b.admin.post(`/items/${key}/migrate`)).body.version).toBe(moved.body.version);
  });

  it("a migration where steps differ is refused with a 409 naming each one", async () => {
    const key = await started();
    await b.workflow(
      editingYaml()
        .replace("key: prepare", "key: sell")
        .replace("team: implementation", "team: finance"),
    );
    const refused = await b.admin.post(`/items/${key}/migrate`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: "steps_differ",
      steps: [{ step: "prepare", problem: "not in version 3" }],
    });
    expect(refused.body.detail).toContain('step "prepare" not in version 3');
    expect((await sales.get(`/items/${key}`)).body.workflow_version).toBe(2);
  });
});

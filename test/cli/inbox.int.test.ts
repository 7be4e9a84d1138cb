import { beforeAll, describe, expect, it } from "vitest";
import { relayYaml } from "../fixtures.ts";
import { type ApiClient, dbKinds, useBaton } from "../harness.ts";
import { type Run, runBaton } from "./run-baton.ts";

/*
 * Following work from the command line: a status link for the requester, watching an item,
 * the inbox, and stalled work across teams. The server runs in this process so the test moves
 * its clock and ticks its timer and notification workers by hand; `baton` runs as a user runs
 * it, in a subprocess, in UTC so the times it prints are predictable.
 */

const workflow = relayYaml({
  teams: ["sales", "impl"],
  fields: [],
  checklist: [],
  first: ["name: Intake", "stall_after: 8h"],
  handoff: "accept_within: 4h",
});

/** The lines of an output, without the trailing newline. */
const lines = (out: string) => out.trimEnd().split("\n");

describe.each(dbKinds().slice(0, 1))("following work with baton on $name", (kind) => {
  const b = useBaton(kind);
  let url: string;
  let sam: ApiClient; // sales
  let sue: ApiClient; // sales lead
  let ivy: ApiClient; // implementation
  let quiet: string; // stays in Sales' intake untouched
  let handed: string; // handed to Implementation
  let later: string; // in Sales' intake from an hour later

  const as = (who: ApiClient, args: string[]): Promise<Run> =>
    runBaton(args, { url, token: who.token, tz: "UTC" });
  const at = (iso: string) => {
    b.clock.now = new Date(iso);
  };
  /** Fires due timers, then fans out every notification. */
  const settle = async () => {
    while ((await b.engine.timers.tick()) > 0);
    while ((await b.engine.notifications.tick()) > 0);
  };

  beforeAll(async () => {
    url = await b.app.listen({ port: 0, host: "127.0.0.1" });
    await b.team("sales", "Sales");
    await b.team("impl", "Implementation");
    sam = await b.user("sam@example.com", ["sales"]);
    sue = await b.user("sue@example.com", [{ key: "sales", role: "lead" }]);
    ivy = await b.user("ivy@example.com", ["impl"]);
    await b.workflow(workflow);
    at("2026-03-02T09:00:00Z"); // Monday 09:00, default calendar Mon-Fri 09-17 UTC
    quiet = (await sam.post("/items", { workflow: "relay", title: "Quiet" })).body.key;
    handed = (await sam.post("/items", { workflow: "relay", title: "Handed" })).body.key;
    at("2026-03-02T10:00:00Z");
    later = (await sam.post("/items", { workflow: "relay", title: "Later" })).body.key;
    // The first run may compile the CLI's TypeScript into tsx's cache; keep that out of a test.
    await as(sam, ["inbox", "--help"]);
  });

  it("item share prints a status link that opens without an account; unshare closes it", async () => {
    const shared = await as(sam, ["item", "share", quiet, "--expires", "7"]);
    expect(shared.code).toBe(0);
    const out = lines(shared.stdout);
    expect(out).toEqual([
      expect.stringMatching(new RegExp(`^${url}/status/\\S+$`)),
      `Anyone holding this link sees where ${quiet} stands, without an account; it works until 2026-03-09 10:00.`,
      `Revoke it with: baton item unshare ${quiet}`,
    ]);
    const link = out[0] ?? "";
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Quiet");

    const unshared = await as(sam, ["item", "unshare", quiet]);
    expect([unshared.code, unshared.stdout]).toEqual([
      0,
      `Revoked every status link of ${quiet}; their pages answer "not found" now.\n`,
    ]);
    expect((await fetch(link)).status).toBe(404);

    const forever = await as(sam, ["--json", "item", "share", quiet]);
    expect(JSON.parse(forever.stdout)).toMatchObject({ expires_at: null });
  });

  it("item share explains a bad number of days and an unknown item, and exits 1", async () => {
    const [days, unknown] = await Promise.all([
      as(sam, ["item", "share", quiet, "--expires", "soon"]),
      as(sam, ["item", "share", "RL-99"]),
    ]);
    expect(days.code).toBe(1);
    expect(days.stderr).toContain("Give a whole number of days.");
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toMatch(/^error: .*RL-99/);
  });

  it("watch and unwatch say who watches the item", async () => {
    const watched = await as(ivy, ["watch", handed]);
    expect(watched.code).toBe(0);
    expect(lines(watched.stdout)).toEqual([
      `You watch ${handed}: your inbox hears of every change of owner, state or due date.`,
      expect.stringMatching(/^Watching it: /),
    ]);
    expect(watched.stdout).toContain("ivy@example.com");
    expect(watched.stdout).toContain("sam@example.com"); // its creator
    const unwatched = await as(ivy, ["unwatch", handed]);
    expect(lines(unwatched.stdout)).toEqual([
      `You no longer watch ${handed}.`,
      "Watching it: sam@example.com",
    ]);
    const missing = await as(ivy, ["watch", "RL-99"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: .*RL-99/);
  });

  it("the inbox says what happened, what to do and the item; read marks lines read", async () => {
    const empty = await as(ivy, ["inbox"]);
    expect([empty.code, empty.stdout]).toEqual([0, "Your inbox is empty.\n"]);

    await sam.post(`/items/${handed}/handoff`);
    await settle();
    const inbox = await as(ivy, ["inbox"]);
    expect(inbox.code).toBe(0);
    const out = lines(inbox.stdout);
    expect(out[0]).toBe("1 unread.");
    expect(out[1]).toMatch(/^ID\s+WHEN\s+ITEM\s+WHAT HAPPENED\s+WHAT TO DO$/);
    expect(out[2]).toMatch(
      new RegExp(
        `^(\\d+)\\s+new\\s+2026-03-02 10:00\\s+${handed}\\s+Sales handed off ${handed} “Handed” to Implementation\\s+Accept or reject it by 2026-03-02 14:00 UTC\\.$`,
      ),
    );
    expect(out).toHaveLength(3);
    const id = /^\d+/.exec(out[2] ?? "")?.[0] ?? "";

    const [none, both, badId] = await Promise.all([
      as(ivy, ["inbox", "read"]),
      as(ivy, ["inbox", "read", id, "--all"]),
      as(ivy, ["inbox", "read", "first"]),
    ]);
    expect([none.code, none.stderr]).toEqual([
      1,
      "error: name the lines to mark read (their ids from baton inbox), or --all\n",
    ]);
    expect([both.code, both.stderr]).toEqual([1, "error: give ids or --all, not both\n"]);
    // The server judges ids: its problem+json message, in plain words.
    expect(badId.code).toBe(1);
    expect(badId.stderr).toContain("must be a notification id from the inbox");

    const read = await as(ivy, ["inbox", "read", id]);
    expect([read.code, read.stdout]).toEqual([0, "Marked 1 read. Nothing unread.\n"]);
    const unread = await as(ivy, ["inbox", "--unread"]);
    expect(unread.stdout).toBe("Nothing unread.\n");
    const all = await as(ivy, ["inbox", "--limit", "1"]);
    expect(lines(all.stdout)[2]).toMatch(new RegExp(`^${id}\\s+2026-03-02 10:00\\s+${handed}\\s`));
    const json = JSON.parse((await as(ivy, ["inbox", "--json"])).stdout);
    expect(json).toMatchObject({ unread: 0, notifications: [{ id, item: handed, read: true }] });
  });

  it("stalled lists idle work across teams, most stalled first, with how long and where", async () => {
    const none = await as(sam, ["stalled"]);
    expect([none.code, none.stdout]).toEqual([0, "Nothing is stalled.\n"]);

    // 8 business hours from Monday 09:00 end at 17:00; seen Tuesday morning, 23 h after.
    at("2026-03-03T08:00:00Z");
    await settle();
    const stalled = await as(sam, ["stalled"]);
    expect(stalled.code).toBe(0);
    expect(lines(stalled.stdout)).toEqual([
      expect.stringMatching(/^KEY\s+TITLE\s+IDLE FOR\s+WITH\s+STEP\s+STATE\s+SINCE\s+STALL AFTER$/),
      expect.stringMatching(
        new RegExp(
          `^${quiet}\\s+Quiet\\s+23 h\\s+Sales\\s+Intake\\s+in progress\\s+2026-03-02 09:00\\s+8h$`,
        ),
      ),
    ]);
    // The later one stalls at Tuesday 10:00: most stalled first, idle spans in days.
    at("2026-03-03T10:30:00Z");
    await settle();
    const both = await as(sam, ["stalled"]);
    expect(lines(both.stdout).slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^${quiet}\\s+Quiet\\s+1 d 1 h\\s+Sales\\s`)),
      expect.stringMatching(new RegExp(`^${later}\\s+Later\\s+1 d\\s+Sales\\s`)),
    ]);
    const [impl, json, badLimit] = await Promise.all([
      as(sam, ["stalled", "--team", "impl"]),
      as(sam, ["stalled", "--workflow", "relay", "--json"]),
      as(sam, ["stalled", "--limit", "0"]),
    ]);
    expect(impl.stdout).toBe("Nothing is stalled for impl.\n");
    const listed = JSON.parse(json.stdout).items;
    expect(listed.map((i: { key: string }) => i.key)).toEqual([quiet, later]);
    expect(listed[0].stalled).toMatchObject({
      team: "sales",
      stall_after: "8h",
      idle_s: 25.5 * 3600,
    });
    expect(badLimit.code).toBe(1);
    expect(badLimit.stdout).toBe("");
    expect(badLimit.stderr).toMatch(/^error: .*limit/);

    // The team's lead is told, in their inbox, what to do about it.
    const sues = await as(sue, ["inbox", "--unread"]);
    expect(sues.stdout).toMatch(
      new RegExp(
        `\\snew\\s+2026-03-03 08:00\\s+${quiet}\\s+${quiet} “Quiet” has stalled with Sales.*Find out why it is stuck and unblock it\\.`,
      ),
    );
  });
});

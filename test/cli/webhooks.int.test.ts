import { beforeAll, describe, expect, it } from "vitest";
import { relayYaml } from "../fixtures.ts";
import { ADMIN_TOKEN, type ApiClient, dbKinds, useBaton } from "../harness.ts";
import { useReceiver } from "../webhooks/receiver.ts";
import { type Run, runBaton } from "./run-baton.ts";

/*
 * `baton webhook …` as a team lead runs it, against a listening server whose delivery worker
 * the test ticks by hand, and a real receiver that verifies every message with the
 * standardwebhooks package and the secret the command printed. TZ=UTC makes times predictable.
 */

const workflow = relayYaml({ teams: ["sales", "impl"], fields: [], checklist: [] });

/** The lines of an output, without the trailing newline. */
const lines = (out: string) => out.trimEnd().split("\n");

describe.each(dbKinds().slice(0, 1))("baton webhook on $name", (kind) => {
  const b = useBaton(kind);
  let url: string;
  const rx = useReceiver();
  let lena: ApiClient;
  let id: string;

  const baton = (args: string[], token = ADMIN_TOKEN): Promise<Run> =>
    runBaton(args, { url, token, tz: "UTC" });
  const asLena = (args: string[]) => baton(args, lena.token);
  /** Fans out and delivers everything due now. */
  const deliver = async () => {
    for (let i = 0; i < 10; i++) {
      const fanned = await b.engine.notifications.tick();
      const tried = await b.engine.deliveries.tick();
      if (fanned === 0 && tried === 0) return;
    }
  };

  beforeAll(async () => {
    url = await b.app.listen({ port: 0, host: "127.0.0.1" });
    await b.team("sales", "Sales");
    await b.team("impl", "Implementation");
    lena = await b.user("lena@example.com", [{ key: "sales", role: "lead" }]);
    await b.workflow(workflow);
    // The first run may compile the CLI's TypeScript into tsx's cache; keep that out of a test.
    await baton(["webhook", "--help"]);
  });

  it("a receiver on this machine is refused in plain words, and nothing is made", async () => {
    const refused = await asLena(["webhook", "add", rx.url, "--events", "*", "--team", "sales"]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(/^error: .*127\.0\.0\.1.*loopback/);
    const typo = await asLena(["webhook", "add", rx.url, "--events", "*", "--format", "xml"]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("argument 'xml' is invalid. Allowed choices are standard, slack");
    const none = await asLena(["webhook", "list"]);
    expect([none.code, none.stdout]).toEqual([
      0,
      "No webhooks yet. Add one: baton webhook add URL --events '*'\n",
    ]);
  });

  it("a lead subscribes their team's items; the secret is printed once and verifies a test message", async () => {
    b.engine.webhooks.settings.allowPrivate = true;
    const added = await asLena([
      "webhook",
      "add",
      rx.url,
      "--events",
      "handoff.submitted, handoff.accepted",
      "--description",
      "CRM sync",
      "--team",
      "sales",
    ]);
    expect(added.code).toBe(0);
    const out = lines(added.stdout);
    expect(out.slice(0, 3)).toEqual([
      expect.stringMatching(
        /^Created webhook \d+ for sales: http:\/\/127\.0\.0\.1:\d+\/hooks\/baton$/,
      ),
      "Events: handoff.submitted, handoff.accepted",
      "Signing secret (shown only this once; verify deliveries with it):",
    ]);
    expect(out[3]).toMatch(/^ {2}whsec_\S{44}$/);
    id = /webhook (\d+)/.exec(out[0] ?? "")?.[1] ?? "";
    rx.secrets = [(out[3] ?? "").trim()];

    const [list, show] = await Promise.all([
      asLena(["webhook", "list"]),
      asLena(["webhook", "show", id]),
    ]);
    expect(list.code).toBe(0);
    expect(lines(list.stdout)).toEqual([
      expect.stringMatching(/^ID\s+URL\s+EVENTS\s+FOR\s+FORMAT\s+STATE\s+DESCRIPTION$/),
      expect.stringMatching(
        new RegExp(
          `^${id}\\s+${rx.url}\\s+handoff.submitted,handoff.accepted\\s+sales\\s+standard\\s+enabled\\s+CRM sync$`,
        ),
      ),
    ]);
    expect(show.code).toBe(0);
    expect(show.stdout).not.toContain("whsec_");
    expect(lines(show.stdout)).toEqual([
      `Webhook ${id}  ${rx.url}`,
      "  Events    handoff.submitted, handoff.accepted",
      "  For       sales",
      "  Format    standard",
      "  State     enabled",
      "  Failures  0 in a row",
      "  Created   2026-03-02 09:00 by lena@example.com",
      "  About     CRM sync",
    ]);

    const test = await asLena(["webhook", "test", id]);
    expect(test.code).toBe(0);
    const messageId = /webhook-id (\S+)\)/.exec(test.stdout)?.[1];
    expect(lines(test.stdout)).toEqual([
      `Queued a webhook.test message (webhook-id ${messageId}).`,
      `See how it went: baton webhook deliveries ${id}`,
    ]);
    await deliver();
    expect(rx.requests.at(-1)).toMatchObject({ id: messageId, error: null, status: 204 });

    const log = await asLena(["webhook", "deliveries", id]);
    expect(log.code).toBe(0);
    expect(lines(log.stdout)).toEqual([
      expect.stringMatching(/^WHEN\s+KIND\s+ITEM\s+STATUS\s+TRIES\s+LAST TRY\s+WEBHOOK-ID$/),
      expect.stringMatching(
        new RegExp(
          `^2026-03-02 09:00\\s+webhook.test\\s+—\\s+delivered\\s+1\\s+delivered, \\d+ ms\\s+${messageId}$`,
        ),
      ),
    ]);
  });

  it("rotating prints a new secret and how long the old one still signs; a bad number is refused", async () => {
    const bad = await asLena(["webhook", "rotate", id, "--grace-hours", "two"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("Give a whole number of hours.");
    const rotated = await asLena(["webhook", "rotate", id, "--grace-hours", "2"]);
    expect(rotated.code).toBe(0);
    const out = lines(rotated.stdout);
    expect(out).toEqual([
      `New signing secret for webhook ${id}.`,
      "Signing secret (shown only this once; verify deliveries with it):",
      expect.stringMatching(/^ {2}whsec_\S{44}$/),
      "The old secret also signs until 2026-03-02 11:00.",
    ]);
    expect(out[2]?.trim()).not.toBe(rx.secrets[0]);
    // The receiver knows only the new secret now: the test message verifies with it.
    rx.secrets = [(out[2] ?? "").trim()];
    await asLena(["webhook", "test", id]);
    await deliver();
    expect(rx.requests.at(-1)).toMatchObject({ error: null, status: 204 });
  });

  it("a subscription disabled by failures shows why, and enable turns it on again", async () => {
    b.engine.webhooks.settings.disableAfter = 1;
    rx.failWith = () => 410; // Gone: fails at once, no retry
    // Test messages do not count towards disabling; a real event does.
    const sam = await b.user("sam@example.com", ["sales"]);
    const key = (await sam.post("/items", { workflow: "relay", title: "Fail" })).body.key;
    await sam.post(`/items/${key}/handoff`);
    await deliver();
    const list = await asLena(["webhook", "list"]);
    expect(list.stdout).toMatch(
      new RegExp(`\\n${id}\\s.*\\sdisabled: 1 messages in a row could not be delivered`),
    );
    const log = await asLena(["webhook", "deliveries", id, "--limit", "1"]);
    expect(lines(log.stdout)).toEqual([
      expect.stringMatching(/^WHEN/),
      expect.stringMatching(
        new RegExp(`\\shandoff.submitted\\s+${key}\\s+failed\\s+1\\s+failed: .*410.*, \\d+ ms\\s`),
      ),
    ]);
    rx.failWith = () => null;
    const enabled = await asLena(["webhook", "enable", id]);
    expect([enabled.code, enabled.stdout]).toEqual([
      0,
      `Webhook ${id} is enabled: ${rx.url} gets events again.\n`,
    ]);
    expect((await asLena(["webhook", "show", id])).stdout).toMatch(/\n {2}State\s+enabled\n/);
  });

  it("deleting a subscription; afterwards it is not found, in plain words and exit 1", async () => {
    const deleted = await asLena(["webhook", "delete", id]);
    expect([deleted.code, deleted.stdout]).toEqual([
      0,
      `Deleted webhook ${id}; its queued messages are dropped.\n`,
    ]);
    const gone = await asLena(["webhook", "show", id]);
    expect(gone.code).toBe(1);
    expect(gone.stdout).toBe("");
    expect(gone.stderr).toMatch(/^error: .*webhook/i);
    const json = await asLena(["--json", "webhook", "list"]);
    expect(JSON.parse(json.stdout)).toEqual({ webhooks: [] });
  });

  it("an admin subscribes every item to every event as Slack messages", async () => {
    const added = await baton(["webhook", "add", rx.url, "--events", "*", "--format", "slack"]);
    expect(added.code).toBe(0);
    expect(lines(added.stdout).slice(0, 2)).toEqual([
      expect.stringMatching(/^Created webhook \d+ for every item: /),
      "Events: *",
    ]);
    const list = await baton(["webhook", "list"]);
    expect(lines(list.stdout)[1]).toMatch(/^\d+\s+\S+\s+\*\s+every item\s+slack\s+enabled$/);
  });
});

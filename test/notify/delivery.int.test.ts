import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import type { Channel, DeliveryJob, DeliveryResult } from "../../src/engine/delivery.ts";
import { Deliveries } from "../../src/engine/delivery.ts";
import { claimDeliveries, claimOutbox } from "../../src/store/notifications.ts";
import { rolloutYaml } from "../fixtures.ts";
import { type ApiClient, dbKinds, useBaton, useSecondNode } from "../harness.ts";
import { useTestSmtp } from "./smtp-server.ts";

/*
 * Delivery after commit: e-mail to a real SMTP server (parsed back with mailparser), retries
 * with backoff and the dead state, the delivery log, a worker that dies with work claimed, two
 * nodes sharing the outbox with each message fanned out once, the live `notification` event
 * on another node's stream, the daily digest, and a stop that finishes or releases its work.
 */

const MINUTE = 60_000;

/** A channel that fails the first `failures` tries of each job, then delivers. */
function flakyChannel(failures: number, permanent = false) {
  const tries: DeliveryJob[] = [];
  const channel: Channel = {
    name: "flaky",
    async deliver(job): Promise<DeliveryResult> {
      tries.push(job);
      if (job.attempt <= failures)
        return { ok: false, error: `receiver said 503 (try ${job.attempt})`, permanent };
      return { ok: true };
    },
  };
  return { channel, tries };
}

describe.each(dbKinds())("delivery on $name", (kind) => {
  const { smtp, notify } = useTestSmtp({
    maxAttempts: 3,
    deliveryRetry: { baseMs: 10_000, maxMs: 60_000 },
    batchSize: 3,
  });
  const flaky = flakyChannel(2);
  const b = useBaton(kind, { engine: { notify, channels: [flaky.channel] } });
  const second = useSecondNode(b, { notify });
  let sam: ApiClient;
  let ivy: ApiClient;
  let lena: ApiClient;

  const fanOut = async () => {
    while ((await b.engine.notifications.tick()) > 0);
  };
  const deliverAll = async () => {
    while ((await b.engine.deliveries.tick()) > 0);
  };
  const handoff = async (title: string) => {
    const key = (await sam.post("/items", { workflow: "rollout", title })).body.key as string;
    expect((await sam.post(`/items/${key}/handoff`)).status).toBe(200);
    return key;
  };

  it("sets up", async () => {
    for (const t of ["sales", "implementation", "ops"]) await b.team(t);
    sam = await b.user("sam@example.com", ["sales"]);
    ivy = await b.user("ivy@example.com", ["implementation"]);
    lena = await b.user("lena@example.com", [{ key: "implementation", role: "lead" }]);
    await b.workflow(rolloutYaml());
    // Only ivy gets e-mail in most tests: fewer mails to tell apart.
    await lena.put("/me/notification-preferences", {
      channels: { "handoff.submitted": ["inbox"] },
    });
  });

  it("a handoff e-mails the receiving team: what happened, what to do, by when, a link; threaded", async () => {
    const key = await handoff("Acme rollout");
    await fanOut();
    await deliverAll();
    const [mail] = await smtp.waitFor(1);
    expect(mail?.to).toMatchObject({ text: "ivy@example.com" });
    expect(mail?.from?.value).toEqual([{ name: "Baton", address: "baton@example.com" }]);
    expect(mail?.subject).toBe(`[Baton] ${key} Acme rollout`);
    expect(mail?.text).toContain(`Sales handed off ${key} “Acme rollout” to Implementation`);
    expect(mail?.text).toContain("What to do: Accept or reject it by 2026-03-02 13:00 UTC.");
    expect(mail?.text).toContain(`https://baton.example.com/items/${key}`);
    expect(mail?.html).toContain(
      `<a href="https://baton.example.com/items/${key}">Open ${key}</a>`,
    );
    const thread = `<item.${key}@baton.example.com>`;
    expect(mail?.inReplyTo).toBe(thread);
    expect(mail?.references).toBe(thread);
    expect(mail?.headerLines.find((h) => h.key === "list-unsubscribe")?.line).toBe(
      "List-Unsubscribe: <https://baton.example.com/settings/notifications>",
    );
    expect(mail?.messageId).toMatch(/^<[0-9a-f]{32}@baton\.example\.com>$/);

    // Accepting mails the submitter; the same item's thread id, a new Message-ID.
    await ivy.post(`/items/${key}/accept`);
    await fanOut();
    await deliverAll();
    const mails = await smtp.waitFor(2);
    expect(mails[1]?.to).toMatchObject({ text: "sam@example.com" });
    expect(mails[1]?.references).toBe(thread);
    expect(mails[1]?.messageId).not.toBe(mail?.messageId);

    const log = await b.admin.get(`/deliveries?item=${key}&channel=email`);
    expect(log.body.deliveries).toHaveLength(2);
    expect(log.body.deliveries[0]).toMatchObject({
      status: "delivered",
      attempts: 1,
      target: "sam@example.com",
      idempotency_id: expect.stringContaining(key),
      log: [{ attempt: 1, status: "delivered", error: null, duration_ms: expect.any(Number) }],
    });
  });

  it("only an admin reads the delivery log and the outbox", async () => {
    for (const path of ["/deliveries", "/outbox"]) {
      const r = await ivy.get(path);
      expect(r.status).toBe(403);
      expect(r.body.code).toBe("admin_only");
      expect((await b.admin.get(path)).status).toBe(200);
    }
  });

  it("a refused mail is retried with backoff; a permanent refusal fails at once", async () => {
    smtp.refuseNext(1, 451);
    const key = await handoff("Retried");
    await fanOut();
    await deliverAll();
    let [d] = (await b.admin.get(`/deliveries?item=${key}`)).body.deliveries;
    expect(d).toMatchObject({ status: "pending", attempts: 1 });
    expect(d.last_error).toMatch(/451/);
    const wait = Date.parse(d.next_attempt_at) - b.clock.now.getTime();
    expect(wait).toBeGreaterThanOrEqual(5_000); // half the base, with jitter
    expect(wait).toBeLessThanOrEqual(10_000);
    await deliverAll(); // not due yet
    expect((await b.admin.get(`/deliveries?item=${key}`)).body.deliveries[0].attempts).toBe(1);
    b.clock.advance(wait);
    await deliverAll();
    [d] = (await b.admin.get(`/deliveries?item=${key}`)).body.deliveries;
    expect(d).toMatchObject({ status: "delivered", attempts: 2 });
    expect(d.log.map((l: { status: string }) => l.status)).toEqual(["retry", "delivered"]);

    smtp.refuseNext(1, 550);
    const gone = await handoff("No such mailbox");
    await fanOut();
    await deliverAll();
    [d] = (await b.admin.get(`/deliveries?item=${gone}`)).body.deliveries;
    expect(d).toMatchObject({ status: "failed", attempts: 1, next_attempt_at: null });
  });

  it("a job failing every try ends failed after the configured attempts, its tries logged", async () => {
    const failing = flakyChannel(99);
    b.engine.deliveries.register({ ...failing.channel, name: "always-down" });
    const [id] = await b.engine.deliveries.enqueue([
      {
        idempotencyId: "test:down:1",
        channel: "always-down",
        target: "https://receiver.example/hook",
        kind: "test",
        itemKey: null,
        payload: { hello: true },
        createdAt: b.clock.now.toISOString(),
      },
    ]);
    for (let i = 0; i < 5; i++) {
      await deliverAll();
      b.clock.advance(2 * MINUTE);
    }
    const [d] = (await b.admin.get("/deliveries?channel=always-down")).body.deliveries;
    expect(d).toMatchObject({ id, status: "failed", attempts: 3 });
    expect(d.log.map((l: { status: string }) => l.status)).toEqual(["retry", "retry", "failed"]);
    // Every try carried the same idempotency id.
    expect(new Set(failing.tries.map((t) => t.idempotencyId))).toEqual(new Set(["test:down:1"]));

    // The flaky channel delivers on the third try, within the limit.
    await b.engine.deliveries.enqueue([
      {
        idempotencyId: "test:flaky:1",
        channel: "flaky",
        target: "x",
        kind: "test",
        itemKey: null,
        payload: {},
        createdAt: b.clock.now.toISOString(),
      },
    ]);
    for (let i = 0; i < 4; i++) {
      await deliverAll();
      b.clock.advance(2 * MINUTE);
    }
    const [f] = (await b.admin.get("/deliveries?channel=flaky")).body.deliveries;
    expect(f).toMatchObject({ status: "delivered", attempts: 3 });
    expect((await ivy.get("/deliveries")).body.code).toBe("admin_only");
  });

  it("an outbox row claimed by a worker that died is fanned out once its lease runs out", async () => {
    const key = await handoff("Crashed worker");
    // A worker claims the row and dies before fanning it out.
    const claimed = await claimOutbox(b.engine.db, {
      now: b.clock.now,
      limit: 100,
      leaseMs: MINUTE,
    });
    expect(claimed.map((w) => w.item.key)).toEqual([key]);
    expect(await second.engine.notifications.tick()).toBe(0); // still leased
    b.clock.advance(MINUTE + 1);
    expect(await second.engine.notifications.tick()).toBe(1);
    expect(await b.engine.notifications.tick()).toBe(0);
    const lines = (await ivy.get("/me/notifications")).body.notifications.filter(
      (n: { item: string }) => n.item === key,
    );
    expect(lines).toHaveLength(1);

    // Likewise a delivery claimed by a worker that died: sent after the lease, once.
    const before = smtp.mails.length;
    const held = await claimDeliveries(b.engine.db, {
      now: b.clock.now,
      limit: 100,
      leaseMs: MINUTE,
      token: "dead-worker",
      channels: ["email"],
    });
    expect(held.map((j) => j.itemKey)).toEqual([key]);
    await deliverAll();
    expect(smtp.mails.length).toBe(before);
    b.clock.advance(MINUTE + 1);
    await deliverAll();
    await smtp.waitFor(before + 1);
    await deliverAll();
    expect(smtp.mails.length).toBe(before + 1);
  });

  it("two nodes share the outbox: each event is fanned out once, by one of them", async () => {
    const keys: string[] = [];
    for (let i = 0; i < 12; i++) keys.push(await handoff(`Shared ${i}`));
    const counts = [0, 0];
    const drain = async (n: 0 | 1) => {
      const engine = n === 0 ? b.engine : second.engine;
      for (let c = await engine.notifications.tick(); c > 0; c = await engine.notifications.tick())
        counts[n] = (counts[n] ?? 0) + c;
    };
    await Promise.all([drain(0), drain(1)]);
    expect((counts[0] ?? 0) + (counts[1] ?? 0)).toBe(12);
    const { rows } = await sql<{ item_key: string; n: string }>`
      select item_key, count(*) as n from notifications
      where recipient = 'ivy@example.com' and item_key = any(${keys}::text[])
      group by item_key`.execute(b.engine.db);
    expect(rows).toHaveLength(12);
    expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
  });

  it("a new notification reaches the reader's stream on another node, and nobody else's", async () => {
    const url = await second.app.listen({ port: 0, host: "127.0.0.1" });
    const open = async (who: ApiClient) => {
      const ac = new AbortController();
      const res = await fetch(`${url}/api/v1/events/stream`, {
        headers: { authorization: `Bearer ${who.token}` },
        signal: ac.signal,
      });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let text = "";
      const until = async (needle: string, ms = 5_000) => {
        const deadline = Date.now() + ms;
        while (!text.includes(needle)) {
          if (Date.now() > deadline) return false;
          const chunk = await Promise.race([
            reader.read(),
            new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now())),
          ]);
          if (chunk && !chunk.done) text += new TextDecoder().decode(chunk.value);
        }
        return true;
      };
      return { until, text: () => text, close: () => ac.abort() };
    };
    const ivyStream = await open(ivy);
    const samStream = await open(sam);
    expect(await ivyStream.until("event: ready")).toBe(true);
    expect(await samStream.until("event: ready")).toBe(true);
    const key = await handoff("Live");
    await fanOut(); // on the first node
    // This item's line (a line of an earlier test's item may come first: fanned out meanwhile).
    const about = `"item":"${key}"`;
    expect(await ivyStream.until(about)).toBe(true);
    const line = ivyStream
      .text()
      .split("\n\n")
      .find((e) => e.startsWith("event: notification") && e.includes(about));
    expect(JSON.parse(line?.split("data: ")[1] ?? "null")).toMatchObject({
      kind: "handoff.submitted",
      item: key,
      read: false,
      url: `/items/${key}`,
    });
    expect(await samStream.until(about, 500)).toBe(false);
    ivyStream.close();
    samStream.close();
  });

  it("a daily digest replaces immediate mail: one mail a day with every line", async () => {
    await ivy.put("/me/notification-preferences", { email_digest: true, digest_hour_utc: 8 });
    await fanOut();
    await deliverAll(); // what earlier tests left
    const before = smtp.mails.length;
    b.clock.now = new Date("2026-03-04T07:00:00Z");
    const k1 = await handoff("Digest one");
    const k2 = await handoff("Digest two");
    await fanOut();
    await deliverAll();
    expect(smtp.mails.length).toBe(before); // nothing immediate for ivy (lena: inbox only)
    expect(await b.engine.notifications.digest()).toBe(0); // before the digest hour
    b.clock.now = new Date("2026-03-04T08:05:00Z");
    expect(await b.engine.notifications.digest()).toBe(1);
    expect(await b.engine.notifications.digest()).toBe(0);
    await deliverAll();
    const mails = await smtp.waitFor(before + 1);
    const digest = mails[before];
    expect(digest?.subject).toBe("[Baton] Your digest for 2026-03-04");
    expect(digest?.text).toContain(`${k1} “Digest one”`);
    expect(digest?.text).toContain(`${k2} “Digest two”`);
    expect(digest?.headerLines.some((h) => h.key === "list-unsubscribe")).toBe(true);
    // More news the same day waits for tomorrow's digest.
    await handoff("Digest three");
    await fanOut();
    expect(await b.engine.notifications.digest()).toBe(0);
    b.clock.now = new Date("2026-03-05T08:00:00Z");
    expect(await b.engine.notifications.digest()).toBe(1);
    await ivy.put("/me/notification-preferences", {});
  });

  it("stopping finishes the tries in flight and releases the claimed rest", async () => {
    let started = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow: Channel = {
      name: "slow",
      concurrency: 1,
      async deliver() {
        started++;
        await gate;
        return { ok: true };
      },
    };
    const worker = new Deliveries(b.engine.db, b.clock.read, { pollMs: 20 });
    worker.register(slow);
    const ids = await worker.enqueue(
      [1, 2, 3].map((i) => ({
        idempotencyId: `test:slow:${i}`,
        channel: "slow",
        target: "x",
        kind: "test",
        itemKey: null,
        payload: {},
        createdAt: b.clock.now.toISOString(),
      })),
    );
    worker.start();
    while (started === 0) await new Promise((r) => setTimeout(r, 10));
    const stopped = worker.stop();
    release();
    await stopped;
    const rows = await b.engine.db
      .selectFrom("deliveries")
      .select(["id", "status", "attempts", "claimed_until"])
      .where("id", "in", ids)
      .orderBy("id")
      .execute();
    expect(rows.map((r) => [r.status, r.attempts, r.claimed_until])).toEqual([
      ["delivered", 1, null],
      ["pending", 0, null],
      ["pending", 0, null],
    ]);
  });
});

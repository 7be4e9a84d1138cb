import { describe, expect, it } from "vitest";
import { dbKinds, useBaton } from "../harness.ts";
import { useReceiver } from "./receiver.ts";
import { seedHooked } from "./setup.ts";

/*
 * Webhook messages through the shared delivery worker, on a clock the test moves: retried with
 * backoff against a receiver that fails, the same webhook-id on every try, and a subscription
 * that keeps failing disabled with a notice to its owner.
 */

describe.each(dbKinds())("webhook deliveries on $name", (kind) => {
  const b = useBaton(kind, { engine: { notify: { maxAttempts: 3 } } });
  const rx = useReceiver();

  /** Runs fan-out and delivery rounds, moving the clock past every backoff, until nothing is left. */
  const drain = async () => {
    for (let i = 0; i < 20; i++) {
      const fanned = await b.engine.notifications.tick();
      const tried = await b.engine.deliveries.tick();
      if (fanned === 0 && tried === 0) {
        b.clock.advance(3_600_000);
        if ((await b.engine.deliveries.tick()) === 0) return;
      }
    }
  };

  it("a message to a failing receiver is retried with the same webhook-id until it is taken", async () => {
    const { lena, sam } = await seedHooked(b);
    b.engine.webhooks.settings.allowPrivate = true;
    b.engine.webhooks.settings.disableAfter = 2;
    const made = await lena.post("/webhooks", {
      url: rx.url,
      events: ["handoff.submitted"],
      team: "sales",
    });
    expect(made.status).toBe(201);
    rx.secrets = [made.body.secret];
    rx.failWith = (_req, n) => (n < 2 ? 503 : null);

    const key = (await sam.post("/items", { workflow: "hooked", title: "Retry me" })).body.key;
    await sam.post(`/items/${key}/handoff`);
    await drain();

    expect(rx.requests.map((r) => r.status)).toEqual([503, 503, 204]);
    expect(new Set(rx.requests.map((r) => r.id)).size).toBe(1); // one message, three tries
    expect(rx.unique().size).toBe(1);
    expect(rx.requests.every((r) => r.error === null)).toBe(true); // each try verifies
    const log = (await lena.get(`/webhooks/${made.body.id}/deliveries`)).body.deliveries;
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      message_id: rx.requests[0]?.id,
      kind: "handoff.submitted",
      item_key: key,
      status: "delivered",
    });
    expect(log[0].attempts.map((a: { status: string }) => a.status)).toEqual([
      "retry",
      "retry",
      "delivered",
    ]);
    expect(log[0].attempts[0].error).toContain("HTTP 503");
  });

  it("a subscription whose messages keep failing is disabled and its owner told", async () => {
    const lena = b.api((await b.admin.post("/users/lena@example.com/tokens", {})).body.token);
    const sam = b.api((await b.admin.post("/users/sam@example.com/tokens", {})).body.token);
    const [hook] = (await lena.get("/webhooks")).body.webhooks;
    rx.requests.length = 0;
    rx.failWith = () => 500;
    for (const title of ["Fail one", "Fail two"]) {
      const key = (await sam.post("/items", { workflow: "hooked", title })).body.key;
      await sam.post(`/items/${key}/handoff`);
      await drain();
    }
    expect(rx.requests).toHaveLength(6); // two messages, three tries each
    const disabled = (await lena.get(`/webhooks/${hook.id}`)).body;
    expect(disabled).toMatchObject({ enabled: false, consecutive_failures: 2 });
    expect(disabled.disabled_reason).toContain("2 messages in a row");
    const inbox = (await lena.get("/me/notifications")).body;
    expect(JSON.stringify(inbox)).toContain("disabled");

    // Disabled: a new event makes no message; enabled again, the next one goes out.
    const quiet = (await sam.post("/items", { workflow: "hooked", title: "Quiet" })).body.key;
    await sam.post(`/items/${quiet}/handoff`);
    await drain();
    expect(rx.requests).toHaveLength(6);
    rx.failWith = () => null;
    expect((await lena.post(`/webhooks/${hook.id}/enable`, {})).body.enabled).toBe(true);
    const test = await lena.post(`/webhooks/${hook.id}/test`, {});
    expect(test.status).toBe(202);
    await drain();
    expect(rx.requests.at(-1)).toMatchObject({
      id: test.body.message_id,
      error: null,
      status: 204,
    });
    expect((rx.requests.at(-1)?.verified as { type?: string } | undefined)?.type).toBe(
      "webhook.test",
    );
  });
});

import { describe, expect, it } from "vitest";
import { webhookMessageSchema } from "../../src/http/responses.ts";
import { dbKinds, useBaton } from "../harness.ts";
import { useReceiver } from "./receiver.ts";
import { seedHooked } from "./setup.ts";

/*
 * Webhook subscriptions over the API, and deliveries a real receiver verifies with the
 * standardwebhooks package, as a subscriber would.
 */

describe.each(dbKinds())("webhooks on $name", (kind) => {
  const b = useBaton(kind);
  const rx = useReceiver();

  it("refuses private targets by name unless allowed; leads subscribe for their team only", async () => {
    const { lena: lead, sam: member } = await seedHooked(b);

    const refused = await b.admin.post("/webhooks", { url: rx.url, events: ["*"] });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      code: "webhook_target_refused",
      reason: "loopback",
      address: "127.0.0.1",
      errors: [{ path: "url" }],
    });
    for (const url of [
      "http://[::ffff:127.0.0.1]:9/x",
      "http://169.254.169.254/latest",
      "http://10.0.0.8/",
    ])
      expect((await b.admin.post("/webhooks", { url, events: ["*"] })).body.code).toBe(
        "webhook_target_refused",
      );
    expect((await b.admin.post("/webhooks", { url: "gopher://x", events: ["*"] })).status).toBe(
      422,
    );
    expect((await b.admin.post("/webhooks", { url: rx.url, events: [] })).status).toBe(400);
    expect((await b.admin.post("/webhooks", { url: rx.url, events: ["item.nope"] })).status).toBe(
      400,
    );

    b.engine.webhooks.settings.allowPrivate = true;
    expect(
      (await member.post("/webhooks", { url: rx.url, events: ["*"], team: "sales" })).body.code,
    ).toBe("not_your_team");
    expect((await lead.post("/webhooks", { url: rx.url, events: ["*"] })).body.code).toBe(
      "admin_only",
    );
    expect(
      (await lead.post("/webhooks", { url: rx.url, events: ["*"], team: "impl" })).body.code,
    ).toBe("not_your_team");
    const made = await lead.post("/webhooks", {
      url: rx.url,
      events: ["handoff.submitted", "handoff.accepted"],
      team: "sales",
      description: "CRM sync",
    });
    expect(made.status).toBe(201);
    expect(made.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(made.body).toMatchObject({ team: "sales", format: "standard", enabled: true });
    const got = await lead.get(`/webhooks/${made.body.id}`);
    expect(got.body.secret).toBeUndefined();
    expect((await lead.get("/webhooks")).body.webhooks.map((w: { id: string }) => w.id)).toEqual([
      made.body.id,
    ]);
    expect((await member.get(`/webhooks/${made.body.id}`)).status).toBe(404);
    expect((await member.get("/webhooks")).body.webhooks).toEqual([]);
    expect((await b.admin.get("/webhooks/nope")).status).toBe(400);
    expect((await b.admin.get("/webhooks/999999")).status).toBe(404);
  });

  it("a delivery carries Standard Webhooks headers the standardwebhooks package verifies; rotation signs with both secrets", async () => {
    const made = await b.admin.post("/webhooks", { url: rx.url, events: ["*"] });
    const id = made.body.id;
    rx.secrets = [made.body.secret];
    const sam = b.api((await b.admin.post("/users/sam@example.com/tokens", {})).body.token);
    const item = (await sam.post("/items", { workflow: "hooked", title: "Hook me" })).body;
    const view = await b.engine.items.get(item.key);
    const jobs = await b.engine.webhooks.fanout({
      kind: "handoff.submitted",
      event: {
        type: "comment.added",
        actor: "sam@example.com",
        at: item.created_at,
        data: { body: "x" },
        seq: 2,
      },
      item: view.item,
      now: b.clock.now,
    });
    // The lead's subscription (sales items, handoff events) wants it too: one job each.
    expect(jobs).toHaveLength(2);
    const job = jobs.find((j) => j.subscription === id);
    const delivered = await b.engine.webhooks.deliver({
      id: "1",
      ...(job as NonNullable<typeof job>),
    });
    expect(delivered.ok).toBe(true);
    const got = rx.requests.at(-1);
    expect(got?.error).toBeNull();
    expect(got?.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(got?.verified).toMatchObject({
      type: "handoff.submitted",
      data: { item: { key: item.key, title: "Hook me", owner_team: "sales" }, event: { seq: 2 } },
    });
    // As the API document describes it (OpenAPI webhooks: WebhookMessage).
    expect(webhookMessageSchema.safeParse(got?.verified).error).toBeUndefined();

    // Rotated: the new secret signs, and the old one still does during the grace period.
    const rotated = await b.admin.post(`/webhooks/${id}/rotate-secret`, {});
    expect(rotated.body.secret).not.toBe(made.body.secret);
    expect(rotated.body.previous_secret_until).not.toBeNull();
    for (const secrets of [[made.body.secret], [rotated.body.secret]]) {
      rx.secrets = secrets;
      expect(
        (await b.engine.webhooks.deliver({ id: "1", ...(job as NonNullable<typeof job>) })).ok,
      ).toBe(true);
      expect(rx.requests.at(-1)?.error).toBeNull();
    }
    expect(rx.requests.at(-1)?.headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    // Without grace the old secret stops at once.
    const now = await b.admin.post(`/webhooks/${id}/rotate-secret`, { grace_hours: 0 });
    rx.secrets = [rotated.body.secret];
    expect(
      (await b.engine.webhooks.deliver({ id: "1", ...(job as NonNullable<typeof job>) })).ok,
    ).toBe(false);
    rx.secrets = [now.body.secret];
    expect(
      (await b.engine.webhooks.deliver({ id: "1", ...(job as NonNullable<typeof job>) })).ok,
    ).toBe(true);

    expect(
      (
        await b.app.inject({
          method: "DELETE",
          url: `/api/v1/webhooks/${id}`,
          headers: { authorization: `Bearer ${b.admin.token}` },
        })
      ).statusCode,
    ).toBe(204);
    expect((await b.admin.get(`/webhooks/${id}`)).status).toBe(404);
    const gone = await b.engine.webhooks.deliver({ id: "1", ...(job as NonNullable<typeof job>) });
    expect(gone).toMatchObject({ ok: false, permanent: true });
  });

  it("a Slack subscription gets an incoming-webhook message", async () => {
    const made = await b.admin.post("/webhooks", { url: rx.url, events: ["*"], format: "slack" });
    rx.secrets = [made.body.secret];
    const sam = b.api((await b.admin.post("/users/sam@example.com/tokens", {})).body.token);
    const item = (await sam.post("/items", { workflow: "hooked", title: "Slack <me> & co" })).body;
    const view = await b.engine.items.get(item.key);
    const jobs = await b.engine.webhooks.fanout({
      kind: "handoff.submitted",
      event: {
        type: "item.assigned",
        actor: "sam@example.com",
        at: item.created_at,
        data: { assignee: null },
        seq: 2,
      },
      item: view.item,
      now: b.clock.now,
    });
    const job = jobs.find((j) => j.subscription === made.body.id);
    expect(
      (await b.engine.webhooks.deliver({ id: "1", ...(job as NonNullable<typeof job>) })).ok,
    ).toBe(true);
    expect(JSON.parse(rx.requests.at(-1)?.body ?? "{}").text).toBe(
      `${item.key} Slack &lt;me&gt; &amp; co: handoff.submitted by sam@example.com — now in progress at sell (sales)`,
    );
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeHtml } from "../../src/http/status-page.ts";
import { dbKinds, useBaton } from "../harness.ts";

/*
 * The requester's status link: a page readable without an account that says where the work
 * is, the steps done and to come and the expected date, and shows nothing else — no comments,
 * people or fields the workflow does not mark public.
 */

const workflow = `
key: req
name: Requests
prefix: REQ
fields:
  - {key: plan, type: text, label: Plan, public: true}
  - {key: secret_note, type: text, label: Internal note}
  - {key: contact, type: user, label: Contact}
steps:
  - key: intake
    name: Checking the request
    team: sales
    complete_within: 2d
    handoff: {to: setup, accept_within: 4h}
  - key: setup
    name: Setting it up
    team: impl
    handoff: {to: live}
  - {key: live, name: Going live, team: ops}
`;

describe.each(dbKinds())("status link on $name", (kind) => {
  const b = useBaton(kind);
  const page = async (url: string) => {
    const res = await b.app.inject({ method: "GET", url });
    return { status: res.statusCode, body: res.body, headers: res.headers };
  };

  it("says where the work is in plain words, shows public fields only, and 404s once revoked", async () => {
    await b.team("sales");
    await b.team("impl", "Implementation");
    await b.team("ops", "Operations");
    const sam = await b.user("sam.smith@example.com", ["sales"]);
    const ivy = await b.user("ivy@example.com", ["impl"]);
    const stranger = await b.user("olga@example.com", ["ops"]);
    await b.workflow(workflow);

    b.clock.now = new Date("2026-03-02T10:00:00Z"); // Monday
    const created = await sam.post("/items", {
      workflow: "req",
      title: "New office printer",
      fields: { plan: "Gold", secret_note: "margin is thin", contact: "ivy@example.com" },
    });
    const key = created.body.key;
    await sam.post(`/items/${key}/comments`, { body: "Customer is grumpy, be careful" });

    // Only a team the item passed through shares it.
    expect((await stranger.post(`/items/${key}/share`, {})).body.code).toBe("not_your_team");
    const shared = await sam.post(`/items/${key}/share`, {});
    expect(shared.status).toBe(201);
    expect(shared.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits
    expect(shared.body.url).toMatch(new RegExp(`/status/${shared.body.token}$`));
    expect(shared.body.expires_at).toBeNull();
    const url = `/status/${shared.body.token}`;

    const first = await page(url);
    expect(first.status).toBe(200);
    expect(first.headers["content-type"]).toContain("text/html");
    expect(first.headers["x-robots-tag"]).toContain("noindex");
    expect(first.body).toContain('<meta name="robots" content="noindex, nofollow">');
    expect(first.body).not.toContain("<script");
    expect(first.body).toContain(
      "With Sales since today — they are working on “Checking the request”.",
    );
    expect(first.body).toContain(
      "Sales expects to finish “Checking the request” by Wednesday 4 March",
    );
    expect(first.body).toContain("<dt>Plan</dt><dd>Gold</dd>");
    for (const hidden of [
      "margin is thin",
      "Internal note",
      "grumpy",
      "ivy@example.com",
      "sam.smith",
      "Contact",
    ])
      expect(first.body).not.toContain(hidden);

    b.clock.now = new Date("2026-03-03T11:00:00Z"); // Tuesday
    await sam.post(`/items/${key}/handoff`);
    b.clock.now = new Date("2026-03-03T12:00:00Z");
    await ivy.post(`/items/${key}/accept`);
    b.clock.now = new Date("2026-03-05T09:00:00Z"); // Thursday
    const moved = await page(url);
    expect(moved.body).toContain(
      "With Implementation since Tuesday — they are working on “Setting it up”.",
    );
    expect(moved.body).toMatch(/Checking the request <span class="muted">— Sales, done/);
    expect(moved.body).toMatch(/Going live <span class="muted">— Operations, to come/);
    expect(moved.body).not.toContain("ivy@example.com");

    // The token is stored hashed: the database holds no usable link.
    const { rows } = await b.engine.db
      .selectFrom("item_shares")
      .select("token_hash")
      .execute()
      .then((r) => ({ rows: r }));
    expect(rows.map((r) => r.token_hash)).not.toContain(shared.body.token);

    // Unknown tokens and revoked links are a 404 page, also noindex.
    const unknown = await page(`/status/${"A".repeat(43)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers["x-robots-tag"]).toContain("noindex");
    expect((await page("/status/short")).status).toBe(404);
    expect(
      (
        await b.app.inject({
          method: "DELETE",
          url: `/api/v1/items/${key}/share`,
          headers: { authorization: `Bearer ${sam.token}` },
        })
      ).statusCode,
    ).toBe(204);
    expect((await page(url)).status).toBe(404);
  });

  it("an expired link is a 404; bad expiries are refused by name", async () => {
    const sam = b.api((await b.admin.post("/users/sam.smith@example.com/tokens", {})).body.token);
    b.clock.now = new Date("2026-03-09T09:00:00Z");
    const key = (await sam.post("/items", { workflow: "req", title: "Short-lived" })).body.key;
    const bad = await sam.post(`/items/${key}/share`, { expires_in_days: 0 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("expires_in_days");
    const shared = await sam.post(`/items/${key}/share`, { expires_in_days: 1 });
    expect(shared.body.expires_at).toBe("2026-03-10T09:00:00.000Z");
    expect((await page(`/status/${shared.body.token}`)).status).toBe(200);
    b.clock.now = new Date("2026-03-10T09:00:01Z");
    expect((await page(`/status/${shared.body.token}`)).status).toBe(404);
    expect((await sam.post("/items/REQ-999/share", {})).status).toBe(404);
  });

  it("a field not marked public never appears on the page, whatever its value", async () => {
    const sam = b.api((await b.admin.post("/users/sam.smith@example.com/tokens", {})).body.token);
    b.clock.now = new Date("2026-03-16T09:00:00Z");
    const key = (await sam.post("/items", { workflow: "req", title: "Fuzzed" })).body.key;
    const shared = await sam.post(`/items/${key}/share`, {});
    const url = `/status/${shared.body.token}`;
    // Values with a marker so a leak is found whether or not the page escapes them.
    const secret = fc
      .tuple(fc.string({ minLength: 0, maxLength: 40 }), fc.string({ maxLength: 40 }))
      .map(([a, z]) => `${a}ZZSECRET${z}`.replaceAll("\u0000", ""));
    await fc.assert(
      fc.asyncProperty(secret, fc.string({ maxLength: 60 }), async (note, plan) => {
        const updated = await sam.patch(`/items/${key}/fields`, {
          secret_note: note,
          plan: plan.replaceAll("\u0000", "") || null,
        });
        if (updated.status !== 200) return; // a value the text rules refuse changes nothing
        const body = (await page(url)).body;
        expect(body).not.toContain("ZZSECRET");
        expect(body).not.toContain(escapeHtml(note));
        const shown = plan.replaceAll("\u0000", "");
        if (shown && !/^\s+$/.test(shown)) expect(body).toContain(escapeHtml(shown));
      }),
      { numRuns: 30 },
    );
  });
});

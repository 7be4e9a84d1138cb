import { describe, expect, it } from "vitest";
import { dbKinds, useBaton } from "../harness.ts";
import { useTestSmtp } from "../notify/smtp-server.ts";

/*
 * The requester asks for e-mail updates on the status page: one confirmation mail (double
 * opt-in), then a mail each time the work moves in a way the page shows, saying only what the
 * page says; a one-click way to stop; a revoked link stops them all. A real SMTP server.
 */

const workflow = `
key: req
name: Requests
prefix: REQ
fields:
  - {key: plan, type: text, label: Plan, public: true}
  - {key: secret_note, type: text, label: Internal note}
steps:
  - {key: intake, name: Checking the request, team: sales, handoff: {to: setup}}
  - {key: setup, name: Setting it up, team: impl}
`;

describe.each(dbKinds())("status updates by e-mail on $name", (kind) => {
  const { smtp, notify } = useTestSmtp();
  const b = useBaton(kind, { engine: { notify } });
  const drain = async () => {
    while ((await b.engine.notifications.tick()) + (await b.engine.deliveries.tick()) > 0);
  };
  const page = async (method: "GET" | "POST", url: string, form?: string) => {
    const res = await b.app.inject({
      method,
      url,
      ...(form === undefined
        ? {}
        : { payload: form, headers: { "content-type": "application/x-www-form-urlencoded" } }),
    });
    return { status: res.statusCode, body: res.body, headers: res.headers };
  };
  /** Mails to the requester (the staff get theirs too). */
  const rita = () =>
    smtp.mails.filter((m) => JSON.stringify(m.to).includes("rita@customer.example"));
  const ritaGets = async (n: number) => {
    for (let i = 0; i < 100 && rita().length < n; i++) await new Promise((r) => setTimeout(r, 50));
    return rita();
  };
  const secretOf = (text: string) =>
    /https:\/\/baton\.example\.com\/status\/updates\/([A-Za-z0-9_-]{43})/.exec(text)?.[1] ?? "";

  it("confirm first, then a mail per move that says only what the page says; stop in one click", async () => {
    await b.team("sales");
    await b.team("impl", "Implementation");
    const sam = await b.user("sam.smith@example.com", ["sales"]);
    const ivy = await b.user("ivy@example.com", ["impl"]);
    await b.workflow(workflow);
    b.clock.now = new Date("2026-03-03T10:00:00Z"); // Tuesday
    const key = (
      await sam.post("/items", {
        workflow: "req",
        title: "New office printer",
        fields: { plan: "Gold", secret_note: "margin is thin" },
      })
    ).body.key;
    await sam.post(`/items/${key}/comments`, { body: "Customer is grumpy" });
    const token = (await sam.post(`/items/${key}/share`, {})).body.token;

    const shown = await page("GET", `/status/${token}`);
    expect(shown.body).toContain(`<form method="post" action="/status/${token}/updates">`);

    // Bad input is refused by name, sends nothing.
    const bad = await page("POST", `/status/${token}/updates`, "email=not-an-address");
    expect(bad.status).toBe(400);
    expect(bad.body).toContain("That is not an e-mail address.");
    expect(
      (await page("POST", `/status/${"A".repeat(43)}/updates`, "email=a@b.example")).status,
    ).toBe(404);

    const asked = await page("POST", `/status/${token}/updates`, "email=Rita%40Customer.example");
    expect(asked.status).toBe(200);
    expect(asked.body).toContain("Check your inbox");
    await drain();
    const [confirm] = await ritaGets(1);
    expect(confirm?.to && JSON.stringify(confirm.to)).toContain("rita@customer.example");
    expect(confirm?.subject).toBe("Confirm updates on “New office printer”");
    const secret = secretOf(confirm?.text ?? "");
    expect(secret).toHaveLength(43);

    // Not confirmed yet: the work moves, no mail.
    b.clock.now = new Date("2026-03-03T11:00:00Z");
    await sam.post(`/items/${key}/handoff`);
    await ivy.post(`/items/${key}/accept`);
    await drain();
    expect(rita()).toHaveLength(1);

    const pending = await page("GET", `/status/updates/${secret}`);
    expect(pending.headers["x-robots-tag"]).toContain("noindex");
    expect(pending.body).toContain("Yes, send me updates");
    const confirmed = await page("POST", `/status/updates/${secret}/confirm`);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toContain("Stop these mails");

    // Confirmed: pausing is news on the page, so it is news by mail.
    b.clock.now = new Date("2026-03-05T09:00:00Z"); // Thursday
    await ivy.post(`/items/${key}/pause`, { reason: "waiting for the customer's floor plan" });
    await drain();
    const [, update] = await ritaGets(2);
    expect(update?.text).toContain("On hold since today");
    expect(update?.text).toContain("Checking the request (Sales): done");
    // One-click unsubscribe (RFC 8058), to the subscriber's own link.
    expect(update?.headers.get("list")).toEqual({
      unsubscribe: { url: `https://baton.example.com/status/updates/${secret}/unsubscribe` },
      "unsubscribe-post": { name: "List-Unsubscribe=One-Click" },
    });
    const all = `${update?.subject}\n${update?.text}\n${update?.html}`;
    for (const hidden of ["margin is thin", "grumpy", "floor plan", "ivy@example.com", "sam.smith"])
      expect(all).not.toContain(hidden);

    // One click stops them (the GET shows a button, the POST stops).
    const ask = await page("GET", `/status/updates/${secret}/unsubscribe`);
    expect(ask.body).toContain(`action="/status/updates/${secret}/unsubscribe"`);
    expect(
      (await page("POST", `/status/updates/${secret}/unsubscribe`, "List-Unsubscribe=One-Click"))
        .status,
    ).toBe(200);
    await ivy.post(`/items/${key}/resume`, {});
    await drain();
    expect(rita()).toHaveLength(2);
  });

  it("a revoked status link ends its subscriptions", async () => {
    const sam = b.api((await b.admin.post("/users/sam.smith@example.com/tokens", {})).body.token);
    const key = (await sam.post("/items", { workflow: "req", title: "Desk chairs" })).body.key;
    const token = (await sam.post(`/items/${key}/share`, {})).body.token;
    const before = rita().length;
    await page("POST", `/status/${token}/updates`, "email=rita%40customer.example");
    await drain();
    const mails = await ritaGets(before + 1);
    const secret = secretOf(mails.at(-1)?.text ?? "");
    expect((await page("POST", `/status/updates/${secret}/confirm`)).status).toBe(200);
    await b.app.inject({
      method: "DELETE",
      url: `/api/v1/items/${key}/share`,
      headers: { authorization: `Bearer ${sam.token}` },
    });
    expect((await page("GET", `/status/updates/${secret}`)).status).toBe(404);
    await sam.post(`/items/${key}/pause`, { reason: "later" });
    await drain();
    expect(rita()).toHaveLength(before + 1);
  });
});

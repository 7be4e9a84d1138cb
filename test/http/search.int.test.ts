import { describe, expect, it } from "vitest";
import { relayFields, relayYaml } from "../fixtures.ts";
import { type ApiClient, dbKinds, useBaton } from "../harness.ts";

/*
 * Finding work across teams: search words over keys, titles, field values and comments, the
 * filters of the list (service-level state, fields, dates, age), saved views, and the exports.
 */

const otherYaml = `
key: fix
name: Fix
prefix: FX
steps:
  - key: triage
    team: implementation
`;

describe.each(dbKinds())("search, filters, saved views and exports on $name", (kind) => {
  const b = useBaton(kind);
  let sales: ApiClient;
  let lead: ApiClient;
  let impl: ApiClient;
  const keys: Record<string, string> = {};

  const keysOf = (r: { body: { items: { key: string }[] } }) => r.body.items.map((i) => i.key);

  it("finds items by title, field value and comment words, each word a prefix, across teams", async () => {
    for (const t of ["sales", "implementation"]) await b.team(t);
    await b.workflow(
      relayYaml({
        fields: [...relayFields, "{key: seats, type: number}"],
        completeWithin: "1d wall",
      }),
    );
    await b.workflow(otherYaml);
    sales = await b.user("sam@example.com", ["sales"]);
    lead = await b.user("lea@example.com", [{ key: "sales", role: "lead" }]);
    impl = await b.user("ivy@example.com", ["implementation"]);
    const create = async (name: string, workflow: string, title: string, fields = {}) => {
      const by = workflow === "fix" ? impl : sales;
      const r = await by.post("/items", { workflow, title, fields });
      expect(r.status).toBe(201);
      keys[name] = r.body.key;
      b.clock.advance(60_000);
    };
    await create("acme", "relay", "ACME rollout", {
      customer: "Acme Corporation",
      tier: "enterprise",
    });
    await create("globex", "relay", "Globex rollout", {
      customer: "Globex",
      tier: "smb",
      seats: 25,
    });
    await create("initech", "relay", "Initech renewal", { customer: "Initech", tier: "smb" });
    await create("printer", "fix", "Printer on fire");
    await impl.post(`/items/${keys.printer}/comments`, { body: "The Globex office called twice" });

    expect(keysOf(await impl.get("/items?q=acme"))).toEqual([keys.acme]);
    expect(keysOf(await impl.get("/items?q=corpor"))).toEqual([keys.acme]);
    expect(keysOf(await impl.get("/items?q=rollout+acme"))).toEqual([keys.acme]);
    // Title, field and comment hits alike, the latest updated first.
    expect(keysOf(await sales.get("/items?q=globex"))).toEqual([keys.printer, keys.globex]);
    expect(keysOf(await sales.get("/items?q=nothing-like-it"))).toEqual([]);
    expect(keysOf(await sales.get(`/items?q=${encodeURIComponent("'\\ & | ! :*")}`))).toEqual([]);
  });

  it("an exact key comes first, whoever holds the item", async () => {
    const found = await sales.get(`/items?q=${keys.initech?.toLowerCase()}`);
    expect(keysOf(found)[0]).toBe(keys.initech);
    const printer = await sales.get(`/items?q=${keys.printer}`);
    expect(keysOf(printer)[0]).toBe(keys.printer);
  });

  it("a renamed item, a changed field and an edited or deleted comment stop matching their old words", async () => {
    await sales.patch(`/items/${keys.initech}`, { title: "Hooli renewal" });
    await sales.patch(`/items/${keys.initech}/fields`, { customer: "Hooli" });
    expect(keysOf(await sales.get("/items?q=initech"))).toEqual([]);
    expect(keysOf(await sales.get("/items?q=hooli"))).toEqual([keys.initech]);

    const comment = (await impl.get(`/items/${keys.printer}/comments`)).body.comments[0].seq;
    await impl.patch(`/items/${keys.printer}/comments/${comment}`, { body: "Umbrella called" });
    expect(keysOf(await sales.get("/items?q=globex"))).toEqual([keys.globex]);
    expect(keysOf(await sales.get("/items?q=umbrella"))).toEqual([keys.printer]);
    await impl.delete(`/items/${keys.printer}/comments/${comment}`);
    expect(keysOf(await sales.get("/items?q=umbrella"))).toEqual([]);
  });

  it("filters by workflow, field values, dates, age and service-level state, combined with search", async () => {
    expect(keysOf(await sales.get("/items?workflow=relay&field=tier:smb"))).toEqual([
      keys.globex,
      keys.initech,
    ]);
    expect(keysOf(await sales.get("/items?field=tier:smb&field=seats:25"))).toEqual([keys.globex]);
    expect(keysOf(await sales.get("/items?q=rollout&field=tier:smb"))).toEqual([keys.globex]);
    expect(keysOf(await sales.get("/items?involves=implementation"))).toEqual([keys.printer]);
    expect(
      keysOf(
        await sales.get(
          "/items?created_after=2026-03-02T09:01:00Z&created_before=2026-03-02T09:03:00Z",
        ),
      ),
    ).toEqual([keys.globex, keys.initech]);
    expect(keysOf(await sales.get("/items?created_after=2026-03-03"))).toEqual([]);

    // A day and a half later the relay items' 1-day clocks have breached, the fix has none.
    b.clock.advance(36 * 3_600_000);
    await b.engine.timers.tick();
    const breached = await sales.get("/items?sla=breached");
    expect(keysOf(breached).sort()).toEqual([keys.acme, keys.globex, keys.initech].sort());
    expect(breached.body.items.every((i: { sla: string }) => i.sla === "breached")).toBe(true);
    expect(keysOf(await sales.get("/items?sla=warning"))).toEqual([]);
    expect(keysOf(await sales.get("/items?min_age_days=1&workflow=fix"))).toEqual([keys.printer]);
    expect(keysOf(await sales.get("/items?max_age_days=1"))).toEqual([]);
  });

  it("refuses bad filters with a 400 naming each", async () => {
    for (const [query, path] of [
      ["sla=late", "sla"],
      ["state=open", "state"],
      ["created_after=2026-02-30", "created_after"],
      ["field=tier", "field"],
      ["min_age_days=-1", "min_age_days"],
      ["format=xml", "format"],
      [`q=${"x".repeat(201)}`, "q"],
      ["colour=red", ""],
    ] as const) {
      const r = await sales.get(`/items?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body.code).toBe("invalid_input");
      if (path) expect(JSON.stringify(r.body.errors), query).toContain(path);
    }
    const many = Array.from({ length: 11 }, (_, i) => `field=tier:${i}`).join("&");
    expect((await sales.get(`/items?${many}`)).status).toBe(400);
  });

  it("saved views are personal or shared with a team; only their owner, the team's lead or an admin deletes them", async () => {
    const mine = await sales.post("/views", {
      name: "Enterprise rollouts",
      query: { workflow: "relay", field: "tier:enterprise" },
    });
    expect(mine.status).toBe(201);
    expect(mine.body).toMatchObject({
      name: "Enterprise rollouts",
      owner: "sam@example.com",
      team: null,
      query: { workflow: "relay", field: "tier:enterprise" },
    });
    const shared = await sales.post("/views", {
      name: "Breached",
      query: { sla: "breached", state: "in_progress" },
      team: "sales",
    });
    expect(shared.status).toBe(201);

    const names = (c: ApiClient) =>
      c.get("/views").then((r) => r.body.views.map((v: { name: string }) => v.name));
    expect(await names(sales)).toEqual(["Enterprise rollouts", "Breached"]);
    expect(await names(lead)).toEqual(["Breached"]);
    expect(await names(impl)).toEqual([]);

    // A view's query is a list's query string: it gives the same list.
    const viewed = await sales.get(
      `/items?${new URLSearchParams(mine.body.query as Record<string, string>)}`,
    );
    expect(keysOf(viewed)).toEqual([keys.acme]);

    expect((await impl.delete(`/views/${shared.body.id}`)).status).toBe(404);
    expect((await impl.post("/views", { name: "x", query: {}, team: "sales" })).body.code).toBe(
      "not_your_team",
    );
    expect((await lead.delete(`/views/${mine.body.id}`)).status).toBe(404);
    expect((await lead.delete(`/views/${shared.body.id}`)).status).toBe(204);
    expect(await names(sales)).toEqual(["Enterprise rollouts"]);
    expect((await b.admin.delete(`/views/${mine.body.id}`)).status).toBe(204);
    expect(await names(sales)).toEqual([]);
  });

  it("a view's filters are checked like the list's, naming what is wrong", async () => {
    const bad = await sales.post("/views", { name: "Bad", query: { sla: "late", colour: "red" } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.errors)).toContain("sla");
    expect(JSON.stringify(bad.body.errors)).toContain("colour");
    expect((await sales.post("/views", { name: "", query: {} })).status).toBe(400);
    expect((await sales.post("/views", { name: "x".repeat(101), query: {} })).status).toBe(400);
    expect((await sales.delete("/views/abc")).status).toBe(400);
  });

  it("exports a list and a timeline as CSV with proper quoting and a formula guard", async () => {
    const r = await sales.post("/items", {
      workflow: "relay",
      title: '=HYPERLINK("http://evil.example","click")',
      fields: { customer: "Doe, Jane", tier: "smb" },
    });
    const key = r.body.key;
    await sales.post(`/items/${key}/comments`, { body: '@mention "quoted"\nsecond line' });

    const list = await b.app.inject({
      method: "GET",
      url: `/api/v1/items?q=${key}&format=csv&limit=1`,
      headers: { authorization: `Bearer ${sales.token}` },
    });
    expect(list.statusCode).toBe(200);
    expect(list.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(list.headers["content-disposition"]).toBe('attachment; filename="items.csv"');
    const [header, row, end] = list.body.split("\r\n");
    expect(header).toBe(
      "key,title,workflow,state,step,step_name,owner_team,next_team,assignee,sla,next_deadline,due,rework,created_at,updated_at,fields",
    );
    expect(row).toContain(`${key},"'=HYPERLINK(""http://evil.example"",""click"")",relay,`);
    expect(row).toContain('"{""customer"":""Doe, Jane"",""tier"":""smb""}"');
    expect(end).toBe("");

    const timeline = await b.app.inject({
      method: "GET",
      url: `/api/v1/items/${key}/events?format=csv`,
      headers: { authorization: `Bearer ${sales.token}` },
    });
    expect(timeline.headers["content-disposition"]).toBe(
      `attachment; filename="${key}-events.csv"`,
    );
    const lines = timeline.body.split("\r\n");
    expect(lines[0]).toBe("seq,at,actor,type,data");
    expect(lines[2]).toMatch(
      /^2,2026-[^,]+,sam@example\.com,comment\.added,"\{""body"":""@mention/,
    );
    // The line break inside the comment stays inside its quoted cell.
    expect(timeline.body).toContain('second line""}"\r\n');

    const json = await sales.get(`/items/${key}/events?format=json`);
    expect(json.body.events).toHaveLength(2);
  });
});

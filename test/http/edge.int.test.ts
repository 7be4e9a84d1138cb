import { sql } from "kysely";
import { beforeAll, describe, expect, it } from "vitest";
import {
  castOnboarding,
  type OnboardingCast,
  onboardingCriteria,
  readyOnboardingItem,
  rolloutYaml,
} from "../fixtures.ts";
import { ADMIN_TOKEN, dbKinds, type TestBaton, useBaton } from "../harness.ts";

/*
 * Input at the edge: every endpoint that takes text, a number or a date is sent what PostgreSQL
 * refuses (a NUL, a lone UTF-16 surrogate), what overflows its columns, and days that do not
 * exist. Each must answer a 4xx problem+json that names the field, and change nothing.
 */

const NUL = "a\u0000b";
const LONE = "x\ud800y";

type Who = "admin" | "sales" | "impl" | "sam-session";

interface Row {
  /** What is sent, as the row's name. */
  name: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Under /api/v1; `{open}` and `{waiting}` are replaced by the fixture items' keys. */
  url: string;
  body?: unknown;
  /** Sent as is (YAML) when a string; JSON otherwise. */
  contentType?: string;
  as?: Who;
  /** The path the problem's `errors` must name. */
  field: string;
  status?: number;
  code?: string;
}

/** Text fields of every endpoint that takes text, each sent with a NUL and a lone surrogate. */
function textRows(): Row[] {
  const rows: Omit<Row, "name">[] = [];
  const each = (
    bad: string,
    make: (v: string) => Omit<Row, "name" | "field"> & { field: string },
  ) => rows.push(make(bad));
  for (const bad of [NUL, LONE]) {
    const item = (over: Record<string, unknown>) => ({
      workflow: "onboarding",
      title: "ACME",
      ...over,
    });
    each(bad, (v) => ({ method: "POST", url: "/items", body: item({ title: v }), field: "title" }));
    each(bad, (v) => ({
      method: "POST",
      url: "/items",
      body: item({ workflow: v }),
      field: "workflow",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/items",
      body: item({ fields: { customer: v } }),
      field: "fields.customer",
      code: "invalid_input",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/items",
      body: item({ fields: { contract_url: `https://example.com/${v}` } }),
      field: "fields.contract_url",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/items",
      body: item({ fields: { csm: `sam${v}@example.com` } }),
      field: "fields.csm",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/items",
      body: item({ fields: { [`cust${v}`]: "x" } }),
      field: `fields.cust${v}`,
    }));
    each(bad, (v) => ({ method: "POST", url: "/items", body: item({ due: v }), field: "due" }));
    each(bad, (v) => ({
      method: "PATCH",
      url: "/items/{open}/fields",
      body: { customer: v },
      field: "fields.customer",
    }));
    each(bad, (v) => ({
      method: "PATCH",
      url: "/items/{open}/fields",
      body: { requirements_url: `https://example.com/${v}` },
      field: "fields.requirements_url",
    }));
    each(bad, (v) => ({
      method: "PATCH",
      url: "/items/{open}/fields",
      body: { [`x${v}`]: 1 },
      field: `x${v}`,
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/items/{open}/comments",
      body: { body: v },
      field: "body",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/items/{open}/pause",
      body: { reason: v },
      field: "reason",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/items/{open}/cancel",
      body: { reason: v },
      field: "reason",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/items/{open}/assign",
      body: { email: `sam${v}@example.com` },
      field: "email",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/items/{open}/handoff",
      body: { note: v, confirm: onboardingCriteria },
      field: "note",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/items/{open}/handoff",
      body: { confirm: [v] },
      field: "confirm[0]",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/items/{waiting}/reject",
      body: { reason: "incomplete", comment: v },
      as: "impl",
      field: "comment",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/items/{waiting}/reject",
      body: { reason: "incomplete", comment: "no", failed_criteria: [v] },
      as: "impl",
      field: "failed_criteria[0]",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/items/{open}/questions",
      body: { to_team: "implementation", body: v },
      field: "body",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/items/{open}/questions",
      body: { to_team: v, body: "?" },
      field: "to_team",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/items/{open}/questions",
      body: { to_team: "implementation", body: "?", from_team: v },
      field: "from_team",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/items/{waiting}/questions/1/answer",
      body: { body: v },
      as: "impl",
      field: "body",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/items/{waiting}/meetings",
      body: { starts_at: "2026-03-04T14:00:00Z", duration_minutes: 30, location: v },
      field: "location",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/items/{waiting}/meetings",
      body: { starts_at: "2026-03-04T14:00:00Z", duration_minutes: 30, attendees: [v] },
      field: "attendees[0]",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/items/{waiting}/meetings",
      body: { starts_at: `2026-03-04T14:00:00Z${v}`, duration_minutes: 30 },
      field: "starts_at",
    }));
    each(bad, (v) => ({
      method: "PUT",
      url: "/items/{waiting}/meetings/1",
      body: { starts_at: "2026-03-05T14:00:00Z", location: v },
      field: "location",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/items/{waiting}/meetings/1/held",
      body: { notes: v },
      field: "notes",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/items/{waiting}/meetings/1/held",
      body: { notes: "Went through it all", attended: [v] },
      field: "attended[0]",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/teams",
      body: { key: "ops", name: v },
      as: "admin",
      field: "name",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/teams",
      body: { key: `ops${v}`, name: "Ops" },
      as: "admin",
      field: "key",
    }));
    const calendar = (over: Record<string, unknown>) => ({
      timezone: "Europe/Berlin",
      hours: { mon: [["09:00", "17:00"]] },
      ...over,
    });
    each(bad, (v) => ({
      method: "PUT",
      url: "/teams/sales/calendar",
      body: calendar({ holidays: [{ date: "2026-12-25", name: v }] }),
      as: "admin",
      field: "holidays[0].name",
    }));
    each(bad, (v) => ({
      method: "PUT",
      url: "/teams/sales/calendar",
      body: calendar({ timezone: `Europe/Berlin${v}` }),
      as: "admin",
      field: "timezone",
    }));
    each(bad, (v) => ({
      method: "PUT",
      url: "/teams/sales/calendar",
      body: calendar({ [`extra${v}`]: 1 }),
      as: "admin",
      field: `extra${v}`,
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/users",
      body: { email: "new@example.com", name: v },
      as: "admin",
      field: "name",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/users",
      body: { email: "new@example.com", name: "New", teams: [v] },
      as: "admin",
      field: "teams[0]",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/users",
      body: { email: "new@example.com", name: "New", password: `password${v}` },
      as: "admin",
      field: "password",
    }));
    each(bad, (v) => ({
      method: "PUT",
      url: "/users/sam@example.com/teams",
      body: { teams: [{ key: v, role: "lead" }] },
      as: "admin",
      field: "teams[0].key",
    }));
    each(bad, (v) => ({
      method: "PUT",
      url: "/users/sam@example.com/password",
      body: { password: `password${v}` },
      as: "admin",
      field: "password",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/users/sam@example.com/tokens",
      body: { name: v },
      as: "admin",
      field: "name",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/users/me/tokens",
      body: { name: v },
      field: "name",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/session",
      body: { email: `sam${v}@example.com`, password: "whatever1" },
      field: "email",
    }));
    each(bad, (v) => ({
      method: "POST",
      url: "/session",
      body: { email: "sam@example.com", password: `whatever${v}` },
      field: "password",
    }));
    const workflow = (over: Record<string, unknown>) => ({
      key: "edge",
      name: "Edge",
      prefix: "EDG",
      steps: [{ key: "only", team: "sales" }],
      ...over,
    });
    for (const url of ["/workflows/edge", "/workflows/validate"]) {
      const method = url === "/workflows/edge" ? "PUT" : "POST";
      each(bad, (v) => ({
        method,
        url,
        body: workflow({ name: v }),
        as: "admin",
        field: "name",
        status: 422,
      }));
      each(bad, (v) => ({
        method,
        url,
        body: workflow({ description: v }),
        as: "admin",
        field: "description",
        status: 422,
      }));
      each(bad, (v) => ({
        method,
        url,
        body: workflow({ $schema: v }),
        as: "admin",
        field: "$schema",
        status: 422,
      }));
      each(bad, (v) => ({
        method,
        url,
        body: workflow({
          steps: [{ key: "only", team: "sales", name: "Only", checklist: [v] }],
        }),
        as: "admin",
        field: "steps[0].checklist[0]",
        status: 422,
      }));
      each(bad, (v) => ({
        method,
        url,
        body: workflow({ fields: [{ key: "f", type: "text", label: v }] }),
        as: "admin",
        field: "fields[0].label",
        status: 422,
      }));
      each(bad, (v) => ({
        method,
        url,
        body: workflow({ [`extra${v}`]: 1 }),
        as: "admin",
        field: "(root)",
        status: 422,
      }));
    }
  }
  // YAML: escapes that make a NUL or a lone surrogate, and a raw NUL where nothing reads it.
  for (const [label, yaml, field] of [
    ["YAML name with \\0", 'name: "Edge\\0"', "name"],
    ["YAML name with \\ud800", 'name: "Edge\\ud800"', "name"],
    ["YAML raw NUL in a comment", "name: Edge # a\u0000b", "line 4, column 15"],
  ] as const) {
    const source = `key: edge\nprefix: EDG\nsteps: [{key: only, team: sales}]\n${yaml}\n`;
    rows.push({
      method: "PUT",
      url: "/workflows/edge",
      body: source,
      as: "admin",
      field,
      status: 422,
      name: `PUT /workflows/edge ${label}`,
    } as Row);
    rows.push({
      method: "POST",
      url: "/workflows/validate",
      body: source,
      as: "admin",
      field,
      status: 422,
      name: `POST /workflows/validate ${label}`,
    } as Row);
  }
  return rows.map((r) =>
    "name" in r
      ? (r as Row)
      : {
          ...r,
          name: `${r.method} ${r.url} ${JSON.stringify(r.field).slice(1, -1)} ${JSON.stringify(r.body).includes("\\u0000") ? "NUL" : "lone surrogate"}`,
        },
  );
}

/** Paths and query strings: decoded NULs and lone surrogates, and numbers out of range. */
const urlRows: Row[] = [
  { name: "item key with NUL", method: "GET", url: "/items/ONB-%00", field: "params.key" },
  {
    name: "item key with NUL (command)",
    method: "POST",
    url: "/items/ONB-%00/claim",
    field: "params.key",
  },
  { name: "events of key with NUL", method: "GET", url: "/items/a%00/events", field: "params.key" },
  {
    name: "comments of key with NUL",
    method: "GET",
    url: "/items/a%00/comments",
    field: "params.key",
  },
  { name: "team with NUL", method: "GET", url: "/teams/a%00b", field: "params.key" },
  { name: "calendar with NUL", method: "GET", url: "/teams/a%00b/calendar", field: "params.key" },
  { name: "queue with NUL", method: "GET", url: "/teams/a%00b/queue", field: "params.key" },
  { name: "user with NUL", method: "GET", url: "/users/a%00b@example.com", field: "params.email" },
  {
    name: "token id with NUL",
    method: "DELETE",
    url: "/users/me/tokens/a%00b",
    field: "params.id",
  },
  { name: "workflow with NUL", method: "GET", url: "/workflows/a%00b", field: "params.key" },
  {
    name: "versions of workflow with NUL",
    method: "GET",
    url: "/workflows/a%00b/versions",
    field: "params.key",
  },
  { name: "?team with NUL", method: "GET", url: "/items?team=a%00b", field: "query.team" },
  {
    name: "?workflow with NUL",
    method: "GET",
    url: "/items?workflow=a%00b",
    field: "query.workflow",
  },
  {
    name: "?assignee with NUL",
    method: "GET",
    url: "/items?assignee=a%00b",
    field: "query.assignee",
  },
  {
    name: "?item with NUL",
    method: "GET",
    url: "/outbox?item=a%00b",
    as: "admin",
    field: "query.item",
  },
  {
    name: "?version beyond int4",
    method: "GET",
    url: "/workflows/onboarding?version=2147483648",
    field: "query.version",
  },
  {
    name: "?version in exponent form",
    method: "GET",
    url: "/workflows/onboarding?version=1e0",
    field: "query.version",
  },
  {
    name: "?version empty",
    method: "GET",
    url: "/workflows/onboarding?version=",
    field: "query.version",
  },
  { name: "?limit empty", method: "GET", url: "/items?limit=", field: "query.limit" },
  { name: "?limit hex", method: "GET", url: "/items?limit=0x10", field: "query.limit" },
  { name: "?limit with spaces", method: "GET", url: "/items?limit=%2010", field: "query.limit" },
  {
    name: "queue ?limit empty",
    method: "GET",
    url: "/teams/sales/queue?limit=",
    field: "query.limit",
  },
  {
    name: "queue ?stalled_after_days empty",
    method: "GET",
    url: "/teams/sales/queue?stalled_after_days=",
    field: "query.stalled_after_days",
  },
  {
    name: "outbox ?limit beyond int4",
    method: "GET",
    url: "/outbox?limit=2147483648",
    as: "admin",
    field: "query.limit",
  },
  {
    name: "question id beyond int4",
    method: "POST",
    url: "/items/{waiting}/questions/2147483648/answer",
    body: { body: "ok" },
    as: "impl",
    field: "params.id",
  },
  {
    name: "meeting id in exponent form",
    method: "POST",
    url: "/items/{waiting}/meetings/1e0/held",
    body: { notes: "Went through it all" },
    field: "params.id",
  },
  {
    name: "checklist index beyond int4",
    method: "POST",
    url: "/items/{open}/checklist",
    body: { index: 2147483648, done: true },
    field: "index",
  },
  {
    name: "meeting lasting 2^31 minutes",
    method: "POST",
    url: "/items/{waiting}/meetings",
    body: { starts_at: "2026-03-04T14:00:00Z", duration_minutes: 2147483648 },
    field: "duration_minutes",
  },
];

/** Days that do not exist, years out of range, instants written loosely. */
const dateRows: Row[] = [
  ...["0000-01-01", "2026-02-31", "1999-12-31", "2101-01-01", "2026-2-3", "+010000-01-01"].map(
    (due): Row => ({
      name: `due ${due}`,
      method: "POST",
      url: "/items",
      body: { workflow: "onboarding", title: "ACME", due },
      field: "due",
    }),
  ),
  ...["2026-02-31T10:00:00Z", "2026-03-04T25:00:00Z", "2026-03-04T14:00:00", "March 4, 2026"].map(
    (due): Row => ({
      name: `due ${due}`,
      method: "POST",
      url: "/items",
      body: { workflow: "onboarding", title: "ACME", due },
      field: "due",
    }),
  ),
  ...[
    "0000-01-01T00:00:00Z",
    "2026-02-31T14:00:00Z",
    "2026-03-04T14:60:00Z",
    "2026-03-04 14:00",
    "2026-03-04T14:00:00+25:00",
    "275760-09-13T00:00:00Z",
  ].map(
    (starts): Row => ({
      name: `meeting at ${starts}`,
      method: "POST",
      url: "/items/{waiting}/meetings",
      body: { starts_at: starts, duration_minutes: 30 },
      field: "starts_at",
    }),
  ),
  {
    name: "reschedule to 2026-02-30",
    method: "PUT",
    url: "/items/{waiting}/meetings/1",
    body: { starts_at: "2026-02-30T14:00:00Z" },
    field: "starts_at",
  },
  {
    name: "date field 2026-02-31",
    method: "PATCH",
    url: "/items/{open}/fields",
    body: { go_live: "2026-02-31" },
    field: "fields.go_live",
  },
  {
    name: "date field 0000-01-01",
    method: "PATCH",
    url: "/items/{open}/fields",
    body: { go_live: "0000-01-01" },
    field: "fields.go_live",
  },
];

/** Everything a request could change, as one comparable value. */
async function fingerprint(b: TestBaton): Promise<unknown> {
  const tables = [
    "teams",
    "users",
    "team_members",
    "api_tokens",
    "sessions",
    "workflows",
    "workflow_versions",
    "items",
    "events",
    "timers",
    "outbox",
  ];
  const { rows } = await sql<{ name: string; digest: string | null }>`
    select name, digest from (${sql.join(
      tables.map(
        (t) =>
          sql`select ${t} as name, md5(string_agg(r::text, ',' order by r::text)) as digest from ${sql.table(t)} r`,
      ),
      sql` union all `,
    )}) x`.execute(b.engine.db);
  const seqs = await sql<{ sequencename: string; last_value: string | null }>`
    select sequencename, last_value from pg_sequences order by sequencename`.execute(b.engine.db);
  return { tables: rows, sequences: seqs.rows };
}

describe.each(dbKinds())("input at the edge on $name", (kind) => {
  const b = useBaton(kind);
  let cast: OnboardingCast;
  let open = "";
  let waiting = "";
  let session = "";

  beforeAll(async () => {
    cast = await castOnboarding(b);
    open = await readyOnboardingItem(cast.sales);
    waiting = await readyOnboardingItem(cast.sales, { tier: "enterprise" });
    await cast.sales.post(`/items/${waiting}/handoff`, { confirm: onboardingCriteria });
    const m = await cast.sales.post(`/items/${waiting}/meetings`, {
      starts_at: "2026-03-04T14:00:00Z",
      duration_minutes: 45,
    });
    expect(m.status).toBe(201);
    const q = await cast.sales.post(`/items/${waiting}/questions`, {
      to_team: "implementation",
      body: "Which SSO provider?",
    });
    expect(q.status).toBe(201);
    await b.admin.put("/users/sam@example.com/password", { password: "correct horse" });
    const signIn = await b.app.inject({
      method: "POST",
      url: "/api/v1/session",
      payload: { email: "sam@example.com", password: "correct horse" },
    });
    session = String(signIn.cookies.find((c) => c.name === "baton_session")?.value);
  });

  const send = async (row: Row) => {
    const token =
      row.as === "admin"
        ? ADMIN_TOKEN
        : row.as === "impl"
          ? cast.impl.token
          : row.as === "sam-session"
            ? undefined
            : cast.sales.token;
    const url = `/api/v1${row.url.replace("{open}", open).replace("{waiting}", waiting)}`;
    const isText = typeof row.body === "string";
    return b.app.inject({
      method: row.method,
      url,
      headers: {
        ...(token
          ? { authorization: `Bearer ${token}` }
          : { cookie: `baton_session=${session}`, "x-requested-with": "baton" }),
        ...(row.body !== undefined
          ? {
              "content-type": row.contentType ?? (isText ? "application/yaml" : "application/json"),
            }
          : {}),
      },
      ...(row.body !== undefined
        ? { payload: isText ? (row.body as string) : JSON.stringify(row.body) }
        : {}),
    });
  };

  it.each([...textRows(), ...urlRows, ...dateRows].map((r) => [r.name, r] as const))(
    "%s is refused, names the field and changes nothing",
    async (_name, row) => {
      const before = await fingerprint(b);
      const res = await send(row);
      expect(res.headers["content-type"], res.body).toMatch(/^application\/problem\+json/);
      expect(res.statusCode, res.body).toBe(row.status ?? 400);
      const problem = JSON.parse(res.body);
      if (row.code) expect(problem.code).toBe(row.code);
      expect(
        (problem.errors ?? []).map((e: { path: string }) => e.path),
        res.body,
      ).toContain(row.field);
      expect(await fingerprint(b)).toEqual(before);
    },
  );

  it("a create refused for its text does not use up an item number", async () => {
    const make = (title: string) =>
      cast.sales.post("/items", { workflow: "onboarding", title, fields: { customer: "ACME" } });
    const first = await make("First");
    expect(first.status).toBe(201);
    const n = Number(String(first.body.key).split("-")[1]);
    expect((await make(NUL)).status).toBe(400);
    expect((await make(LONE)).status).toBe(400);
    const next = await make("Next");
    expect(next.body.key).toBe(`ONB-${n + 1}`);
  });

  it("a question asked or answered shows its answer-by time", async () => {
    await b.team("ops");
    await b.workflow(rolloutYaml());
    const created = await cast.sales.post("/items", { workflow: "rollout", title: "Rollout" });
    const key = created.body.key as string;
    const asked = await cast.sales.post(`/items/${key}/questions`, {
      to_team: "implementation",
      body: "When can you start?",
    });
    expect(asked.status).toBe(201);
    // questions.answer_within is 2h of Implementation's business time, from 09:00 on a Monday.
    expect(asked.body.due_at).toBe("2026-03-02T11:00:00.000Z");
    const item = await cast.sales.get(`/items/${key}`);
    expect(item.body.questions[0].due_at).toBe(asked.body.due_at);
    const answered = await cast.impl.post(`/items/${key}/questions/1/answer`, { body: "Today" });
    // The OpenAPI document promises it too.
    const doc = JSON.parse((await b.app.inject({ method: "GET", url: "/api/docs/json" })).body);
    const created201 = doc.paths["/api/v1/items/{key}/questions"].post.responses["201"];
    expect(JSON.stringify(created201)).toContain("due_at");
    // Answered, it has no clock running any more: the same as the item shows.
    const after = await cast.sales.get(`/items/${key}`);
    expect(answered.body).toMatchObject({
      state: "answered",
      due_at: after.body.questions[0].due_at,
    });
  });

  it("replacing a user's teams requires the teams field", async () => {
    const before = await b.admin.get("/users/sam@example.com");
    const res = await b.admin.put("/users/sam@example.com/teams", {});
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain("teams");
    expect((await b.admin.get("/users/sam@example.com")).body.teams).toEqual(before.body.teams);
  });

  it("signing out with a session cookie needs the X-Requested-With header", async () => {
    const refused = await b.app.inject({
      method: "DELETE",
      url: "/api/v1/session",
      headers: { cookie: `baton_session=${session}` },
    });
    expect(refused.statusCode).toBe(403);
    expect(JSON.parse(refused.body).code).toBe("csrf_failed");
    const still = await b.app.inject({
      method: "GET",
      url: "/api/v1/users/me",
      headers: { cookie: `baton_session=${session}` },
    });
    expect(still.statusCode).toBe(200);
    const out = await b.app.inject({
      method: "DELETE",
      url: "/api/v1/session",
      headers: { cookie: `baton_session=${session}`, "x-requested-with": "baton" },
    });
    expect(out.statusCode).toBe(204);
    const gone = await b.app.inject({
      method: "GET",
      url: "/api/v1/users/me",
      headers: { cookie: `baton_session=${session}` },
    });
    expect(gone.statusCode).toBe(401);
  });
});

import { sql } from "kysely";
import { beforeAll, describe, expect, it } from "vitest";
import { readFingerprint } from "../fuzz/fingerprint.ts";
import { type ApiClient, oneDbKind, type TestBaton, useBaton } from "../harness.ts";

/*
 * Who may do what: every command, as each kind of caller, on an item in the state the command
 * needs (made fresh for every cell). Only the cells marked "ok" may succeed; every other one must
 * be refused with 401/403 (or 404 where a caller may not even learn that a thing exists) as
 * problem+json, and change nothing at all (the fuzz suite's state fingerprint).
 *
 * The columns, for each row's *acting team* (the team whose move it is: the next team for most
 * commands, the sender for a withdrawal, the asked team for an answer, the team whose calendar
 * changes; for the rows about one's own account, the user themself):
 *   acting    a member of the acting team
 *   other     a member of a team that has nothing to do with the item
 *   lead      a lead of the acting team
 *   admin     an admin who is in no team
 *   anonymous no credentials
 *   revoked   a revoked token of someone who may do it
 *   session   another user's web session (the `other` member's cookie, with X-Requested-With)
 *   noXrw     the web session of someone who may do it, without X-Requested-With
 */

const columns = [
  "acting",
  "other",
  "lead",
  "admin",
  "anonymous",
  "revoked",
  "session",
  "noXrw",
] as const;
type Column = (typeof columns)[number];

/** What a cell must answer: success, or the problem code of the refusal. */
type Outcome =
  | "ok"
  | "not_your_team"
  | "not_on_path"
  | "admin_only"
  | "unauthenticated"
  | "csrf_failed"
  | "not_found"
  | "not_your_comment";
const OK = "ok";
const TEAM = "not_your_team";
const OFF_PATH = "not_on_path";
const ADMIN = "admin_only";
const ANON = "unauthenticated";
const CSRF = "csrf_failed";
const GONE = "not_found";
const MINE = "not_your_comment";
const statusOf: Record<Exclude<Outcome, "ok">, number> = {
  not_your_team: 403,
  not_on_path: 403,
  admin_only: 403,
  unauthenticated: 401,
  csrf_failed: 403,
  not_found: 404,
  not_your_comment: 403,
};

const workflowYaml = (name = "Matrix") => `
key: matrix
name: ${name}
prefix: MX
fields:
  - {key: note, type: text}
  - {key: tier, type: choice, options: [smb, enterprise]}
steps:
  - key: send
    team: alpha
    checklist: [Ready]
    handoff:
      to: receive
      criteria: [Checked]
      meeting:
        required_when: {field: tier, equals: enterprise}
  - key: receive
    team: beta
    checklist: [Received]
`;

interface People {
  /** Members and leads of the teams, by role. */
  alpha: ApiClient;
  alphaLead: ApiClient;
  beta: ApiClient;
  betaLead: ApiClient;
  gamma: ApiClient;
  /** Revoked tokens of the people who may act. */
  revoked: Record<"alpha" | "beta" | "admin", string>;
  /** Session cookies. */
  cookies: Record<"alpha" | "beta" | "gamma" | "admin", string>;
}

const EMAIL = {
  alpha: "ann@example.com",
  alphaLead: "lea@example.com",
  beta: "bob@example.com",
  betaLead: "bea@example.com",
  gamma: "gus@example.com",
  admin: "admin@baton.local",
} as const;
const PASSWORD = "matrix password";

interface Ctx {
  key: string;
  /** A token id of the acting user (for revoking). */
  tokenId?: string;
  /** A user made for the row (for admin-only user changes). */
  email?: string;
  /** A meeting time two days after the test clock's now. */
  later?: string;
}

interface Request {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  url: string;
  body?: unknown;
}

interface Row {
  command: string;
  /** Whose move it is: sets the acting and lead columns, and whose credentials revoked/noXrw use. */
  acting: "alpha" | "beta" | "admin";
  setup: (b: TestBaton, p: People) => Promise<Ctx>;
  /** The request; `self` is the caller's e-mail, for the rows about one's own account. */
  request: (ctx: Ctx, self: string) => Request;
  expect: Record<Column, Outcome>;
}

/** The eight cells of a row, in the order of `columns`. */
function cells(...outcomes: Outcome[]): Record<Column, Outcome> {
  return Object.fromEntries(columns.map((c, i) => [c, outcomes[i]])) as Record<Column, Outcome>;
}

// Setups: a fresh item in the state a command needs.
async function started(_b: TestBaton, p: People, tier = "smb"): Promise<Ctx> {
  const r = await p.alpha.post("/items", {
    workflow: "matrix",
    title: "Matrix item",
    fields: { tier },
  });
  if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  const key = r.body.key as string;
  await must(p.alpha.post(`/items/${key}/checklist`, { index: 0, done: true }));
  return { key };
}
async function awaiting(b: TestBaton, p: People, tier = "smb"): Promise<Ctx> {
  const ctx = await started(b, p, tier);
  await must(p.alpha.post(`/items/${ctx.key}/handoff`, { confirm: ["Checked"] }));
  return ctx;
}
async function paused(b: TestBaton, p: People): Promise<Ctx> {
  const ctx = await started(b, p);
  await must(p.alpha.post(`/items/${ctx.key}/pause`, { reason: "Waiting on the customer" }));
  return ctx;
}
async function atFinalStep(b: TestBaton, p: People): Promise<Ctx> {
  const ctx = await awaiting(b, p);
  await must(p.beta.post(`/items/${ctx.key}/accept`));
  await must(p.beta.post(`/items/${ctx.key}/checklist`, { index: 0, done: true }));
  return ctx;
}
async function withQuestion(b: TestBaton, p: People): Promise<Ctx> {
  const ctx = await started(b, p);
  await must(p.alpha.post(`/items/${ctx.key}/questions`, { to_team: "beta", body: "When?" }));
  return ctx;
}
/** An enterprise handoff with a meeting that started an hour ago. */
async function withMeeting(b: TestBaton, p: People): Promise<Ctx> {
  const ctx = await awaiting(b, p, "enterprise");
  const startsAt = new Date(b.clock.now.getTime() + 3_600_000).toISOString();
  await must(
    p.alpha.post(`/items/${ctx.key}/meetings`, { starts_at: startsAt, duration_minutes: 30 }),
  );
  b.clock.advance(2 * 3_600_000);
  return { ...ctx, later: inTwoDays(b) };
}
async function done(b: TestBaton, p: People): Promise<Ctx> {
  const ctx = await atFinalStep(b, p);
  await must(p.beta.post(`/items/${ctx.key}/complete`));
  return ctx;
}
/** An item the member of alpha commented on (the comment is event 3). */
async function commented(b: TestBaton, p: People): Promise<Ctx> {
  const ctx = await started(b, p);
  await must(p.alpha.post(`/items/${ctx.key}/comments`, { body: "Typo in here" }));
  return ctx;
}
const inTwoDays = (b: TestBaton) => new Date(b.clock.now.getTime() + 2 * 86_400_000).toISOString();
const nothing = async (): Promise<Ctx> => ({ key: "" });
let serial = 0;
async function throwawayUser(b: TestBaton): Promise<Ctx> {
  const email = `temp${++serial}@example.com`;
  await must(b.admin.post("/users", { email, name: "Temp", teams: ["gamma"] }));
  return { key: "", email };
}

async function must(r: Promise<{ status: number; body: unknown }>): Promise<void> {
  const res = await r;
  if (res.status >= 300) throw new Error(`setup failed: ${JSON.stringify(res.body)}`);
}

const post = (url: string, body?: unknown): Request => ({ method: "POST", url, body });

/** A token that the member of alpha issues themselves, by its id. */
const ownTokenNamed =
  (name: string) =>
  async (b: TestBaton, p: People): Promise<Ctx> => {
    const token = (await p.alpha.post("/users/me/tokens", { name })).body.token;
    const list = await b.api(token).get("/users/me/tokens");
    return {
      key: "",
      tokenId: (list.body.tokens as { id: string; name: string }[]).find((t) => t.name === name)
        ?.id as string,
    };
  };

const rows: Row[] = [
  {
    command: "create an item",
    acting: "alpha",
    setup: nothing,
    request: () => post("/items", { workflow: "matrix", title: "New", fields: { tier: "smb" } }),
    expect: cells(OK, TEAM, OK, OK, ANON, ANON, TEAM, CSRF),
  },
  {
    command: "change fields",
    acting: "alpha",
    setup: started,
    request: (c) => ({ method: "PATCH", url: `/items/${c.key}/fields`, body: { note: "Changed" } }),
    expect: cells(OK, TEAM, OK, OK, ANON, ANON, TEAM, CSRF),
  },
  {
    command: "tick the checklist",
    acting: "alpha",
    setup: started,
    request: (c) => post(`/items/${c.key}/checklist`, { index: 0, done: false }),
    expect: cells(OK, TEAM, OK, OK, ANON, ANON, TEAM, CSRF),
  },
  {
    // Claiming assigns the item to the caller, so it takes a member of the team: not an admin.
    command: "claim",
    acting: "alpha",
    setup: started,
    request: (c) => post(`/items/${c.key}/claim`),
    expect: cells(OK, TEAM, OK, TEAM, ANON, ANON, TEAM, CSRF),
  },
  {
    command: "assign",
    acting: "alpha",
    setup: started,
    request: (c) => post(`/items/${c.key}/assign`, { email: EMAIL.alphaLead }),
    expect: cells(OK, TEAM, OK, OK, ANON, ANON, TEAM, CSRF),
  },
  {
    command: "submit the handoff",
    acting: "alpha",
    setup: started,
    request: (c) => post(`/items/${c.key}/handoff`, { confirm: ["Checked"] }),
    expect: cells(OK, TEAM, OK, OK, ANON, ANON, TEAM, CSRF),
  },
  {
    command: "accept",
    acting: "beta",
    setup: awaiting,
    request: (c) => post(`/items/${c.key}/accept`),
    expect: cells(OK, TEAM, OK, OK, ANON, ANON, TEAM, CSRF),
  },
  {
    command: "reject",
    acting: "beta",
    setup: awaiting,
    request: (c) => post(`/items/${c.key}/reject`, { reason: "incomplete", comment: "No specs" }),
    expect: cells(OK, TEAM, OK, OK, ANON, ANON, TEAM, CSRF),
  },
  {
    command: "withdraw (the sender)",
    acting: "alpha",
    setup: awaiting,
    request: (c) => post(`/items/${c.key}/withdraw`),
    expect: cells(OK, TEAM, OK, OK, ANON, ANON, TEAM, CSRF),
  },
  {
    command: "complete",
    acting: "beta",
    setup: atFinalStep,
    request: (c) => post(`/items/${c.key}/complete`),
    expect: cells(OK, TEAM, OK, OK, ANON, ANON, TEAM, CSRF),
  },
  {
    command: "cancel",
    acting: "alpha",
    setup: started,
    request: (c) => post(`/items/${c.key}/cancel`, { reason: "Deal lost" }),
    expect: cells(OK, TEAM, OK, OK, ANON, ANON, TEAM, CSRF),
  },
  {
    command: "pause",
    acting: "alpha",
    setup: started,
    request: (c) => post(`/items/${c.key}/pause`, { reason: "Waiting on the customer" }),
    expect: cells(OK, TEAM, OK, OK, ANON, ANON, TEAM, CSRF),
  },
  {
    command: "resume",
    acting: "alpha",
    setup: paused,
    request: (c) => post(`/items/${c.key}/resume`),
    expect: cells(OK, TEAM, OK, OK, ANON, ANON, TEAM, CSRF),
  },
  {
    // Anyone signed in may comment: comments are how people outside the teams chime in.
    command: "comment",
    acting: "alpha",
    setup: started,
    request: (c) => post(`/items/${c.key}/comments`, { body: "A remark" }),
    expect: cells(OK, OK, OK, OK, ANON, ANON, OK, CSRF),
  },
  {
    command: "edit the title and due date",
    acting: "alpha",
    setup: started,
    request: (c) => ({ method: "PATCH", url: `/items/${c.key}`, body: { title: "Renamed" } }),
    expect: cells(OK, TEAM, OK, OK, ANON, ANON, TEAM, CSRF),
  },
  {
    // Words are their author's: nobody else edits them, an admin may only take them down.
    command: "edit one's comment",
    acting: "alpha",
    setup: commented,
    request: (c) => ({
      method: "PATCH",
      url: `/items/${c.key}/comments/3`,
      body: { body: "Fixed" },
    }),
    expect: cells(OK, MINE, MINE, MINE, ANON, ANON, MINE, CSRF),
  },
  {
    command: "delete one's comment",
    acting: "alpha",
    setup: commented,
    request: (c) => ({ method: "DELETE", url: `/items/${c.key}/comments/3` }),
    expect: cells(OK, MINE, MINE, OK, ANON, ANON, MINE, CSRF),
  },
  {
    // Any team that had the item may say it is not done after all.
    command: "reopen a done item",
    acting: "beta",
    setup: done,
    request: (c) => post(`/items/${c.key}/reopen`, { reason: "Not live yet" }),
    expect: cells(OK, TEAM, OK, OK, ANON, ANON, TEAM, CSRF),
  },
  {
    command: "move an item to the current workflow version",
    acting: "admin",
    setup: started,
    request: (c) => post(`/items/${c.key}/migrate`),
    expect: cells(ADMIN, ADMIN, ADMIN, OK, ANON, ANON, ADMIN, CSRF),
  },
  {
    // Only teams on the item's path ask and are asked. The asker's team is the caller's first
    // team unless from_team says otherwise, so an admin in no team has none to ask from.
    command: "ask a question",
    acting: "alpha",
    setup: started,
    request: (c) => post(`/items/${c.key}/questions`, { to_team: "beta", body: "Specs?" }),
    expect: cells(OK, OFF_PATH, OK, TEAM, ANON, ANON, OFF_PATH, CSRF),
  },
  {
    command: "answer a question (the asked team)",
    acting: "beta",
    setup: withQuestion,
    request: (c) => post(`/items/${c.key}/questions/1/answer`, { body: "Tomorrow" }),
    expect: cells(OK, TEAM, OK, OK, ANON, ANON, TEAM, CSRF),
  },
  {
    command: "schedule a meeting",
    acting: "beta",
    setup: async (b, p) => ({ ...(await awaiting(b, p, "enterprise")), later: inTwoDays(b) }),
    request: (c) => post(`/items/${c.key}/meetings`, { starts_at: c.later, duration_minutes: 30 }),
    expect: cells(OK, TEAM, OK, OK, ANON, ANON, TEAM, CSRF),
  },
  {
    command: "reschedule a meeting",
    acting: "beta",
    setup: withMeeting,
    request: (c) => ({
      method: "PUT",
      url: `/items/${c.key}/meetings/1`,
      body: { starts_at: c.later },
    }),
    expect: cells(OK, TEAM, OK, OK, ANON, ANON, TEAM, CSRF),
  },
  {
    command: "record a meeting held",
    acting: "beta",
    setup: withMeeting,
    request: (c) =>
      post(`/items/${c.key}/meetings/1/held`, {
        notes: "Walked through the specs; go-live agreed for May",
        attended: [EMAIL.alpha, EMAIL.beta],
      }),
    expect: cells(OK, TEAM, OK, OK, ANON, ANON, TEAM, CSRF),
  },
  {
    // A team's calendar is its leads' (and admins') business, not every member's.
    command: "set a team calendar",
    acting: "alpha",
    setup: nothing,
    request: () => ({
      method: "PUT",
      url: "/teams/alpha/calendar",
      body: { timezone: "Europe/Berlin", hours: { mon: [["09:00", "17:00"]] } },
    }),
    expect: cells(ADMIN, ADMIN, OK, OK, ANON, ANON, ADMIN, CSRF),
  },
  {
    command: "reset a team calendar",
    acting: "alpha",
    setup: nothing,
    request: () => ({ method: "DELETE", url: "/teams/alpha/calendar" }),
    expect: cells(ADMIN, ADMIN, OK, OK, ANON, ANON, ADMIN, CSRF),
  },
  {
    command: "create a team",
    acting: "admin",
    setup: nothing,
    request: () => post("/teams", { key: `team-${++serial}`, name: "New team" }),
    expect: cells(ADMIN, ADMIN, ADMIN, OK, ANON, ANON, ADMIN, CSRF),
  },
  {
    command: "create a user",
    acting: "admin",
    setup: nothing,
    request: () => post("/users", { email: `new${++serial}@example.com`, name: "New" }),
    expect: cells(ADMIN, ADMIN, ADMIN, OK, ANON, ANON, ADMIN, CSRF),
  },
  {
    command: "change a user's teams",
    acting: "admin",
    setup: throwawayUser,
    request: (c) => ({ method: "PUT", url: `/users/${c.email}/teams`, body: { teams: ["alpha"] } }),
    expect: cells(ADMIN, ADMIN, ADMIN, OK, ANON, ANON, ADMIN, CSRF),
  },
  {
    command: "set another user's password",
    acting: "admin",
    setup: throwawayUser,
    request: (c) => ({
      method: "PUT",
      url: `/users/${c.email}/password`,
      body: { password: "a new password" },
    }),
    expect: cells(ADMIN, ADMIN, ADMIN, OK, ANON, ANON, ADMIN, CSRF),
  },
  {
    command: "set your own password",
    acting: "alpha",
    setup: nothing,
    request: (_c, self) => ({
      method: "PUT",
      url: `/users/${self}/password`,
      body: { password: PASSWORD },
    }),
    expect: cells(OK, OK, OK, OK, ANON, ANON, OK, CSRF),
  },
  {
    command: "issue a token for a member of alpha",
    acting: "alpha",
    setup: nothing,
    request: () => post(`/users/${EMAIL.alpha}/tokens`, { name: "laptop" }),
    expect: cells(OK, ADMIN, ADMIN, OK, ANON, ANON, ADMIN, CSRF),
  },
  {
    command: "issue yourself a token",
    acting: "alpha",
    setup: nothing,
    request: () => post("/users/me/tokens", { name: "laptop" }),
    expect: cells(OK, OK, OK, OK, ANON, ANON, OK, CSRF),
  },
  {
    // Someone else's token is "not found" for you: its id tells you nothing.
    command: "revoke a token of a member of alpha",
    acting: "alpha",
    setup: ownTokenNamed("to revoke"),
    request: (c) => ({ method: "DELETE", url: `/users/me/tokens/${c.tokenId}` }),
    expect: cells(OK, GONE, GONE, GONE, ANON, ANON, GONE, CSRF),
  },
  {
    // An admin stops a leaked token without its holder; nobody else can.
    command: "revoke a member of alpha's token by their address",
    acting: "alpha",
    setup: ownTokenNamed("leaked"),
    request: (c) => ({ method: "DELETE", url: `/users/${EMAIL.alpha}/tokens/${c.tokenId}` }),
    expect: cells(OK, ADMIN, ADMIN, OK, ANON, ANON, ADMIN, CSRF),
  },
  {
    command: "list a member of alpha's tokens",
    acting: "alpha",
    setup: nothing,
    request: () => ({ method: "GET", url: `/users/${EMAIL.alpha}/tokens` }),
    expect: cells(OK, ADMIN, ADMIN, OK, ANON, ANON, ADMIN, OK),
  },
  {
    command: "publish a workflow",
    acting: "admin",
    setup: nothing,
    request: () => ({
      method: "PUT",
      url: "/workflows/matrix",
      body: workflowYaml(`Matrix ${++serial}`),
    }),
    expect: cells(ADMIN, ADMIN, ADMIN, OK, ANON, ANON, ADMIN, CSRF),
  },
  {
    command: "validate a workflow",
    acting: "alpha",
    setup: nothing,
    request: () => post("/workflows/validate", workflowYaml()),
    expect: cells(OK, OK, OK, OK, ANON, ANON, OK, CSRF),
  },
  {
    command: "recompute service levels",
    acting: "admin",
    setup: nothing,
    request: () => post("/sla/recompute"),
    expect: cells(ADMIN, ADMIN, ADMIN, OK, ANON, ANON, ADMIN, CSRF),
  },
  {
    // A read needs no X-Requested-With: a cross-site page cannot read the answer anyway.
    command: "read the outbox",
    acting: "admin",
    setup: nothing,
    request: () => ({ method: "GET", url: "/outbox" }),
    expect: cells(ADMIN, ADMIN, ADMIN, OK, ANON, ANON, ADMIN, OK),
  },
  {
    command: "read an item",
    acting: "alpha",
    setup: started,
    request: (c) => ({ method: "GET", url: `/items/${c.key}` }),
    expect: cells(OK, OK, OK, OK, ANON, ANON, OK, OK),
  },
];

describe.each(oneDbKind())("who may do what, on $name", (kind) => {
  const b = useBaton(kind);
  let people: People;

  beforeAll(async () => {
    for (const key of ["alpha", "beta", "gamma"])
      await must(b.admin.post("/teams", { key, name: key }));
    await must(b.admin.put("/workflows/matrix", workflowYaml()));
    await must(b.admin.put(`/users/${EMAIL.admin}/password`, { password: PASSWORD }));
    const user = async (email: string, teams: unknown[]) => {
      await must(
        b.admin.post("/users", { email, name: email.split("@")[0], teams, password: PASSWORD }),
      );
      return b.api((await b.admin.post(`/users/${email}/tokens`, {})).body.token);
    };
    const revokedToken = async (email: string) => {
      const holder =
        email === EMAIL.admin
          ? b.admin
          : b.api((await b.admin.post(`/users/${email}/tokens`, {})).body.token);
      const token = (await holder.post("/users/me/tokens", { name: "revoked" })).body
        .token as string;
      const mine = (await b.api(token).get("/users/me/tokens")).body.tokens as {
        id: string;
        name: string;
      }[];
      const id = mine.find((t) => t.name === "revoked")?.id;
      const res = await b.app.inject({
        method: "DELETE",
        url: `/api/v1/users/me/tokens/${id}`,
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.statusCode !== 204) throw new Error(res.body);
      return token;
    };
    const cookie = async (email: string) => {
      const res = await b.app.inject({
        method: "POST",
        url: "/api/v1/session",
        payload: { email, password: PASSWORD },
      });
      const c = res.cookies.find((x) => x.name === "baton_session");
      if (!c) throw new Error(res.body);
      return `baton_session=${c.value}`;
    };
    people = {
      alpha: await user(EMAIL.alpha, ["alpha"]),
      alphaLead: await user(EMAIL.alphaLead, [{ key: "alpha", role: "lead" }]),
      beta: await user(EMAIL.beta, ["beta"]),
      betaLead: await user(EMAIL.betaLead, [{ key: "beta", role: "lead" }]),
      gamma: await user(EMAIL.gamma, ["gamma"]),
      revoked: {
        alpha: await revokedToken(EMAIL.alpha),
        beta: await revokedToken(EMAIL.beta),
        admin: await revokedToken(EMAIL.admin),
      },
      cookies: {
        alpha: await cookie(EMAIL.alpha),
        beta: await cookie(EMAIL.beta),
        gamma: await cookie(EMAIL.gamma),
        admin: await cookie(EMAIL.admin),
      },
    };
  });

  const fingerprint = () =>
    readFingerprint(
      async (text) => (await sql.raw<{ fingerprint: string }>(text).execute(b.engine.db)).rows,
    );

  /** The headers of the caller in `column` for `row`, and the e-mail they act as. */
  function caller(row: Row, column: Column): { headers: Record<string, string>; email: string } {
    const team = row.acting;
    const member = team === "admin" ? people.alpha : team === "alpha" ? people.alpha : people.beta;
    const memberEmail = team === "beta" ? EMAIL.beta : EMAIL.alpha;
    const lead = team === "beta" ? people.betaLead : people.alphaLead;
    const leadEmail = team === "beta" ? EMAIL.betaLead : EMAIL.alphaLead;
    // revoked/noXrw use someone who may do it: the acting member, or the admin if only they may.
    const mayAct = row.expect.acting === OK ? (team === "beta" ? "beta" : "alpha") : "admin";
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    switch (column) {
      case "acting":
        return { headers: bearer(member.token), email: memberEmail };
      case "other":
        return { headers: bearer(people.gamma.token), email: EMAIL.gamma };
      case "lead":
        return { headers: bearer(lead.token), email: leadEmail };
      case "admin":
        return { headers: bearer(b.admin.token), email: EMAIL.admin };
      case "anonymous":
        return { headers: {}, email: "" };
      case "revoked":
        return { headers: bearer(people.revoked[mayAct]), email: EMAIL[mayAct] };
      case "session":
        return {
          headers: { cookie: people.cookies.gamma, "x-requested-with": "baton" },
          email: EMAIL.gamma,
        };
      case "noXrw":
        return { headers: { cookie: people.cookies[mayAct] }, email: EMAIL[mayAct] };
    }
  }

  it("the sender cannot accept or reject its own handoff, and the receiver cannot withdraw it", async () => {
    const { key } = await awaiting(b, people);
    const before = await fingerprint();
    expect((await people.alpha.post(`/items/${key}/accept`)).body.code).toBe(TEAM);
    expect(
      (await people.alpha.post(`/items/${key}/reject`, { reason: "other", comment: "Mine" })).body
        .code,
    ).toBe(TEAM);
    expect((await people.beta.post(`/items/${key}/withdraw`)).body.code).toBe(TEAM);
    expect((await people.betaLead.post(`/items/${key}/withdraw`)).body.code).toBe(TEAM);
    expect(await fingerprint()).toBe(before);
  });

  it("signing out with the session cookie needs X-Requested-With, like every other change", async () => {
    const signIn = await b.app.inject({
      method: "POST",
      url: "/api/v1/session",
      payload: { email: EMAIL.gamma, password: PASSWORD },
    });
    const c = signIn.cookies.find((x) => x.name === "baton_session");
    const cookie = `baton_session=${c?.value}`;
    const out = (headers: Record<string, string>) =>
      b.app.inject({ method: "DELETE", url: "/api/v1/session", headers: { cookie, ...headers } });
    const me = () => b.app.inject({ method: "GET", url: "/api/v1/users/me", headers: { cookie } });
    const forced = await out({});
    expect(forced.statusCode).toBe(403);
    expect(forced.json().code).toBe(CSRF);
    expect((await me()).statusCode).toBe(200);
    expect((await out({ "x-requested-with": "baton" })).statusCode).toBe(204);
    expect((await me()).statusCode).toBe(401);
  });

  it.each(rows)(
    "$command: only the allowed callers succeed; the others change nothing",
    async (row) => {
      const got: Record<string, string> = {};
      for (const column of columns) {
        const ctx = await row.setup(b, people);
        const who = caller(row, column);
        const req = row.request(ctx, who.email);
        const isText = typeof req.body === "string";
        const before = await fingerprint();
        const res = await b.app.inject({
          method: req.method,
          url: `/api/v1${req.url}`,
          headers: {
            ...who.headers,
            ...(req.body === undefined
              ? {}
              : { "content-type": isText ? "application/yaml" : "application/json" }),
          },
          ...(req.body === undefined
            ? {}
            : { payload: isText ? (req.body as string) : JSON.stringify(req.body) }),
        });
        const expected = row.expect[column];
        if (res.statusCode < 300) {
          got[column] = OK;
          continue;
        }
        const problem = res.json();
        got[column] = problem.code;
        // A refusal is problem+json with its own status, and leaves everything as it was.
        if (expected !== OK && problem.code === expected) {
          expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
          expect(res.statusCode).toBe(statusOf[expected]);
          expect(problem.status).toBe(res.statusCode);
          expect(await fingerprint(), `${column} changed something`).toBe(before);
        } else got[column] = `${problem.code} (${res.statusCode}: ${problem.detail})`;
      }
      expect(got).toEqual(row.expect);
    },
  );
});

import { readFileSync } from "node:fs";
import { join } from "node:path";

/*
 * The seeded world the fuzzer attacks: the demo's teams and people plus an outsider, the example
 * workflows, and items in every state (ready to hand off, awaiting acceptance with and without a
 * meeting, paused, accepted with questions, cancelled, done). Built through the HTTP API only, so
 * it works the same in-process (app.inject) and against a Baton process; the result is plain
 * data (tokens, cookies, keys), so a world seeded once can be reused on clones of its database.
 */

/** A request as it goes on the wire: the URL is already percent-encoded, the body is text. */
export interface Wire {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Wall time from sending to the whole body received. */
  ms: number;
}

/** Sends one request to a Baton; throws only when the request cannot be sent at all. */
export type Send = (req: Wire) => Promise<WireResponse>;

/** Someone calling the API, as the headers that make them who they are. */
export interface FuzzPrincipal {
  name: string;
  headers: Record<string, string>;
}

export interface World {
  principals: FuzzPrincipal[];
  /** A session cookie only ever used to sign out (signing out ends it for everyone else). */
  signOutHeaders: Record<string, string>;
  teams: string[];
  emails: string[];
  workflows: string[];
  /** Item keys by what the seeding left them in. */
  items: Record<string, string>;
  /** Token ids the principals' own tokens have: never revoked by the fuzzer (it would lock them out). */
  protectedTokenIds: string[];
  criteria: string[];
  fieldKeys: string[];
}

export const ADMIN_EMAIL = "admin@baton.local";
export const PASSWORD = "baton-demo-password";

const examples = join(import.meta.dirname, "../../examples");
export const onboardingSource = readFileSync(join(examples, "onboarding.yaml"), "utf8");
export const incidentSource = readFileSync(join(examples, "incident.yaml"), "utf8");
const demo = JSON.parse(readFileSync(join(examples, "demo.json"), "utf8")) as {
  teams: { key: string; name: string }[];
  users: { email: string; name: string; teams: { key: string; role: string }[] }[];
};

export const onboardingCriteria = [
  "Technical requirements attached",
  "Go-live date agreed with the customer",
];
const implementCriteria = ["Customer signed off the setup", "Runbook written"];
const incidentCriteria = [
  "Reproduction steps tried once by the desk",
  "Logs cover the time of the incident",
];

/** Calls the API as one principal, failing loudly: the world must be exactly as described. */
function caller(send: Send, headers: Record<string, string>) {
  return async (
    method: string,
    path: string,
    body?: unknown,
    extra: Record<string, string> = {},
  ) => {
    const isText = typeof body === "string";
    const res = await send({
      method,
      url: `/api/v1${path}`,
      headers: {
        ...headers,
        ...(body === undefined
          ? {}
          : { "content-type": isText ? "application/yaml" : "application/json" }),
        ...extra,
      },
      body: body === undefined ? undefined : isText ? body : JSON.stringify(body),
    });
    if (res.status >= 300)
      throw new Error(`seeding: ${method} ${path} answered ${res.status}: ${res.body}`);
    return { headers: res.headers, json: res.body ? JSON.parse(res.body) : null };
  };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function sessionCookie(headers: Record<string, string | string[] | undefined>): string {
  const raw = headers["set-cookie"];
  const all = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const c = all.find((x) => x.startsWith("baton_session="));
  if (!c) throw new Error("seeding: sign-in set no session cookie");
  return c.split(";")[0] as string;
}

/** Seeds the world on an empty Baton whose first admin holds `adminToken`. */
export async function seedWorld(send: Send, adminToken: string): Promise<World> {
  const admin = caller(send, bearer(adminToken));
  const teams = [...demo.teams, { key: "finance", name: "Finance" }];
  for (const t of teams) await admin("POST", "/teams", t);
  const users = [
    ...demo.users,
    { email: "sal@example.com", name: "Sal Seller", teams: [{ key: "sales", role: "member" }] },
    { email: "fin@example.com", name: "Fin Outsider", teams: [{ key: "finance", role: "member" }] },
    { email: "nobody@example.com", name: "No Team", teams: [] },
  ];
  const tokens: Record<string, string> = {};
  for (const u of users) {
    await admin("POST", "/users", { ...u, password: PASSWORD });
    tokens[u.email] = (await admin("POST", `/users/${u.email}/tokens`, { name: "fuzz" })).json
      .token as string;
  }
  const as = (email: string) => caller(send, bearer(tokens[email] as string));

  // A revoked token: issued, then revoked by its holder.
  const sal = as("sal@example.com");
  const spare = (await sal("POST", "/users/me/tokens", { name: "to revoke" })).json.token as string;
  const listed = (await sal("GET", "/users/me/tokens")).json.tokens as {
    id: string;
    name: string;
  }[];
  const revokedId = listed.find((t) => t.name === "to revoke")?.id as string;
  await sal("DELETE", `/users/me/tokens/${revokedId}`);
  // Spare tokens the fuzzer may revoke; the principals' own tokens are protected.
  const holders = [bearer(adminToken), ...Object.values(tokens).map(bearer)];
  const protectedTokenIds: string[] = [];
  for (const headers of holders) {
    const me = caller(send, headers);
    await me("POST", "/users/me/tokens", { name: "spare" });
    const mine = (await me("GET", "/users/me/tokens")).json.tokens as {
      id: string;
      name: string;
    }[];
    protectedTokenIds.push(...mine.filter((t) => t.name !== "spare").map((t) => t.id));
  }

  const signIn = async (email: string) =>
    sessionCookie(
      (
        await caller(send, {})("POST", "/session", {
          email,
          password: PASSWORD,
        })
      ).headers,
    );
  const samCookie = await signIn("sam@example.com");
  const signOutCookie = await signIn("ivy@example.com");

  await admin("PUT", "/workflows/onboarding", onboardingSource);
  await admin("PUT", "/workflows/incident", incidentSource);
  await admin("PUT", "/teams/sales/calendar", {
    timezone: "Europe/Berlin",
    hours: {
      mon: [
        ["09:00", "12:00"],
        ["13:00", "17:00"],
      ],
      tue: [["09:00", "17:00"]],
      wed: [["09:00", "17:00"]],
      thu: [["09:00", "17:00"]],
      fri: [["09:00", "15:00"]],
    },
    holidays: [{ date: "2026-12-25", name: "Christmas", yearly: true }],
  });

  const sam = as("sam@example.com");
  const ivy = as("ivy@example.com");
  const sue = as("sue@example.com");
  const dee = as("dee@example.com");
  const lee = as("lee@example.com");
  const items: Record<string, string> = {};

  const onboarding = async (tier: string) => {
    const key = (
      await sam("POST", "/items", {
        workflow: "onboarding",
        title: `ACME ${tier}`,
        fields: {
          customer: "ACME Corp",
          contract_url: "https://docs.example.com/acme-contract.pdf",
          tier,
          requirements_url: "https://docs.example.com/acme-reqs",
        },
        due: "2026-06-30",
      })
    ).json.key as string;
    for (const index of [0, 1]) await sam("POST", `/items/${key}/checklist`, { index, done: true });
    return key;
  };
  const handOff = (key: string) =>
    sam("POST", `/items/${key}/handoff`, { confirm: onboardingCriteria, note: "All yours" });

  items.ready = await onboarding("smb");
  items.awaiting = await onboarding("smb");
  await handOff(items.awaiting);

  items.meeting = await onboarding("enterprise");
  await handOff(items.meeting);
  await sam("POST", `/items/${items.meeting}/meetings`, {
    starts_at: "2026-03-04T14:00:00Z",
    duration_minutes: 45,
    location: "https://meet.example.com/acme",
  });

  items.paused = await onboarding("smb");
  await sam("POST", `/items/${items.paused}/pause`, { reason: "Waiting on the customer" });

  items.accepted = await onboarding("smb");
  await handOff(items.accepted);
  await ivy("POST", `/items/${items.accepted}/accept`);
  await ivy("POST", `/items/${items.accepted}/questions`, {
    to_team: "sales",
    body: "Which SSO provider?",
  });
  await ivy("POST", `/items/${items.accepted}/questions`, { to_team: "sales", body: "Who signs?" });
  await sam("POST", `/items/${items.accepted}/questions/2/answer`, { body: "The CFO" });
  await ivy("POST", `/items/${items.accepted}/comments`, { body: "Starting the setup" });

  items.cancelled = await onboarding("smb");
  await sam("POST", `/items/${items.cancelled}/cancel`, { reason: "Deal lost" });

  items.done = await onboarding("smb");
  await handOff(items.done);
  await ivy("POST", `/items/${items.done}/accept`);
  await ivy("PATCH", `/items/${items.done}/fields`, { go_live: "2026-05-01" });
  for (const index of [0, 1])
    await ivy("POST", `/items/${items.done}/checklist`, { index, done: true });
  await ivy("POST", `/items/${items.done}/handoff`, { confirm: implementCriteria });
  await sue("POST", `/items/${items.done}/accept`);
  await sue("POST", `/items/${items.done}/checklist`, { index: 0, done: true });
  await sue("POST", `/items/${items.done}/complete`);

  items.triage = (await dee("POST", "/items", { workflow: "incident", title: "Checkout down" }))
    .json.key as string;
  await dee("POST", `/items/${items.triage}/questions`, {
    to_team: "l2",
    body: "Seen this before?",
  });

  items.investigating = (
    await dee("POST", "/items", {
      workflow: "incident",
      title: "Slow search",
      fields: {
        service: "search",
        severity: "sev2",
        customer_impact: "Searches take 10 s",
        logs_url: "https://logs.example.com/search",
        repro_steps: "Search for anything",
      },
    })
  ).json.key as string;
  for (const index of [0, 1])
    await dee("POST", `/items/${items.investigating}/checklist`, { index, done: true });
  await dee("POST", `/items/${items.investigating}/handoff`, { confirm: incidentCriteria });
  await lee("POST", `/items/${items.investigating}/accept`);

  const principal = (name: string, email: string) => ({
    name,
    headers: bearer(tokens[email] as string),
  });
  return {
    principals: [
      { name: "admin", headers: bearer(adminToken) },
      principal("sales-lead", "sam@example.com"),
      principal("sales-member", "sal@example.com"),
      principal("implementation-lead", "ivy@example.com"),
      principal("support-member", "sue@example.com"),
      principal("service-desk-lead", "dee@example.com"),
      principal("l2-member", "lee@example.com"),
      principal("outsider", "fin@example.com"),
      principal("no-team", "nobody@example.com"),
      { name: "anonymous", headers: {} },
      { name: "cookie", headers: { cookie: samCookie, "x-requested-with": "baton" } },
      { name: "cookie-without-x-requested-with", headers: { cookie: samCookie } },
      { name: "revoked-token", headers: bearer(spare) },
      { name: "unknown-token", headers: bearer("bt_this_token_was_never_issued_000000") },
    ],
    signOutHeaders: { cookie: signOutCookie, "x-requested-with": "baton" },
    teams: teams.map((t) => t.key),
    emails: [ADMIN_EMAIL, ...users.map((u) => u.email)],
    workflows: ["onboarding", "incident"],
    items,
    protectedTokenIds,
    criteria: [...onboardingCriteria, ...implementCriteria, ...incidentCriteria],
    fieldKeys: [
      "customer",
      "contract_url",
      "tier",
      "go_live",
      "requirements_url",
      "csm",
      "service",
      "severity",
      "customer_impact",
      "logs_url",
      "repro_steps",
      "root_cause",
      "fix_version",
    ],
  };
}

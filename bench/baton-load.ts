import { Pool } from "undici";
import { withClient } from "./database.ts";
import { type Recorder, type RunOptions, runClients } from "./timed-run.ts";

/*
 * The Baton side: set a tenant up through the public API exactly as an admin would, then drive
 * handoff cycles (create → submit → accept, three commands) from concurrent keep-alive clients
 * and check afterwards that the database holds exactly what the clients were told succeeded.
 */

/** The workflow every cycle runs: sales hands off to implementation, which is final. */
const WORKFLOW_KEY = "bench";
const WORKFLOW_YAML = `key: ${WORKFLOW_KEY}
name: Bench handoff
prefix: BENCH
steps:
  - key: sell
    team: sales
    handoff:
      to: implement
  - key: implement
    team: implementation
`;

const TEAMS = ["sales", "implementation", "support", "support-enterprise"];

/** A non-2xx answer; the cycle it belongs to is abandoned and counted as an error. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}: ${body.slice(0, 300)}`);
  }
}

/** Tokens of the two people who hand work to each other. */
export interface BenchUsers {
  seller: string;
  implementer: string;
}

/** A keep-alive connection pool to Baton: one connection per client, no pipelining. */
export function openApi(url: string, connections: number): Pool {
  return new Pool(url, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
}

interface Call {
  method: "GET" | "POST" | "PUT";
  path: string;
  token: string;
  body?: string;
  contentType?: string;
}

/** One API call; returns status, headers and (unless `discardBody`) the body text. */
async function call(
  api: Pool,
  { method, path, token, body, contentType = "application/json" }: Call,
  { discardBody = false } = {},
) {
  const res = await api.request({
    method,
    path: `/api/v1${path}`,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": contentType }),
    },
    body,
  });
  // The body must be consumed either way, or the connection is not reused.
  const ok = res.statusCode >= 200 && res.statusCode < 300;
  if (!ok) throw new HttpError(res.statusCode, await res.body.text());
  if (discardBody) {
    await res.body.dump();
    return { headers: res.headers, text: "" };
  }
  return { headers: res.headers, text: await res.body.text() };
}

async function callJson<T>(api: Pool, c: Call): Promise<T> {
  return JSON.parse((await call(api, c)).text) as T;
}

/** Creates the teams, the two users with tokens, and publishes the workflow. */
export async function setUpTenant(api: Pool, adminToken: string): Promise<BenchUsers> {
  const admin = (method: Call["method"], path: string, body: unknown) =>
    callJson<any>(api, { method, path, token: adminToken, body: JSON.stringify(body) });
  for (const key of TEAMS) await admin("POST", "/teams", { key, name: key });
  const userWithToken = async (email: string, team: string) => {
    await admin("POST", "/users", { email, name: email.split("@")[0], teams: [team] });
    return (await admin("POST", `/users/${email}/tokens`, { name: "bench" })).token as string;
  };
  const seller = await userWithToken("seller@bench.local", "sales");
  const implementer = await userWithToken("implementer@bench.local", "implementation");
  await call(api, {
    method: "PUT",
    path: `/workflows/${WORKFLOW_KEY}`,
    token: adminToken,
    body: WORKFLOW_YAML,
    contentType: "application/yaml",
  });
  return { seller, implementer };
}

/**
 * One handoff cycle, each command timed on its own. The body of every answer is read and
 * discarded (parsing it would only spend the load generator's CPU, which Baton shares on a
 * small machine); the new item's key comes from the Location header.
 */
async function runCycle(api: Pool, users: BenchUsers, rec: Recorder, n: number): Promise<void> {
  const created = await rec.time("create", () =>
    call(
      api,
      {
        method: "POST",
        path: "/items",
        token: users.seller,
        body: JSON.stringify({ workflow: WORKFLOW_KEY, title: `Bench item ${n}` }),
      },
      { discardBody: true },
    ),
  );
  const location = String(created.headers.location ?? "");
  const key = location.slice(location.lastIndexOf("/") + 1);
  if (!key) throw new Error("create answered without a Location header");
  await rec.time("submit", () =>
    call(
      api,
      { method: "POST", path: `/items/${key}/handoff`, token: users.seller, body: "{}" },
      { discardBody: true },
    ),
  );
  await rec.time("accept", () =>
    call(
      api,
      { method: "POST", path: `/items/${key}/accept`, token: users.implementer, body: "{}" },
      { discardBody: true },
    ),
  );
}

let cycles = 0;

/** The first few API errors, kept to show what went wrong. */
export interface CycleErrors {
  samples: string[];
}

/**
 * Drives handoff cycles for the configured time. An HTTP error abandons its cycle and the run
 * goes on (it is reported); more than `maxErrors` of them, or any transport error, ends it.
 */
export async function runHandoffCycles(
  api: Pool,
  users: BenchUsers,
  opts: RunOptions & { maxErrors?: number },
  recorder: Recorder,
  errors: CycleErrors,
): Promise<void> {
  let failed = 0;
  await runClients(
    opts,
    async (_client, rec) => {
      try {
        await runCycle(api, users, rec, ++cycles);
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        if (errors.samples.length < 5) errors.samples.push(err.message);
        if (++failed > (opts.maxErrors ?? 50))
          throw new Error(`too many API errors, the first: ${errors.samples[0]}`);
      }
    },
    recorder,
  );
}

interface Counts {
  items: number;
  /** All events of the bench items, whatever their type. */
  events: number;
  created: number;
  submitted: number;
  accepted: number;
}

/** What the database holds for the bench workflow, compared with what the clients counted. */
export interface Verification {
  ok: boolean;
  expected: Counts;
  found: Counts;
}

/**
 * Counts items and events of the bench workflow in SQL (the bench owns this database) and
 * compares them with the successful commands the clients saw: each create is one item and one
 * item.created event, each submit one handoff.submitted, each accept one handoff.accepted.
 */
export async function verifyCounts(databaseUrl: string, rec: Recorder): Promise<Verification> {
  const [created, submitted, accepted] = ["create", "submit", "accept"].map(
    (kind) => rec.summary(kind).total,
  ) as [number, number, number];
  const expected: Counts = {
    items: created,
    events: created + submitted + accepted,
    created,
    submitted,
    accepted,
  };
  const found = await withClient(databaseUrl, async (c): Promise<Counts> => {
    const items = await c.query<{ n: string }>(
      "select count(*) as n from items where workflow_key = $1",
      [WORKFLOW_KEY],
    );
    const events = await c.query<{ type: string; n: string }>(
      `select e.type, count(*) as n from events e join items i on i.id = e.item_id
       where i.workflow_key = $1 group by e.type`,
      [WORKFLOW_KEY],
    );
    const byType = new Map(events.rows.map((r) => [r.type, Number(r.n)]));
    return {
      items: Number(items.rows[0]?.n ?? 0),
      events: [...byType.values()].reduce((a, b) => a + b, 0),
      created: byType.get("item.created") ?? 0,
      submitted: byType.get("handoff.submitted") ?? 0,
      accepted: byType.get("handoff.accepted") ?? 0,
    };
  });
  const ok = (Object.keys(expected) as (keyof Counts)[]).every((k) => expected[k] === found[k]);
  return { ok, expected, found };
}

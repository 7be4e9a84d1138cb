import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, inject } from "vitest";
import { createEngine, type OwnedEngine } from "../src/engine/engine.ts";
import type { SingleSignOnSettings } from "../src/engine/single-sign-on.ts";
import { buildApp } from "../src/http/app.ts";
import type { HttpSettings } from "../src/http/limits.ts";
import { openDb } from "../src/store/db.ts";
import { createTestDatabase, type DbKind } from "./db.ts";

/*
 * A real Baton on a real database for one test file: engine, HTTP app (driven in-process with
 * app.inject), a clock the test moves, an admin, and factories that insert real rows.
 */

export const ADMIN_TOKEN = "bt_test_admin_token_0123456789";

/** The databases the integration suite runs on (both, unless BATON_TEST_DB names one). */
export function dbKinds(): DbKind[] {
  const only = process.env.BATON_TEST_DB;
  return inject("databases").filter((k) => !only || k.name === only);
}

/**
 * One database kind for suites too slow to run twice (the fuzz suite): the PostgreSQL server,
 * unless BATON_TEST_DB names the other one.
 */
export function oneDbKind(preferred: DbKind["name"] = "postgres-server"): DbKind[] {
  const kinds = dbKinds();
  const kind = kinds.find((k) => k.name === preferred) ?? kinds[0];
  return kind ? [kind] : [];
}

export class TestClock {
  constructor(public now = new Date("2026-03-02T09:00:00.000Z")) {}
  readonly read = () => this.now;
  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }
}

export interface Response<T = any> {
  status: number;
  body: T;
  headers: Record<string, unknown>;
}

export interface TestBaton {
  /** The test file's own database (for a second node, or direct SQL). */
  databaseUrl: string;
  engine: OwnedEngine;
  app: FastifyInstance;
  clock: TestClock;
  /** Calls the API as the holder of `token`. */
  api: (token: string) => ApiClient;
  admin: ApiClient;
  /** Creates a team (if new) with the given key. */
  team: (key: string, name?: string) => Promise<void>;
  /** Creates a user in the given teams and returns a client holding their token. */
  user: (
    email: string,
    teams: (string | { key: string; role: "member" | "lead" })[],
  ) => Promise<ApiClient>;
  /** Publishes a workflow from YAML. */
  workflow: (yaml: string) => Promise<{ key: string; version: number }>;
}

export interface ApiClient {
  token: string;
  get: <T = any>(url: string) => Promise<Response<T>>;
  post: <T = any>(
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => Promise<Response<T>>;
  patch: <T = any>(
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => Promise<Response<T>>;
  put: <T = any>(
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => Promise<Response<T>>;
  delete: <T = any>(url: string, headers?: Record<string, string>) => Promise<Response<T>>;
}

function client(app: FastifyInstance, token: string): ApiClient {
  const call = async (
    method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE",
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const isText = typeof body === "string";
    const res = await app.inject({
      method,
      url: `/api/v1${url}`,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined
          ? { "content-type": isText ? "application/yaml" : "application/json" }
          : {}),
        ...headers,
      },
      ...(body !== undefined ? { payload: isText ? body : JSON.stringify(body) } : {}),
    });
    const text = res.body;
    return { status: res.statusCode, body: text ? JSON.parse(text) : null, headers: res.headers };
  };
  return {
    token,
    get: (url) => call("GET", url),
    post: (url, body, headers) => call("POST", url, body, headers),
    patch: (url, body, headers) => call("PATCH", url, body, headers),
    put: (url, body, headers) => call("PUT", url, body, headers),
    delete: (url, headers) => call("DELETE", url, undefined, headers),
  };
}

/** Starts a Baton for the current test file on `kind`; stops it after the file. */
export function useBaton(
  kind: DbKind,
  /**
   * Limits, timeouts and proxies of the HTTP app (Baton's defaults when left out), and single
   * sign-on: its settings are asked for when the app is built, after earlier hooks have run
   * (a test's identity provider is started first). `engine`: notification settings (an SMTP
   * server) and extra delivery channels.
   */
  options: {
    http?: HttpSettings;
    sso?: () => SingleSignOnSettings;
    engine?: Pick<
      Parameters<typeof createEngine>[0],
      "notify" | "channels" | "importLimits" | "webhooks"
    >;
  } = {},
): TestBaton {
  const ctx = {} as TestBaton;
  let drop: () => Promise<void> = async () => {};
  beforeAll(async () => {
    const database = await createTestDatabase(kind);
    drop = database.drop;
    const db = openDb(database.url, { max: 10 });
    const clock = new TestClock();
    const engine = createEngine({
      db,
      url: database.url,
      clock: clock.read,
      // Forecasts see the history a test has just made.
      historyMaxAgeMs: 0,
      // Background work (timers, the live feed) must not fail silently in tests.
      onError: (e) => console.error("background error:", e),
      ...options.engine,
    });
    await engine.directory.bootstrapAdmin(ADMIN_TOKEN);
    // Every answer is checked against its declared schema (response schemas in the OpenAPI document).
    const app = await buildApp({
      engine,
      checkResponses: true,
      ...(options.http ? { http: options.http } : {}),
      ...(options.sso ? { sso: options.sso() } : {}),
    });
    const admin = client(app, ADMIN_TOKEN);
    Object.assign(ctx, {
      databaseUrl: database.url,
      engine,
      app,
      clock,
      admin,
      api: (token: string) => client(app, token),
      team: async (key: string, name?: string) => {
        const r = await admin.post("/teams", {
          key,
          name: name ?? key[0]?.toUpperCase() + key.slice(1),
        });
        if (r.status !== 201 && r.body?.code !== "already_exists")
          throw new Error(JSON.stringify(r.body));
      },
      user: async (email: string, teams: (string | { key: string; role: "member" | "lead" })[]) => {
        const r = await admin.post("/users", { email, name: email.split("@")[0], teams });
        if (r.status !== 201) throw new Error(JSON.stringify(r.body));
        const t = await admin.post(`/users/${email}/tokens`, {});
        return client(app, t.body.token);
      },
      workflow: async (yaml: string) => {
        const key = /^key:\s*(\S+)/m.exec(yaml)?.[1];
        const r = await admin.put(`/workflows/${key}`, yaml);
        if (r.status >= 300) throw new Error(JSON.stringify(r.body));
        return r.body;
      },
    } satisfies TestBaton);
  });
  afterAll(async () => {
    await ctx.app?.close();
    await ctx.engine?.close();
    await ctx.engine?.db.destroy();
    await drop();
  });
  return ctx;
}

/**
 * A second Baton node (engine and HTTP app) on the test file's database, listening for the same
 * notices as the first; closed after the file.
 */
export function useSecondNode(
  b: TestBaton,
  options: Pick<Parameters<typeof createEngine>[0], "notify" | "channels"> = {},
): {
  readonly engine: OwnedEngine;
  readonly app: FastifyInstance;
} {
  const node = {} as { engine: OwnedEngine; app: FastifyInstance };
  beforeAll(async () => {
    const db = openDb(b.databaseUrl, { max: 2 });
    node.engine = createEngine({ db, url: b.databaseUrl, clock: b.clock.read, ...options });
    node.app = await buildApp({ engine: node.engine });
    await Promise.all([node.engine.caches.ready, b.engine.caches.ready]);
  });
  afterAll(async () => {
    await node.app?.close();
    await node.engine?.close();
    await node.engine?.db.destroy();
  });
  return node;
}

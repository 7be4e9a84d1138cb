import fc from "fast-check";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import {
  deepObject,
  hostileAuthorizations,
  hostileContentTypes,
  hostileDates,
  hostileDurations,
  hostileIfMatch,
  hostileJson,
  hostileNumberTexts,
  hostilePathSegments,
  hostileQueryValues,
  hostileStrings,
  hostileYamlTexts,
  malformedJsonTexts,
} from "./hostile.ts";
import type { JsonSchema, Operation } from "./operations.ts";
import {
  type FuzzPrincipal,
  incidentSource,
  onboardingSource,
  PASSWORD,
  type Wire,
  type World,
} from "./world.ts";

/*
 * fast-check arbitraries for whole HTTP requests. Most cases start from a request that makes
 * sense for one route of the OpenAPI document (a real item, a real team, a body of the declared
 * shape) and then spoil one or two things, so the spoilt value reaches deep into the rules
 * instead of bouncing off the first check. Each case says which family made it (`family`) and
 * which route it aims at (`route`), which is what a failure report groups by.
 */

export interface FuzzCase {
  /** `group:variant`, e.g. `workflow:duration` or `path:junk-segment`. */
  family: string;
  /** `METHOD /path/{template}` the case aims at (`ANY (unknown path)` for made-up paths). */
  route: string;
  principal: string;
  wire: Wire;
}

export const familyGroups = [
  "schema",
  "raw-body",
  "content-type",
  "path",
  "method",
  "query",
  "headers",
  "workflow",
  "calendar",
  "fields",
] as const;
export type FamilyGroup = (typeof familyGroups)[number];

export interface CaseOptions {
  /** Families (or `group:variant` prefixes) never generated; see the in-suite test's TODO. */
  exclude?: readonly string[];
}

const routeOf = (op: Operation) => `${op.method} ${op.path}`;

/** Percent-encodes every byte of the UTF-8 text except unreserved characters (RFC 3986). */
export function encodeSegment(s: string): string {
  let out = "";
  for (const byte of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

const words = [
  "ACME Corp",
  "Which SSO provider?",
  "Looks good to me",
  "Customer asked for a delay",
  "https://docs.example.com/x",
  "Übergabe für München",
  "日本語のテキスト",
];

/** Text a person would type, now and then something no person would. */
function text(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...words) },
    { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 40 }) },
    { weight: 2, arbitrary: fc.constantFrom(...hostileStrings) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 20 }) },
  );
}

/** The world's values by the name of the property or parameter that carries them. */
function pools(world: World) {
  const items = Object.values(world.items);
  const oneOf = <T>(common: readonly T[], rare: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...common) }, { weight: 1, arbitrary: rare });
  const email = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...world.emails) },
    { weight: 2, arbitrary: fc.nat({ max: 999 }).map((n) => `new${n}@example.com`) },
    { weight: 1, arbitrary: fc.constantFrom(...world.emails).map((e) => e.toUpperCase()) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        "nobody@nowhere.example",
        "not-an-email",
        "a@b",
        `${"a".repeat(300)}@example.com`,
        "sam@example.com\u0000",
        "x\ud800@example.com",
      ),
    },
  );
  const team = oneOf(world.teams, fc.constantFrom("nope", "Sales", "", ...hostileStrings));
  const date = oneOf(
    ["2026-03-10T10:00:00Z", "2026-06-30", "2026-03-02T09:30:00.000Z", "2027-01-15"],
    fc.constantFrom(...hostileDates),
  );
  return {
    email,
    team,
    date,
    item: oneOf(items, fc.constantFrom("ONB-9999", "INC-0", "NOPE-1", ...hostileStrings)),
    workflow: oneOf(world.workflows, fc.constantFrom("nope", "fuzzed", ...hostileStrings)),
    criterion: oneOf(world.criteria, text()),
    teamKeyNew: fc.oneof(
      fc.nat({ max: 9999 }).map((n) => `fuzz-team-${n}`),
      fc.constantFrom(...world.teams, "Bad Key", "-x", "a".repeat(64), ...hostileStrings),
    ),
    password: fc.oneof(
      fc.constantFrom(PASSWORD, "short", "x".repeat(201)),
      fc.string({ minLength: 8, maxLength: 30 }),
    ),
  };
}

type Pools = ReturnType<typeof pools>;

/** A sensible string for a property (or parameter) called `name` of route `path`. */
function stringFor(name: string, path: string, p: Pools): fc.Arbitrary<string> {
  switch (name) {
    case "email":
    case "assignee":
    case "attended":
      return p.email;
    case "attendees":
      return fc.oneof(p.team, p.email);
    case "to_team":
    case "from_team":
    case "team":
      return p.team;
    case "teams":
      return p.team;
    case "key":
      return path.endsWith("/teams") ? p.teamKeyNew : p.team;
    case "workflow":
      return p.workflow;
    case "item":
      return p.item;
    case "due":
    case "starts_at":
      return p.date;
    case "confirm":
    case "failed_criteria":
      return p.criterion;
    case "password":
      return p.password;
    default:
      return text();
  }
}

function integerFor(name: string, s: JsonSchema): fc.Arbitrary<number> {
  if (name === "duration_minutes")
    return fc.oneof(fc.constantFrom(30, 45, 5, 480), fc.integer({ min: -10, max: 1000 }));
  if (name === "index") return fc.integer({ min: 0, max: 3 });
  const min = Math.max(s.minimum ?? -5, -5);
  const max = Math.min(s.maximum ?? 10, Math.max(min, 0) + 10);
  return fc.integer({ min, max: Math.max(min, max) });
}

/** A value of the shape `schema` declares, with sensible contents from the world. */
function fromSchema(
  schema: JsonSchema | undefined,
  name: string,
  path: string,
  p: Pools,
  depth = 0,
): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return fc.jsonValue({ maxDepth: 2 });
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches && branches.length > 0)
    return fc.oneof(...branches.map((b) => fromSchema(b, name, path, p, depth + 1)));
  if (schema.enum && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "string":
      return stringFor(name, path, p);
    case "integer":
      return integerFor(name, schema);
    case "number":
      return fc.double({ min: schema.minimum ?? -10, max: Math.min(schema.maximum ?? 10, 1e6) });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array": {
      if (schema.prefixItems)
        return fc.tuple(...schema.prefixItems.map((s) => fromSchema(s, name, path, p, depth + 1)));
      const item = Array.isArray(schema.items) ? schema.items[0] : schema.items;
      return fc.array(fromSchema(item, name, path, p, depth + 1), {
        maxLength: Math.min(schema.maxItems ?? 3, 3),
      });
    }
    case "object": {
      const props = schema.properties ?? {};
      if (Object.keys(props).length === 0)
        return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), {
          maxKeys: 3,
        });
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, s] of Object.entries(props)) model[k] = fromSchema(s, k, path, p, depth + 1);
      return fc.record(model, { requiredKeys: schema.required ?? [] });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

// ---------------------------------------------------------------------------------------------
// Spoiling a sensible value

type Mutation =
  | { kind: "replace"; at: number; value: unknown }
  | { kind: "drop"; at: number }
  | { kind: "add"; at: number; key: string; value: unknown };

const unknownKeys = ["x", "__proto__", "constructor", "", "\u0000", "is_admin", "admin", "version"];

function mutation(): fc.Arbitrary<Mutation> {
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant("replace" as const),
        at: fc.nat(),
        value: hostileJson(),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("drop" as const), at: fc.nat() }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("add" as const),
        at: fc.nat(),
        key: fc.constantFrom(...unknownKeys),
        value: hostileJson(),
      }),
    },
  );
}

/** Every place in a JSON value: the path of keys and indexes to it (the root is []). */
function placesIn(v: unknown, path: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(path);
  if (out.length > 200) return out;
  if (Array.isArray(v)) for (const [i, x] of v.entries()) placesIn(x, [...path, i], out);
  else if (v && typeof v === "object")
    for (const [k, x] of Object.entries(v)) placesIn(x, [...path, k], out);
  return out;
}

/**
 * `value` with the mutations applied, on a copy. Values put in are hostile constants shared by
 * every case (some 2,000 levels deep, too deep to copy), so no later mutation may reach into one:
 * the places are those of the sensible value, and a place under an inserted value is skipped.
 */
export function spoil(value: unknown, mutations: readonly Mutation[]): unknown {
  let root: unknown = structuredClone(value);
  const places = placesIn(root);
  const foreign: string[] = [];
  const under = (place: (string | number)[]) =>
    foreign.some((f) => JSON.stringify(place).startsWith(f.slice(0, -1)));
  for (const m of mutations) {
    const place = places[m.at % places.length] as (string | number)[];
    if (under(place)) continue;
    const parent = place.slice(0, -1).reduce<any>((o, k) => o?.[k], root);
    const last = place.at(-1);
    const target = place.reduce<any>((o, k) => o?.[k], root);
    if (last !== undefined && (parent === null || typeof parent !== "object")) continue;
    if (m.kind === "replace") {
      if (last === undefined) root = m.value;
      else parent[last] = m.value;
      foreign.push(JSON.stringify(place));
    } else if (m.kind === "drop") {
      if (last === undefined) root = undefined;
      else if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
      foreign.push(JSON.stringify(place));
    } else if (target && typeof target === "object" && !Array.isArray(target)) {
      Object.defineProperty(target, m.key, {
        value: m.value,
        enumerable: true,
        configurable: true,
        writable: true,
      });
      foreign.push(JSON.stringify([...place, m.key]));
    } else if (last === undefined) {
      root = { [m.key]: m.value };
      foreign.push("[]");
    }
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// Requests

function principalArb(world: World): fc.Arbitrary<FuzzPrincipal> {
  const weights: Record<string, number> = { admin: 4, "sales-lead": 3, "implementation-lead": 2 };
  return fc.oneof(
    ...world.principals.map((pr) => ({
      weight: weights[pr.name] ?? 1,
      arbitrary: fc.constant(pr),
    })),
  );
}

/** Values for one path parameter of `op`: real ones mostly, junk sometimes. */
function pathParamArb(op: Operation, name: string, world: World, p: Pools): fc.Arbitrary<string> {
  const real = (values: readonly string[]) => fc.constantFrom(...values).map(encodeSegment);
  const items = Object.values(world.items);
  if (name === "key" && op.path.startsWith("/api/v1/items")) return real([...items, "ONB-9999"]);
  if (name === "key" && op.path.startsWith("/api/v1/teams")) return real([...world.teams, "nope"]);
  if (name === "key" && op.path.startsWith("/api/v1/workflows"))
    return real([...world.workflows, "fuzzed", "nope"]);
  if (name === "email") return p.email.map(encodeSegment);
  if (name === "file") return fc.constantFrom("1.ics", "2.ics", "0.ics", "1", "1.ICS");
  if (name === "id" && op.path.includes("/tokens/")) {
    const ids = Array.from({ length: 60 }, (_, i) => String(i + 1)).filter(
      (id) => !world.protectedTokenIds.includes(id),
    );
    return fc.constantFrom(...ids, "0", "-1", "abc", "1e3", "99999999999999999999");
  }
  if (name === "id") return fc.constantFrom("1", "2", "3", "0");
  return fc.constantFrom("x");
}

function pathOf(op: Operation, params: Record<string, string>): string {
  return op.path.replace(/\{(\w+)\}/g, (_, n: string) => params[n] ?? "x");
}

function pathArb(op: Operation, world: World, p: Pools): fc.Arbitrary<string> {
  if (op.pathParams.length === 0) return fc.constant(op.path);
  const model: Record<string, fc.Arbitrary<string>> = {};
  for (const param of op.pathParams) model[param.name] = pathParamArb(op, param.name, world, p);
  return fc.record(model).map((params) => pathOf(op, params));
}

/** The query string of a sensible request: the declared parameters, with world values. */
function queryArb(op: Operation, p: Pools): fc.Arbitrary<string> {
  if (op.query.length === 0) return fc.constant("");
  const model: Record<string, fc.Arbitrary<string | undefined>> = {};
  for (const q of op.query) {
    const value =
      q.name === "state"
        ? fc.constantFrom("in_progress", "awaiting_acceptance,paused", "done", "cancelled")
        : q.schema.type === "integer" || q.schema.type === "number"
          ? integerFor(q.name, q.schema).map(String)
          : stringFor(q.name, op.path, p).map(encodeSegment);
    model[q.name] = fc.option(value, { nil: undefined });
  }
  return fc.record(model).map((qs) =>
    Object.entries(qs)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}`)
      .join("&"),
  );
}

const withQuery = (path: string, query: string) => (query ? `${path}?${query}` : path);

interface Parts {
  op: Operation;
  principal: FuzzPrincipal;
  path: string;
  query: string;
}

function headersFor(
  world: World,
  parts: Parts,
  extra: Record<string, string | undefined> = {},
): Record<string, string> {
  const base =
    parts.op.method === "DELETE" &&
    parts.op.path === "/api/v1/session" &&
    "cookie" in parts.principal.headers
      ? world.signOutHeaders
      : parts.principal.headers;
  const headers: Record<string, string> = { ...base };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) headers[k] = v;
  return headers;
}

function partsArb(world: World, ops: readonly Operation[], p: Pools): fc.Arbitrary<Parts> {
  return fc
    .record({ op: fc.constantFrom(...ops), principal: principalArb(world) })
    .chain(({ op, principal }) =>
      fc
        .record({ path: pathArb(op, world, p), query: queryArb(op, p) })
        .map(({ path, query }) => ({ op, principal, path, query })),
    );
}

function wire(
  world: World,
  parts: Parts,
  body: string | undefined,
  contentType: string | undefined,
  extraHeaders: Record<string, string | undefined> = {},
): Wire {
  return {
    method: parts.op.method,
    url: withQuery(parts.path, parts.query),
    headers: headersFor(world, parts, {
      ...(body === undefined ? {} : { "content-type": contentType }),
      ...extraHeaders,
    }),
    body,
  };
}

const caseOf = (family: string, parts: Parts, w: Wire): FuzzCase => ({
  family,
  route: routeOf(parts.op),
  principal: parts.principal.name,
  wire: w,
});

/** A body of the declared shape, spoilt 0–2 times, as JSON. */
function schemaCases(world: World, ops: readonly Operation[], p: Pools): fc.Arbitrary<FuzzCase> {
  return partsArb(world, ops, p).chain((parts) =>
    fc
      .record({
        value: fromSchema(parts.op.body, "(body)", parts.op.path, p),
        mutations: fc.array(mutation(), { maxLength: 2 }),
        send: fc.boolean(),
      })
      .map(({ value, mutations, send }) => {
        const body = parts.op.body || send ? spoil(value, mutations) : undefined;
        const family =
          mutations.length === 0
            ? "schema:valid-shape"
            : `schema:${mutations.map((m) => m.kind).join("+")}`;
        const json = body === undefined ? undefined : JSON.stringify(body);
        return caseOf(family, parts, wire(world, parts, json, "application/json"));
      }),
  );
}

/** Bodies that are not JSON, or JSON JavaScript cannot represent. */
function rawBodyCases(world: World, ops: readonly Operation[], p: Pools): fc.Arbitrary<FuzzCase> {
  const withBody = ops.filter((o) => o.method !== "GET");
  return partsArb(world, withBody, p).chain((parts) =>
    fc.oneof(
      fc
        .constantFrom(...malformedJsonTexts)
        .map((body) =>
          caseOf("raw-body:malformed-json", parts, wire(world, parts, body, "application/json")),
        ),
      fc
        .record({
          value: fromSchema(parts.op.body, "(body)", parts.op.path, p),
          number: fc.constantFrom(...hostileNumberTexts),
        })
        .map(({ value, number }) => {
          // The first number of a sensible body, or a new property, written as an absurd literal.
          const json = JSON.stringify(value ?? {}) ?? "{}";
          const body = /:-?\d/.test(json)
            ? json.replace(/:-?\d+(\.\d+)?([eE][+-]?\d+)?/, `:${number}`)
            : json.startsWith("{") && json !== "{}"
              ? json.replace(/^\{/, `{"n":${number},`)
              : `{"n":${number}}`;
          return caseOf(
            "raw-body:number-literal",
            parts,
            wire(world, parts, body, "application/json"),
          );
        }),
    ),
  );
}

/** A sensible body under the wrong (or no, or an odd) content type. */
function contentTypeCases(
  world: World,
  ops: readonly Operation[],
  p: Pools,
): fc.Arbitrary<FuzzCase> {
  const withBody = ops.filter((o) => o.method !== "GET");
  return partsArb(world, withBody, p).chain((parts) =>
    fc
      .record({
        value: fromSchema(parts.op.body, "(body)", parts.op.path, p),
        type: fc.constantFrom(...hostileContentTypes),
        form: fc.boolean(),
      })
      .map(({ value, type, form }) => {
        const body = form ? "a=1&b=%00&c" : (JSON.stringify(value ?? {}) ?? "{}");
        return caseOf(`content-type:${type ?? "(none)"}`, parts, wire(world, parts, body, type));
      }),
  );
}

/** A route with one path parameter turned to junk, or a path no route has. */
function pathCases(world: World, ops: readonly Operation[], p: Pools): fc.Arbitrary<FuzzCase> {
  const withParams = ops.filter((o) => o.pathParams.length > 0);
  const junkParam = partsArb(world, withParams, p).chain((parts) =>
    fc
      .record({
        which: fc.nat(),
        junk: fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...hostilePathSegments) },
          { weight: 1, arbitrary: fc.constantFrom(...hostileStrings).map(encodeSegment) },
        ),
        value: fromSchema(parts.op.body, "(body)", parts.op.path, p),
      })
      .map(({ which, junk, value }) => {
        const names = parts.op.pathParams.map((x) => x.name);
        const spoilt = names[which % names.length] as string;
        const real = parts.path;
        // Rebuild the path with the one parameter replaced (the others keep their real values).
        const templateParts = parts.op.path.split("/");
        const realParts = real.split("/");
        const path = templateParts
          .map((seg, i) => (seg === `{${spoilt}}` ? junk : (realParts[i] ?? seg)))
          .join("/");
        const body = parts.op.method === "GET" ? undefined : (JSON.stringify(value ?? {}) ?? "{}");
        return caseOf(
          "path:junk-segment",
          parts,
          wire(world, { ...parts, path }, body, "application/json"),
        );
      }),
  );
  const unknown = fc
    .record({
      principal: principalArb(world),
      method: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE"),
      shape: fc.constantFrom(
        (j: string) => `/api/v1/${j}`,
        (j: string) => `/api/v1/items/${encodeSegment(Object.values(world.items)[0] ?? "x")}/${j}`,
        (j: string) => `/api/${j}`,
        (j: string) => `/${j}`,
        (j: string) => `/api/v1/items/${j}/accept/extra`,
        (j: string) => `//api/v1/items/${j}`,
        (j: string) => `/api/v1/teams/${j}/`,
        (j: string) => `/api/docs/${j}`,
      ),
      junk: fc.oneof(fc.constantFrom(...hostilePathSegments), fc.webSegment().map(encodeSegment)),
    })
    .map(({ principal, method, shape, junk }) => ({
      family: "path:unknown",
      route: "ANY (unknown path)",
      principal: principal.name,
      wire: {
        method,
        url: shape(junk),
        headers: {
          ...principal.headers,
          ...(method === "GET" ? {} : { "content-type": "application/json" }),
        },
        body: method === "GET" ? undefined : "{}",
      },
    }));
  return fc.oneof({ weight: 3, arbitrary: junkParam }, { weight: 1, arbitrary: unknown });
}

/** A real path with a method it does not have. */
function methodCases(world: World, ops: readonly Operation[], p: Pools): fc.Arbitrary<FuzzCase> {
  const methodsByPath = new Map<string, Set<string>>();
  for (const o of ops)
    methodsByPath.set(o.path, (methodsByPath.get(o.path) ?? new Set()).add(o.method));
  return partsArb(world, ops, p).chain((parts) => {
    const has = methodsByPath.get(parts.op.path) ?? new Set();
    const others = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"].filter(
      (m) => !has.has(m) && !(m === "HEAD" && has.has("GET")),
    );
    if (others.length === 0)
      return fc.constant(caseOf("method:none", parts, wire(world, parts, undefined, undefined)));
    return fc.constantFrom(...others).map((method) => ({
      family: `method:${method}`,
      route: `${method} ${parts.op.path}`,
      principal: parts.principal.name,
      wire: {
        ...wire(
          world,
          parts,
          method === "GET" || method === "HEAD" ? undefined : "{}",
          "application/json",
        ),
        method,
      },
    }));
  });
}

/** Query strings with junk values, unknown parameters and repeats. */
function queryCases(world: World, ops: readonly Operation[], p: Pools): fc.Arbitrary<FuzzCase> {
  const gets = ops.filter((o) => o.method === "GET");
  return partsArb(world, gets, p).chain((parts) => {
    const names = [...parts.op.query.map((q) => q.name), "unknown", "__proto__", "limit"];
    const pair = fc
      .record({
        name: fc.constantFrom(...names),
        value: fc.oneof(
          fc.constantFrom(...hostileQueryValues),
          fc.constantFrom(...hostileStrings).map(encodeSegment),
        ),
      })
      .map(({ name, value }) => `${name}=${value}`);
    return fc
      .record({
        pairs: fc.array(pair, { minLength: 1, maxLength: 3 }),
        raw: fc.constantFrom("", "&", "=", "&&=&", "a", "%", "limit", "limit=1&limit=2"),
      })
      .map(({ pairs, raw }) =>
        caseOf(
          "query:junk",
          parts,
          wire(
            world,
            { ...parts, query: [parts.query, ...pairs, raw].filter((x) => x !== "").join("&") },
            undefined,
            undefined,
          ),
        ),
      );
  });
}

/** Sensible requests with an odd header: If-Match, Authorization, Cookie, X-Requested-With. */
function headerCases(world: World, ops: readonly Operation[], p: Pools): fc.Arbitrary<FuzzCase> {
  const header = fc.oneof(
    fc.constantFrom(...hostileIfMatch).map((v) => ["if-match", v] as const),
    fc.constantFrom(...hostileAuthorizations).map((v) => ["authorization", v] as const),
    fc
      .constantFrom(
        "baton_session=",
        "baton_session=%00",
        "baton_session=bs_nope",
        `baton_session=${"x".repeat(5_000)}`,
        "baton_session=a; baton_session=b",
        "=; ;;",
      )
      .map((v) => ["cookie", v] as const),
    fc
      .constantFrom("", "BATON", "XMLHttpRequest", "baton, baton")
      .map((v) => ["x-requested-with", v] as const),
    fc
      .constantFrom("text/html", "application/xml", "*/*;q=0", "\u00ff")
      .map((v) => ["accept", v] as const),
    fc.constantFrom("gzip", "br", "identity;q=0", "x").map((v) => ["content-encoding", v] as const),
    fc
      .constantFrom("fuzz-key-1", "fuzz-key-2", "", " ", "%00", "x".repeat(300), "\u00e9")
      .map((v) => ["idempotency-key", v] as const),
    fc
      .constantFrom("1.2.3.4, %00", "::1", "x".repeat(2_000))
      .map((v) => ["x-forwarded-for", v] as const),
  );
  return partsArb(world, ops, p).chain((parts) =>
    fc
      .record({ value: fromSchema(parts.op.body, "(body)", parts.op.path, p), header })
      .map(({ value, header: [name, v] }) => {
        const body = parts.op.method === "GET" ? undefined : (JSON.stringify(value ?? {}) ?? "{}");
        return caseOf(
          `headers:${name}`,
          parts,
          wire(world, parts, body, "application/json", { [name]: v }),
        );
      }),
  );
}

// ---------------------------------------------------------------------------------------------
// Workflows

type Doc = Record<string, any>;

const workflowSources = [parseYaml(onboardingSource) as Doc, parseYaml(incidentSource) as Doc];

/**
 * A marker for a condition nested `depth` deep in `not`s; serializeWorkflow writes it out as
 * text (JSON.stringify and the YAML serializer would overflow the stack building it).
 */
function notNested(depth: number): string {
  return `__DEEP_CONDITION_${depth}__`;
}

function expandDeep(text: string): string {
  return text.replace(/"?__DEEP_CONDITION_(\d+)__"?/g, (_, n: string) => {
    const depth = Number(n);
    return `${'{"not":'.repeat(depth)}{"field":"tier","equals":"enterprise"}${"}".repeat(depth)}`;
  });
}

function chain(n: number, key: string): Doc {
  return {
    key,
    name: "Long chain",
    prefix: "LC",
    steps: Array.from({ length: n }, (_, i) => ({
      key: `s${i}`,
      team: i % 2 === 0 ? "sales" : "implementation",
      ...(i < n - 1 ? { handoff: { to: `s${i + 1}` } } : {}),
    })),
  };
}

type WorkflowSpoiler = { name: string; apply: (doc: Doc, pick: number) => Doc };

/** Ways to spoil a workflow definition that still looks like one. */
const workflowSpoilers: WorkflowSpoiler[] = [
  {
    name: "duration",
    apply: (doc, pick) => {
      const d = hostileDurations[pick % hostileDurations.length];
      const where = pick % 3;
      if (where === 0) doc.steps[0].complete_within = d;
      else if (where === 1 && doc.steps[0].handoff) doc.steps[0].handoff.accept_within = d;
      else doc.questions = { answer_within: d };
      return doc;
    },
  },
  {
    name: "deep-condition",
    apply: (doc, pick) => {
      const depth = [20, 500, 3_000, 10_000][pick % 4] as number;
      doc.steps[0].handoff = {
        ...doc.steps[0].handoff,
        to: undefined,
        routes: [{ when: notNested(depth), to: doc.steps[1].key }, { to: doc.steps[1].key }],
      };
      delete doc.steps[0].handoff.to;
      return doc;
    },
  },
  {
    name: "long-chain",
    apply: (doc, pick) => chain([100, 1_000, 5_000, 14_001][pick % 4] as number, doc.key),
  },
  {
    name: "many-fields",
    apply: (doc, pick) => {
      const n = [200, 5_000][pick % 2] as number;
      doc.fields = Array.from({ length: n }, (_, i) => ({ key: `f${i}`, type: "text" }));
      doc.steps[0].handoff.requires = doc.fields.slice(0, 1_000).map((f: Doc) => f.key);
      return doc;
    },
  },
  {
    name: "many-routes",
    apply: (doc, pick) => {
      const n = [100, 5_000][pick % 2] as number;
      const to = doc.steps[1].key;
      doc.steps[0].handoff = {
        routes: Array.from({ length: n }, (_, i) => ({
          when: {
            any: [
              { field: "tier", equals: `t${i}` },
              { field: "tier", in: ["a", "b"] },
            ],
          },
          to,
        })).concat([{ to } as any]),
      };
      return doc;
    },
  },
  {
    name: "hostile-text",
    apply: (doc, pick) => {
      const s = hostileStrings[pick % hostileStrings.length];
      const where = pick % 5;
      if (where === 0) doc.name = s;
      else if (where === 1) doc.description = s;
      else if (where === 2) doc.steps[0].checklist = [s];
      else if (where === 3 && doc.steps[0].handoff) doc.steps[0].handoff.criteria = [s];
      else doc.steps[0].name = s;
      return doc;
    },
  },
  {
    name: "hostile-value",
    apply: (doc, pick) => {
      const s = hostileStrings[pick % hostileStrings.length];
      const where = pick % 6;
      if (where === 0) doc.key = s;
      else if (where === 1) doc.prefix = s;
      else if (where === 2) doc.steps[0].team = s;
      else if (where === 3) doc.steps[0].key = s;
      else if (where === 4) doc.steps = s;
      else doc.fields = [{ key: "f", type: "choice", options: [s] }];
      return doc;
    },
  },
  {
    name: "structure",
    apply: (doc, pick) => {
      const where = pick % 8;
      if (where === 0) doc.unknown = 1;
      else if (where === 1) doc.steps = [];
      else if (where === 2) doc.steps.push(doc.steps[0]);
      else if (where === 3) doc.steps[0].handoff = { to: doc.steps[0].key };
      else if (where === 4) doc.steps[0].handoff = { to: "nowhere" };
      else if (where === 5) doc.prefix = doc.prefix === "INC" ? "ONB" : "INC";
      else if (where === 6) doc.steps[0].escalate_to = "nope";
      else doc.fields = [{ key: "x", type: "choice" }];
      return doc;
    },
  },
  { name: "keep", apply: (doc) => doc },
];

function serializeWorkflow(doc: Doc, as: "yaml" | "json"): string {
  if (as === "json") return expandDeep(JSON.stringify(doc));
  try {
    return expandDeep(stringifyYaml(doc, { aliasDuplicateObjects: false }));
  } catch {
    return expandDeep(JSON.stringify(doc)); // JSON is YAML too
  }
}

function workflowCases(
  world: World,
  ops: readonly Operation[],
): fc.Arbitrary<FuzzCase> | undefined {
  const publish = ops.find((o) => o.method === "PUT" && o.path === "/api/v1/workflows/{key}");
  const validate = ops.find((o) => o.method === "POST" && o.path === "/api/v1/workflows/validate");
  const targets = [publish, validate].filter((o): o is Operation => o !== undefined);
  if (targets.length === 0) return undefined;
  return fc
    .record({
      op: fc.constantFrom(...targets),
      principal: fc.oneof(
        { weight: 4, arbitrary: fc.constant(world.principals[0] as FuzzPrincipal) },
        { weight: 1, arbitrary: principalArb(world) },
      ),
      source: fc.nat({ max: workflowSources.length - 1 }),
      // Most publishes go to a workflow no seeded item runs on, so a bad version does not
      // take every later onboarding case with it; some still hit the real ones.
      key: fc.constantFrom("fuzzed", "fuzzed", "fuzzed-2", ...world.workflows),
      spoilers: fc.array(
        fc.record({ spoiler: fc.constantFrom(...workflowSpoilers), pick: fc.nat() }),
        { minLength: 1, maxLength: 2 },
      ),
      as: fc.constantFrom("yaml", "json") as fc.Arbitrary<"yaml" | "json">,
      type: fc.oneof(
        { weight: 6, arbitrary: fc.constant<string | undefined>(undefined) },
        { weight: 1, arbitrary: fc.constantFrom(...hostileContentTypes) },
      ),
      raw: fc.oneof(
        { weight: 8, arbitrary: fc.constant<string | undefined>(undefined) },
        { weight: 1, arbitrary: fc.constantFrom(...hostileYamlTexts) },
      ),
    })
    .map(({ op, principal, source, key, spoilers, as, type, raw }) => {
      let doc = structuredClone(workflowSources[source] as Doc);
      doc.key = key;
      doc.prefix = key.startsWith("fuzzed") ? `FZ${key.length}` : doc.prefix;
      // A spoiler that finds the shape already spoilt by the one before it is left out.
      const applied: string[] = [];
      for (const s of spoilers) {
        try {
          doc = s.spoiler.apply(structuredClone(doc), s.pick);
          applied.push(s.spoiler.name);
        } catch {}
      }
      const body = raw ?? serializeWorkflow(doc, as);
      const contentType =
        type ?? (as === "json" && raw === undefined ? "application/json" : "application/yaml");
      const path = op.path.replace("{key}", encodeSegment(key));
      const family = raw ? "workflow:hostile-yaml" : `workflow:${applied.join("+") || "keep"}`;
      return {
        family,
        route: routeOf(op),
        principal: principal.name,
        wire: {
          method: op.method,
          url: path,
          headers: {
            ...principal.headers,
            ...(contentType ? { "content-type": contentType } : {}),
          },
          body,
        },
      };
    });
}

// ---------------------------------------------------------------------------------------------
// Calendars

const baseCalendar = () => ({
  timezone: "Europe/Berlin",
  hours: {
    mon: [["09:00", "17:00"]],
    tue: [["09:00", "17:00"]],
    wed: [["09:00", "17:00"]],
    thu: [["09:00", "17:00"]],
    fri: [["09:00", "17:00"]],
    sat: [],
    sun: [],
  } as Record<string, unknown>,
  holidays: [] as unknown[],
});

/** Every day of a leap year as a yearly holiday: a calendar with no working time at all. */
function everyDayHoliday(): unknown[] {
  const days: unknown[] = [];
  for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2025, 0, 1); t += 86_400_000)
    days.push({ date: new Date(t).toISOString().slice(0, 10), yearly: true });
  return days;
}

const calendarSpoilers: { name: string; apply: (c: any, pick: number) => unknown }[] = [
  { name: "valid", apply: (c) => c },
  {
    name: "no-working-time",
    apply: (c, pick) => {
      if (pick % 3 === 0) c.holidays = everyDayHoliday();
      else if (pick % 3 === 1)
        c.hours = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
      else {
        // Work only on 29 February, which is a holiday anyway.
        c.hours = { mon: [["09:00", "09:01"]] };
        c.holidays = everyDayHoliday().filter((_, i) => i % 7 !== 0);
      }
      return c;
    },
  },
  {
    name: "timezone",
    apply: (c, pick) => {
      const zones = [
        "Mars/Olympus",
        "+01:00",
        "UTC\u0000",
        "Etc/GMT+14",
        "Pacific/Kiritimati",
        "America/St_Johns",
        "Asia/Kathmandu",
        "Australia/Lord_Howe",
        "",
        "utc",
        ...hostileStrings,
      ];
      c.timezone = zones[pick % zones.length];
      return c;
    },
  },
  {
    name: "interval",
    apply: (c, pick) => {
      const intervals = [
        [["17:00", "09:00"]],
        [["09:00", "09:00"]],
        [["24:00", "24:00"]],
        [["00:00", "24:00"]],
        [["9:00", "17:00"]],
        [["25:00", "26:00"]],
        [
          ["09:00", "12:00"],
          ["11:00", "13:00"],
        ],
        Array.from({ length: 25 }, (_, i) => [
          `${String(i).padStart(2, "0")}:00`,
          `${String(i).padStart(2, "0")}:30`,
        ]),
        [["09:00"]],
        [["09:00", "17:00", "18:00"]],
        ["09:00-17:00"],
        [[9, 17]],
        "09:00-17:00",
        [["00:00", "00:01"]],
      ];
      c.hours[["mon", "sat", "sun", "tue"][pick % 4] as string] =
        intervals[pick % intervals.length];
      return c;
    },
  },
  {
    name: "holidays",
    apply: (c, pick) => {
      const n = pick % 4;
      if (n === 0) c.holidays = [{ date: hostileDates[pick % hostileDates.length] }];
      else if (n === 1)
        c.holidays = Array.from({ length: 1_001 }, (_, i) => ({
          date: "2026-12-25",
          name: `h${i}`,
        }));
      else if (n === 2)
        c.holidays = [{ date: "2026-12-25", name: hostileStrings[pick % hostileStrings.length] }];
      else
        c.holidays = [
          { date: "2026-02-29", yearly: true },
          { date: "2028-02-29", yearly: true },
        ];
      return c;
    },
  },
  {
    name: "structure",
    apply: (c, pick) => {
      const n = pick % 7;
      if (n === 0) return { ...c, unknown: true };
      if (n === 1) return { ...c, hours: [] };
      if (n === 2) return { ...c, holidays: {} };
      if (n === 3) return { ...c, hours: { ...c.hours, someday: [["09:00", "17:00"]] } };
      if (n === 4) return { timezone: c.timezone };
      if (n === 5) return { ...c, default: true, team: "other" };
      return deepObject(100);
    },
  },
];

const junkTeams = ["%00", "a%00b", "%ff"];

function calendarCases(
  world: World,
  ops: readonly Operation[],
): fc.Arbitrary<FuzzCase> | undefined {
  const put = ops.find((o) => o.method === "PUT" && o.path === "/api/v1/teams/{key}/calendar");
  if (!put) return undefined;
  const leadsAndAdmin = world.principals.filter((x) =>
    ["admin", "sales-lead", "service-desk-lead", "implementation-lead"].includes(x.name),
  );
  return fc
    .record({
      principal: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...leadsAndAdmin) },
        { weight: 1, arbitrary: principalArb(world) },
      ),
      team: fc.oneof(
        {
          weight: 5,
          arbitrary: fc.constantFrom("sales", "service-desk", "implementation", "finance"),
        },
        { weight: 1, arbitrary: fc.constantFrom("nope", ...junkTeams) },
      ),
      spoilers: fc.array(
        fc.record({ spoiler: fc.constantFrom(...calendarSpoilers), pick: fc.nat() }),
        { minLength: 1, maxLength: 2 },
      ),
    })
    .map(({ principal, team, spoilers }) => {
      let cal: unknown = baseCalendar();
      const applied: string[] = [];
      for (const s of spoilers) {
        try {
          cal = s.spoiler.apply(structuredClone(cal), s.pick);
          applied.push(s.spoiler.name);
        } catch {}
      }
      return {
        family: `calendar:${[...applied, ...(junkTeams.includes(team) ? ["junk-path"] : [])].join("+") || "valid"}`,
        route: routeOf(put),
        principal: principal.name,
        wire: {
          method: "PUT",
          url: `/api/v1/teams/${team}/calendar`,
          headers: { ...principal.headers, "content-type": "application/json" },
          body: JSON.stringify(cal),
        },
      };
    });
}

// ---------------------------------------------------------------------------------------------
// Field values

function fieldValue(key: string, p: Pools): fc.Arbitrary<unknown> {
  const sensible: Record<string, fc.Arbitrary<unknown>> = {
    tier: fc.constantFrom("smb", "enterprise", "SMB", ""),
    severity: fc.constantFrom("sev1", "sev2", "sev5"),
    go_live: p.date,
    csm: p.email,
    contract_url: fc.constantFrom(
      "https://x.example.com/a",
      "http://[::1",
      "javascript:alert(1)",
      "https://",
    ),
    requirements_url: fc.webUrl(),
    logs_url: fc.webUrl(),
  };
  return fc.oneof(
    { weight: 3, arbitrary: (Object.hasOwn(sensible, key) ? sensible[key] : undefined) ?? text() },
    { weight: 2, arbitrary: hostileJson() },
    { weight: 1, arbitrary: fc.constant(null) },
  );
}

function fieldCases(
  world: World,
  ops: readonly Operation[],
  p: Pools,
): fc.Arbitrary<FuzzCase> | undefined {
  const patch = ops.find((o) => o.method === "PATCH" && o.path === "/api/v1/items/{key}/fields");
  const create = ops.find((o) => o.method === "POST" && o.path === "/api/v1/items");
  const targets = [patch, create].filter((o): o is Operation => o !== undefined);
  if (targets.length === 0) return undefined;
  const fields = fc
    .uniqueArray(fc.constantFrom(...world.fieldKeys, "unknown", "__proto__", "constructor"), {
      minLength: 1,
      maxLength: 4,
    })
    .chain((keys) => fc.tuple(...keys.map((k) => fieldValue(k, p).map((v) => [k, v] as const))))
    .map((pairs) => {
      const o: Record<string, unknown> = {};
      for (const [k, v] of pairs)
        Object.defineProperty(o, k, {
          value: v,
          enumerable: true,
          configurable: true,
          writable: true,
        });
      return o;
    });
  return fc
    .record({
      op: fc.constantFrom(...targets),
      principal: principalArb(world),
      item: fc.constantFrom(...Object.values(world.items)),
      workflow: p.workflow,
      fields,
      due: fc.option(p.date, { nil: undefined }),
    })
    .map(({ op, principal, item, workflow, fields: values, due }) => {
      const isCreate = op.method === "POST";
      const body = isCreate
        ? { workflow, title: "Fuzzed", fields: values, ...(due === undefined ? {} : { due }) }
        : values;
      return {
        family: isCreate ? "fields:create" : "fields:patch",
        route: routeOf(op),
        principal: principal.name,
        wire: {
          method: op.method,
          url: isCreate ? op.path : `/api/v1/items/${encodeSegment(item)}/fields`,
          headers: { ...principal.headers, "content-type": "application/json" },
          body: JSON.stringify(body),
        },
      };
    });
}

// ---------------------------------------------------------------------------------------------

/**
 * Whether `family` (`group:variant+variant`) is excluded: an entry `group` excludes the group,
 * `group:variant` every case that applied that variant.
 */
export function isExcluded(family: string, exclude: readonly string[]): boolean {
  const colon = family.indexOf(":");
  const group = colon < 0 ? family : family.slice(0, colon);
  const variants = colon < 0 ? [] : family.slice(colon + 1).split("+");
  return exclude.some((e) => {
    const c = e.indexOf(":");
    if (c < 0) return e === group;
    return e.slice(0, c) === group && variants.includes(e.slice(c + 1));
  });
}

/** One fuzz case: a whole request, from any family, aimed at the routes in `ops`. */
export function fuzzCase(
  world: World,
  ops: readonly Operation[],
  options: CaseOptions = {},
): fc.Arbitrary<FuzzCase> {
  const p = pools(world);
  // A family whose routes the document lacks (undefined) is left out.
  const all: {
    group: FamilyGroup;
    weight: number;
    arbitrary: () => fc.Arbitrary<FuzzCase> | undefined;
  }[] = [
    { group: "schema", weight: 10, arbitrary: () => schemaCases(world, ops, p) },
    { group: "raw-body", weight: 2, arbitrary: () => rawBodyCases(world, ops, p) },
    { group: "content-type", weight: 2, arbitrary: () => contentTypeCases(world, ops, p) },
    { group: "path", weight: 3, arbitrary: () => pathCases(world, ops, p) },
    { group: "method", weight: 1, arbitrary: () => methodCases(world, ops, p) },
    { group: "query", weight: 2, arbitrary: () => queryCases(world, ops, p) },
    { group: "headers", weight: 2, arbitrary: () => headerCases(world, ops, p) },
    { group: "workflow", weight: 3, arbitrary: () => workflowCases(world, ops) },
    { group: "calendar", weight: 2, arbitrary: () => calendarCases(world, ops) },
    { group: "fields", weight: 3, arbitrary: () => fieldCases(world, ops, p) },
  ];
  const exclude = options.exclude ?? [];
  const chosen = all
    .filter((f) => !exclude.includes(f.group))
    .map((f) => ({ weight: f.weight, arbitrary: f.arbitrary() }))
    .filter((f): f is { weight: number; arbitrary: fc.Arbitrary<FuzzCase> } => !!f.arbitrary);
  const arb = fc.oneof(...chosen);
  return exclude.length === 0 ? arb : arb.filter((c) => !isExcluded(c.family, exclude));
}

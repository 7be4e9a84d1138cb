import type { InjectOptions } from "fastify";
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, dbKinds, useBaton } from "../harness.ts";

/*
 * Every error is application/problem+json with a stable code: also the ones the framework
 * raises itself (router, body parsers, limits), which once answered plain JSON. The HTTP
 * layer's own, so on the first database only.
 */

const kind = dbKinds()[0];
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
const json = { ...auth, "content-type": "application/json" };

const cases: [string, InjectOptions, number, string][] = [
  ["unknown API path", { url: "/api/v1/nope", headers: auth }, 404, "not_found"],
  ["unknown path under the docs", { url: "/api/docs/nope" }, 404, "not_found"],
  [
    "wrong method on a known path",
    { method: "DELETE", url: "/api/v1/teams", headers: auth },
    405,
    "method_not_allowed",
  ],
  [
    "wrong method on a path with a parameter",
    { method: "POST", url: "/api/v1/teams/sales", headers: json, payload: "{}" },
    405,
    "method_not_allowed",
  ],
  [
    "OPTIONS on a known path",
    { method: "OPTIONS", url: "/api/v1/workflows", headers: auth },
    405,
    "method_not_allowed",
  ],
  ["POST to the web app", { method: "POST", url: "/" }, 404, "not_found"],
  [
    "unsupported content type",
    {
      method: "POST",
      url: "/api/v1/teams",
      headers: { ...auth, "content-type": "application/xml" },
      payload: "<team/>",
    },
    415,
    "unsupported_media_type",
  ],
  [
    "malformed JSON",
    { method: "POST", url: "/api/v1/teams", headers: json, payload: "{bad" },
    400,
    "invalid_input",
  ],
  [
    "empty JSON body",
    { method: "POST", url: "/api/v1/teams", headers: json, payload: "" },
    400,
    "invalid_input",
  ],
  [
    "body too large",
    {
      method: "POST",
      url: "/api/v1/teams",
      headers: json,
      payload: `"${"x".repeat(1024 * 1024)}"`,
    },
    413,
    "body_too_large",
  ],
  [
    "YAML body too large",
    {
      method: "POST",
      url: "/api/v1/workflows/validate",
      headers: { ...auth, "content-type": "application/yaml" },
      payload: "#".repeat(1024 * 1024 + 1),
    },
    413,
    "body_too_large",
  ],
  [
    "malformed percent-encoding in the path",
    { url: "/api/v1/teams/%zz", headers: auth },
    400,
    "invalid_input",
  ],
  ["malformed percent-encoding in a web path", { url: "/%" }, 400, "invalid_input"],
  [
    "query parameter of the wrong type",
    { url: "/api/v1/workflows/x?version=abc", headers: auth },
    400,
    "invalid_input",
  ],
  ["no credentials", { url: "/api/v1/teams" }, 401, "unauthenticated"],
  [
    "malformed authorization header",
    { url: "/api/v1/teams", headers: { authorization: "Basic abc" } },
    401,
    "unauthenticated",
  ],
];

describe.runIf(kind)("error answers", () => {
  const b = useBaton(kind as NonNullable<typeof kind>);

  it.each(cases)("%s → %i %s, as problem+json", async (_name, request, status, code) => {
    const r = await b.app.inject(request);
    expect(r.statusCode).toBe(status);
    expect(r.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(r.json()).toMatchObject({ status, code, type: `https://baton.dev/problems/${code}` });
    expect(typeof r.json().detail).toBe("string");
  });

  it("names the methods a path takes in Allow", async () => {
    const r = await b.app.inject({ method: "PATCH", url: "/api/v1/workflows", headers: auth });
    expect(r.statusCode).toBe(405);
    expect(String(r.headers.allow).split(", ").sort()).toEqual(["GET", "HEAD"]);
  });
});

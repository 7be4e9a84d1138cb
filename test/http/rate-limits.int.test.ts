import { describe, expect, it } from "vitest";
import { defaultHttpSettings } from "../../src/http/limits.ts";
import { ADMIN_TOKEN, dbKinds, useBaton } from "../harness.ts";

/*
 * Rate limits, security headers and the session cookie behind a proxy. These are the HTTP
 * layer's own, the same on either database, so they run on the first one only.
 */

const kind = dbKinds()[0];

describe.runIf(kind)("rate limits", () => {
  const b = useBaton(kind as NonNullable<typeof kind>, {
    http: {
      ...defaultHttpSettings,
      rateLimits: {
        ...defaultHttpSettings.rateLimits,
        signInPerIp: 20,
        signInPerAccount: 5,
        tokens: 3,
        workflows: 4,
        public: 6,
      },
    },
  });

  const signIn = (email: string, password: string, ip = "203.0.113.1") =>
    b.app.inject({
      method: "POST",
      url: "/api/v1/session",
      payload: { email, password },
      remoteAddress: ip,
    });

  it("stops one address guessing status links: 429 after the public budget, noindex all the same", async () => {
    const guess = (i: number, ip = "203.0.113.30") =>
      b.app.inject({
        method: "GET",
        url: `/status/${String(i).padStart(43, "A")}`,
        remoteAddress: ip,
      });
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await guess(i));
    expect(answers.slice(0, 6).map((r) => r.statusCode)).toEqual(Array(6).fill(404));
    expect(answers[6]?.statusCode).toBe(429);
    expect(Number(answers[6]?.headers["retry-after"])).toBeGreaterThan(0);
    expect((await guess(9, "203.0.113.31")).statusCode).toBe(404);
  });

  it("stops one address guessing passwords: 429 problem+json with Retry-After", async () => {
    const answers = [];
    for (let i = 0; i < 25; i++)
      answers.push(await signIn(`nobody${i}@example.com`, "wrong password", "203.0.113.7"));
    expect(answers.slice(0, 20).map((r) => r.statusCode)).toEqual(Array(20).fill(401));
    const limited = answers[20];
    expect(limited?.statusCode).toBe(429);
    expect(limited?.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(limited?.json()).toMatchObject({ status: 429, code: "rate_limited" });
    expect(Number(limited?.headers["retry-after"])).toBeGreaterThan(0);
    expect(Number(limited?.headers["retry-after"])).toBeLessThanOrEqual(60);
    // Another address is not affected.
    expect((await signIn("nobody@example.com", "wrong password", "203.0.113.8")).statusCode).toBe(
      401,
    );
  });

  it("stops wrong passwords for one account from many addresses, even with the right one next", async () => {
    await b.team("sales");
    await b.admin.post("/users", {
      email: "pat@example.com",
      name: "Pat",
      teams: ["sales"],
      password: "correct horse",
    });
    // Signing in successfully does not count against the account.
    for (let i = 0; i < 6; i++)
      expect((await signIn("pat@example.com", "correct horse", `198.51.100.${i}`)).statusCode).toBe(
        200,
      );
    for (let i = 0; i < 5; i++)
      expect((await signIn("Pat@Example.com", "guess", `198.51.100.${10 + i}`)).statusCode).toBe(
        401,
      );
    const locked = await signIn("pat@example.com", "correct horse", "198.51.100.99");
    expect(locked.statusCode).toBe(429);
    expect(locked.json().code).toBe("rate_limited");
    expect(Number(locked.headers["retry-after"])).toBeGreaterThan(60);
    // Other accounts still sign in.
    await b.admin.post("/users", {
      email: "quinn@example.com",
      name: "Quinn",
      password: "pw-quinn-1",
    });
    expect((await signIn("quinn@example.com", "pw-quinn-1", "198.51.100.99")).statusCode).toBe(200);
  });

  it("limits how fast a user mints tokens, but not an admin issuing them", async () => {
    const user = await b.user("tok@example.com", ["sales"]);
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await user.post("/users/me/tokens", {})).status);
    expect(codes).toEqual([201, 201, 201, 429]);
    for (let i = 0; i < 5; i++)
      expect((await b.admin.post("/users/tok@example.com/tokens", {})).status).toBe(201);
  });

  it("limits workflow validation and publication per user, together", async () => {
    const user = await b.user("wf@example.com", ["sales"]);
    const other = await b.user("wf2@example.com", ["sales"]);
    const yaml =
      "key: tiny\nname: Tiny\nprefix: TNY\nsteps:\n  - key: a\n    name: A\n    team: sales\n";
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await user.post("/workflows/validate", yaml)).status);
    codes.push((await user.put("/workflows/tiny", yaml)).status);
    const limited = await user.post("/workflows/validate", yaml);
    expect(codes.every((c) => c < 429)).toBe(true);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe("rate_limited");
    expect((await other.post("/workflows/validate", yaml)).status).toBe(200);
  });

  it("does not limit the handoff commands", async () => {
    const reads = [];
    for (let i = 0; i < 150; i++) reads.push(b.admin.get("/teams"));
    expect(new Set((await Promise.all(reads)).map((r) => r.status))).toEqual(new Set([200]));
  });
});

describe.runIf(kind)("security headers and the session cookie behind a proxy", () => {
  const b = useBaton(kind as NonNullable<typeof kind>, {
    http: { ...defaultHttpSettings, trustProxy: "127.0.0.1" },
  });

  it("sends a CSP without framing, nosniff and no referrer on pages and API answers", async () => {
    for (const url of ["/", "/items/ONB-1", "/api/docs", "/api/v1/users/me", "/api/v1/nope"]) {
      const r = await b.app.inject({ url, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      const csp = String(r.headers["content-security-policy"]);
      expect(csp, url).toContain("frame-ancestors 'none'");
      // Pages run Baton's own scripts only; API answers run nothing at all.
      expect(csp, url).toContain(
        url.startsWith("/api/v1/") ? "default-src 'none'" : "script-src 'self'",
      );
      expect(r.headers["x-frame-options"], url).toBe("DENY");
      expect(r.headers["x-content-type-options"], url).toBe("nosniff");
      expect(r.headers["referrer-policy"], url).toBe("no-referrer");
      expect(r.headers["cross-origin-resource-policy"], url).toBe("same-origin");
    }
  });

  it("marks the session cookie Secure when a trusted proxy says the visitor used HTTPS", async () => {
    await b.team("sales");
    await b.admin.post("/users", {
      email: "sec@example.com",
      name: "Sec",
      teams: ["sales"],
      password: "correct horse",
    });
    const cookieOf = async (headers: Record<string, string>, remoteAddress = "127.0.0.1") => {
      const r = await b.app.inject({
        method: "POST",
        url: "/api/v1/session",
        payload: { email: "sec@example.com", password: "correct horse" },
        headers,
        remoteAddress,
      });
      expect(r.statusCode).toBe(200);
      return r.cookies.find((c) => c.name === "baton_session");
    };
    expect((await cookieOf({ "x-forwarded-proto": "https" }))?.secure).toBe(true);
    expect((await cookieOf({}))?.secure).toBeFalsy();
    // Only the trusted proxy is believed.
    expect((await cookieOf({ "x-forwarded-proto": "https" }, "192.0.2.5"))?.secure).toBeFalsy();
  });
});

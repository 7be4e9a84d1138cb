import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTeamsMap } from "../../src/domain/sign-in-claims.ts";
import { buildApp } from "../../src/http/app.ts";
import { oneDbKind, useBaton } from "../harness.ts";
import { ProviderBrowser, startProvider, type TestProvider } from "../oidc-provider.ts";

/*
 * Single sign-on against a real OpenID Connect provider on a loopback port: the authorization
 * code round trip over HTTP (Baton's start → the provider's login form → Baton's callback,
 * which trades the code at the provider's token endpoint and verifies the ID token), then the
 * session cookie on the API. Baton itself is driven in-process; its address is made up, as the
 * provider only redirects the browser there.
 */

const BATON = "http://baton.test";
const CALLBACK = `${BATON}/api/v1/session/oidc/callback`;

interface Finished {
  status: number;
  location: string | undefined;
  type: string;
  body: string;
  /** The session cookie, as a Cookie header, or "" without one. */
  session: string;
  sessionCookie: Record<string, unknown> | undefined;
}

describe.each(oneDbKind())("single sign-on on $name", (kind) => {
  let idp: TestProvider;
  beforeAll(async () => {
    idp = await startProvider(CALLBACK);
  });
  afterAll(() => idp?.close());
  const b = useBaton(kind, {
    sso: () =>
      idp.settings({
        rules: {
          teamsClaim: "groups",
          teamsMap: parseTeamsMap("acme-sales=sales,acme-support-leads=support:lead"),
          trustEmail: false,
        },
      }),
  });

  /** Begins a sign-in at Baton: the provider's URL and the pending-sign-in cookie. */
  async function start(returnTo = "/items/ONB-1") {
    const res = await b.app.inject({
      method: "GET",
      url: `/api/v1/session/oidc/start?return_to=${encodeURIComponent(returnTo)}`,
    });
    expect(res.statusCode).toBe(302);
    const pending = res.cookies.find((c) => c.name === "baton_oidc");
    if (!pending) throw new Error("no pending sign-in cookie");
    return { url: String(res.headers.location), pending };
  }

  /** Brings the browser back to Baton's callback with a pending-sign-in cookie. */
  async function finish(back: URL, pending: string | undefined, accept = "application/json") {
    const res = await b.app.inject({
      method: "GET",
      url: `${back.pathname}${back.search}`,
      headers: { accept, ...(pending ? { cookie: `baton_oidc=${pending}` } : {}) },
    });
    const cookie = res.cookies.find((c) => c.name === "baton_session");
    return {
      status: res.statusCode,
      location: res.headers.location as string | undefined,
      type: String(res.headers["content-type"] ?? ""),
      body: res.body,
      session: cookie ? `baton_session=${cookie.value}` : "",
      sessionCookie: cookie as Record<string, unknown> | undefined,
    } satisfies Finished;
  }

  async function signIn(login: string, browser = new ProviderBrowser(), returnTo?: string) {
    const { url, pending } = await start(returnTo);
    return finish(await browser.signIn(url, login, CALLBACK), pending.value);
  }

  async function me(session: string) {
    const res = await b.app.inject({
      method: "GET",
      url: "/api/v1/users/me",
      headers: { cookie: session },
    });
    return { status: res.statusCode, body: res.json() };
  }

  async function userCount() {
    return (await b.admin.get("/users")).body.users.length as number;
  }

  const ada = new ProviderBrowser();

  it("says which ways of signing in there are, without signing in", async () => {
    const res = await b.app.inject({ method: "GET", url: "/api/v1/session/providers" });
    expect(res.json()).toEqual({
      password: true,
      oidc: { name: "Acme ID", start_url: "/api/v1/session/oidc/start" },
    });
  });

  it("creates the user on first sign-in, from the provider's claims, in the teams its groups claim maps to", async () => {
    await b.team("sales");
    await b.team("support");
    idp.accounts.set("ada", {
      email: "Ada@Acme.example",
      email_verified: true,
      name: "Ada Lovelace",
      groups: ["acme-sales", "acme-support-leads", "acme-unmapped"],
    });
    const before = await userCount();

    const { url, pending } = await start("/items/ONB-1?tab=history");
    // The sign-in waits in a short-lived cookie only the two sign-in routes receive.
    expect(pending).toMatchObject({
      httpOnly: true,
      sameSite: "Lax",
      path: "/api/v1/session/oidc",
      maxAge: 600,
    });
    const atProvider = new URL(url);
    expect(atProvider.origin).toBe(idp.issuer);
    expect(atProvider.searchParams.get("code_challenge_method")).toBe("S256");
    expect(atProvider.searchParams.get("nonce")).toBeTruthy();

    const done = await finish(await ada.signIn(url, "ada", CALLBACK), pending.value);
    expect(done.status).toBe(302);
    expect(done.location).toBe("/items/ONB-1?tab=history");
    expect(done.sessionCookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });

    const signedIn = await me(done.session);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatchObject({
      email: "ada@acme.example",
      name: "Ada Lovelace",
      admin: false,
      teams: [
        { key: "sales", role: "member" },
        { key: "support", role: "lead" },
      ],
    });
    expect(await userCount()).toBe(before + 1);
  });

  it("reuses the user on the next sign-in, found by the provider's account even with a new e-mail, and follows the groups claim", async () => {
    const before = await userCount();
    // An admin made Ada lead of sales in Baton; the claim's mapping names no role for sales.
    await b.admin.put("/users/ada@acme.example/teams", {
      teams: [
        { key: "sales", role: "lead" },
        { key: "support", role: "lead" },
      ],
    });
    idp.accounts.set("ada", {
      email: "ada.lovelace@acme.example",
      email_verified: true,
      name: "Ada L.",
      groups: ["acme-sales"],
    });
    // Still signed in at the provider: no login form this time.
    const done = await signIn("ada", ada);
    expect(done.status).toBe(302);
    const signedIn = await me(done.session);
    expect(signedIn.body).toMatchObject({
      email: "ada@acme.example",
      teams: [{ key: "sales", role: "lead" }],
    });
    expect(await userCount()).toBe(before);
  });

  it("signs an existing password user in by their verified e-mail, into the same account", async () => {
    await b.admin.post("/users", {
      email: "sam@acme.example",
      name: "Sam Seller",
      teams: ["sales"],
      password: "correct horse",
    });
    const before = await userCount();
    idp.accounts.set("s-1001", {
      email: "sam@acme.example",
      email_verified: true,
      name: "Samuel",
      groups: ["acme-sales"],
    });
    const done = await signIn("s-1001");
    expect((await me(done.session)).body).toMatchObject({
      email: "sam@acme.example",
      name: "Sam Seller",
    });
    expect(await userCount()).toBe(before);
  });

  it("refuses an e-mail address the provider does not mark verified, and creates nobody", async () => {
    idp.accounts.set("eve", { email: "eve@acme.example", email_verified: false, name: "Eve" });
    const done = await signIn("eve");
    expect(done.status).toBe(403);
    expect(done.session).toBe("");
    expect(JSON.parse(done.body)).toMatchObject({
      code: "sso_refused",
      reason: "email_not_verified",
      detail: expect.stringContaining("eve@acme.example"),
    });
    expect((await b.admin.get("/users/eve@acme.example")).status).toBe(404);
  });

  it("refuses the provider's answer to another sign-in (state) and one whose ID token has another nonce", async () => {
    const first = await start();
    const second = await start();
    const back = await ada.signIn(first.url, "ada", CALLBACK);
    const crossed = await finish(back, second.pending.value);
    expect(crossed.status).toBe(400);
    expect(crossed.session).toBe("");
    expect(JSON.parse(crossed.body)).toMatchObject({ code: "sso_failed", reason: "state" });

    // The provider puts whatever nonce it was asked for into the ID token.
    const third = await start();
    const tampered = new URL(third.url);
    tampered.searchParams.set("nonce", "not-the-nonce-baton-sent");
    const replayed = await finish(
      await ada.signIn(tampered.href, "ada", CALLBACK),
      third.pending.value,
    );
    expect(replayed.status).toBe(400);
    expect(replayed.session).toBe("");
    expect(JSON.parse(replayed.body)).toMatchObject({
      code: "sso_failed",
      reason: "verification",
      detail: expect.stringContaining("nonce"),
    });
  });

  it("refuses a callback without the browser's sign-in, or with a forged one, and tells a browser in a page", async () => {
    const { url, pending } = await start();
    const back = await ada.signIn(url, "ada", CALLBACK);
    const missing = await finish(back, undefined);
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.body)).toMatchObject({ code: "sso_failed", reason: "not_started" });

    // The payload changed after signing: its signature no longer holds.
    const forged = pending.value.replace(/returnTo[^,]*/, "returnTo%22%3A%22%2F%2Fevil.example%22");
    const page = await finish(back, forged, "text/html,application/xhtml+xml");
    expect(page.status).toBe(400);
    expect(page.type).toContain("text/html");
    expect(page.body).toContain("not started in this browser");
    expect(page.session).toBe("");
  });

  it("lands on / when return_to points outside Baton", async () => {
    for (const target of ["//evil.example/x", "https://evil.example/", "/\\evil.example"]) {
      const done = await signIn("ada", ada, target);
      expect(done.status).toBe(302);
      expect(done.location).toBe("/");
    }
  });

  it("offers no password sign-in where single sign-on is the only way in", async () => {
    const ssoOnly = await buildApp({
      engine: b.engine,
      sso: idp.settings(),
      passwordSignIn: false,
    });
    try {
      const providers = await ssoOnly.inject({ method: "GET", url: "/api/v1/session/providers" });
      expect(providers.json()).toMatchObject({ password: false, oidc: { name: "Acme ID" } });
      const password = await ssoOnly.inject({
        method: "POST",
        url: "/api/v1/session",
        payload: { email: "sam@acme.example", password: "correct horse" },
      });
      expect(password.statusCode).toBe(404);
    } finally {
      await ssoOnly.close();
    }
  });

  it("answers 503 with Retry-After while the provider cannot be reached", async () => {
    const cutOff = await buildApp({
      engine: b.engine,
      sso: idp.settings({ issuer: "http://127.0.0.1:1" }),
    });
    try {
      const res = await cutOff.inject({ method: "GET", url: "/api/v1/session/oidc/start" });
      expect(res.statusCode).toBe(503);
      expect(res.headers["retry-after"]).toBe("5");
      expect(res.json()).toMatchObject({ code: "unavailable", reason: "discovery" });
    } finally {
      await cutOff.close();
    }
  });

  it("has no single sign-on routes where it is not configured", async () => {
    const plain = await buildApp({ engine: b.engine });
    try {
      for (const url of [
        "/api/v1/session/oidc/start",
        "/api/v1/session/oidc/callback?code=x&state=y",
      ])
        expect((await plain.inject({ method: "GET", url })).statusCode).toBe(404);
      const providers = await plain.inject({ method: "GET", url: "/api/v1/session/providers" });
      expect(providers.json()).toEqual({ password: true, oidc: null });
    } finally {
      await plain.close();
    }
  });
});

import { describe, expect, it } from "vitest";
import { dbKinds, useBaton } from "../harness.ts";

describe.each(dbKinds())("web sign-in and API tokens on $name", (kind) => {
  const b = useBaton(kind);

  async function signIn(email: string, password: string) {
    const res = await b.app.inject({
      method: "POST",
      url: "/api/v1/session",
      payload: { email, password },
    });
    const cookie = res.cookies.find((c) => c.name === "baton_session");
    return {
      status: res.statusCode,
      body: res.json(),
      cookie: cookie ? `baton_session=${cookie.value}` : "",
      raw: cookie,
    };
  }

  it("signs in with e-mail and password into an HttpOnly cookie session, and out again", async () => {
    await b.team("sales");
    await b.admin.post("/users", {
      email: "sam@example.com",
      name: "Sam",
      teams: ["sales"],
      password: "correct horse",
    });

    const wrong = await signIn("sam@example.com", "wrong password");
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe("unauthenticated");
    expect((await signIn("nobody@example.com", "whatever1")).status).toBe(401);

    const ok = await signIn("Sam@Example.com", "correct horse");
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      email: "sam@example.com",
      teams: [{ key: "sales", role: "member" }],
    });
    expect(ok.raw).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });

    const me = await b.app.inject({
      method: "GET",
      url: "/api/v1/users/me",
      headers: { cookie: ok.cookie },
    });
    expect(me.json().email).toBe("sam@example.com");

    const out = await b.app.inject({
      method: "DELETE",
      url: "/api/v1/session",
      headers: { cookie: ok.cookie, "x-requested-with": "baton" },
    });
    expect(out.statusCode).toBe(204);
    const after = await b.app.inject({
      method: "GET",
      url: "/api/v1/users/me",
      headers: { cookie: ok.cookie },
    });
    expect(after.statusCode).toBe(401);
  });

  it("refuses a change made with the cookie alone (CSRF) and accepts it with X-Requested-With", async () => {
    const { cookie } = await signIn("sam@example.com", "correct horse");
    const bare = await b.app.inject({
      method: "POST",
      url: "/api/v1/users/me/tokens",
      headers: { cookie },
      payload: {},
    });
    expect(bare.statusCode).toBe(403);
    expect(bare.json().code).toBe("csrf_failed");
    const guarded = await b.app.inject({
      method: "POST",
      url: "/api/v1/users/me/tokens",
      headers: { cookie, "x-requested-with": "baton" },
      payload: { name: "laptop" },
    });
    expect(guarded.json()).toMatchObject({ token: expect.any(String) });
    expect(guarded.statusCode).toBe(201);
    expect(guarded.json().token).toMatch(/^bt_/);
  });

  it("lists and revokes your own API tokens", async () => {
    const sam = b.api(
      (await b.admin.post("/users/sam@example.com/tokens", { name: "ci" })).body.token,
    );
    const created = await sam.post("/users/me/tokens", { name: "script" });
    const mine = await sam.get("/users/me/tokens");
    const script = mine.body.tokens.find((t: { name: string }) => t.name === "script");
    expect(script).toBeDefined();
    expect(JSON.stringify(mine.body)).not.toContain(created.body.token);
    const revoked = await b.app.inject({
      method: "DELETE",
      url: `/api/v1/users/me/tokens/${script.id}`,
      headers: { authorization: `Bearer ${sam.token}` },
    });
    expect(revoked.statusCode).toBe(204);
    expect((await b.api(created.body.token).get("/users/me")).status).toBe(401);
    expect((await sam.get("/users/me")).status).toBe(200);
  });

  it("only admins set other people's passwords; short passwords are refused", async () => {
    await b.team("support");
    const sue = await b.user("sue@example.com", ["support"]);
    expect(
      (await sue.put("/users/sam@example.com/password", { password: "takeover123" })).body.code,
    ).toBe("admin_only");
    expect((await sue.put("/users/sue@example.com/password", { password: "short" })).status).toBe(
      400,
    );
    expect(
      (await sue.put("/users/sue@example.com/password", { password: "long enough" })).status,
    ).toBe(204);
    expect((await signIn("sue@example.com", "long enough")).status).toBe(200);
  });

  it("says who is signed in, or nobody, without a 401 (the web app's first request)", async () => {
    await b.team("ops");
    await b.admin.post("/users", {
      email: "olga@example.com",
      name: "Olga Ops",
      teams: ["ops"],
      password: "correct horse",
    });
    const nobody = await b.app.inject({ method: "GET", url: "/api/v1/session" });
    expect(nobody.statusCode).toBe(200);
    expect(nobody.json()).toEqual({ user: null });

    const { cookie } = await signIn("olga@example.com", "correct horse");
    const someone = await b.app.inject({
      method: "GET",
      url: "/api/v1/session",
      headers: { cookie },
    });
    expect(someone.statusCode).toBe(200);
    expect(someone.json().user).toMatchObject({ email: "olga@example.com", name: "Olga Ops" });

    // A cookie that no longer holds (signed out) is nobody, too.
    await b.app.inject({
      method: "DELETE",
      url: "/api/v1/session",
      headers: { cookie, "x-requested-with": "baton" },
    });
    const gone = await b.app.inject({ method: "GET", url: "/api/v1/session", headers: { cookie } });
    expect(gone.json()).toEqual({ user: null });

    // An unknown API token is nobody as well.
    const token = await b.app.inject({
      method: "GET",
      url: "/api/v1/session",
      headers: { authorization: "Bearer nonsense" },
    });
    expect(token.json()).toEqual({ user: null });
  });
});

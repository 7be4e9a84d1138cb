import pg from "pg";
import { describe, expect, it, vi } from "vitest";
import { castOnboarding, onboardingCriteria, readyOnboardingItem } from "../fixtures.ts";
import { dbKinds, useBaton, useSecondNode } from "../harness.ts";

/*
 * Each node caches who holds a token or a session and which teams they are in. A change made
 * through one node must hold on every other node from the next request on, not after the
 * caches' time-to-live (a revoked token used to keep working elsewhere for up to 5 s).
 */

/** How long a change may take to reach the other node. */
const DEADLINE_MS = 200;

describe.each(dbKinds())("caches across two nodes on one $name database", (kind) => {
  const b = useBaton(kind);
  const nodeB = useSecondNode(b);

  const onB = async (token: string, method: "GET" | "POST", url: string, body?: unknown) => {
    const res = await nodeB.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    return { status: res.statusCode, body: res.json() };
  };

  /** Repeats `request` until it answers `status`; fails if that takes longer than the deadline. */
  async function untilStatus(request: () => Promise<{ status: number }>, status: number) {
    const start = performance.now();
    for (;;) {
      const res = await request();
      const took = performance.now() - start;
      if (res.status === status) return took;
      if (took > DEADLINE_MS)
        throw new Error(`still ${res.status} after ${Math.round(took)} ms, wanted ${status}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  async function tokenIdOf(token: string): Promise<string> {
    const res = await b.api(token).get("/users/me/tokens");
    return res.body.tokens.at(-1).id as string;
  }

  async function revokeOnA(token: string): Promise<void> {
    const id = await tokenIdOf(token);
    const res = await b.app.inject({
      method: "DELETE",
      url: `/api/v1/users/me/tokens/${id}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBeLessThan(300);
  }

  it("a token revoked on one node is refused by the other at once", async () => {
    const { sales } = await castOnboarding(b, "-revoke");
    // Node B knows the token now (and caches who holds it).
    expect((await onB(sales.token, "GET", "/users/me")).status).toBe(200);
    expect((await onB(sales.token, "GET", "/users/me")).status).toBe(200);

    await revokeOnA(sales.token);
    await untilStatus(() => onB(sales.token, "GET", "/users/me"), 401);
    // And a write with it is refused too.
    expect(
      (await onB(sales.token, "POST", "/items", { workflow: "onboarding", title: "X" })).status,
    ).toBe(401);
  });

  it("a member removed from the team on one node cannot accept on the other", async () => {
    const { sales, impl } = await castOnboarding(b, "-removed");
    const key = await readyOnboardingItem(sales);
    await sales.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });
    const me = await onB(impl.token, "GET", "/users/me");
    expect(me.body.teams).toEqual([expect.objectContaining({ key: "implementation" })]);

    const removed = await b.admin.put(`/users/${me.body.email}/teams`, {
      teams: [{ key: "support", role: "member" }],
    });
    expect(removed.status).toBe(200);
    await untilStatus(async () => {
      const r = await onB(impl.token, "GET", "/users/me");
      return {
        status: r.body.teams.some((t: { key: string }) => t.key === "implementation") ? 0 : 200,
      };
    }, 200);
    const accept = await onB(impl.token, "POST", `/items/${key}/accept`, {});
    expect(accept.status).toBe(403);
    expect(accept.body.code).toBe("not_your_team");
    expect((await sales.get(`/items/${key}`)).body.state).toBe("awaiting_acceptance");
  });

  it("a node that lost its notice connection trusts no cache until it listens again", async () => {
    const { sales, impl } = await castOnboarding(b, "-dropped");
    expect((await onB(sales.token, "GET", "/users/me")).status).toBe(200);
    expect((await onB(impl.token, "GET", "/users/me")).status).toBe(200);

    // Every listening connection on this database goes (node A's too: its notices are lost).
    const admin = new pg.Client(b.databaseUrl);
    await admin.connect();
    try {
      await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
          where datname = current_database() and application_name = 'baton-listen'`,
      );
    } finally {
      await admin.end();
    }
    await vi.waitFor(() => expect(nodeB.engine.caches.canCache()).toBe(false), { timeout: 2_000 });

    // The revocation's notice reaches no one; node B must still refuse the token.
    await revokeOnA(sales.token);
    expect((await onB(sales.token, "GET", "/users/me")).status).toBe(401);

    // Once listening again, node B caches again and still sees further changes.
    await vi.waitFor(() => expect(nodeB.engine.caches.canCache()).toBe(true), { timeout: 5_000 });
    expect((await onB(impl.token, "GET", "/users/me")).status).toBe(200);
    await revokeOnA(impl.token);
    await untilStatus(() => onB(impl.token, "GET", "/users/me"), 401);
  });
});

import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProvider, type TestProvider } from "../test/oidc-provider.ts";
import { useE2e } from "./fixture.ts";

/*
 * "Sign in with <provider>" in Chromium against a real OpenID Connect provider on another
 * loopback port: the sign-in page's button, the provider's login form, and back to the page the
 * person opened, signed in. Baton's port is chosen first because the provider must know the
 * callback it may send people to before Baton's app is built with the provider's address.
 */

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const port = await freePort();
describe("single sign-on in the browser", () => {
  let idp: TestProvider;
  // Before the app is built (useE2e's hooks come after): Baton is given the provider's address.
  beforeAll(async () => {
    idp = await startProvider(`http://127.0.0.1:${port}/api/v1/session/oidc/callback`);
    idp.accounts.set("nia", {
      email: "nia@acme.example",
      email_verified: true,
      name: "Nia Newcomer",
      groups: ["implementation"],
    });
  });
  afterAll(() => idp?.close());
  const e = useE2e({ port, sso: () => idp.settings() });

  it("signs a new person in with the company's identity provider and lands where they were going", async () => {
    const context = await e.context();
    const page = await context.newPage();
    await page.goto("/teams");
    const button = page.getByRole("link", { name: "Sign in with Acme ID" });
    await button.waitFor();
    await e.shot(page, "sign-in-with-sso");
    await button.click();

    // The provider's own login page, on its own origin.
    await page.waitForURL(`${idp.issuer}/**`);
    await page.locator('input[name="login"]').fill("nia");
    await page.locator('input[name="password"]').fill("any password");
    await page.getByRole("button", { name: "Sign-in" }).click();

    await page.waitForURL(`${e.url}/teams`);
    await page.getByRole("heading", { name: "Teams", level: 1 }).waitFor();
    const me = await (await page.request.get(`${e.url}/api/v1/users/me`)).json();
    expect(me).toMatchObject({
      email: "nia@acme.example",
      name: "Nia Newcomer",
      teams: [{ key: "implementation", role: "member" }],
    });
    await e.shot(page, "signed-in-with-sso");
    await context.close();
  });
});

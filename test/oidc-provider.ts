import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import type { SingleSignOnSettings } from "../src/engine/single-sign-on.ts";

/*
 * A real OpenID Connect provider for tests (the `oidc-provider` package, as identity servers are
 * built on), on a loopback port: discovery, its own signing key, the authorization code flow
 * with PKCE, a token and a UserInfo endpoint. People sign in on its development login form
 * with any password; who they are comes from `accounts`, which a test may change between
 * sign-ins. Consent is taken as given, as a company's provider does for its own apps.
 */

export const CLIENT_ID = "baton";
export const CLIENT_SECRET = "baton-test-client-secret-0123456789";

/** Claims of an account at the provider, by login name (its subject). */
export type Accounts = Map<string, Record<string, unknown>>;

export interface TestProvider {
  issuer: string;
  accounts: Accounts;
  /** Baton's single sign-on settings for this provider. */
  settings: (overrides?: Partial<SingleSignOnSettings>) => SingleSignOnSettings;
  close: () => Promise<void>;
}

/** Starts a provider that sends people back to `redirectUrl` (Baton's callback). */
export async function startProvider(redirectUrl: string): Promise<TestProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts: Accounts = new Map();
  // A key of its own (the package's built-in development key is the same everywhere).
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [redirectUrl],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    jwks: {
      keys: [{ ...privateKey.export({ format: "jwk" }), kid: "test", use: "sig", alg: "RS256" }],
    },
    scopes: ["openid", "email", "profile", "groups"],
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "given_name", "family_name", "preferred_username"],
      groups: ["groups"],
    },
    pkce: { required: () => true },
    // Lifetimes of its own (it warns about each one left to its default).
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
    },
    cookies: { keys: ["test-provider-cookie-key"] },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, id) {
      return { accountId: id, claims: async () => ({ sub: id, ...accounts.get(id) }) };
    },
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client?.clientId,
        accountId: ctx.oidc.session?.accountId,
      });
      grant.addOIDCScope(String(ctx.oidc.params?.scope ?? "openid"));
      await grant.save();
      return grant;
    },
  });
  server.on("request", provider.callback());
  return {
    issuer,
    accounts,
    settings: (overrides = {}) => ({
      issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUrl,
      scopes: "openid email profile groups",
      name: "Acme ID",
      rules: { teamsClaim: "groups", teamsMap: null, trustEmail: false },
      ...overrides,
    }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

/**
 * A browser at the provider without JavaScript: follows its redirects and fills its login form
 * as `login`, keeping its cookies (so a second sign-in finds the provider's own session), until
 * it is sent to a URL starting with `until` (Baton's callback), which it returns unvisited.
 */
export class ProviderBrowser {
  private readonly cookies = new Map<string, string>();

  async signIn(start: string, login: string, until: string): Promise<URL> {
    let url = new URL(start);
    let form: URLSearchParams | undefined;
    for (let hop = 0; hop < 12; hop++) {
      if (url.href.startsWith(until)) return url;
      const res = await fetch(url, {
        method: form ? "POST" : "GET",
        redirect: "manual",
        headers: {
          cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
          ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
        },
        ...(form ? { body: form.toString() } : {}),
      });
      for (const c of res.headers.getSetCookie()) {
        const [pair = ""] = c.split(";");
        const at = pair.indexOf("=");
        const [name, value] = [pair.slice(0, at), pair.slice(at + 1)];
        if (value && !/max-age=0|expires=thu, 01 jan 1970/i.test(c)) this.cookies.set(name, value);
        else this.cookies.delete(name);
      }
      form = undefined;
      const location = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && location) {
        url = new URL(location, url);
        continue;
      }
      const page = await res.text();
      const action = /<form[^>]*action="([^"]+)"[^>]*method="post"/.exec(page)?.[1];
      if (res.status === 200 && action && page.includes('name="login"')) {
        url = new URL(action.replaceAll("&amp;", "&"), url);
        form = new URLSearchParams({ prompt: "login", login, password: "any" });
        continue;
      }
      throw new Error(`the provider answered ${res.status} at ${url}: ${page.slice(0, 500)}`);
    }
    throw new Error("the provider kept redirecting");
  }
}

import * as oidc from "openid-client";
import { type Config, isLoopbackUrl } from "../config.ts";
import { DomainError } from "../domain/errors.ts";
import { type ClaimRules, parseTeamsMap, personFromClaims } from "../domain/sign-in-claims.ts";
import type { Directory, User } from "./directory.ts";

/*
 * Sign in with the organisation's identity provider: OpenID Connect's authorization code flow
 * with PKCE, state and nonce (openid-client). `begin` makes the provider's sign-in URL and what
 * this browser must keep until it comes back; `finish` trades the code for tokens, which
 * openid-client verifies (signature against the provider's published keys, issuer, audience,
 * expiry, nonce), reads the person from the claims and opens an ordinary Baton session.
 */

/** Single sign-on settings (BATON_OIDC_* in src/config.ts). */
export interface SingleSignOnSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Where the provider sends people back (…/api/v1/session/oidc/callback). */
  redirectUrl: string;
  /** Space-separated; includes openid. */
  scopes: string;
  /** The provider's name on the sign-in button. */
  name: string;
  rules: ClaimRules;
}

/** The single sign-on settings of a configuration, or null when it is off. */
export function singleSignOnSettingsOf(config: Config): SingleSignOnSettings | null {
  const { BATON_OIDC_ISSUER: issuer, BATON_OIDC_CLIENT_ID: clientId } = config;
  const clientSecret = config.BATON_OIDC_CLIENT_SECRET;
  if (!issuer || !clientId || !clientSecret) return null;
  // src/config.ts requires one of the two.
  const redirectUrl =
    config.BATON_OIDC_REDIRECT_URL ??
    new URL(CALLBACK_PATH, `${(config.BATON_PUBLIC_URL ?? "").replace(/\/+$/, "")}/`).href;
  return {
    issuer,
    clientId,
    clientSecret,
    redirectUrl,
    scopes: config.BATON_OIDC_SCOPES,
    name: config.BATON_OIDC_NAME,
    rules: {
      teamsClaim: config.BATON_OIDC_TEAMS_CLAIM,
      teamsMap: config.BATON_OIDC_TEAMS_MAP ? parseTeamsMap(config.BATON_OIDC_TEAMS_MAP) : null,
      trustEmail: config.BATON_OIDC_TRUST_EMAIL,
    },
  };
}

/** Where the provider sends people back, below Baton's address. */
export const CALLBACK_PATH = "api/v1/session/oidc/callback";

/** How long a begun sign-in may take at the provider before it must start again. */
export const PENDING_SIGN_IN_MS = 10 * 60_000;

/**
 * A sign-in begun in one browser, kept there (in a signed, short-lived cookie) until the
 * provider sends the person back: only that browser can finish it.
 */
export interface PendingSignIn {
  state: string;
  nonce: string;
  /** PKCE: the provider gave the code to whoever holds this. */
  verifier: string;
  /** A path within Baton to land on. */
  returnTo: string;
  /** Epoch ms after which the sign-in is refused. */
  expiresAt: number;
}

/** Whether a value read back from the cookie is a pending sign-in. */
export function isPendingSignIn(v: unknown): v is PendingSignIn {
  const p = v as Partial<PendingSignIn> | null;
  return (
    typeof p === "object" &&
    p !== null &&
    typeof p.state === "string" &&
    typeof p.nonce === "string" &&
    typeof p.verifier === "string" &&
    typeof p.returnTo === "string" &&
    typeof p.expiresAt === "number"
  );
}

/** Errors openid-client raises for an answer that does not verify or a refusal by the provider. */
function isProtocolError(e: unknown): e is Error {
  return (
    e instanceof oidc.ClientError ||
    e instanceof oidc.ResponseBodyError ||
    e instanceof oidc.AuthorizationResponseError ||
    e instanceof oidc.WWWAuthenticateChallengeError
  );
}

export class SingleSignOn {
  /** The provider's metadata and keys, discovered on first use; a failure is tried again. */
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(
    readonly settings: SingleSignOnSettings,
    private readonly directory: Directory,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private discover(): Promise<oidc.Configuration> {
    this.configuration ??= oidc
      .discovery(
        new URL(this.settings.issuer),
        this.settings.clientId,
        this.settings.clientSecret,
        undefined,
        // Plain http only for a provider on this machine (src/config.ts refuses others).
        isLoopbackUrl(this.settings.issuer) ? { execute: [oidc.allowInsecureRequests] } : {},
      )
      .catch((e: unknown) => {
        this.configuration = undefined;
        throw new DomainError(
          "unavailable",
          `The identity provider at ${this.settings.issuer} cannot be reached or answered wrongly; try again shortly.`,
          {
            reason: "discovery",
            cause: e instanceof Error ? e.message : String(e),
            retry_after: 5,
          },
        );
      });
    return this.configuration;
  }

  /** The provider's sign-in URL for a new sign-in, and what the browser must keep meanwhile. */
  async begin(returnTo: string): Promise<{ url: URL; pending: PendingSignIn }> {
    const configuration = await this.discover();
    const pending: PendingSignIn = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
      returnTo,
      expiresAt: this.clock().getTime() + PENDING_SIGN_IN_MS,
    };
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.settings.redirectUrl,
      scope: this.settings.scopes,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: "S256",
    });
    return { url, pending };
  }

  /**
   * Finishes a sign-in at the callback URL the provider sent the browser to: checks it against
   * what the browser kept, trades the code for verified tokens and opens a session.
   */
  async finish(
    callback: URL,
    pending: PendingSignIn | undefined,
  ): Promise<{ session: string; user: User; expiresAt: Date; returnTo: string }> {
    if (!pending || pending.expiresAt <= this.clock().getTime())
      throw new DomainError(
        "sso_failed",
        "This sign-in was not started in this browser, or took longer than 10 minutes. Start again from Baton's sign-in page.",
        { reason: pending ? "expired" : "not_started" },
      );
    // Checked here as well as by openid-client, to say plainly what is wrong.
    if (callback.searchParams.get("state") !== pending.state && !callback.searchParams.has("error"))
      throw new DomainError(
        "sso_failed",
        "The answer from the identity provider belongs to another sign-in (its state does not match). Start again from Baton's sign-in page.",
        { reason: "state" },
      );
    const configuration = await this.discover();
    const claims = await this.verifiedClaims(configuration, callback, pending);
    const person = personFromClaims(claims, this.settings.rules);
    const opened = await this.directory.signInWithIdentity({
      issuer: configuration.serverMetadata().issuer,
      subject: String(claims.sub),
      person,
    });
    return { ...opened, returnTo: pending.returnTo };
  }

  /**
   * The ID token's claims, completed from the UserInfo endpoint when the token lacks the
   * e-mail or the teams claim (providers that keep the ID token small send them only there).
   */
  private async verifiedClaims(
    configuration: oidc.Configuration,
    callback: URL,
    pending: PendingSignIn,
  ): Promise<Record<string, unknown>> {
    try {
      const tokens = await oidc.authorizationCodeGrant(configuration, callback, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw new oidc.ClientError("the provider sent no ID token");
      const { teamsClaim } = this.settings.rules;
      const lacking =
        idClaims.email === undefined ||
        (teamsClaim !== undefined &&
          idClaims[teamsClaim.split(".")[0] ?? teamsClaim] === undefined);
      if (!lacking || !configuration.serverMetadata().userinfo_endpoint) return { ...idClaims };
      // Its subject must be the ID token's (openid-client checks): one person, not two.
      const info = await oidc.fetchUserInfo(configuration, tokens.access_token, idClaims.sub);
      return { ...info, ...idClaims };
    } catch (e) {
      // fetch's own failure (refused, reset, DNS): the provider, not the answer, is the problem.
      if (e instanceof TypeError && e.cause !== undefined)
        throw new DomainError(
          "unavailable",
          `The identity provider at ${this.settings.issuer} cannot be reached; try again shortly.`,
          { reason: "provider_unreachable", retry_after: 5 },
        );
      if (!isProtocolError(e)) throw e;
      const refused = e instanceof oidc.AuthorizationResponseError;
      // openid-client wraps oauth4webapi's more precise error ('unexpected ID Token "nonce" …').
      const why = e.cause instanceof Error ? e.cause.message : e.message;
      throw new DomainError(
        "sso_failed",
        refused
          ? `The identity provider did not sign you in: ${e.error_description ?? e.error}.`
          : `The identity provider's answer did not verify: ${why}. Start again from Baton's sign-in page.`,
        { reason: refused ? "provider_refused" : "verification" },
      );
    }
  }
}

import { createHmac } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { DomainError } from "../../domain/errors.ts";
import { text } from "../../domain/text.ts";
import {
  isPendingSignIn,
  PENDING_SIGN_IN_MS,
  type PendingSignIn,
  type SingleSignOn,
} from "../../engine/single-sign-on.ts";
import { statusOf } from "../errors.ts";
import { errorResponses } from "../responses.ts";
import { setSessionCookie } from "./session.ts";

/*
 * Single sign-on in the browser: /session/oidc/start sends the person to the identity provider,
 * which sends them back to /session/oidc/callback; that ends in the same session cookie as a
 * password sign-in. Between the two, the sign-in's state, nonce and PKCE verifier wait in a
 * signed, HttpOnly, SameSite=Lax cookie that only these two routes receive and that lives 10
 * minutes: only the browser that began a sign-in can finish it. Registered only when single
 * sign-on is configured, so both routes are 404 otherwise.
 */

/** The cookie holding a begun sign-in. */
export const PENDING_COOKIE = "baton_oidc";
const PENDING_PATH = "/api/v1/session/oidc";

/** The key that signs the pending sign-in cookie: derived from the client secret, which every node shares. */
export function pendingCookieSecret(clientSecret: string): string {
  return createHmac("sha256", clientSecret).update("baton pending sign-in cookie").digest("hex");
}

/**
 * The path within Baton a `return_to` names, or "/" for anything else: another origin
 * (`https://evil.example`, `//evil.example`, `/\evil.example`), a scheme, control characters.
 * Sign-in must never become a way to send people elsewhere with Baton's name on the link.
 */
export function safeReturnPath(raw: string | undefined): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (!raw?.startsWith("/") || /^\/[/\\]|[\\\u0000-\u001f\u007f]/.test(raw)) return "/";
  const base = "http://baton.invalid";
  const url = new URL(raw, base);
  return url.origin === base ? `${url.pathname}${url.search}${url.hash}` : "/";
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}

/**
 * A failed sign-in reaches a person in a browser tab, not a script: answer a page that says
 * what went wrong with a link back, with the error's status. Other callers get problem+json
 * from the error handler.
 */
function failPage(request: FastifyRequest, reply: FastifyReply, e: unknown) {
  const accept = request.headers.accept ?? "";
  if (!(e instanceof DomainError) || !accept.includes("text/html")) throw e;
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in failed · Baton</title></head><body><main><h1>Sign-in failed</h1><p>${escapeHtml(e.message)}</p><p><a href="/">Back to sign in</a></p></main></body></html>`;
  return reply.code(statusOf[e.code]).type("text/html; charset=utf-8").send(page);
}

export const singleSignOnRoutes =
  (sso: SingleSignOn): FastifyPluginAsyncZod =>
  async (app) => {
    const cookieOptions = (request: FastifyRequest) => ({
      path: PENDING_PATH,
      httpOnly: true,
      sameSite: "lax" as const,
      secure: request.protocol === "https",
    });

    app.get(
      "/session/oidc/start",
      {
        schema: {
          tags: ["session"],
          summary: `Begin single sign-on: redirects to the identity provider`,
          description:
            "Sets a short-lived cookie for the sign-in and answers 302 to the provider. `return_to` is a path within Baton to land on afterwards (anything else lands on /).",
          security: [],
          querystring: z.object({ return_to: text({ max: 2000 }).optional() }),
          response: { 302: z.null().describe("To the identity provider"), ...errorResponses },
        },
      },
      async (request, reply) => {
        try {
          const { url, pending } = await sso.begin(safeReturnPath(request.query.return_to));
          return reply
            .setCookie(PENDING_COOKIE, JSON.stringify(pending), {
              ...cookieOptions(request),
              signed: true,
              maxAge: PENDING_SIGN_IN_MS / 1000,
            })
            .header("cache-control", "no-store")
            .redirect(url.href, 302);
        } catch (e) {
          return failPage(request, reply, e);
        }
      },
    );

    app.get(
      "/session/oidc/callback",
      {
        config: { limit: "sign_in" },
        schema: {
          tags: ["session"],
          summary: "Finish single sign-on (the identity provider redirects here)",
          description:
            "Verifies the provider's answer against the sign-in this browser began, creates the user on first sign-in, sets the session cookie and answers 302 to the page the sign-in began at.",
          security: [],
          response: { 302: z.null().describe("Signed in: to Baton"), ...errorResponses },
        },
      },
      async (request, reply) => {
        // The sign-in is used up whatever happens next: a code cannot be tried twice.
        reply.clearCookie(PENDING_COOKIE, cookieOptions(request));
        try {
          const finished = await sso.finish(callbackUrl(request), pendingOf(request));
          setSessionCookie(reply, request, finished.session, finished.expiresAt);
          return reply.header("cache-control", "no-store").redirect(finished.returnTo, 302);
        } catch (e) {
          return failPage(request, reply, e);
        }
      },
    );

    /** The callback as the provider addressed it: the configured redirect URL with this query. */
    function callbackUrl(request: FastifyRequest): URL {
      const url = new URL(sso.settings.redirectUrl);
      url.search = new URL(request.url, url).search;
      return url;
    }

    /** The sign-in this browser began, if its cookie is there and its signature holds. */
    function pendingOf(request: FastifyRequest): PendingSignIn | undefined {
      const raw = request.cookies[PENDING_COOKIE];
      if (!raw) return undefined;
      const unsigned = request.unsignCookie(raw);
      if (!unsigned.valid || unsigned.value === null) return undefined;
      try {
        const value: unknown = JSON.parse(unsigned.value);
        return isPendingSignIn(value) ? value : undefined;
      } catch {
        return undefined;
      }
    }
  };

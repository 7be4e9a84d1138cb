import type { FastifyRequest } from "fastify";
import { DomainError } from "../domain/errors.ts";
import type { Principal } from "../engine/directory.ts";
import type { Engine } from "../engine/engine.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by `authenticate` on every /api/v1 route. */
    principal: Principal | null;
  }
}

/** The web app's session cookie. */
export const SESSION_COOKIE = "baton_session";

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Resolves the caller: `Authorization: Bearer <token>` (scripts, the CLI) or the session cookie
 * (the web app). A cookie is sent by the browser on its own, so a change made with one must also
 * carry `X-Requested-With: baton`, a header another site's page cannot add without CORS.
 */
export function authenticator(engine: Engine) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    if (header) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match?.[1])
        throw new DomainError(
          "unauthenticated",
          "Send an API token as 'Authorization: Bearer <token>'.",
        );
      request.principal = await engine.directory.authenticate(match[1]);
      return;
    }
    const session = request.cookies[SESSION_COOKIE];
    if (session) {
      requireCsrfHeader(request);
      request.principal = await engine.directory.authenticateSession(session);
      return;
    }
    throw new DomainError(
      "unauthenticated",
      "Sign in, or send an API token as 'Authorization: Bearer <token>'.",
    );
  };
}

/**
 * Refuses a change (any method but GET, HEAD, OPTIONS) made with the session cookie unless it
 * carries `X-Requested-With: baton`: the browser sends the cookie on its own, even from another
 * site's page, which cannot add that header without CORS.
 */
export function requireCsrfHeader(request: FastifyRequest): void {
  if (!safeMethods.has(request.method) && request.headers["x-requested-with"] !== "baton")
    throw new DomainError(
      "csrf_failed",
      "Changes made with a session cookie must send 'X-Requested-With: baton'.",
    );
}

/** The principal of an authenticated request. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new DomainError("unauthenticated", "Not signed in.");
  return request.principal;
}

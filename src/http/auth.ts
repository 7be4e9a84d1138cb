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

/** Resolves `Authorization: Bearer <token>` to a principal, or fails with 401. */
export function authenticator(engine: Engine) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1])
      throw new DomainError(
        "unauthenticated",
        "Send an API token as 'Authorization: Bearer <token>'.",
      );
    request.principal = await engine.directory.authenticate(match[1]);
  };
}

/** The principal of an authenticated request. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new DomainError("unauthenticated", "Not signed in.");
  return request.principal;
}

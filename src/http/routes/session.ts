import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { DomainError } from "../../domain/errors.ts";
import { text } from "../../domain/text.ts";
import type { Engine } from "../../engine/engine.ts";
import { authenticator, requireCsrfHeader, SESSION_COOKIE } from "../auth.ts";
import { presentUser } from "../presenters.ts";
import { answers, noContent, userSchema } from "../responses.ts";

/** Sets the web app's session cookie (after any kind of sign-in). */
export function setSessionCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  session: string,
  expiresAt: Date,
): FastifyReply {
  return reply.setCookie(SESSION_COOKIE, session, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    // TLS here, or at a trusted proxy that says so (X-Forwarded-Proto, BATON_TRUST_PROXY).
    secure: request.protocol === "https",
    expires: expiresAt,
  });
}

/** How people may sign in to the web app here. */
export interface SignInOptions {
  /** E-mail and password (POST /session); off makes single sign-on the only way. */
  password: boolean;
  /** Single sign-on, when configured: the provider's name on the button. */
  sso: { name: string } | null;
}

const providersSchema = z
  .object({
    password: z.boolean().describe("whether POST /session (e-mail and password) is offered"),
    oidc: z
      .object({
        name: z.string().describe('the provider\'s name, for "Sign in with <name>"'),
        start_url: z
          .string()
          .describe("open it in the browser (with ?return_to=<path>) to sign in there"),
      })
      .nullable()
      .describe("single sign-on, or null when it is not configured"),
  })
  .meta({ id: "SignInProviders" });

/** Sign-in and sign-out for the web app (no bearer token needed). */
export const sessionRoutes =
  (engine: Engine, options: SignInOptions): FastifyPluginAsyncZod =>
  async (app) => {
    const authenticate = authenticator(engine);
    app.get(
      "/session/providers",
      {
        schema: {
          tags: ["session"],
          summary: "How one can sign in here: password, single sign-on",
          security: [],
          response: answers(providersSchema),
        },
      },
      async () => ({
        password: options.password,
        oidc: options.sso
          ? { name: options.sso.name, start_url: "/api/v1/session/oidc/start" }
          : null,
      }),
    );
    app.post(
      "/session",
      {
        config: { limit: "sign_in" },
        schema: {
          tags: ["session"],
          summary: "Sign in with e-mail and password; sets the session cookie",
          response: answers(userSchema),
          security: [],
          body: z
            .object({ email: text({ max: 320, min: 1 }), password: text({ max: 200, min: 1 }) })
            .strict(),
        },
      },
      async (request, reply) => {
        // 404 like a Baton without passwords: the web app then offers the other ways in.
        if (!options.password)
          throw new DomainError(
            "not_found",
            `Password sign-in is off here; sign in with ${options.sso?.name ?? "single sign-on"}.`,
          );
        const { email, password } = request.body;
        await app.signInGuard.check(request, email);
        const { session, user, expiresAt } = await engine.directory
          .signIn(email, password)
          .catch(async (e: unknown) => {
            if (e instanceof DomainError && e.code === "unauthenticated")
              await app.signInGuard.failed(request, email);
            throw e;
          });
        return setSessionCookie(reply, request, session, expiresAt).send(presentUser(user));
      },
    );
    app.delete(
      "/session",
      {
        schema: {
          tags: ["session"],
          summary: "Sign out: ends the session and clears the cookie",
          response: noContent(),
          security: [],
        },
      },
      async (request, reply) => {
        const session = request.cookies[SESSION_COOKIE];
        if (session) {
          // Signing out is a change made with the cookie: another site must not force it.
          requireCsrfHeader(request);
          await engine.directory.signOut(session);
        }
        return reply
          .clearCookie(SESSION_COOKIE, { path: "/", secure: request.protocol === "https" })
          .code(204)
          .send();
      },
    );
    app.get(
      "/session",
      {
        schema: {
          tags: ["session"],
          summary:
            "Who is signed in (cookie or bearer token), or null: the web app's first question, answered without a 401",
          response: answers(z.object({ user: userSchema.nullable() })),
          security: [],
        },
      },
      async (request) => {
        try {
          await authenticate(request);
        } catch (e) {
          if (e instanceof DomainError && e.code === "unauthenticated") return { user: null };
          throw e;
        }
        return { user: request.principal ? presentUser(request.principal.user) : null };
      },
    );
  };

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { DomainError } from "../../domain/errors.ts";
import { text } from "../../domain/text.ts";
import type { Engine } from "../../engine/engine.ts";
import { requireCsrfHeader, SESSION_COOKIE } from "../auth.ts";
import { presentUser } from "../presenters.ts";
import { answers, noContent, userSchema } from "../responses.ts";

/** Sign-in and sign-out for the web app (no bearer token needed). */
export const sessionRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
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
        const { email, password } = request.body;
        await app.signInGuard.check(request, email);
        const { session, user, expiresAt } = await engine.directory
          .signIn(email, password)
          .catch(async (e: unknown) => {
            if (e instanceof DomainError && e.code === "unauthenticated")
              await app.signInGuard.failed(request, email);
            throw e;
          });
        return reply
          .setCookie(SESSION_COOKIE, session, {
            path: "/",
            httpOnly: true,
            sameSite: "lax",
            // TLS here, or at a trusted proxy that says so (X-Forwarded-Proto, BATON_TRUST_PROXY).
            secure: request.protocol === "https",
            expires: expiresAt,
          })
          .send(presentUser(user));
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
  };

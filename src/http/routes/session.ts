import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Engine } from "../../engine/engine.ts";
import { SESSION_COOKIE } from "../auth.ts";
import { presentUser } from "../presenters.ts";

/** Sign-in and sign-out for the web app (no bearer token needed). */
export const sessionRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      "/session",
      {
        schema: {
          tags: ["session"],
          summary: "Sign in with e-mail and password; sets the session cookie",
          security: [],
          body: z
            .object({ email: z.string().min(1).max(320), password: z.string().min(1).max(200) })
            .strict(),
        },
      },
      async (request, reply) => {
        const { session, user, expiresAt } = await engine.directory.signIn(
          request.body.email,
          request.body.password,
        );
        return reply
          .setCookie(SESSION_COOKIE, session, {
            path: "/",
            httpOnly: true,
            sameSite: "lax",
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
          security: [],
        },
      },
      async (request, reply) => {
        const session = request.cookies[SESSION_COOKIE];
        if (session) await engine.directory.signOut(session);
        return reply.clearCookie(SESSION_COOKIE, { path: "/" }).code(204).send();
      },
    );
  };

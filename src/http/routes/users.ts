import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Engine } from "../../engine/engine.ts";
import { principalOf } from "../auth.ts";
import { presentUser } from "../presenters.ts";

/** Teams are given as keys (member) or {key, role}. */
const teamsInput = z
  .array(
    z.union([
      z.string().min(1),
      z.object({ key: z.string().min(1), role: z.enum(["member", "lead"]).default("member") }),
    ]),
  )
  .max(100)
  .default([])
  .transform((ts) =>
    ts.map((t) => (typeof t === "string" ? { key: t, role: "member" as const } : t)),
  );

const emailParams = z.object({ email: z.string().min(3).max(320) });

export const userRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      "/users",
      {
        schema: {
          tags: ["users"],
          summary: "Create a user (admin)",
          body: z
            .object({
              email: z.string().email(),
              name: z.string().trim().min(1).max(200),
              teams: teamsInput,
              admin: z.boolean().default(false),
              password: z.string().min(8).max(200).optional(),
            })
            .strict(),
        },
      },
      async (request, reply) => {
        const b = request.body;
        const user = await engine.directory.createUser(principalOf(request), {
          email: b.email,
          name: b.name,
          teams: b.teams,
          isAdmin: b.admin,
          ...(b.password === undefined ? {} : { password: b.password }),
        });
        return reply.code(201).send(presentUser(user));
      },
    );
    app.get("/users", { schema: { tags: ["users"], summary: "All users" } }, async () => ({
      users: (await engine.directory.listUsers()).map(presentUser),
    }));
    app.get(
      "/users/me",
      { schema: { tags: ["users"], summary: "The signed-in user" } },
      async (request) => presentUser(principalOf(request).user),
    );
    app.get(
      "/users/me/tokens",
      { schema: { tags: ["users"], summary: "Your active API tokens" } },
      async (request) => ({
        tokens: (await engine.directory.listTokens(principalOf(request))).map((t) => ({
          id: t.id,
          name: t.name,
          created_at: t.createdAt,
        })),
      }),
    );
    app.post(
      "/users/me/tokens",
      {
        config: { limit: "tokens" },
        schema: {
          tags: ["users"],
          summary: "Issue yourself an API token; shown once",
          body: z
            .object({ name: z.string().max(100).optional() })
            .strict()
            .nullish(),
        },
      },
      async (request, reply) => {
        const me = principalOf(request);
        return reply.code(201).send({
          token: await engine.directory.createToken(me, me.email, request.body?.name ?? ""),
        });
      },
    );
    app.delete(
      "/users/me/tokens/:id",
      {
        schema: {
          tags: ["users"],
          summary: "Revoke one of your API tokens",
          params: z.object({ id: z.string() }),
        },
      },
      async (request, reply) => {
        await engine.directory.revokeToken(principalOf(request), request.params.id);
        return reply.code(204).send();
      },
    );
    app.put(
      "/users/:email/password",
      {
        schema: {
          tags: ["users"],
          summary: "Set a password for web sign-in (admin, or your own)",
          params: emailParams,
          body: z.object({ password: z.string().min(8).max(200) }).strict(),
        },
      },
      async (request, reply) => {
        await engine.directory.setPassword(
          principalOf(request),
          request.params.email,
          request.body.password,
        );
        return reply.code(204).send();
      },
    );
    app.get(
      "/users/:email",
      { schema: { tags: ["users"], summary: "One user", params: emailParams } },
      async (request) => presentUser(await engine.directory.getUser(request.params.email)),
    );
    app.put(
      "/users/:email/teams",
      {
        schema: {
          tags: ["users"],
          summary: "Replace a user's team memberships (admin)",
          params: emailParams,
          body: z.object({ teams: teamsInput }).strict(),
        },
      },
      async (request) =>
        presentUser(
          await engine.directory.setTeams(
            principalOf(request),
            request.params.email,
            request.body.teams,
          ),
        ),
    );
    app.post(
      "/users/:email/tokens",
      {
        config: { limit: "tokens" },
        schema: {
          tags: ["users"],
          summary: "Issue an API token (admin, or for yourself); shown once",
          params: emailParams,
          body: z
            .object({ name: z.string().max(100).optional() })
            .strict()
            .nullish(),
        },
      },
      async (request, reply) => {
        const token = await engine.directory.createToken(
          principalOf(request),
          request.params.email,
          request.body?.name ?? "",
        );
        return reply.code(201).send({ token });
      },
    );
  };

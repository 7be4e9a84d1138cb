import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { keyText, text } from "../../domain/text.ts";
import type { Engine } from "../../engine/engine.ts";
import { principalOf } from "../auth.ts";
import { presentUser } from "../presenters.ts";
import { answers, newTokenSchema, noContent, tokenSchema, userSchema } from "../responses.ts";

/** Teams are given as keys (member) or {key, role}. */
const teamsInput = z
  .array(
    z.union([
      keyText,
      z.object({ key: keyText, role: z.enum(["member", "lead"]).default("member") }),
    ]),
  )
  .max(100)
  .transform((ts) =>
    ts.map((t) => (typeof t === "string" ? { key: t, role: "member" as const } : t)),
  );

const presentTokens = (tokens: { id: string; name: string; createdAt: string }[]) =>
  tokens.map((t) => ({ id: t.id, name: t.name, created_at: t.createdAt }));

const emailParams = z.object({ email: text({ max: 320, min: 3 }) });
const password = text({ max: 200, min: 8 });
const tokenName = z
  .object({ name: text({ max: 100 }).optional() })
  .strict()
  .nullish();

export const userRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      "/users",
      {
        schema: {
          tags: ["users"],
          summary: "Create a user (admin)",
          response: answers(userSchema, 201),
          body: z
            .object({
              email: text({ max: 320 }).email(),
              name: text({ max: 200, min: 1, trim: true }),
              teams: teamsInput.default([]),
              admin: z.boolean().default(false),
              password: password.optional(),
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
    app.get(
      "/users",
      {
        schema: {
          tags: ["users"],
          summary: "All users",
          response: answers(z.object({ users: z.array(userSchema) })),
        },
      },
      async () => ({
        users: (await engine.directory.listUsers()).map(presentUser),
      }),
    );
    app.get(
      "/users/me",
      { schema: { tags: ["users"], summary: "The signed-in user", response: answers(userSchema) } },
      async (request) => presentUser(principalOf(request).user),
    );
    app.get(
      "/users/me/tokens",
      {
        schema: {
          tags: ["users"],
          summary: "Your active API tokens",
          response: answers(z.object({ tokens: z.array(tokenSchema) })),
        },
      },
      async (request) => ({
        tokens: presentTokens(await engine.directory.listTokens(principalOf(request))),
      }),
    );
    app.post(
      "/users/me/tokens",
      {
        config: { limit: "tokens" },
        schema: {
          tags: ["users"],
          summary: "Issue yourself an API token; shown once",
          response: answers(newTokenSchema, 201),
          body: tokenName,
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
          response: noContent(),
          params: z.object({ id: keyText }),
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
          response: noContent(),
          params: emailParams,
          body: z.object({ password }).strict(),
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
      {
        schema: {
          tags: ["users"],
          summary: "One user",
          response: answers(userSchema),
          params: emailParams,
        },
      },
      async (request) => presentUser(await engine.directory.getUser(request.params.email)),
    );
    app.put(
      "/users/:email/teams",
      {
        schema: {
          tags: ["users"],
          summary: "Replace a user's team memberships (admin)",
          response: answers(userSchema),
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
    app.get(
      "/users/:email/tokens",
      {
        schema: {
          tags: ["users"],
          summary: "A user's active API tokens (admin, or your own)",
          response: answers(z.object({ tokens: z.array(tokenSchema) })),
          params: emailParams,
        },
      },
      async (request) => ({
        tokens: presentTokens(
          await engine.directory.listTokens(principalOf(request), request.params.email),
        ),
      }),
    );
    app.delete(
      "/users/:email/tokens/:id",
      {
        schema: {
          tags: ["users"],
          summary: "Revoke a user's API token (admin, or your own): a leaked token stops at once",
          response: noContent(),
          params: emailParams.extend({ id: keyText }),
        },
      },
      async (request, reply) => {
        await engine.directory.revokeToken(
          principalOf(request),
          request.params.id,
          request.params.email,
        );
        return reply.code(204).send();
      },
    );
    app.post(
      "/users/:email/tokens",
      {
        config: { limit: "tokens" },
        schema: {
          tags: ["users"],
          summary: "Issue an API token (admin, or for yourself); shown once",
          response: answers(newTokenSchema, 201),
          params: emailParams,
          body: tokenName,
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

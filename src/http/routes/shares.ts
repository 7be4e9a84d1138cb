import type { FastifyPluginAsync } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { DomainError } from "../../domain/errors.ts";
import { keyText } from "../../domain/text.ts";
import type { Engine } from "../../engine/engine.ts";
import { MAX_SHARE_DAYS } from "../../engine/shares.ts";
import { principalOf } from "../auth.ts";
import { answers, noContent, shareSchema } from "../responses.ts";
import { renderMissingStatusPage, renderStatusPage } from "../status-page.ts";

/*
 * Status links: made and revoked through the API (signed in), read at /status/{token} by anyone
 * holding the link (no account), rate limited per address and never indexed.
 */

const keyParams = z.object({ key: keyText });

/** The API side: POST and DELETE /api/v1/items/{key}/share. */
export const shareRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      "/items/:key/share",
      {
        schema: {
          tags: ["items"],
          summary:
            "Make a status link for the requester: a page anyone holding it can read, without an account",
          params: keyParams,
          body: z
            .object({
              expires_in_days: z
                .number()
                .int()
                .min(1)
                .max(MAX_SHARE_DAYS)
                .optional()
                .describe("the link stops working after this many days (default: never)"),
            })
            .strict()
            .nullish(),
          response: answers(shareSchema, 201),
        },
      },
      async (request, reply) => {
        const { token, expiresAt } = await engine.shares.share(
          principalOf(request),
          request.params.key,
          { expiresInDays: request.body?.expires_in_days },
        );
        const url = engine.shares.urlOf(token, `${request.protocol}://${request.host}`);
        return reply.code(201).send({ url, token, expires_at: expiresAt });
      },
    );

    app.delete(
      "/items/:key/share",
      {
        schema: {
          tags: ["items"],
          summary: "Revoke every status link of the item (their pages answer 404 from now on)",
          params: keyParams,
          response: noContent(),
        },
      },
      async (request, reply) => {
        await engine.shares.revoke(principalOf(request), request.params.key);
        return reply.code(204).send();
      },
    );
  };

/** The public side: GET /status/{token}, server-rendered HTML. */
export const statusPageRoutes =
  (engine: Engine): FastifyPluginAsync =>
  async (app) => {
    app.get<{ Params: { token: string } }>(
      "/status/:token",
      { schema: { hide: true }, config: { limit: "public" } },
      async (request, reply) => {
        reply
          .header("x-robots-tag", "noindex, nofollow")
          .header("cache-control", "no-store")
          .type("text/html; charset=utf-8");
        try {
          return reply.send(renderStatusPage(await engine.shares.status(request.params.token)));
        } catch (e) {
          if (e instanceof DomainError && e.code === "not_found")
            return reply.code(404).send(renderMissingStatusPage());
          throw e;
        }
      },
    );
  };

import type { FastifyPluginAsync, FastifyReply } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { DomainError } from "../../domain/errors.ts";
import { keyText } from "../../domain/text.ts";
import type { Engine } from "../../engine/engine.ts";
import { MAX_SHARE_DAYS } from "../../engine/shares.ts";
import { principalOf } from "../auth.ts";
import { answers, noContent, shareSchema } from "../responses.ts";
import {
  renderMissingStatusPage,
  renderNoticePage,
  renderStatusPage,
  renderSubscriberPage,
  renderUnsubscribePage,
} from "../status-page.ts";

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

/**
 * The public side, server-rendered HTML: GET /status/{token}; asking for e-mail updates there
 * (a plain form: POST /status/{token}/updates), and the subscriber's own link
 * (/status/updates/{secret}: confirm, stop). All rate limited as public, never indexed.
 */
export const statusPageRoutes =
  (engine: Engine): FastifyPluginAsync =>
  async (app) => {
    // The subscribe form posts urlencoded; this plugin's routes alone read that type.
    app.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string", bodyLimit: 4096 },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    const html = (reply: FastifyReply) =>
      reply
        .header("x-robots-tag", "noindex, nofollow")
        .header("cache-control", "no-store")
        .type("text/html; charset=utf-8");
    /** Runs `render`; a missing link or subscription is the 404 page, bad input a 400 page. */
    const answer = async (reply: FastifyReply, render: () => Promise<string>) => {
      html(reply);
      try {
        return reply.send(await render());
      } catch (e) {
        if (e instanceof DomainError && e.code === "not_found")
          return reply.code(404).send(renderMissingStatusPage());
        if (e instanceof DomainError && (e.code === "invalid_input" || e.code === "wrong_state"))
          return reply.code(400).send(renderNoticePage("That did not work", e.message));
        throw e;
      }
    };
    const publicRoute = { schema: { hide: true }, config: { limit: "public" as const } };

    app.get<{ Params: { token: string } }>("/status/:token", publicRoute, (request, reply) =>
      answer(reply, async () =>
        renderStatusPage(
          await engine.shares.status(request.params.token),
          engine.statusUpdates.isOffered
            ? { subscribe: `/status/${request.params.token}/updates` }
            : {},
        ),
      ),
    );

    app.post<{ Params: { token: string }; Body: unknown }>(
      "/status/:token/updates",
      publicRoute,
      (request, reply) =>
        answer(reply, async () => {
          const email = (request.body as { email?: unknown } | null)?.email;
          await engine.statusUpdates.subscribe(
            request.params.token,
            typeof email === "string" ? email : "",
          );
          return renderNoticePage(
            "Check your inbox",
            "We sent a mail to that address. Open the link in it to start getting updates; until then nothing more is sent.",
          );
        }),
    );

    const base = (secret: string) => `/status/updates/${secret}`;
    app.get<{ Params: { secret: string } }>(
      "/status/updates/:secret",
      publicRoute,
      (request, reply) =>
        answer(reply, async () =>
          renderSubscriberPage(
            await engine.statusUpdates.page(request.params.secret),
            base(request.params.secret),
          ),
        ),
    );
    app.post<{ Params: { secret: string } }>(
      "/status/updates/:secret/confirm",
      publicRoute,
      (request, reply) =>
        answer(reply, async () =>
          renderSubscriberPage(
            await engine.statusUpdates.change(request.params.secret, "confirm"),
            base(request.params.secret),
          ),
        ),
    );
    // GET shows a button (a mail scanner following the link stops nothing); POST stops, also
    // as a mail client's one-click unsubscribe (RFC 8058).
    app.get<{ Params: { secret: string } }>(
      "/status/updates/:secret/unsubscribe",
      publicRoute,
      (request, reply) =>
        answer(reply, async () =>
          renderUnsubscribePage(
            await engine.statusUpdates.page(request.params.secret),
            base(request.params.secret),
          ),
        ),
    );
    app.post<{ Params: { secret: string } }>(
      "/status/updates/:secret/unsubscribe",
      publicRoute,
      (request, reply) =>
        answer(reply, async () =>
          renderUnsubscribePage(
            await engine.statusUpdates.change(request.params.secret, "unsubscribe"),
            base(request.params.secret),
          ),
        ),
    );
  };

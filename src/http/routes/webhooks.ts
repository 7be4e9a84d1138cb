import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { keyText, text } from "../../domain/text.ts";
import { webhookEvents, webhookFormats } from "../../domain/webhooks.ts";
import type { Engine } from "../../engine/engine.ts";
import { URL_MAX } from "../../engine/webhook-http.ts";
import type { WebhookRow } from "../../store/webhooks.ts";
import { principalOf } from "../auth.ts";
import { intParam } from "../params.ts";
import { answers, noContent, webhookDeliveriesSchema, webhookSchema } from "../responses.ts";

/*
 * Webhook subscriptions: admins for any item, team leads for their team's. The secret is shown
 * when a subscription is made and when it is rotated, never again.
 */

const idParams = z.object({ id: text({ max: 20 }).regex(/^\d{1,18}$/, "must be a webhook id") });

export function presentWebhook(w: WebhookRow) {
  return {
    id: w.id,
    url: w.url,
    events: w.events,
    description: w.description,
    format: w.format,
    team: w.team,
    created_by: w.createdBy,
    created_at: w.createdAt,
    enabled: w.disabledAt === null,
    disabled_at: w.disabledAt,
    disabled_reason: w.disabledReason,
    consecutive_failures: w.consecutiveFailures,
    previous_secret_until: w.previousSecretUntil,
  };
}

export const webhookRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    const withSecret = webhookSchema.extend({
      secret: z.string().describe("whsec_…; shown once: verify deliveries with it"),
    });

    app.post(
      "/webhooks",
      {
        schema: {
          tags: ["webhooks"],
          summary: "Subscribe a URL to item events (Standard Webhooks signed)",
          body: z
            .object({
              url: text({ max: URL_MAX, min: 1 }),
              events: z
                .array(z.enum(["*", ...webhookEvents]))
                .min(1, "name at least one event type (or *)")
                .max(webhookEvents.length + 1),
              description: text({ max: 1000 }).nullish(),
              format: z.enum(webhookFormats).optional().describe("standard (default) or slack"),
              team: keyText
                .nullish()
                .describe(
                  "only items this team has owned or been handed (required for team leads)",
                ),
            })
            .strict(),
          response: answers(withSecret, 201),
        },
      },
      async (request, reply) => {
        const { row, secret } = await engine.webhooks.create(principalOf(request), request.body);
        return reply
          .code(201)
          .header("location", `/api/v1/webhooks/${row.id}`)
          .send({ ...presentWebhook(row), secret });
      },
    );

    app.get(
      "/webhooks",
      {
        schema: {
          tags: ["webhooks"],
          summary: "The webhook subscriptions you manage",
          response: answers(z.object({ webhooks: z.array(webhookSchema) })),
        },
      },
      async (request) => ({
        webhooks: (await engine.webhooks.list(principalOf(request))).map(presentWebhook),
      }),
    );

    app.get(
      "/webhooks/:id",
      {
        schema: {
          tags: ["webhooks"],
          summary: "One webhook subscription",
          params: idParams,
          response: answers(webhookSchema),
        },
      },
      async (request) =>
        presentWebhook(await engine.webhooks.get(principalOf(request), request.params.id)),
    );

    app.delete(
      "/webhooks/:id",
      {
        schema: {
          tags: ["webhooks"],
          summary: "Delete a subscription (its queued messages are dropped)",
          params: idParams,
          response: noContent(),
        },
      },
      async (request, reply) => {
        await engine.webhooks.delete(principalOf(request), request.params.id);
        return reply.code(204).send();
      },
    );

    app.post(
      "/webhooks/:id/rotate-secret",
      {
        schema: {
          tags: ["webhooks"],
          summary:
            "A new secret; the old one keeps signing (a second signature) for grace_hours (24 by default)",
          params: idParams,
          body: z
            .object({ grace_hours: z.number().int().min(0).max(720).optional() })
            .strict()
            .nullish(),
          response: answers(withSecret),
        },
      },
      async (request) => {
        const { row, secret } = await engine.webhooks.rotate(
          principalOf(request),
          request.params.id,
          { graceHours: request.body?.grace_hours },
        );
        return { ...presentWebhook(row), secret };
      },
    );

    app.post(
      "/webhooks/:id/enable",
      {
        schema: {
          tags: ["webhooks"],
          summary: "Turn a subscription disabled after repeated failures on again",
          params: idParams,
          body: z.object({}).strict().nullish(),
          response: answers(webhookSchema),
        },
      },
      async (request) =>
        presentWebhook(await engine.webhooks.enable(principalOf(request), request.params.id)),
    );

    app.post(
      "/webhooks/:id/test",
      {
        schema: {
          tags: ["webhooks"],
          summary: "Send a webhook.test message now (see the delivery log for how it went)",
          params: idParams,
          body: z.object({}).strict().nullish(),
          response: answers(z.object({ message_id: z.string() }), 202),
        },
      },
      async (request, reply) => {
        const id = await engine.webhooks.test(principalOf(request), request.params.id);
        return reply.code(202).send({ message_id: id });
      },
    );

    app.get(
      "/webhooks/:id/deliveries",
      {
        schema: {
          tags: ["webhooks"],
          summary:
            "The delivery log: each message with its tries (status, error, duration), newest first",
          params: idParams,
          querystring: z.object({ limit: intParam({ min: 1, max: 500 }).default(50) }).strict(),
          response: answers(webhookDeliveriesSchema),
        },
      },
      async (request) => ({
        deliveries: await engine.webhooks.deliveries(principalOf(request), request.params.id, {
          limit: request.query.limit,
        }),
      }),
    );
  };

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  kindDescriptions,
  type NotificationKind,
  notificationKinds,
  personalChannels,
} from "../../domain/notify.ts";
import { keyText } from "../../domain/text.ts";
import type { Engine } from "../../engine/engine.ts";
import { principalOf } from "../auth.ts";
import { intParam } from "../params.ts";
import { presentDelivery, presentNotification } from "../presenters.ts";
import {
  answers,
  deliverySchema,
  inboxSchema,
  preferencesSchema,
  watchSchema,
} from "../responses.ts";

/*
 * The reader's notifications: their inbox (newest first, cursor pages), marking lines read,
 * their preferences, and watching items. Everything here is about the caller themselves; the
 * delivery log is for admins.
 */

const keyParams = z.object({ key: keyText });
/** A line id, as the inbox gives it. */
const idText = z.string().regex(/^\d{1,18}$/, "must be a notification id from the inbox");
/** Ids one read request may name. */
const READ_IDS_MAX = 500;

const preferencesBody = z
  .object({
    channels: z
      .partialRecord(z.enum(notificationKinds), z.array(z.enum(personalChannels)).max(2))
      .default({}),
    muted_workflows: z.array(keyText).max(200).default([]),
    email_digest: z.boolean().default(false),
    digest_hour_utc: z.number().int().min(0).max(23).default(8),
  })
  .strict();

export const notificationRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    const presentPrefs = (p: Awaited<ReturnType<typeof engine.notifications.preferences>>) => ({
      channels: p.channels,
      muted_workflows: p.muted_workflows,
      email_digest: p.email_digest,
      digest_hour_utc: p.digest_hour_utc,
      kinds: notificationKinds.map((kind) => ({ kind, description: kindDescriptions[kind] })),
      email_enabled: engine.deliveries.channelNames.includes("email"),
    });

    app.get(
      "/me/notifications",
      {
        schema: {
          tags: ["notifications"],
          summary: "Your inbox, newest first, with the unread count",
          response: answers(inboxSchema),
          querystring: z
            .object({
              before: idText.optional().describe("the `next_before` of the previous page"),
              limit: intParam({ min: 1, max: 200 }).default(50),
              unread: z.enum(["true", "false"]).optional().describe("only unread lines"),
            })
            .strict(),
        },
      },
      async (request) => {
        const { before, limit, unread } = request.query;
        const { rows, unread: count } = await engine.notifications.inbox(principalOf(request), {
          before,
          limit: limit + 1,
          unreadOnly: unread === "true",
        });
        const page = rows.slice(0, limit);
        return {
          notifications: page.map(presentNotification),
          unread: count,
          next_before: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
        };
      },
    );

    app.post(
      "/me/notifications/read",
      {
        schema: {
          tags: ["notifications"],
          summary: "Mark lines of your inbox read: `{ids: [...]}` or `{all: true}`",
          response: answers(z.object({ marked: z.number().int(), unread: z.number().int() })),
          body: z.union([
            z.object({ ids: z.array(idText).min(1).max(READ_IDS_MAX) }).strict(),
            z.object({ all: z.literal(true) }).strict(),
          ]),
        },
      },
      async (request) => {
        const by = principalOf(request);
        const marked = await engine.notifications.markRead(
          by,
          "all" in request.body ? "all" : request.body.ids,
        );
        const { unread } = await engine.notifications.inbox(by, { limit: 0 });
        return { marked, unread };
      },
    );

    app.get(
      "/me/notification-preferences",
      {
        schema: {
          tags: ["notifications"],
          summary: "Your notification preferences (defaults filled in)",
          response: answers(preferencesSchema),
        },
      },
      async (request) => presentPrefs(await engine.notifications.preferences(principalOf(request))),
    );

    app.put(
      "/me/notification-preferences",
      {
        schema: {
          tags: ["notifications"],
          summary:
            "Set your preferences: channels per kind, muted workflows, a daily digest instead of e-mails",
          response: answers(preferencesSchema),
          body: preferencesBody,
        },
      },
      async (request) => {
        const body = request.body;
        const channels = Object.fromEntries(
          Object.entries(body.channels).map(([k, v]) => [k, [...new Set(v)]]),
        ) as Partial<Record<NotificationKind, ("inbox" | "email")[]>>;
        return presentPrefs(
          await engine.notifications.setPreferences(principalOf(request), {
            channels,
            muted_workflows: [...new Set(body.muted_workflows)],
            email_digest: body.email_digest,
            digest_hour_utc: body.digest_hour_utc,
          }),
        );
      },
    );

    app.get(
      "/items/:key/watch",
      {
        schema: {
          tags: ["notifications"],
          summary: "Whether you watch the item, and who does",
          params: keyParams,
          response: answers(watchSchema),
        },
      },
      async (request) => engine.notifications.watchers(principalOf(request), request.params.key),
    );

    for (const [method, watching] of [
      ["put", true],
      ["delete", false],
    ] as const)
      app[method](
        "/items/:key/watch",
        {
          schema: {
            tags: ["notifications"],
            summary: watching
              ? "Watch the item: hear of every change of owner, state or due date"
              : "Stop watching the item",
            params: keyParams,
            response: answers(watchSchema),
          },
        },
        async (request) => {
          const by = principalOf(request);
          await engine.notifications.watch(by, request.params.key, watching);
          return engine.notifications.watchers(by, request.params.key);
        },
      );

    app.get(
      "/deliveries",
      {
        schema: {
          tags: ["notifications"],
          summary: "Delivery jobs (e-mail, webhooks) with every try, newest first (admin)",
          response: answers(
            z.object({ deliveries: z.array(deliverySchema), next_before: z.string().nullable() }),
          ),
          querystring: z
            .object({
              item: keyText.optional(),
              channel: z.string().max(40).optional(),
              before: idText.optional(),
              limit: intParam({ min: 1, max: 500 }).default(100),
            })
            .strict(),
        },
      },
      async (request) => {
        const { item, channel, before, limit } = request.query;
        const rows = await engine.deliveries.log(principalOf(request), {
          itemKey: item,
          channel,
          beforeId: before,
          limit: limit + 1,
        });
        const page = rows.slice(0, limit);
        return {
          deliveries: page.map(presentDelivery),
          next_before: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
        };
      },
    );
  };

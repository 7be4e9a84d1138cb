import type { FastifyPluginAsync } from "fastify";
import { z } from "zod";
import type { ItemChange } from "../../engine/changes.ts";
import type { Engine } from "../../engine/engine.ts";
import { presentNotification } from "../presenters.ts";
import { errorResponses } from "../responses.ts";

/** How often an idle stream sends a comment, so proxies keep it open and dead peers are found. */
const HEARTBEAT_MS = 20_000;

/**
 * Server-Sent Events: every item change on any node, as `event: item`, and each new line of the
 * caller's own inbox as `event: notification` (a Notification, as GET /me/notifications lists
 * it; nobody else's). A `ready` event comes first, once both are sure to arrive; `resync` means
 * some may have been missed (the node's LISTEN connection dropped), so a client should refetch
 * what it shows, its inbox included.
 */
export const streamRoutes =
  (engine: Engine): FastifyPluginAsync =>
  async (app) => {
    app.get(
      "/events/stream",
      {
        schema: {
          tags: ["live"],
          summary: "Live item changes (text/event-stream)",
          response: {
            200: {
              description:
                "Server-Sent Events: `ready`, then `item` per change and `notification` per new line of your inbox, `resync` after a gap",
              content: { "text/event-stream": { schema: z.string() } },
            },
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-store",
          connection: "keep-alive",
          "x-accel-buffering": "no",
        });
        const send = (event: string, data: unknown) =>
          res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        const { unsubscribe, ready } = engine.changes.subscribe(
          (c: ItemChange) => send("item", c),
          {
            onResync: () => send("resync", {}),
          },
        );
        const me = request.principal?.email ?? null;
        const inbox = me
          ? engine.notifications.feed.subscribe(
              (n) => {
                if (n.recipient === me) send("notification", presentNotification(n.notification));
              },
              // The item feed's own resync covers a gap in either (one LISTEN connection each).
              { onResync: () => send("resync", {}) },
            )
          : null;
        const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), HEARTBEAT_MS);
        const stop = () => {
          clearInterval(heartbeat);
          unsubscribe();
          inbox?.unsubscribe();
        };
        request.raw.once("close", stop);
        res.write("retry: 2000\n\n");
        await Promise.all([ready, inbox?.ready]);
        if (!res.writableEnded) send("ready", { user: request.principal?.email ?? null });
      },
    );
  };

import type { FastifyPluginAsync } from "fastify";
import { z } from "zod";
import type { ItemChange } from "../../engine/changes.ts";
import type { Engine } from "../../engine/engine.ts";
import { errorResponses } from "../responses.ts";

/** How often an idle stream sends a comment, so proxies keep it open and dead peers are found. */
const HEARTBEAT_MS = 20_000;

/**
 * Server-Sent Events: every item change on any node, as `event: item`. A `ready` event comes
 * first, once changes are sure to arrive; `resync` means some may have been missed (the node's
 * LISTEN connection dropped), so a client should refetch what it shows.
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
                "Server-Sent Events: `ready`, then `item` per change, `resync` after a gap",
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
        const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), HEARTBEAT_MS);
        const stop = () => {
          clearInterval(heartbeat);
          unsubscribe();
        };
        request.raw.once("close", stop);
        res.write("retry: 2000\n\n");
        await ready;
        if (!res.writableEnded) send("ready", { user: request.principal?.email ?? null });
      },
    );
  };

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { KEY_MAX, keyText, text } from "../../domain/text.ts";
import type { Engine } from "../../engine/engine.ts";
import { principalOf } from "../auth.ts";
import { intParam } from "../params.ts";
import { presentTeam } from "../presenters.ts";
import { answers, calendarSchema, outboxSchema, teamSchema } from "../responses.ts";

const keyParams = z.object({ key: keyText });

export const teamRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      "/teams",
      {
        schema: {
          tags: ["teams"],
          summary: "Create a team (admin)",
          response: answers(teamSchema, 201),
          body: z
            .object({
              key: text({ max: 63, min: 1 }),
              name: text({ max: 200, min: 1, trim: true }),
            })
            .strict(),
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(presentTeam(await engine.directory.createTeam(principalOf(request), request.body))),
    );
    app.get(
      "/teams",
      {
        schema: {
          tags: ["teams"],
          summary: "All teams with their members",
          response: answers(z.object({ teams: z.array(teamSchema) })),
        },
      },
      async () => ({
        teams: (await engine.directory.listTeams()).map(presentTeam),
      }),
    );
    app.get(
      "/teams/:key",
      {
        schema: {
          tags: ["teams"],
          summary: "One team",
          response: answers(teamSchema),
          params: keyParams,
        },
      },
      async (request) => presentTeam(await engine.directory.getTeam(request.params.key)),
    );
    app.get(
      "/teams/:key/calendar",
      {
        schema: {
          tags: ["teams"],
          summary: "The team's business calendar (time zone, working hours, holidays)",
          response: answers(calendarSchema),
          params: keyParams,
        },
      },
      async (request) => {
        const { calendar, isDefault } = await engine.sla.getCalendar(request.params.key);
        return { team: request.params.key, ...calendar, default: isDefault };
      },
    );
    app.put(
      "/teams/:key/calendar",
      {
        schema: {
          tags: ["teams"],
          summary: "Set the team's business calendar (admin or team lead); clocks recompute",
          response: answers(calendarSchema),
          params: keyParams,
          body: z.record(text({ max: KEY_MAX }), z.unknown()),
        },
      },
      async (request) => {
        const {
          default: _ignored,
          team: _team,
          ...input
        } = request.body as Record<string, unknown>;
        const calendar = await engine.sla.setCalendar(
          principalOf(request),
          request.params.key,
          input,
        );
        return { team: request.params.key, ...calendar, default: false };
      },
    );
    app.delete(
      "/teams/:key/calendar",
      {
        schema: {
          tags: ["teams"],
          summary: "Return the team to the default calendar",
          response: answers(calendarSchema),
          params: keyParams,
        },
      },
      async (request) => {
        const calendar = await engine.sla.setCalendar(
          principalOf(request),
          request.params.key,
          null,
        );
        return { team: request.params.key, ...calendar, default: true };
      },
    );
    app.post(
      "/sla/recompute",
      {
        schema: {
          tags: ["teams"],
          summary: "Recompute stored service-level summaries and timers of open items (admin)",
          response: answers(z.object({ updated: z.number().int() })),
        },
      },
      async (request) => {
        return { updated: await engine.sla.recomputeAll(principalOf(request)) };
      },
    );
    app.get(
      "/outbox",
      {
        schema: {
          tags: ["notifications"],
          summary: "Who was told what (every inbox line), newest first (admin)",
          response: answers(z.object({ messages: z.array(outboxSchema) })),
          querystring: z
            .object({
              item: keyText.optional(),
              limit: intParam({ min: 1, max: 1000 }).default(100),
            })
            .strict(),
        },
      },
      async (request) => {
        const messages = await engine.notifications.told(principalOf(request), {
          itemKey: request.query.item,
          limit: request.query.limit,
        });
        return {
          messages: messages.map((m) => ({
            id: m.id,
            kind: m.kind,
            recipient: m.recipient,
            subject: m.title,
            body: m.action,
            reason: m.reason,
            item: m.itemKey,
            created_at: m.createdAt,
            // In the inbox from the moment it was fanned out.
            delivered_at: m.createdAt,
            read_at: m.readAt,
          })),
        };
      },
    );
  };

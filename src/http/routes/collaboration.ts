import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { instantText } from "../../domain/dates.ts";
import { DomainError } from "../../domain/errors.ts";
import { keyText, text } from "../../domain/text.ts";
import type { Engine } from "../../engine/engine.ts";
import type { ItemView } from "../../engine/items.ts";
import { principalOf } from "../auth.ts";
import { meetingInvite } from "../ics.ts";
import { expectedVersion } from "../if-match.ts";
import { intParam } from "../params.ts";
import { presentMeeting, presentQuestionOf } from "../presenters.ts";
import { answers, errorResponses, meetingSchema, questionWithDueSchema } from "../responses.ts";

/* Questions across the boundary and handoff meetings on an item. */

const keyParams = z.object({ key: keyText });
const idParams = keyParams.extend({ id: intParam({ min: 1 }) });
/** Who attends: team keys or people's e-mail addresses. */
const attendee = text({ max: 320, min: 1 });
const location = text({ max: 500 }).nullish();

export const collaborationRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    // A command's answer shows the clocks it computed; without them (a closed item), now's.
    const clocksOf = async (view: ItemView) =>
      view.clocks ?? (await engine.sla.clocks(view.item, view.def)).current;

    app.post(
      "/items/:key/questions",
      {
        schema: {
          tags: ["questions"],
          summary: "Ask another team a question about the item (ownership does not move)",
          response: answers(questionWithDueSchema, 201),
          params: keyParams,
          body: z
            .object({
              to_team: keyText,
              body: text({ max: 10_000, min: 1, trim: true }),
              from_team: keyText.optional(),
            })
            .strict(),
        },
      },
      async (request, reply) => {
        const view = await engine.items.run(
          principalOf(request),
          request.params.key,
          {
            type: "ask",
            toTeam: request.body.to_team,
            body: request.body.body,
            fromTeam: request.body.from_team,
          },
          expectedVersion(request.headers["if-match"]),
        );
        const asked = view.item.questions.at(-1) as (typeof view.item.questions)[number];
        return reply.code(201).send(presentQuestionOf(asked, await clocksOf(view)));
      },
    );

    app.post(
      "/items/:key/questions/:id/answer",
      {
        schema: {
          tags: ["questions"],
          summary: "Answer a question asked of your team",
          response: answers(questionWithDueSchema),
          params: idParams,
          body: z.object({ body: text({ max: 10_000, min: 1, trim: true }) }).strict(),
        },
      },
      async (request) => {
        const view = await engine.items.run(principalOf(request), request.params.key, {
          type: "answer",
          question: request.params.id,
          body: request.body.body,
        });
        const { questions } = view.item;
        const answered = questions.find((q) => q.id === request.params.id);
        return presentQuestionOf(answered as (typeof questions)[number], await clocksOf(view));
      },
    );

    app.post(
      "/items/:key/meetings",
      {
        schema: {
          tags: ["meetings"],
          summary: "Schedule a handoff meeting (either side of the handoff)",
          response: answers(meetingSchema, 201),
          params: keyParams,
          body: z
            .object({
              starts_at: instantText,
              duration_minutes: z.number().int(),
              location,
              attendees: z.array(attendee).max(100).optional(),
            })
            .strict(),
        },
      },
      async (request, reply) => {
        const b = request.body;
        const { item } = await engine.items.run(principalOf(request), request.params.key, {
          type: "schedule_meeting",
          startsAt: b.starts_at,
          durationMinutes: b.duration_minutes,
          location: b.location,
          attendees: b.attendees,
        });
        return reply
          .code(201)
          .send(presentMeeting(item, item.meetings.at(-1) as (typeof item.meetings)[number]));
      },
    );

    app.put(
      "/items/:key/meetings/:id",
      {
        schema: {
          tags: ["meetings"],
          summary: "Reschedule a meeting (the invite keeps its UID)",
          response: answers(meetingSchema),
          params: idParams,
          body: z
            .object({
              starts_at: instantText,
              duration_minutes: z.number().int().optional(),
              location,
            })
            .strict(),
        },
      },
      async (request) => {
        const b = request.body;
        const { item } = await engine.items.run(principalOf(request), request.params.key, {
          type: "reschedule_meeting",
          meeting: request.params.id,
          startsAt: b.starts_at,
          durationMinutes: b.duration_minutes,
          location: b.location,
        });
        return presentMeeting(
          item,
          item.meetings.find((m) => m.id === request.params.id) as (typeof item.meetings)[number],
        );
      },
    );

    app.post(
      "/items/:key/meetings/:id/held",
      {
        schema: {
          tags: ["meetings"],
          summary: "Record that the meeting was held, with notes and who attended",
          response: answers(meetingSchema),
          params: idParams,
          body: z
            .object({
              notes: text({ max: 20_000, min: 1, trim: true }),
              attended: z.array(attendee).max(200).optional(),
            })
            .strict(),
        },
      },
      async (request) => {
        const { item } = await engine.items.run(principalOf(request), request.params.key, {
          type: "meeting_held",
          meeting: request.params.id,
          notes: request.body.notes,
          attended: request.body.attended,
        });
        return presentMeeting(
          item,
          item.meetings.find((m) => m.id === request.params.id) as (typeof item.meetings)[number],
        );
      },
    );

    app.get(
      "/items/:key/meetings/:file",
      {
        schema: {
          tags: ["meetings"],
          summary: "The meeting's iCalendar invite: GET /items/{key}/meetings/{id}.ics",
          response: {
            200: {
              description: "an iCalendar invitation",
              content: { "text/calendar": { schema: z.string() } },
            },
            ...errorResponses,
          },
          params: keyParams.extend({
            file: z.string().regex(/^\d{1,10}\.ics$/, "must be {id}.ics"),
          }),
        },
      },
      async (request, reply) => {
        const id = Number.parseInt(request.params.file, 10);
        const { item } = await engine.items.get(request.params.key);
        const meeting = item.meetings.find((m) => m.id === id);
        if (!meeting) throw new DomainError("not_found", `${item.key} has no meeting #${id}.`);
        const ics = meetingInvite({
          item,
          meeting,
          attendees: await engine.directory.peopleOf(meeting.attendees),
          baseUrl: `${request.protocol}://${request.host}`,
          teamName: await engine.directory.teamNameOf(),
        });
        return reply
          .type("text/calendar; charset=utf-8")
          .header("content-disposition", `attachment; filename="${item.key}-meeting-${id}.ics"`)
          .send(ics);
      },
    );
  };

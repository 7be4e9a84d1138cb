import type { FastifyReply } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { INSTANT_MESSAGE, isCalendarDate, parseInstant } from "../../domain/dates.ts";
import { itemStates } from "../../domain/item.ts";
import { KEY_MAX, keyText, text } from "../../domain/text.ts";
import type { Engine } from "../../engine/engine.ts";
import type { ItemListFilter, ItemView } from "../../engine/items.ts";
import { principalOf } from "../auth.ts";
import { toCsv } from "../csv.ts";
import { decimalParam, intParam } from "../params.ts";
import { presentEvent, presentItemSummary, presentView } from "../presenters.ts";
import {
  answers,
  errorResponses,
  eventSchema,
  itemListEntrySchema,
  noContent,
  viewSchema,
} from "../responses.ts";

/*
 * Lists across teams: GET /items with its filters and search words, saved views of those
 * filters, and the exports (CSV or JSON) of a list and of an item's timeline.
 */

/** A filter bound: a day (YYYY-MM-DD, its start in UTC) or an instant. */
const bound = text({ max: 64 })
  .refine(
    (v) => isCalendarDate(v, { min: 1970, max: 2100 }) || parseInstant(v) !== undefined,
    `must be a date (YYYY-MM-DD) or ${INSTANT_MESSAGE.replace("must be ", "")}`,
  )
  .transform((v) =>
    isCalendarDate(v, { min: 1970, max: 2100 })
      ? `${v}T00:00:00.000Z`
      : new Date(parseInstant(v) as number).toISOString(),
  );

/** A comma-separated list of words from `allowed`. */
const wordList = <T extends string>(allowed: readonly T[]) =>
  text({ max: 200 })
    .refine((s) => s.split(",").every((x) => (allowed as readonly string[]).includes(x)), {
      message: `must be a comma-separated list of ${allowed.join(", ")}`,
    })
    .transform((s) => s.split(",") as T[]);

const slaStates = ["breached", "warning"] as const;

/** Field filters at most; each is compared with the item's current value. */
export const FIELD_FILTERS_MAX = 10;
/** `key:value`: the field's key, a colon, the value as text (true, 25, enterprise…). */
const fieldFilter = text({ max: KEY_MAX + 1000 }).refine((s) => /^[^:]+:/.test(s), {
  message: "must be key:value, e.g. tier:enterprise",
});

/**
 * The filters of a list, as a query string: GET /items takes them, a saved view keeps them.
 * Every one is optional; together they narrow the list (AND).
 */
const listFilters = {
  q: text({ max: 200, trim: true })
    .optional()
    .describe(
      "search words: key, title, field values, comments (each word a prefix); an exact key comes first",
    ),
  team: keyText.optional().describe("next-actor team"),
  involves: keyText.optional().describe("a team that owned or was handed the item"),
  state: wordList(itemStates)
    .optional()
    .describe(`comma-separated: ${itemStates.join(", ")}`),
  workflow: keyText.optional(),
  assignee: text({ max: 320 }).optional(),
  sla: wordList(slaStates)
    .optional()
    .describe("open items whose worst running clock is breached or warning (comma-separated)"),
  field: z
    .union([fieldFilter, z.array(fieldFilter).max(FIELD_FILTERS_MAX)])
    .optional()
    .describe(`key:value, e.g. tier:enterprise; repeat for several (at most ${FIELD_FILTERS_MAX})`),
  created_after: bound.optional(),
  created_before: bound.optional(),
  updated_after: bound.optional(),
  updated_before: bound.optional(),
  min_age_days: decimalParam({ min: 0, max: 36_500 })
    .optional()
    .describe("created at least this many days ago"),
  max_age_days: decimalParam({ min: 0, max: 36_500 })
    .optional()
    .describe("created at most this many days ago"),
};

const formats = z
  .enum(["json", "csv"])
  .default("json")
  .describe("csv: a spreadsheet download (formula cells guarded); json: the usual answer");

/** The filters a saved view may keep: those of the list, as the strings of a query string. */
const viewQuery = z
  .record(
    text({ max: 40 }),
    z.union([text({ max: 1200 }), z.array(text({ max: 1200 })).max(FIELD_FILTERS_MAX)]),
  )
  .superRefine((q, ctx) => {
    // The list's own schema judges the values, so a view cannot keep what the list would refuse.
    const parsed = z.object(listFilters).strict().safeParse(q);
    if (!parsed.success)
      for (const issue of parsed.error.issues)
        ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
  });

function toFilter(q: z.output<z.ZodObject<typeof listFilters>>): ItemListFilter {
  const fields = q.field === undefined ? [] : Array.isArray(q.field) ? q.field : [q.field];
  return {
    q: q.q,
    team: q.team,
    involves: q.involves,
    state: q.state,
    workflow: q.workflow,
    assignee: q.assignee,
    sla: q.sla,
    fields: fields.map((f) => {
      const colon = f.indexOf(":");
      return { key: f.slice(0, colon), value: f.slice(colon + 1) };
    }),
    createdAfter: q.created_after,
    createdBefore: q.created_before,
    updatedAfter: q.updated_after,
    updatedBefore: q.updated_before,
    minAgeDays: q.min_age_days,
    maxAgeDays: q.max_age_days,
  };
}

/** A 200 answer that is JSON (`schema`) or, with ?format=csv, a CSV download. */
function jsonOrCsv(schema: z.ZodType, description: string) {
  return {
    200: {
      description,
      content: {
        "application/json": { schema },
        "text/csv": { schema: z.string().describe("RFC 4180, UTF-8, a header line") },
      },
    },
    ...errorResponses,
  };
}

function sendCsv(reply: FastifyReply, filename: string, csv: string) {
  return reply
    .type("text/csv; charset=utf-8")
    .header("content-disposition", `attachment; filename="${filename}"`)
    .send(csv);
}

const itemColumns = [
  "key",
  "title",
  "workflow",
  "state",
  "step",
  "step_name",
  "owner_team",
  "next_team",
  "assignee",
  "sla",
  "next_deadline",
  "due",
  "rework",
  "created_at",
  "updated_at",
  "fields",
] as const;

export const listRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    const presentList = async (views: ItemView[]) => {
      const [name, clocks] = await Promise.all([
        engine.directory.teamNameOf(),
        engine.sla.currentClocksOf(views),
      ]);
      const risks = await engine.forecasts.riskOf(views, clocks);
      return views.map((v, i) => ({
        ...presentItemSummary(v, name, clocks[i]),
        risk: risks[i] ?? null,
        fields: v.item.fields,
      }));
    };

    app.get(
      "/items",
      {
        schema: {
          tags: ["items"],
          summary:
            "List and search items across teams: oldest update first; with q, an exact key first, then the latest updated",
          response: jsonOrCsv(
            z.object({ items: z.array(itemListEntrySchema) }),
            "the items (at most `limit`)",
          ),
          querystring: z
            .object({
              ...listFilters,
              limit: intParam({ min: 1, max: 5000 }).default(100),
              format: formats,
            })
            .strict(),
        },
      },
      async (request, reply) => {
        const { limit, format, ...filters } = request.query;
        const views = await engine.items.list({ ...toFilter(filters), limit });
        const items = await presentList(views);
        if (format === "json") return reply.send({ items });
        return sendCsv(
          reply,
          "items.csv",
          toCsv(
            itemColumns,
            items.map((i) => [
              i.key,
              i.title,
              i.workflow,
              i.state,
              i.step,
              i.step_name,
              i.owner_team,
              i.next?.team ?? null,
              i.assignee,
              i.sla,
              i.next_deadline?.due_at ?? null,
              i.due,
              i.rework,
              i.created_at,
              i.updated_at,
              i.fields,
            ]),
          ),
        );
      },
    );

    app.get(
      "/items/:key/events",
      {
        schema: {
          tags: ["items"],
          summary: "The item's timeline: every event, oldest first (CSV with ?format=csv)",
          response: jsonOrCsv(z.object({ events: z.array(eventSchema) }), "the events"),
          params: z.object({ key: keyText }),
          querystring: z.object({ format: formats }).strict(),
        },
      },
      async (request, reply) => {
        const events = (await engine.items.events(request.params.key)).map(presentEvent);
        if (request.query.format === "json") return reply.send({ events });
        return sendCsv(
          reply,
          `${request.params.key}-events.csv`,
          toCsv(
            ["seq", "at", "actor", "type", "data"],
            events.map((e) => [e.seq, e.at, e.actor, e.type, e.data]),
          ),
        );
      },
    );

    app.get(
      "/views",
      {
        schema: {
          tags: ["views"],
          summary: "Your saved views and those shared with your teams",
          response: answers(z.object({ views: z.array(viewSchema) })),
        },
      },
      async (request) => ({
        views: (await engine.views.list(principalOf(request))).map(presentView),
      }),
    );

    app.post(
      "/views",
      {
        schema: {
          tags: ["views"],
          summary: "Save list filters under a name, for yourself or shared with one of your teams",
          response: answers(viewSchema, 201),
          body: z
            .object({
              name: text({ max: 100, min: 1, trim: true }),
              query: viewQuery.describe("the filters of GET /items, as its query string has them"),
              team: keyText.nullish().describe("share with this team (one of yours)"),
            })
            .strict(),
        },
      },
      async (request, reply) => {
        const view = await engine.views.create(principalOf(request), {
          name: request.body.name,
          query: request.body.query as Record<string, string>,
          team: request.body.team,
        });
        return reply
          .code(201)
          .header("location", `/api/v1/views/${view.id}`)
          .send(presentView(view));
      },
    );

    app.delete(
      "/views/:id",
      {
        schema: {
          tags: ["views"],
          summary:
            "Delete a saved view (its owner, a lead of the team it is shared with, or an admin)",
          response: noContent(),
          params: z.object({ id: intParam({ min: 1 }) }),
        },
      },
      async (request, reply) => {
        await engine.views.delete(principalOf(request), String(request.params.id));
        return reply.code(204).send();
      },
    );
  };

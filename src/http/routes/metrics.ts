import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { isCalendarDate, parseInstant } from "../../domain/dates.ts";
import { SURVEY_COMMENT_MAX } from "../../domain/surveys.ts";
import { keyText, text } from "../../domain/text.ts";
import type { Engine } from "../../engine/engine.ts";
import type { Comparison, MetricsQuery } from "../../engine/metrics.ts";
import { principalOf } from "../auth.ts";
import { intParam } from "../params.ts";
import {
  answers,
  draftSchema,
  edgesAnswerSchema,
  flowAnswerSchema,
  limboSeriesSchema,
  pendingSurveySchema,
  reviewAnswerSchema,
  surveyAnswerSchema,
  surveySkipSchema,
  teamsAnswerSchema,
} from "../responses.ts";

/*
 * The metrics and review API. Every table can come as CSV (`format=csv` or `Accept: text/csv`).
 * Periods: `from`/`to` as a day (YYYY-MM-DD, UTC; `to` includes its day) or an instant;
 * the last 90 days by default, at most 366 days.
 */

const PERIOD_MESSAGE =
  "must be a day (YYYY-MM-DD) or an ISO 8601 date and time with a time zone (years 1970 to 2100)";

/** A period bound: a day (its start; for `to`, the start of the next day) or an instant. */
const bound = (isEnd: boolean) =>
  text({ max: 64 })
    .refine((v) => isCalendarDate(v, { min: 1970, max: 2100 }) || parseInstant(v) !== undefined, {
      message: PERIOD_MESSAGE,
    })
    .transform((v) => {
      if (isCalendarDate(v, { min: 1970, max: 2100 })) {
        const t = Date.parse(`${v}T00:00:00Z`) + (isEnd ? 86_400_000 : 0);
        return new Date(t).toISOString();
      }
      return new Date(parseInstant(v) as number).toISOString();
    });

const edgeText = text({ max: 401 }).refine((v) => /^[^:]{1,200}:[^:]{1,200}$/.test(v), {
  message: "must be FROM_STEP:TO_STEP",
});

const baseQuery = {
  // Version 0 is imported history (docs/mining.md), beside the published versions 1, 2, …
  version: intParam({ min: 0 }).optional(),
  from: bound(false).optional(),
  to: bound(true).optional(),
  team: keyText.optional(),
  edge: edgeText.optional(),
  format: z.enum(["json", "csv"]).optional(),
  compare: text({ max: 30 })
    .refine((v) => /^version:\d{1,9}$/.test(v), {
      message: "must be version:N (a version number; 0 is imported history)",
    })
    .optional(),
  compare_from: bound(false).optional(),
  compare_to: bound(true).optional(),
};

const { compare: _compare, compare_from: _from, compare_to: _to, ...plainQuery } = baseQuery;

const workflowQuery = z.object({ workflow: keyText, ...baseQuery }).strict();
const teamsQuery = z.object({ workflow: keyText.optional(), ...baseQuery }).strict();
const flowQuery = z
  .object({
    workflow: keyText,
    ...baseQuery,
    table: z.enum(["steps", "cycle", "throughput", "cfd", "ageing", "wip"]).optional(),
  })
  .strict();

type BaseQuery = z.infer<typeof workflowQuery>;

function queryOf(q: Omit<BaseQuery, "workflow"> & { workflow?: string | undefined }): MetricsQuery {
  const edge = q.edge?.split(":") as [string, string] | undefined;
  return {
    workflow: q.workflow ?? "",
    version: q.version,
    from: q.from,
    to: q.to,
    team: q.team,
    edge: edge ? { from: edge[0], to: edge[1] } : undefined,
  };
}

function comparisonOf(q: Omit<BaseQuery, "workflow">): Comparison | undefined {
  const period =
    q.compare_from !== undefined && q.compare_to !== undefined
      ? { from: q.compare_from, to: q.compare_to }
      : undefined;
  if (q.compare) return { version: Number(q.compare.slice(8)), ...period };
  if (period) return period;
  return undefined;
}

/** Whether the caller asked for CSV. */
function wantsCsv(request: FastifyRequest, format: string | undefined): boolean {
  if (format) return format === "csv";
  return /\btext\/csv\b/.test(request.headers.accept ?? "");
}

/** One cell: records as `k=v; k=v`, lists joined; text a spreadsheet would run as a formula is quoted. */
function cell(v: unknown): string {
  let s: string;
  if (v === null || v === undefined) s = "";
  else if (Array.isArray(v))
    s = v.map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x))).join("; ");
  else if (typeof v === "object")
    s = Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}=${typeof x === "object" && x !== null ? JSON.stringify(x) : x}`)
      .join("; ");
  else s = String(v);
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Rows as CSV (RFC 4180), columns in first-seen order. */
export function toCsv(rows: readonly Record<string, unknown>[]): string {
  const columns: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  const lines = [columns.map(cell).join(",")];
  for (const r of rows) lines.push(columns.map((c) => cell(r[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

function sendCsv(reply: FastifyReply, name: string, rows: readonly Record<string, unknown>[]) {
  return reply
    .type("text/csv; charset=utf-8")
    .header("content-disposition", `attachment; filename="${name}.csv"`)
    .send(toCsv(rows));
}

export const metricsRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    const queries = engine.metrics.queries;
    const bothCompare = (q: Omit<BaseQuery, "workflow">) => {
      if ((q.compare_from === undefined) !== (q.compare_to === undefined))
        return "compare_from and compare_to go together";
      return null;
    };
    const refine = <T extends z.ZodType<Omit<BaseQuery, "workflow">>>(schema: T) =>
      schema.superRefine((q, ctx) => {
        const problem = bothCompare(q);
        if (problem) ctx.addIssue({ code: "custom", path: ["compare_to"], message: problem });
      });

    app.get(
      "/metrics/edges",
      {
        schema: {
          tags: ["metrics"],
          summary: "Per-edge handoff metrics of a workflow over a period (CSV with format=csv)",
          querystring: refine(workflowQuery),
          response: answers(edgesAnswerSchema),
        },
      },
      async (request, reply) => {
        principalOf(request);
        const q = request.query;
        const r = await queries.edges(queryOf(q), comparisonOf(q));
        if (wantsCsv(request, q.format)) return sendCsv(reply, `edges-${q.workflow}`, r.edges);
        return r;
      },
    );
    app.get(
      "/metrics/teams",
      {
        schema: {
          tags: ["metrics"],
          summary: "Per-team WIP, throughput, rejections and service-level attainment",
          querystring: refine(teamsQuery),
          response: answers(teamsAnswerSchema),
        },
      },
      async (request, reply) => {
        principalOf(request);
        const q = request.query;
        const r = await queries.teams(queryOf(q), comparisonOf(q));
        if (wantsCsv(request, q.format)) return sendCsv(reply, "teams", r.teams);
        return r;
      },
    );
    app.get(
      "/metrics/flow",
      {
        schema: {
          tags: ["metrics"],
          summary: "Cycle times, time per step, flow efficiency, throughput, CFD and ageing WIP",
          querystring: refine(flowQuery),
          response: answers(flowAnswerSchema),
        },
      },
      async (request, reply) => {
        principalOf(request);
        const q = request.query;
        const r = await queries.flow(queryOf(q), comparisonOf(q));
        if (wantsCsv(request, q.format)) {
          const table = q.table ?? "steps";
          const rows: Record<string, unknown>[] =
            table === "cycle"
              ? r.cycle_points
              : table === "throughput"
                ? r.throughput
                : table === "cfd"
                  ? r.cfd.map((d) => ({ day: d.day, ...d.steps, done: d.done }))
                  : table === "ageing"
                    ? r.ageing
                    : table === "wip"
                      ? r.wip
                      : r.steps;
          return sendCsv(reply, `flow-${table}-${q.workflow}`, rows);
        }
        return r;
      },
    );
    app.get(
      "/metrics/limbo",
      {
        schema: {
          tags: ["metrics"],
          summary:
            "Limbo over time: per edge and ISO week of submission, handoffs submitted, rejected, decided and their limbo p50/p85 (CSV with format=csv)",
          querystring: z.object({ workflow: keyText, ...plainQuery }).strict(),
          response: answers(limboSeriesSchema),
        },
      },
      async (request, reply) => {
        principalOf(request);
        const q = request.query;
        const r = await queries.limboSeries(queryOf(q));
        if (wantsCsv(request, q.format)) return sendCsv(reply, `limbo-${q.workflow}`, r.series);
        return r;
      },
    );
    app.get(
      "/review/:workflow",
      {
        schema: {
          tags: ["metrics"],
          summary: "The review page of a workflow: per edge the figures, the words and suggestions",
          params: z.object({ workflow: keyText }),
          querystring: refine(z.object(baseQuery).strict()),
          response: answers(reviewAnswerSchema),
        },
      },
      async (request, reply) => {
        principalOf(request);
        const q = request.query;
        const r = await queries.review(
          queryOf({ ...q, workflow: request.params.workflow }),
          comparisonOf(q),
        );
        if (wantsCsv(request, q.format))
          return sendCsv(
            reply,
            `review-${request.params.workflow}`,
            r.edges.flatMap((e) =>
              e.suggestions.map((s) => ({
                from_step: e.from_step,
                to_step: e.to_step,
                suggestion: s.id,
                title: s.title,
                evidence: s.evidence,
              })),
            ),
          );
        return r;
      },
    );
    app.post(
      "/review/:workflow/drafts",
      {
        schema: {
          tags: ["metrics"],
          summary:
            "Draft the next workflow version from a suggestion: the proposed source and its diff (publish with PUT /workflows/{key})",
          params: z.object({ workflow: keyText }),
          body: z
            .object({
              suggestion: text({ max: 1000, min: 1 }),
              from: bound(false).optional(),
              to: bound(true).optional(),
            })
            .strict(),
          response: answers(draftSchema),
        },
      },
      async (request) => {
        principalOf(request);
        return queries.draft({
          workflow: request.params.workflow,
          suggestion: request.body.suggestion,
          from: request.body.from,
          to: request.body.to,
        });
      },
    );
    app.get(
      "/items/:key/survey",
      {
        schema: {
          tags: ["items"],
          summary:
            "The handoff survey the item asks of you now (newest handoff first), or null: the item page asks it after an acceptance and after the receiver finished its step",
          params: z.object({ key: keyText }),
          response: answers(pendingSurveySchema),
        },
      },
      async (request) => {
        const view = await engine.items.get(request.params.key);
        return {
          survey: await engine.surveys.pendingFor(principalOf(request), view.item, view.def),
        };
      },
    );
    app.post(
      "/items/:key/survey/skip",
      {
        schema: {
          tags: ["items"],
          summary:
            "Skip the handoff survey the item asks of you in this role: it is not offered to you again (a second skip is answered as the first)",
          params: z.object({ key: keyText }),
          body: z
            .object({
              role: z.enum(["receiver", "sender"]),
              handoff: z.number().int().min(1).max(1_000_000).optional(),
            })
            .strict(),
          response: answers(surveySkipSchema),
        },
      },
      async (request) =>
        engine.surveys.skip(principalOf(request), request.params.key, {
          role: request.body.role,
          handoff: request.body.handoff,
        }),
    );
    app.post(
      "/items/:key/survey",
      {
        schema: {
          tags: ["items"],
          summary:
            "Answer the handoff survey the item asks of you (receiver after acceptance, sender once the receiver finished its step); once per person, handoff and role",
          params: z.object({ key: keyText }),
          body: z
            .object({
              role: z.enum(["receiver", "sender"]),
              score: z.number().int().min(1).max(5),
              comment: text({ max: SURVEY_COMMENT_MAX, trim: true }).nullish(),
              handoff: z
                .number()
                .int()
                .min(1)
                .max(1_000_000)
                .optional()
                .describe("the handoff (default: the newest one asked of you in this role)"),
            })
            .strict(),
          response: answers(surveyAnswerSchema, 201),
        },
      },
      async (request, reply) => {
        const b = request.body;
        const answer = await engine.surveys.answer(principalOf(request), request.params.key, {
          role: b.role,
          score: b.score,
          comment: b.comment ? b.comment : null,
          handoff: b.handoff,
        });
        return reply.code(201).send(answer);
      },
    );
  };

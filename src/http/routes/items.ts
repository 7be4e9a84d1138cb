import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { dueText } from "../../domain/dates.ts";
import { rejectReasons } from "../../domain/item.ts";
import { KEY_MAX, keyText, text } from "../../domain/text.ts";
import type { Engine } from "../../engine/engine.ts";
import type { ItemCommand, ItemView } from "../../engine/items.ts";
import { principalOf } from "../auth.ts";
import { expectedVersion } from "../if-match.ts";
import { decimalParam, intParam } from "../params.ts";
import { presentComment, presentItem, presentItemSummary, presentStall } from "../presenters.ts";
import { answers, commentSchema, itemSchema, queueSchema, stalledSchema } from "../responses.ts";

const keyParams = z.object({ key: keyText });

/** How many items one queue read may name in `keys` (a live update's batch). */
const QUEUE_KEYS_MAX = 100;
const queueKeysParam = text({ max: QUEUE_KEYS_MAX * (KEY_MAX + 1), min: 1 })
  .transform((s) => [...new Set(s.split(","))])
  .pipe(
    z.array(keyText).max(QUEUE_KEYS_MAX, `name at most ${QUEUE_KEYS_MAX} items, comma-separated`),
  );
/** Commands without parameters accept an empty body, `{}` or no body at all. */
const noBody = z.object({}).strict().nullish();
const reason = text({ max: 1000, trim: true }).min(1, "give a reason");
/** A criterion or checklist text a body refers to. */
const criterion = text({ max: 1000 });
/** Field values are checked against the workflow's field types; their names are text too. */
const fieldValues = z.record(text({ max: KEY_MAX }), z.unknown());

/**
 * The commands on one item, each a POST with a small body. All go through the same
 * use-case (Items.run), so they share loading, rules, concurrency and presentation.
 */
const commands: {
  path: string;
  summary: string;
  body: z.ZodType;
  toCommand: (body: never) => ItemCommand;
}[] = [
  {
    path: "checklist",
    summary: "Tick or untick a checklist item of the current step",
    body: z.object({ index: z.number().int().min(0).max(1000), done: z.boolean() }).strict(),
    toCommand: (b: { index: number; done: boolean }) => ({ type: "set_checklist", ...b }),
  },
  {
    path: "claim",
    summary: "Assign the item to yourself",
    body: noBody,
    toCommand: () => ({ type: "claim" }),
  },
  {
    path: "assign",
    summary: "Assign the item to a member of the team that acts next (null to unassign)",
    body: z.object({ email: text({ max: 320 }).email().nullable() }).strict(),
    toCommand: (b: { email: string | null }) => ({ type: "assign", email: b.email }),
  },
  {
    path: "handoff",
    summary: "Hand the item off to the next step's team",
    body: z
      .object({
        note: text({ max: 10_000 }).nullish(),
        confirm: z.array(criterion).max(100).optional(),
      })
      .strict()
      .nullish(),
    toCommand: (b: { note?: string | null; confirm?: string[] } | null | undefined) => ({
      type: "submit",
      note: b?.note ?? null,
      confirm: b?.confirm ?? [],
    }),
  },
  {
    path: "withdraw",
    summary: "Take back a handoff not yet accepted",
    body: noBody,
    toCommand: () => ({ type: "withdraw" }),
  },
  {
    path: "accept",
    summary: "Accept the handoff: your team owns the item now",
    body: noBody,
    toCommand: () => ({ type: "accept" }),
  },
  {
    path: "reject",
    summary: "Return the handoff to the sender with a reason",
    body: z
      .object({
        reason: z.enum(rejectReasons),
        comment: text({ max: 10_000, trim: true }).min(1, "say what is wrong"),
        failed_criteria: z.array(criterion).max(100).optional(),
      })
      .strict(),
    toCommand: (b: {
      reason: (typeof rejectReasons)[number];
      comment: string;
      failed_criteria?: string[];
    }) => ({
      type: "reject",
      reason: b.reason,
      comment: b.comment,
      failedCriteria: b.failed_criteria ?? [],
    }),
  },
  {
    path: "complete",
    summary: "Complete the item at its final step",
    body: noBody,
    toCommand: () => ({ type: "complete" }),
  },
  {
    path: "cancel",
    summary: "Cancel the item",
    body: z.object({ reason }).strict(),
    toCommand: (b: { reason: string }) => ({ type: "cancel", reason: b.reason }),
  },
  {
    path: "pause",
    summary: "Pause work (e.g. waiting on the customer)",
    body: z.object({ reason }).strict(),
    toCommand: (b: { reason: string }) => ({ type: "pause", reason: b.reason }),
  },
  {
    path: "resume",
    summary: "Resume paused work",
    body: noBody,
    toCommand: () => ({ type: "resume" }),
  },
  {
    path: "reopen",
    summary: "Reopen a done item: back to its last step's team, counted as rework",
    body: z.object({ reason }).strict(),
    toCommand: (b: { reason: string }) => ({ type: "reopen", reason: b.reason }),
  },
  {
    path: "migrate",
    summary:
      "Move a running item to its workflow's current version, where the steps match (admin; 409 steps_differ names those that do not)",
    body: noBody,
    toCommand: () => ({ type: "migrate" }),
  },
  {
    path: "comments",
    summary: "Comment on the item (any member)",
    body: z.object({ body: text({ max: 10_000, min: 1, trim: true }) }).strict(),
    toCommand: (b: { body: string }) => ({ type: "comment", body: b.body }),
  },
];

export const itemRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    // A command's answer shows the clocks the command computed; a read computes them now.
    const present = async (view: ItemView) =>
      presentItem(
        view,
        await engine.directory.teamNameOf(),
        view.clocks ?? (await engine.sla.clocks(view.item, view.def)).current,
      );
    /** Summaries of many items; `lean` leaves out each one's clocks (not its deadline). */
    const presentList = async (views: ItemView[], lean = false) => {
      const [name, clocks] = await Promise.all([
        engine.directory.teamNameOf(),
        engine.sla.currentClocksOf(views),
      ]);
      const risks = await engine.forecasts.riskOf(views, clocks);
      return views.map((v, i) => {
        const summary = { ...presentItemSummary(v, name, clocks[i]), risk: risks[i] ?? null };
        if (!lean) return summary;
        const { clocks: _left, ...rest } = summary;
        return rest;
      });
    };

    app.post(
      "/items",
      {
        schema: {
          tags: ["items"],
          summary: "Start an item in a workflow (at its first step)",
          response: answers(itemSchema, 201),
          body: z
            .object({
              workflow: keyText,
              title: text({ max: 200, min: 1, trim: true }),
              fields: fieldValues.optional(),
              due: dueText
                .nullish()
                .describe("YYYY-MM-DD or an ISO 8601 instant the item is due (2000–2100)"),
            })
            .strict(),
        },
      },
      async (request, reply) => {
        const view = await engine.items.create(principalOf(request), request.body);
        return reply
          .code(201)
          .header("etag", `"${view.item.version}"`)
          .header("location", `/api/v1/items/${view.item.key}`)
          .send(await present(view));
      },
    );

    app.get(
      "/items/:key",
      {
        schema: {
          tags: ["items"],
          summary: "One item with its next actor and action",
          response: answers(itemSchema),
          params: keyParams,
        },
      },
      async (request, reply) => {
        const view = await engine.items.get(request.params.key);
        // The survey this item asks of the caller now (only read here, not on commands' answers).
        const survey = await engine.surveys.pendingFor(principalOf(request), view.item, view.def);
        return reply
          .header("etag", `"${view.item.version}"`)
          .send({ ...(await present(view)), survey });
      },
    );

    app.patch(
      "/items/:key",
      {
        schema: {
          tags: ["items"],
          summary: "Change the title or the due date (null clears it); an item.edited event",
          response: answers(itemSchema),
          params: keyParams,
          body: z
            .object({
              title: text({ max: 200, min: 1, trim: true }).optional(),
              due: dueText
                .nullable()
                .optional()
                .describe(
                  "YYYY-MM-DD or an ISO 8601 instant the item is due (2000–2100); null: none",
                ),
            })
            .strict()
            .refine((b) => b.title !== undefined || b.due !== undefined, {
              message: "give title or due",
            }),
        },
      },
      async (request, reply) => {
        const view = await engine.items.run(
          principalOf(request),
          request.params.key,
          { type: "edit", title: request.body.title, due: request.body.due },
          expectedVersion(request.headers["if-match"]),
        );
        return reply.header("etag", `"${view.item.version}"`).send(await present(view));
      },
    );

    const commentParams = keyParams.extend({
      seq: intParam({ min: 1, max: 1_000_000_000 }).describe("the comment's seq (its id)"),
    });
    app.patch(
      "/items/:key/comments/:seq",
      {
        schema: {
          tags: ["items"],
          summary: "Edit your comment (the history keeps every version: comment.edited)",
          response: answers(itemSchema),
          params: commentParams,
          body: z.object({ body: text({ max: 10_000, min: 1, trim: true }) }).strict(),
        },
      },
      async (request, reply) => {
        const view = await engine.items.run(
          principalOf(request),
          request.params.key,
          { type: "edit_comment", comment: request.params.seq, body: request.body.body },
          expectedVersion(request.headers["if-match"]),
        );
        return reply.header("etag", `"${view.item.version}"`).send(await present(view));
      },
    );
    app.delete(
      "/items/:key/comments/:seq",
      {
        schema: {
          tags: ["items"],
          summary:
            "Delete your comment (or any, as an admin); the history keeps it (comment.deleted)",
          response: answers(itemSchema),
          params: commentParams,
        },
      },
      async (request, reply) => {
        const view = await engine.items.run(
          principalOf(request),
          request.params.key,
          { type: "delete_comment", comment: request.params.seq },
          expectedVersion(request.headers["if-match"]),
        );
        return reply.header("etag", `"${view.item.version}"`).send(await present(view));
      },
    );

    app.patch(
      "/items/:key/fields",
      {
        schema: {
          tags: ["items"],
          summary: "Change field values (null clears a field)",
          response: answers(itemSchema),
          params: keyParams,
          body: fieldValues,
        },
      },
      async (request, reply) => {
        const view = await engine.items.run(
          principalOf(request),
          request.params.key,
          { type: "update_fields", fields: request.body },
          expectedVersion(request.headers["if-match"]),
        );
        return reply.header("etag", `"${view.item.version}"`).send(await present(view));
      },
    );

    for (const c of commands) {
      app.post(
        `/items/:key/${c.path}`,
        {
          schema: {
            tags: ["items"],
            summary: c.summary,
            response: answers(itemSchema, (c.path === "comments" ? 201 : 200) as 200 | 201),
            params: keyParams,
            body: c.body,
          },
        },
        async (request, reply) => {
          const view = await engine.items.run(
            principalOf(request),
            request.params.key,
            c.toCommand(request.body as never),
            expectedVersion(request.headers["if-match"]),
          );
          return reply
            .code(c.path === "comments" ? 201 : 200)
            .header("etag", `"${view.item.version}"`)
            .send(await present(view));
        },
      );
    }

    app.get(
      "/items/:key/comments",
      {
        schema: {
          tags: ["items"],
          summary:
            "The item's comments, oldest first, with their latest text (deleted ones left out)",
          response: answers(z.object({ comments: z.array(commentSchema) })),
          params: keyParams,
        },
      },
      async (request) => ({
        comments: (await engine.items.comments(request.params.key)).map(presentComment),
      }),
    );

    app.get(
      "/stalled",
      {
        schema: {
          tags: ["items"],
          summary:
            "Stalled work across teams: items without activity for their step's stall_after, most stalled first",
          response: answers(stalledSchema),
          querystring: z
            .object({
              team: keyText.optional().describe("only work this team must move"),
              workflow: keyText.optional(),
              limit: intParam({ min: 1, max: 5000 }).default(100),
            })
            .strict(),
        },
      },
      async (request) => {
        const q = request.query;
        const views = await engine.items.stalled(q);
        const [summaries, name] = await Promise.all([
          presentList(views),
          engine.directory.teamNameOf(),
        ]);
        const now = engine.clock().getTime();
        return {
          items: summaries.map((summary, i) => {
            const { item, def, stalledAt } = views[i] as (typeof views)[number];
            return { ...summary, stalled: presentStall(item, def, stalledAt, name, now) };
          }),
        };
      },
    );

    app.get(
      "/teams/:key/queue",
      {
        schema: {
          tags: ["teams"],
          summary:
            "A team's queue: incoming handoffs, work in progress, waiting on others, paused, questions, stalled",
          response: answers(queueSchema),
          params: keyParams,
          querystring: z
            .object({
              limit: intParam({ min: 1, max: 5000 }).default(500),
              stalled_after_days: decimalParam({ min: 0, max: 365 })
                .optional()
                .describe(
                  "work in the team's hands untouched this many wall-clock days is stalled (breached work always is); without it, the workflows' stall_after rule (3 business days by default)",
                ),
              keys: queueKeysParam
                .optional()
                .describe(
                  `only these items, comma-separated (at most ${QUEUE_KEYS_MAX}): the sections each is in now, to update a queue a client holds`,
                ),
              clocks: z
                .enum(["true", "false"])
                .default("true")
                .describe(
                  "false leaves out each row's `clocks` (its `next_deadline` and `sla` stay): a third of the bytes",
                ),
            })
            .strict(),
        },
      },
      async (request) => {
        const q = await engine.items.queue(request.params.key, {
          limit: request.query.limit,
          stalledAfterDays: request.query.stalled_after_days,
          keys: request.query.keys,
        });
        const lean = request.query.clocks === "false";
        const sections = await Promise.all(
          Object.entries(q).map(
            async ([name, views]) => [name, await presentList(views, lean)] as const,
          ),
        );
        return {
          team: request.params.key,
          ...(Object.fromEntries(sections) as Omit<z.output<typeof queueSchema>, "team">),
        };
      },
    );
  };

import { Readable } from "node:stream";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { DomainError } from "../../domain/errors.ts";
import { text } from "../../domain/text.ts";
import type { Engine } from "../../engine/engine.ts";
import { principalOf } from "../auth.ts";
import { presentMiningJob } from "../presenters.ts";
import { answers, miningJobSchema } from "../responses.ts";

/*
 * Mining an uploaded event log (docs/mining.md): POST the file as the raw body, poll the job.
 * Any signed-in user may: a team lead mining their own team's export is the point, and it
 * changes nothing in Baton. The cost is bounded instead (upload size, one running job per user,
 * two per node; src/engine/mining-jobs.ts).
 */

/** Body types read as a raw stream: the engine counts the bytes against its own cap. */
const LOG_TYPES = [
  "application/octet-stream",
  "application/gzip",
  "application/x-gzip",
  "application/xml",
  "text/xml",
  "text/csv",
];

const name = text({ max: 200, min: 1 });
const jobQuery = z
  .object({
    name: name.optional().describe("the file's name, e.g. history.xes.gz (tells the format)"),
    format: z.enum(["xes", "csv"]).optional(),
    case: name.optional(),
    activity: name.optional(),
    timestamp: name.optional(),
    team: name.optional(),
    resource: name.optional(),
    lifecycle: name.optional(),
    keep_lifecycle: text({ max: 1000, min: 1 }).optional().describe("comma-separated"),
    delimiter: z.string().length(1).optional(),
  })
  .strict();

const idParams = z.object({ id: z.uuid() });

export const miningRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.addContentTypeParser(LOG_TYPES, (_request, payload, done) => done(null, payload));

    app.post(
      "/mining/jobs",
      {
        schema: {
          tags: ["mining"],
          summary:
            "Upload an event log (XES or CSV, optionally gzipped) as the raw body; mining runs in the background",
          querystring: jobQuery,
          response: answers(miningJobSchema, 202),
        },
      },
      async (request, reply) => {
        const actor = principalOf(request);
        if (request.body === undefined || request.body === null)
          throw new DomainError("invalid_input", "The upload is empty: send the log as the body.", {
            errors: [
              {
                path: "(body)",
                message: "an event log (XES or CSV, optionally gzipped) is required",
              },
            ],
          });
        if (!(request.body instanceof Readable))
          throw new DomainError(
            "unsupported_media_type",
            `Send the log as the raw body with Content-Type ${LOG_TYPES.join(", ")}.`,
          );
        const q = request.query;
        const job = await engine.mining.submit({
          actor,
          body: request.body,
          name: q.name ?? "upload",
          options: {
            format: q.format,
            delimiter: q.delimiter,
            mapping: {
              case: q.case,
              activity: q.activity,
              timestamp: q.timestamp,
              team: q.team,
              resource: q.resource,
              lifecycle: q.lifecycle,
            },
            lifecycleKeep: q.keep_lifecycle
              ?.split(",")
              .map((s) => s.trim())
              .filter(Boolean),
          },
        });
        const body = presentMiningJob(job);
        return reply.code(202).header("location", body.href).send(body);
      },
    );

    app.get(
      "/mining/jobs/:id",
      {
        schema: {
          tags: ["mining"],
          summary: "A mining job: progress while it runs, the report when done",
          params: idParams,
          response: answers(miningJobSchema),
        },
      },
      async (request) =>
        presentMiningJob(engine.mining.get(principalOf(request), request.params.id)),
    );
  };

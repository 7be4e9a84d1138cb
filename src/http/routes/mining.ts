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
const MAX_MAP = 5_000;
const mapEntry = text({ max: 1100, min: 3 }).refine(
  (v) => /^.*\S.*=\s*[a-z][a-z0-9-]*\s*$/s.test(v),
  {
    message: "must be LOG TEAM=TEAM_KEY",
  },
);
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
    import: text({ max: 63, min: 1 })
      .optional()
      .describe("import the cases as closed items of this workflow's version 0 (admins only)"),
    map: z
      .union([mapEntry, z.array(mapEntry).max(MAX_MAP)])
      .optional()
      .describe("with import: LOG TEAM=TEAM_KEY, repeated; the rest go by the --propose key"),
    unmapped: z
      .enum(["refuse", "skip"])
      .optional()
      .describe("with import: refuse (default) or skip the events of teams that own no step"),
  })
  .strict();

/** `LOG TEAM=TEAM_KEY` entries of `map`, as a map; a log team named twice is an error. */
function mappingOf(entries: string | string[] | undefined): Map<string, string> {
  const mapping = new Map<string, string>();
  for (const entry of entries === undefined ? [] : [entries].flat()) {
    const at = entry.lastIndexOf("=");
    const team = entry.slice(0, at).trim();
    if (mapping.has(team))
      throw new DomainError("invalid_input", `map names "${team}" twice.`, {
        errors: [{ path: "map", message: `"${team}" is mapped twice` }],
      });
    mapping.set(team, entry.slice(at + 1).trim());
  }
  return mapping;
}

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
        if (q.import === undefined && (q.map !== undefined || q.unmapped !== undefined))
          throw new DomainError("invalid_input", "map and unmapped go with import=WORKFLOW.", {
            errors: [{ path: q.map !== undefined ? "map" : "unmapped", message: "needs import" }],
          });
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
          importInto:
            q.import === undefined
              ? undefined
              : {
                  workflow: q.import,
                  mapping: mappingOf(q.map),
                  skipUnmapped: q.unmapped === "skip",
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

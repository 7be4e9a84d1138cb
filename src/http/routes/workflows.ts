import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { DomainError } from "../../domain/errors.ts";
import { text } from "../../domain/text.ts";
import { assertWithinLimits } from "../../domain/workflow-limits.ts";
import type { Engine } from "../../engine/engine.ts";
import {
  MAX_DEFINITION_CHARS,
  parseDefinition,
  type SourceFormat,
} from "../../engine/workflows.ts";
import { principalOf } from "../auth.ts";

import { intParam } from "../params.ts";

import {
  answers,
  errorResponses,
  publishedSchema,
  validatedSchema,
  workflowSummarySchema,
  workflowVersionSchema,
  workflowVersionSummarySchema,
} from "../responses.ts";

/** A definition arrives as YAML text or as parsed JSON; keep the text as the user wrote it. */
function sourceOf(
  body: unknown,
  contentType: string | undefined,
): { source: string; format: SourceFormat } {
  if (typeof body === "string")
    return { source: body, format: /json/.test(contentType ?? "") ? "json" : "yaml" };
  if (body && typeof body === "object") {
    // Checked before stringifying: JSON.stringify recurses (and overflows on very deep bodies),
    // and a body within the size limits always fits MAX_DEFINITION_CHARS written compactly.
    assertWithinLimits(body);
    const pretty = JSON.stringify(body, null, 2);
    const source = pretty.length <= MAX_DEFINITION_CHARS ? pretty : JSON.stringify(body);
    return { source, format: "json" };
  }
  throw new DomainError(
    "invalid_input",
    "Send the workflow definition as application/json or application/yaml.",
    {
      errors: [{ path: "(body)", message: "a workflow definition is required" }],
    },
  );
}

const keyParams = z.object({ key: text({ max: 63, min: 1 }) });

export const workflowRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.put(
      "/workflows/:key",
      {
        config: { limit: "workflows" },
        schema: {
          tags: ["workflows"],
          summary: "Publish a workflow definition (YAML or JSON); a change makes a new version",
          response: {
            200: publishedSchema,
            201: publishedSchema.describe("the first version"),
            ...errorResponses,
          },
          params: keyParams,
        },
      },
      async (request, reply) => {
        const r = await engine.workflows.publish(
          principalOf(request),
          request.params.key,
          sourceOf(request.body, request.headers["content-type"]),
        );
        return reply
          .code(r.changed ? (r.version === 1 ? 201 : 200) : 200)
          .send({ key: r.key, version: r.version, changed: r.changed });
      },
    );
    app.post(
      "/workflows/validate",
      {
        config: { limit: "workflows" },
        schema: {
          tags: ["workflows"],
          summary: "Check a definition without publishing it",
          response: answers(validatedSchema),
        },
      },
      async (request) => {
        const { source, format } = sourceOf(request.body, request.headers["content-type"]);
        const definition = await engine.workflows.validate(parseDefinition(source, format));
        return { valid: true, definition };
      },
    );
    app.get(
      "/workflows",
      {
        schema: {
          tags: ["workflows"],
          summary: "All workflows",
          response: answers(z.object({ workflows: z.array(workflowSummarySchema) })),
        },
      },
      async () => ({
        workflows: (await engine.workflows.list()).map((w) => ({
          key: w.key,
          name: w.name,
          prefix: w.prefix,
          version: w.currentVersion,
          updated_at: w.updatedAt,
          start_team: w.startTeam,
          open_items: w.openItems,
        })),
      }),
    );
    app.get(
      "/workflows/:key",
      {
        schema: {
          tags: ["workflows"],
          summary: "A workflow's current (or given) version",
          response: answers(workflowVersionSchema),
          params: keyParams,
          querystring: z.object({ version: intParam({ min: 1 }).optional() }).strict(),
        },
      },
      async (request) => {
        const w = await engine.workflows.get(request.params.key, request.query.version);
        return {
          key: w.key,
          version: w.version,
          definition: w.definition,
          source: w.source,
          source_format: w.sourceFormat,
          published_by: w.publishedBy,
          published_at: w.publishedAt,
        };
      },
    );
    app.get(
      "/workflows/:key/versions",
      {
        schema: {
          tags: ["workflows"],
          summary: "Version history, newest first",
          response: answers(z.object({ versions: z.array(workflowVersionSummarySchema) })),
          params: keyParams,
        },
      },
      async (request) => ({
        versions: (await engine.workflows.versionsOf(request.params.key)).map((v) => ({
          version: v.version,
          source_format: v.sourceFormat,
          published_by: v.publishedBy,
          published_at: v.publishedAt,
        })),
      }),
    );
  };

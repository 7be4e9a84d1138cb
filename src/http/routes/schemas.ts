import type { FastifyPluginAsync } from "fastify";
import { z } from "zod";
import { workflowJsonSchema } from "../../domain/workflow.ts";
import { errorResponses } from "../responses.ts";

/** Public, unauthenticated: the JSON Schema of workflow definitions, for editors. */
export const schemaRoutes: FastifyPluginAsync = async (app) => {
  const schema = workflowJsonSchema();
  app.get(
    "/schemas/workflow.json",
    {
      schema: {
        tags: ["workflows"],
        summary: "JSON Schema of workflow definitions",
        security: [],
        response: {
          200: {
            description: "A JSON Schema (2020-12)",
            content: { "application/schema+json": { schema: z.record(z.string(), z.unknown()) } },
          },
          ...errorResponses,
        },
      },
    },
    async (_req, reply) => reply.type("application/schema+json").send(schema),
  );
};

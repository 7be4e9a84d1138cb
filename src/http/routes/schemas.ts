import type { FastifyPluginAsync } from "fastify";
import { workflowJsonSchema } from "../../domain/workflow.ts";

/** Public, unauthenticated: the JSON Schema of workflow definitions, for editors. */
export const schemaRoutes: FastifyPluginAsync = async (app) => {
  const schema = workflowJsonSchema();
  app.get(
    "/schemas/workflow.json",
    {
      schema: { tags: ["workflows"], summary: "JSON Schema of workflow definitions", security: [] },
    },
    async (_req, reply) => reply.type("application/schema+json").send(schema),
  );
};

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Engine } from "../../engine/engine.ts";
import { principalOf } from "../auth.ts";
import { presentTeam } from "../presenters.ts";

export const teamRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      "/teams",
      {
        schema: {
          tags: ["teams"],
          summary: "Create a team (admin)",
          body: z
            .object({ key: z.string().min(1).max(63), name: z.string().trim().min(1).max(200) })
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
      { schema: { tags: ["teams"], summary: "All teams with their members" } },
      async () => ({
        teams: (await engine.directory.listTeams()).map(presentTeam),
      }),
    );
    app.get(
      "/teams/:key",
      { schema: { tags: ["teams"], summary: "One team", params: z.object({ key: z.string() }) } },
      async (request) => presentTeam(await engine.directory.getTeam(request.params.key)),
    );
  };

import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { keyText } from "../../domain/text.ts";
import type { Engine } from "../../engine/engine.ts";
import type { ItemForecast } from "../../engine/forecasts.ts";
import { answers, forecastSchema } from "../responses.ts";

/** The API's shape of a forecast (snake_case, like every answer). */
export function presentForecast(f: ItemForecast): z.output<typeof forecastSchema> {
  const c = f.completion;
  return {
    key: f.key,
    breach: f.breach.map((b) => ({
      clock: b.clock,
      kind: b.kind,
      probability: b.probability,
      sample_size: b.sampleSize,
    })),
    completion:
      c.p50 === null
        ? {
            p50: null,
            p85: null,
            p95: null,
            late_probability: null,
            sample_size: c.sampleSize,
            reason: c.reason,
          }
        : {
            p50: c.p50,
            p85: c.p85,
            p95: c.p95,
            late_probability: c.lateProbability,
            sample_size: c.sampleSize,
            reason: null,
          },
    queue_depth: f.queueDepth,
  };
}

export const forecastRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      "/items/:key/forecast",
      {
        schema: {
          tags: ["items"],
          summary:
            "How likely each running clock is to breach, and when the item may be done, from its workflow's history",
          params: z.object({ key: keyText }),
          response: answers(forecastSchema),
        },
      },
      async (request) =>
        presentForecast(await engine.forecasts.forItem(await engine.items.get(request.params.key))),
    );
  };

import cookie from "@fastify/cookie";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance } from "fastify";
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import type { Engine } from "../engine/engine.ts";
import { authenticator } from "./auth.ts";
import { clientErrorHandler, frameworkErrors, registerErrorHandling } from "./errors.ts";
import { registerIdempotency } from "./idempotency.ts";
import {
  capConnectionsPerIp,
  defaultHttpSettings,
  type HttpSettings,
  registerRateLimits,
} from "./limits.ts";
import { refuseUnstorableUrl } from "./params.ts";
import { collaborationRoutes } from "./routes/collaboration.ts";
import { healthRoutes } from "./routes/health.ts";
import { itemRoutes } from "./routes/items.ts";
import { schemaRoutes } from "./routes/schemas.ts";
import { sessionRoutes } from "./routes/session.ts";
import { streamRoutes } from "./routes/stream.ts";
import { teamRoutes } from "./routes/teams.ts";
import { userRoutes } from "./routes/users.ts";
import { workflowRoutes } from "./routes/workflows.ts";
import { registerSecurityHeaders } from "./security-headers.ts";
import { registerWebApp } from "./static.ts";

export interface AppOptions {
  engine: Engine;
  /** pino log level, or "silent". */
  logLevel?: string;
  /** Limits, timeouts, proxies (src/config.ts); the configuration's defaults when left out. */
  http?: HttpSettings;
}

/** Log levels at which requests themselves are not logged. */
const quietLevels = new Set(["warn", "error", "fatal", "silent"]);

/** Builds the HTTP app: the REST API under /api/v1, its OpenAPI document and docs page. */
export async function buildApp({
  engine,
  logLevel = "silent",
  http = defaultHttpSettings,
}: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // A hop count is given as Fastify's own function for it (its types omit the number form).
    trustProxy:
      typeof http.trustProxy === "number"
        ? (_address: string, hop: number) => hop < (http.trustProxy as number)
        : http.trustProxy,
    // A request trickled in (slowloris) is answered 408 and closed once this runs out. It
    // covers receiving the request only: a live stream's long answer is not affected.
    requestTimeout: http.requestTimeoutMs,
    // Silent both ways: closed. Live streams send a heartbeat well within it.
    connectionTimeout: http.idleTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    http: {
      headersTimeout: Math.min(http.headersTimeoutMs, http.requestTimeoutMs),
      // How often Node looks for requests past their time (its default, 30 s, would let a
      // trickled request live up to twice its limit).
      connectionsCheckingInterval: Math.min(1000, Math.max(50, http.requestTimeoutMs / 4)),
    },
    clientErrorHandler,
    frameworkErrors,
    logger: logLevel === "silent" ? false : { level: logLevel },
    // A request's own logger (with its id) only where requests are logged (info and below);
    // above that, its few lines (errors) go through the server's logger, spared a child per
    // request.
    childLoggerFactory: (logger, bindings, options) =>
      quietLevels.has(logger.level) ? logger : logger.child(bindings, options),
    bodyLimit: 1024 * 1024,
    // Live streams never go idle; closing the server must end them rather than wait.
    forceCloseConnections: true,
    // Workflow keys and item keys never contain these; reject rather than guess.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  capConnectionsPerIp(app.server, http.maxConnectionsPerIp, app.log);
  await registerRateLimits(app, http.rateLimits);
  registerSecurityHeaders(app);
  app.addHook("onRequest", refuseUnstorableUrl);

  // Workflow definitions may be sent as YAML.
  app.addContentTypeParser(
    ["application/yaml", "application/x-yaml", "text/yaml", "text/plain"],
    { parseAs: "string", bodyLimit: 1024 * 1024 },
    (_req, body, done) => done(null, body),
  );

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Baton API",
        version: "1",
        description:
          "Hand work between teams: workflows, items, handoffs. Errors are application/problem+json with a stable `code`.",
      },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer", description: "An API token (bt_…)" },
        },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: "/api/docs" });

  await app.register(cookie);
  app.decorateRequest("principal", null);
  await app.register(schemaRoutes, { prefix: "/api/v1" });
  await app.register(sessionRoutes(engine), { prefix: "/api/v1" });
  await app.register(
    async (api) => {
      api.addHook("onRequest", authenticator(engine));
      registerIdempotency(api, engine);
      await api.register(teamRoutes(engine));
      await api.register(userRoutes(engine));
      await api.register(workflowRoutes(engine));
      await api.register(itemRoutes(engine));
      await api.register(collaborationRoutes(engine));
      await api.register(streamRoutes(engine));
    },
    { prefix: "/api/v1" },
  );
  await app.register(healthRoutes(engine));
  await registerWebApp(app);
  return app;
}

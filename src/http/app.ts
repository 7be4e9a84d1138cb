import { STATUS_CODES } from "node:http";
import { constants as zlib } from "node:zlib";
import compress from "@fastify/compress";
import cookie from "@fastify/cookie";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance } from "fastify";
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import { z } from "zod";
import { workflowJsonSchema } from "../domain/workflow.ts";
import type { Engine } from "../engine/engine.ts";
import { SingleSignOn, type SingleSignOnSettings } from "../engine/single-sign-on.ts";
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
import { checkingSerializer, plainSerializer, webhookMessageSchema } from "./responses.ts";
import { collaborationRoutes } from "./routes/collaboration.ts";
import { fileRoutes } from "./routes/files.ts";
import { forecastRoutes } from "./routes/forecast.ts";
import { healthRoutes } from "./routes/health.ts";
import { itemRoutes } from "./routes/items.ts";
import { listRoutes } from "./routes/lists.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { miningRoutes } from "./routes/mining.ts";
import { notificationRoutes } from "./routes/notifications.ts";
import { schemaRoutes } from "./routes/schemas.ts";
import { sessionRoutes } from "./routes/session.ts";
import { shareRoutes, statusPageRoutes } from "./routes/shares.ts";
import { pendingCookieSecret, singleSignOnRoutes } from "./routes/single-sign-on.ts";
import { streamRoutes } from "./routes/stream.ts";
import { teamRoutes } from "./routes/teams.ts";
import { userRoutes } from "./routes/users.ts";
import { webhookRoutes } from "./routes/webhooks.ts";
import { workflowRoutes } from "./routes/workflows.ts";
import { registerSecurityHeaders } from "./security-headers.ts";
import { registerWebApp } from "./static.ts";

/**
 * Answers of the API (JSON, CSV, calendars) at least this big are compressed (brotli or gzip,
 * as the client accepts). Below it compression saves little on the wire and costs the command
 * path CPU: an item answer is 2–6 kB. A 3,000-item queue shrinks about tenfold.
 */
export const COMPRESS_THRESHOLD = 8 * 1024;

/**
 * Compression for the API's answers only: the web app's assets are served precompressed
 * (brotli files built by Vite) and the live stream writes to the socket itself (hijacked), so
 * neither passes through here, and an event is never held back in a compressor's buffer.
 * Compressed request bodies are refused as before (no decompression hook).
 */
async function registerCompression(api: FastifyInstance): Promise<void> {
  await api.register(compress, {
    globalDecompression: false,
    threshold: COMPRESS_THRESHOLD,
    encodings: ["br", "gzip"],
    customTypes: /^(application\/(.+\+)?json|text\/(csv|calendar|plain|yaml))/,
    // Quality 4 compresses a queue about as well as gzip -6 in a third of the time.
    brotliOptions: {
      params: { [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT, [zlib.BROTLI_PARAM_QUALITY]: 4 },
    },
  });
}

export interface AppOptions {
  engine: Engine;
  /** pino log level, or "silent". */
  logLevel?: string;
  /** Limits, timeouts, proxies (src/config.ts); the configuration's defaults when left out. */
  http?: HttpSettings;
  /** Check every answer against its declared schema before sending it (tests; costs time). */
  checkResponses?: boolean;
  /** Single sign-on (BATON_OIDC_*); off when left out. */
  sso?: SingleSignOnSettings | null;
  /** Password sign-in (BATON_PASSWORD_SIGN_IN); on when left out. */
  passwordSignIn?: boolean;
}

type OpenApiDocument = ReturnType<typeof jsonSchemaTransformObject>;

/**
 * Finishes the OpenAPI document. A workflow definition is read from the raw body (YAML text or
 * JSON), so its operations declare no body schema for Fastify to check; the document still says
 * what they take. An answer whose schema has no description of its own is named by its status.
 */
function finishDocument(document: OpenApiDocument): OpenApiDocument {
  type Operation = { requestBody?: unknown; responses?: Record<string, { description?: string }> };
  const paths = (document.paths ?? {}) as Record<string, Record<string, Operation>>;
  const body = {
    required: true,
    description:
      "A workflow definition, as YAML or JSON (its JSON Schema: /api/v1/schemas/workflow.json)",
    content: {
      "application/json": { schema: workflowJsonSchema() },
      "application/yaml": { schema: { type: "string" } },
    },
  };
  for (const [path, method] of [
    ["/api/v1/workflows/{key}", "put"],
    ["/api/v1/workflows/validate", "post"],
  ] as const) {
    const operation = paths[path]?.[method];
    if (operation) operation.requestBody = body;
  }
  for (const operation of Object.values(paths).flatMap((methods) => Object.values(methods)))
    for (const [status, response] of Object.entries(operation.responses ?? {}))
      if (response.description === "Default Response")
        response.description = STATUS_CODES[Number(status)] ?? "Answer";
  // What Baton sends to a subscription (OpenAPI 3.1 webhooks), so a receiver generates its types.
  (document as OpenApiDocument & { webhooks?: unknown }).webhooks = {
    itemEvent: {
      post: {
        summary: "An item event (or a webhook.test) sent to a webhook subscription",
        description:
          "Signed per Standard Webhooks 1.0: verify `webhook-signature` over `webhook-id.webhook-timestamp.body` with the subscription's whsec_ secret (any Standard Webhooks library does), and drop a `webhook-id` seen before. Answer 2xx within 10 s; anything else is retried with backoff.",
        parameters: ["webhook-id", "webhook-timestamp", "webhook-signature"].map((name) => ({
          name,
          in: "header",
          required: true,
          schema: { type: "string" },
        })),
        requestBody: {
          required: true,
          content: {
            "application/json": { schema: z.toJSONSchema(webhookMessageSchema, { io: "input" }) },
          },
        },
        responses: { "200": { description: "Received (any 2xx)" } },
      },
    },
  };
  return document;
}

/** Log levels at which requests themselves are not logged. */
const quietLevels = new Set(["warn", "error", "fatal", "silent"]);

/** Builds the HTTP app: the REST API under /api/v1, its OpenAPI document and docs page. */
export async function buildApp({
  engine,
  logLevel = "silent",
  http = defaultHttpSettings,
  checkResponses = false,
  sso: ssoSettings = null,
  passwordSignIn = true,
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
  // Response schemas document the API; answers are not parsed on the way out (see responses.ts).
  app.setSerializerCompiler(checkResponses ? checkingSerializer : plainSerializer);
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
    // Named schemas (Item, Problem, …) become components the operations refer to.
    transformObject: (document) => finishDocument(jsonSchemaTransformObject(document)),
  });
  await app.register(swaggerUi, { routePrefix: "/api/docs" });

  // Only the pending single sign-on cookie is signed; the session cookie is a random id.
  await app.register(
    cookie,
    ssoSettings ? { secret: pendingCookieSecret(ssoSettings.clientSecret) } : {},
  );
  app.decorateRequest("principal", null);
  await app.register(schemaRoutes, { prefix: "/api/v1" });
  await app.register(
    sessionRoutes(engine, {
      password: passwordSignIn,
      sso: ssoSettings && { name: ssoSettings.name },
    }),
    { prefix: "/api/v1" },
  );
  if (ssoSettings)
    await app.register(
      singleSignOnRoutes(new SingleSignOn(ssoSettings, engine.directory, engine.clock)),
      { prefix: "/api/v1" },
    );
  await app.register(
    async (api) => {
      await registerCompression(api);
      api.addHook("onRequest", authenticator(engine));
      registerIdempotency(api, engine);
      await api.register(teamRoutes(engine));
      await api.register(userRoutes(engine));
      await api.register(workflowRoutes(engine));
      await api.register(itemRoutes(engine));
      await api.register(listRoutes(engine));
      await api.register(collaborationRoutes(engine));
      await api.register(fileRoutes(engine, { maxBytes: http.uploadMaxBytes }));
      await api.register(forecastRoutes(engine));
      await api.register(metricsRoutes(engine));
      await api.register(notificationRoutes(engine));
      await api.register(shareRoutes(engine));
      await api.register(webhookRoutes(engine));
      await api.register(streamRoutes(engine));
      await api.register(miningRoutes(engine));
    },
    { prefix: "/api/v1" },
  );
  await app.register(healthRoutes(engine));
  await app.register(statusPageRoutes(engine));
  await registerWebApp(app);
  return app;
}

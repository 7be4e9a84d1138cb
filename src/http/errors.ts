import { randomUUID } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import FindMyWay from "find-my-way";
import { DomainError, type ErrorCode } from "../domain/errors.ts";
import { asUnavailable } from "../engine/health.ts";

/*
 * Every error leaves as application/problem+json (RFC 9457) with a stable `code`. Only this file
 * maps codes to statuses; unexpected errors become a 500 whose message stays in the log.
 */

export const statusOf: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthenticated: 401,
  csrf_failed: 403,
  admin_only: 403,
  not_your_team: 403,
  not_on_path: 403,
  not_your_comment: 403,
  not_your_view: 403,
  steps_differ: 409,
  not_found: 404,
  version_conflict: 409,
  item_closed: 409,
  wrong_state: 409,
  meeting_required: 409,
  already_exists: 409,
  invalid_workflow: 422,
  invalid_log: 422,
  import_too_large: 413,
  criteria_not_met: 422,
  no_route: 422,
  not_a_member: 422,
  idempotency_key_reused: 422,
  idempotency_in_progress: 409,
  unavailable: 503,
  rate_limited: 429,
  method_not_allowed: 405,
  unsupported_media_type: 415,
  sso_failed: 400,
  sso_refused: 403,
  body_too_large: 413,
  request_timeout: 408,
  headers_too_large: 431,
  webhook_target_refused: 422,
};

const titles: Record<ErrorCode, string> = {
  invalid_input: "Invalid input",
  unauthenticated: "Not signed in",
  csrf_failed: "Request not allowed from a page",
  admin_only: "Admins only",
  not_your_team: "Not your team's move",
  not_on_path: "Team not on the item's path",
  not_your_comment: "Not your comment",
  not_your_view: "Not your saved view",
  steps_differ: "Workflow versions differ",
  not_found: "Not found",
  version_conflict: "Changed by someone else",
  item_closed: "Item is closed",
  wrong_state: "Not possible in this state",
  meeting_required: "Handoff meeting required",
  already_exists: "Already exists",
  invalid_workflow: "Invalid workflow definition",
  invalid_log: "Unreadable event log",
  import_too_large: "History too large to import",
  criteria_not_met: "Acceptance criteria not met",
  no_route: "No route matches",
  not_a_member: "Not a member of the team",
  idempotency_key_reused: "Idempotency key reused",
  idempotency_in_progress: "Request already in progress",
  unavailable: "Temporarily unavailable",
  rate_limited: "Too many requests",
  method_not_allowed: "Method not allowed",
  unsupported_media_type: "Unsupported content type",
  sso_failed: "Single sign-on failed",
  sso_refused: "Single sign-on refused",
  body_too_large: "Request body too large",
  request_timeout: "Request took too long",
  headers_too_large: "Request headers too large",
  webhook_target_refused: "Webhook target refused",
};

/** The code of an error the framework itself raised (parsers, router, limits), by its status. */
const codeOfFrameworkStatus: Partial<Record<number, ErrorCode>> = {
  400: "invalid_input",
  404: "not_found",
  405: "method_not_allowed",
  408: "request_timeout",
  413: "body_too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
  431: "headers_too_large",
};

/** `/fields/0/name` in the body → `fields[0].name`; in the query string → `query.limit`. */
function formatErrorPath(where: string, instancePath: string): string {
  const path = instancePath
    .replace(/\/(\d+)/g, "[$1]")
    .replace(/^\//, "")
    .replaceAll("/", ".");
  if (where === "body") return path || "(body)";
  const prefix = where === "querystring" ? "query" : where;
  return path ? `${prefix}.${path}` : prefix;
}

/** The problem+json body of an error with `code`. */
function problem(code: string, title: string, status: number, detail: string, extra: object = {}) {
  return { type: `https://baton.dev/problems/${code}`, title, status, code, detail, ...extra };
}

export function sendProblem(
  reply: FastifyReply,
  status: number,
  code: string,
  title: string,
  detail: string,
  extra: object = {},
) {
  return reply
    .code(status)
    .type("application/problem+json")
    .send(problem(code, title, status, detail, extra));
}

/** Sends the problem for `code`, with its status from the one map. */
export function sendCode(reply: FastifyReply, code: ErrorCode, detail: string, extra: object = {}) {
  return sendProblem(reply, statusOf[code], code, titles[code], detail, extra);
}

/**
 * Errors Node's HTTP parser raises before there is a request (a timeout, oversized headers,
 * garbage): answered on the raw socket, as problem+json like every other error, then closed.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  const [code, detail]: [ErrorCode, string] =
    err.code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? ["request_timeout", "The request did not arrive in full in time; the connection is closed."]
      : err.code === "HPE_HEADER_OVERFLOW"
        ? ["headers_too_large", "The request headers are too large."]
        : ["invalid_input", "The request is not valid HTTP."];
  const status = statusOf[code];
  const body = JSON.stringify(problem(code, titles[code], status, detail));
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy();
}

/** Errors the router raises before a route is found (a malformed URL, an overlong segment). */
export function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  return sendCode(
    reply,
    "invalid_input",
    err.code === "FST_ERR_BAD_URL"
      ? "The URL is malformed (a '%' not followed by two hexadecimal digits?)."
      : err.message,
  );
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((thrown: FastifyError | DomainError, request, reply) => {
    // A database that is restarting or dropped the connection is a 503 to retry, not a 500.
    const err = thrown instanceof DomainError ? thrown : (asUnavailable(thrown) ?? thrown);
    if (err instanceof DomainError) {
      const { missing, errors, ...rest } = err.details;
      if (typeof rest.retry_after === "number")
        reply.header("retry-after", String(rest.retry_after));
      return sendProblem(reply, statusOf[err.code], err.code, titles[err.code], err.message, {
        ...(missing ? { missing } : {}),
        ...(errors ? { errors } : {}),
        ...rest,
      });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? "body";
      const errors = err.validation.map((v) => ({
        path: formatErrorPath(where, v.instancePath),
        message: v.message ?? "is invalid",
      }));
      const first = errors[0];
      return sendProblem(
        reply,
        400,
        "invalid_input",
        titles.invalid_input,
        first ? `${first.path}: ${first.message}` : "Invalid input.",
        {
          errors,
        },
      );
    }
    const status = typeof err.statusCode === "number" ? err.statusCode : 500;
    if (status >= 400 && status < 500) {
      // Framework errors: malformed JSON, unsupported content type, body too large...
      return sendCode(reply, codeOfFrameworkStatus[status] ?? "invalid_input", err.message);
    }
    const id = randomUUID();
    request.log.error({ err, errorId: id }, "unhandled error");
    return sendProblem(
      reply,
      500,
      "internal",
      "Internal error",
      `Something went wrong on our side (error id ${id}).`,
      {
        error_id: id,
      },
    );
  });

  // Every route's path and methods, to tell "no such path" (404) from "not with this method"
  // (405 with Allow). Only the not-found path consults it. The web app's catch-all is left out:
  // it answers GET for any path, which says nothing about other methods.
  const routes = FindMyWay({ ignoreTrailingSlash: true, maxParamLength: 200 });
  const methods = new Set<string>();
  app.addHook("onRoute", (route) => {
    if (route.url === "/*") return;
    for (const method of [route.method].flat()) {
      if (!routes.hasRoute(method as FindMyWay.HTTPMethod, route.url))
        routes.on(method as FindMyWay.HTTPMethod, route.url, () => {});
      methods.add(method);
    }
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "/";
    const allowed = [...methods].filter(
      (m) => m !== request.method && routes.find(m as FindMyWay.HTTPMethod, path),
    );
    if (allowed.length)
      return sendCode(
        reply.header("allow", allowed.join(", ")),
        "method_not_allowed",
        `${path} does not take ${request.method}; it takes ${allowed.join(", ")}.`,
      );
    return sendCode(reply, "not_found", `No route ${request.method} ${path}.`);
  });
}

import { randomUUID } from "node:crypto";
import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
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
  not_found: 404,
  version_conflict: 409,
  item_closed: 409,
  wrong_state: 409,
  meeting_required: 409,
  already_exists: 409,
  invalid_workflow: 422,
  criteria_not_met: 422,
  no_route: 422,
  not_a_member: 422,
  idempotency_key_reused: 422,
  idempotency_in_progress: 409,
  unavailable: 503,
};

const titles: Record<ErrorCode, string> = {
  invalid_input: "Invalid input",
  unauthenticated: "Not signed in",
  csrf_failed: "Request not allowed from a page",
  admin_only: "Admins only",
  not_your_team: "Not your team's move",
  not_on_path: "Team not on the item's path",
  not_found: "Not found",
  version_conflict: "Changed by someone else",
  item_closed: "Item is closed",
  wrong_state: "Not possible in this state",
  meeting_required: "Handoff meeting required",
  already_exists: "Already exists",
  invalid_workflow: "Invalid workflow definition",
  criteria_not_met: "Acceptance criteria not met",
  no_route: "No route matches",
  not_a_member: "Not a member of the team",
  idempotency_key_reused: "Idempotency key reused",
  idempotency_in_progress: "Request already in progress",
  unavailable: "Temporarily unavailable",
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
    .send({ type: `https://baton.dev/problems/${code}`, title, status, code, detail, ...extra });
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
      return sendProblem(reply, status, "invalid_input", titles.invalid_input, err.message);
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

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      404,
      "not_found",
      titles.not_found,
      `No route ${request.method} ${request.url.split("?")[0]}.`,
    ),
  );
}

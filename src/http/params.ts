import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { DomainError } from "../domain/errors.ts";
import { textProblem } from "../domain/text.ts";

/*
 * Numbers and text in paths and query strings. Both arrive as strings; `z.coerce.number()`
 * would read "", " 10", "0x10" and "1e3" as numbers and let 2147483648 through to an int4
 * column, so numbers here are plain decimal digits with explicit bounds.
 */

/** The largest PostgreSQL `int4`: the upper bound of every id or version a request can name. */
export const INT4_MAX = 2_147_483_647;

/** A whole number written as decimal digits (no sign, blanks, exponent or hex), min…max. */
export function intParam({ min, max = INT4_MAX }: { min: number; max?: number }) {
  return z
    .string()
    .regex(/^\d{1,10}$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, `must be a whole number from ${min} to ${max}`)
        .max(max, `must be a whole number from ${min} to ${max}`),
    );
}

/** A decimal number such as `3` or `0.5` (no sign, blanks or exponent), min…max. */
export function decimalParam({ min, max }: { min: number; max: number }) {
  const message = `must be a number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d{1,6}(\.\d{1,6})?$/, message)
    .transform(Number)
    .pipe(z.number().min(min, message).max(max, message));
}

function refuse(path: string, message: string): never {
  throw new DomainError("invalid_input", `${path}: ${message}`, {
    errors: [{ path, message }],
  });
}

/**
 * Refuses a request whose decoded path parameters or query string (names or values) hold text
 * PostgreSQL cannot store (a `%00`), whatever the route's schema says: a route without a query
 * schema must not pass one on either. O(length of the URL).
 */
export function refuseUnstorableUrl(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: (e?: Error) => void,
): void {
  // Only percent-encoding can put a NUL or a lone surrogate into a decoded URL (the HTTP parser
  // refuses raw control bytes), so the usual request pays one scan of its URL and no promise.
  if (!request.url.includes("%")) {
    done();
    return;
  }
  try {
    checkDecodedUrl(request);
  } catch (e) {
    done(e as Error);
    return;
  }
  done();
}

function checkDecodedUrl(request: FastifyRequest): void {
  for (const [name, value] of Object.entries((request.params ?? {}) as Record<string, unknown>)) {
    const problem = typeof value === "string" ? textProblem(value) : undefined;
    if (problem) refuse(`params.${name}`, problem);
  }
  for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    const nameProblem = textProblem(name);
    if (nameProblem) refuse(`query.${name}`, `name ${nameProblem}`);
    for (const v of Array.isArray(value) ? value : [value]) {
      const problem = typeof v === "string" ? textProblem(v) : undefined;
      if (problem) refuse(`query.${name}`, problem);
    }
  }
}

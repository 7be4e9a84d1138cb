import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DomainError } from "../domain/errors.ts";
import type { Engine } from "../engine/engine.ts";
import { asUnavailable } from "../engine/health.ts";
import type { IdempotentRun } from "../engine/idempotency.ts";

/*
 * `Idempotency-Key` on any authenticated POST: the first request under a key runs and its answer
 * (status, body, and the headers below) is stored in the same transaction as the request's
 * changes; a retry of the same request by the same user, on any node, within 24 hours gets that
 * answer again with `Idempotent-Replayed: true` and no second effect. An answer of 500 or above
 * rolls the request back and keeps nothing, so a retry runs again. Requests refused before they ran (malformed, unauthenticated, invalid body)
 * claim no key. Without the header nothing here touches the database.
 */

declare module "fastify" {
  interface FastifyRequest {
    /** The key this request holds while it runs (only with an Idempotency-Key header). */
    idempotency: IdempotentRun | null;
  }
}

/** The longest key accepted; keys are printable ASCII (a UUID is the usual choice). */
export const MAX_IDEMPOTENCY_KEY = 255;

/** Response headers given again with a replayed answer. */
const KEPT_HEADERS = ["content-type", "etag", "location", "content-disposition"] as const;

const printableAscii = /^[\x20-\x7e]+$/;

/** What tells a retry from another request under the same key: method, path and query, body. */
export function requestFingerprint(method: string, url: string, body: unknown): string {
  return createHash("sha256")
    .update(`${method} ${url}\n`)
    .update(typeof body === "string" ? body : JSON.stringify(body ?? null))
    .digest("hex");
}

function keyOf(request: FastifyRequest): string | undefined {
  const raw = request.headers["idempotency-key"];
  if (raw === undefined) return undefined;
  const key = Array.isArray(raw) ? undefined : raw.trim();
  if (!key || key.length > MAX_IDEMPOTENCY_KEY || !printableAscii.test(key))
    throw new DomainError(
      "invalid_input",
      `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY} printable ASCII characters, sent once.`,
      {
        errors: [
          {
            path: "headers.idempotency-key",
            message: "must be 1 to 255 printable ASCII characters",
          },
        ],
      },
    );
  return key;
}

/**
 * Adds the Idempotency-Key handling to the routes of `api` (after authentication). The hooks
 * are plain callbacks that return at once for a request without the header: the handoff path
 * pays a header lookup and no promise.
 */
export function registerIdempotency(api: FastifyInstance, engine: Engine): void {
  api.decorateRequest("idempotency", null);

  /** Gives up the key of a request that ended without an answer being stored. */
  const abandon = (request: FastifyRequest) => {
    const run = request.idempotency;
    if (!run) return;
    request.idempotency = null;
    void run.abort().catch(() => {});
  };

  /** Claims the key and opens the request's transaction, or answers at once (stored answer). */
  const begin = async (
    request: FastifyRequest,
    reply: FastifyReply,
    key: string,
  ): Promise<IdempotentRun | "answered" | null> => {
    const principal = request.principal;
    if (!principal) return null;
    try {
      const begun = await engine.idempotency.begin({
        userId: principal.user.id,
        key,
        fingerprint: requestFingerprint(request.method, request.url, request.body),
      });
      if ("claim" in begun) return await engine.idempotency.start(begun.claim);
      const { status, headers, body } = begun.replay;
      for (const [name, value] of Object.entries(headers)) reply.header(name, value);
      reply.code(status).header("idempotent-replayed", "true").send(body);
      return "answered";
    } catch (e) {
      if (e instanceof DomainError && e.code === "idempotency_in_progress")
        reply.header("retry-after", "1");
      throw e;
    }
  };

  // preHandler: after authentication and body validation, just before the route runs.
  api.addHook("preHandler", (request, reply, done) => {
    if (request.method !== "POST" || request.headers["idempotency-key"] === undefined)
      return done();
    let key: string | undefined;
    try {
      key = keyOf(request);
    } catch (e) {
      return done(e as Error);
    }
    if (key === undefined) return done();
    begin(request, reply, key).then(
      (run) => {
        // Answered here: done() is not called, the route does not run.
        if (run === "answered") return;
        if (run === null) return done();
        request.idempotency = run;
        // A request that ends without going through onSend (the client went away) gives its
        // key up. Listened for here rather than in onResponse/onRequestAbort hooks, which every
        // request without a key would pay for.
        reply.raw.once("close", () => abandon(request));
        // The route, and all it starts, runs inside the request's transaction.
        run.enter(() => done());
      },
      (e: Error) => done(e),
    );
  });

  api.addHook("onSend", (request, reply, payload, done) => {
    const run = request.idempotency;
    if (!run) return done(null, payload);
    request.idempotency = null;
    const body =
      typeof payload === "string" ? payload : Buffer.isBuffer(payload) ? payload.toString() : null;
    if (reply.statusCode >= 500 || body === null) {
      // Nothing of the request is kept: a retry runs it again.
      run.abort().then(
        () => done(null, payload),
        () => done(null, payload),
      );
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    // The request's changes and its answer commit together, before the answer leaves.
    run.finish({ status: reply.statusCode, headers, body }).then(
      () => done(null, payload),
      (e: unknown) => {
        request.log.error({ err: e }, "could not commit a request sent with an Idempotency-Key");
        const failed = commitFailure(e);
        reply.code(failed.status).type("application/problem+json");
        for (const [name, value] of Object.entries(failed.headers)) reply.header(name, value);
        done(null, JSON.stringify(failed.body));
      },
    );
  });
}

/**
 * The answer when a request's transaction could not commit. A lost database (it restarted, the
 * connection dropped) is a 503 to retry like any other, not a 500; either way the retry, under
 * the same key, replays the answer if the commit did happen after all, since the answer was in
 * the same transaction as the changes.
 */
export function commitFailure(e: unknown): {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
} {
  const lost = asUnavailable(e);
  if (lost) {
    const retryAfter = String(lost.details.retry_after ?? 1);
    return {
      status: 503,
      headers: { "retry-after": retryAfter },
      body: {
        type: "https://baton.dev/problems/unavailable",
        title: "Temporarily unavailable",
        status: 503,
        code: "unavailable",
        detail:
          "The database was lost while this request committed; retry it with the same Idempotency-Key.",
        retry_after: lost.details.retry_after,
      },
    };
  }
  return {
    status: 500,
    headers: {},
    body: {
      type: "https://baton.dev/problems/internal",
      title: "Internal error",
      status: 500,
      code: "internal",
      detail: "The request could not be committed; nothing changed. Retry it.",
    },
  };
}

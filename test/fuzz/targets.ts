import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { Client, errors } from "undici";
import type { Db } from "../../src/store/db.ts";
import { readFingerprint } from "./fingerprint.ts";
import { NoAnswer, Unsendable } from "./runner.ts";
import type { Send } from "./world.ts";

/* The two ways the fuzzer reaches a Baton: in-process (app.inject) and over HTTP. */

/**
 * Sends through `app.inject`, in the test's own process. `hardLimitMs` can only catch waiting,
 * not a busy loop: a request that spins the CPU blocks the test with it (the HTTP target, in
 * its own process, survives that).
 */
export function injectSend(app: FastifyInstance, hardLimitMs = 10_000): Send {
  return async (req) => {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new NoAnswer(`no answer within ${hardLimitMs} ms`)),
        hardLimitMs,
      );
    });
    try {
      const res = await Promise.race([
        app
          .inject({
            method: req.method as "GET",
            url: req.url,
            headers: req.headers,
            ...(req.body === undefined ? {} : { payload: req.body }),
          })
          .catch((e: Error) => {
            throw new Unsendable(e.message);
          }),
        limit,
      ]);
      return {
        status: res.statusCode,
        headers: res.headers as Record<string, string | string[] | undefined>,
        body: res.body,
        ms: performance.now() - started,
      };
    } finally {
      clearTimeout(timer);
    }
  };
}

/** The state fingerprint read through the engine's own pool. */
export function dbFingerprint(db: Db): () => Promise<string> {
  return () =>
    readFingerprint(
      async (text) => (await sql.raw<{ fingerprint: string }>(text).execute(db)).rows,
    );
}

/**
 * Sends over HTTP/1.1 to `origin`, the path exactly as generated (no URL normalisation, so
 * `%2e%2e` and `//` reach the server as they are). No answer within `hardLimitMs` is NoAnswer.
 */
export function httpSend(
  origin: string,
  hardLimitMs: number,
): { send: Send; close: () => Promise<void> } {
  let client = new Client(origin, { headersTimeout: hardLimitMs, bodyTimeout: hardLimitMs });
  const send: Send = async (req) => {
    const started = performance.now();
    try {
      const res = await client.request({
        path: req.url,
        method: req.method as "GET",
        headers: req.headers,
        ...(req.body === undefined ? {} : { body: req.body }),
      });
      const body = await res.body.text();
      return {
        status: res.statusCode,
        headers: res.headers as Record<string, string | string[] | undefined>,
        body,
        ms: performance.now() - started,
      };
    } catch (e) {
      if (e instanceof errors.InvalidArgumentError) throw new Unsendable(e.message);
      if (e instanceof errors.HeadersTimeoutError || e instanceof errors.BodyTimeoutError)
        throw new NoAnswer(`no answer within ${hardLimitMs} ms`);
      // The server closed the connection without an answer: a fresh connection for the next.
      await client.destroy().catch(() => {});
      client = new Client(origin, { headersTimeout: hardLimitMs, bodyTimeout: hardLimitMs });
      return {
        status: 599,
        headers: {},
        body: `connection failed without an answer: ${(e as Error).message}`,
        ms: performance.now() - started,
      };
    }
  };
  return { send, close: () => client.close() };
}

import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll } from "vitest";

/*
 * A webhook receiver as a subscriber would write one: a real HTTP server that verifies every
 * message with the `standardwebhooks` package and the subscription's secret, and drops
 * duplicates by `webhook-id`. `failWith` decides, per request, to answer an error instead.
 */

export interface Received {
  id: string;
  headers: Record<string, string>;
  body: string;
  /** What `Webhook.verify` returned (the parsed payload), or the error it threw. */
  verified: unknown;
  error: string | null;
  /** The status answered. */
  status: number;
  /** performance.now() when it arrived. */
  at: number;
}

export interface Receiver {
  url: string;
  /** Every request, in order of arrival (duplicates included). */
  requests: Received[];
  /** Distinct verified messages by webhook-id. */
  unique(): Map<string, Received>;
  /** Secrets to verify with (the receiver accepts a message any of them verifies). */
  secrets: string[];
  /** Answer this status instead of 204 (null: accept). */
  failWith: (r: IncomingMessage, n: number) => number | null;
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A receiver, listening. */
export async function startReceiver(): Promise<Receiver> {
  const { receiver, listen } = newReceiver();
  await listen();
  return receiver;
}

/** A receiver for one test file: listening from its beforeAll (its `url` is set then), closed after all. */
export function useReceiver(): Receiver {
  const { receiver, listen } = newReceiver();
  beforeAll(listen);
  afterAll(() => receiver.close());
  return receiver;
}

function newReceiver(): { receiver: Receiver; listen: () => Promise<void> } {
  const requests: Received[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const receiver: Receiver = {
    url: "",
    requests,
    secrets: [],
    failWith: () => null,
    unique() {
      const m = new Map<string, Received>();
      for (const r of requests) if (r.error === null && !m.has(r.id)) m.set(r.id, r);
      return m;
    },
    waitFor(n, timeoutMs = 10_000) {
      if (requests.length >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`receiver got ${requests.length} of ${n} requests`)),
          timeoutMs,
        );
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  let count = 0;
  const server: Server = createServer((req, res) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [
          k,
          Array.isArray(v) ? v.join(", ") : (v ?? ""),
        ]),
      );
      let verified: unknown = null;
      let error: string | null = "no secret verified it";
      for (const secret of receiver.secrets) {
        try {
          verified = new Webhook(secret).verify(body, headers);
          error = null;
          break;
        } catch (e) {
          error = (e as Error).message;
        }
      }
      const status = receiver.failWith(req, count++) ?? (error ? 400 : 204);
      requests.push({
        id: headers["webhook-id"] ?? "",
        headers,
        body,
        verified,
        error,
        status,
        at,
      });
      for (const w of waiters.filter((x) => requests.length >= x.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      res.statusCode = status;
      res.end(status >= 300 ? "receiver says no" : "");
    });
  });
  const listen = async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/baton`;
  };
  return { receiver, listen };
}

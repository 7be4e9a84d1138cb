import { startReceiver } from "../test/webhooks/receiver.ts";

/*
 * The benchmark's webhook receiver as a process of its own (as a subscriber's server is): the
 * test receiver (node:http, every message verified with the standardwebhooks package), told its
 * secret and failure share over IPC, reporting each request (id, status, verified or not, the
 * item's key, when it arrived on the wall clock in ms with fractions) every 20 ms.
 */

const rx = await startReceiver();
let failShare = 0;
process.on("message", (m: { secret?: string; failShare?: number; close?: boolean }) => {
  if (m.secret !== undefined) rx.secrets = [m.secret];
  if (m.failShare !== undefined) failShare = m.failShare;
  if (m.close) void rx.close().then(() => process.exit(0));
});
rx.failWith = () => (Math.random() < failShare ? 500 : null);
const flush = setInterval(() => {
  const batch = rx.requests.splice(0).map((r) => {
    let key: string | null = null;
    if (r.error === null)
      key = (r.verified as { data?: { item?: { key?: string } } }).data?.item?.key ?? null;
    return {
      id: r.id,
      status: r.status,
      ok: r.error === null,
      key,
      at: performance.timeOrigin + r.at,
    };
  });
  if (batch.length > 0) process.send?.({ batch });
}, 20);
flush.unref();
process.send?.({ url: rx.url });

import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import type { Pool } from "undici";
import { openApi, setUpTenant } from "./baton-load.ts";
import { type BatonProcess, startBatonProcess } from "./baton-server.ts";
import { type BenchDatabase, createBenchDatabase } from "./database.ts";
import { percentile } from "./timed-run.ts";

/*
 * `npm run bench` (last part): how long a handoff takes to reach the people it concerns, at a
 * sustained rate. Two Baton server processes share one PostgreSQL; handoffs are submitted on
 * node A at BENCH_NOTIFY_RATE per second (open loop: on a schedule, whatever the answers do);
 * the receiving team's member holds a live stream (SSE) on node B, and an SMTP server in this
 * process accepts the mails both nodes send. For every handoff after the warm-up it measures,
 * from the moment node A answered the submit (the commit happened before that answer):
 *
 *   (a) until its `notification` event arrived on the stream at node B (goal p99 ≤ 300 ms),
 *   (b) until its e-mail was accepted by the SMTP server (goal p99 ≤ 2 s).
 *
 * Both nodes run their workers (fan-out and deliveries), so the work is shared between them as
 * in production. The items are created beforehand, so the measured load is the handoffs alone.
 */

const GOAL_SSE_P99_MS = 300;
const GOAL_MAIL_P99_MS = 2_000;

function numberFrom(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value && Number.isFinite(n) && n > 0 ? n : fallback;
}

const env = process.env;
const adminUrl = env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
const rate = numberFrom(env.BENCH_NOTIFY_RATE, 200);
const seconds = numberFrom(env.BENCH_NOTIFY_SECONDS, 10);
const warmupSeconds = numberFrom(env.BENCH_NOTIFY_WARMUP_SECONDS, 2);

/** An SMTP server that notes when each item's mail arrived (by its X-Baton-Item header). */
async function startSmtp(): Promise<{
  url: string;
  arrived: Map<string, number>;
  close(): Promise<void>;
}> {
  const arrived = new Map<string, number>();
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    // Enough for both nodes' pools (4 connections each) and their reconnects.
    maxClients: 64,
    onData(stream, _session, callback) {
      let head = "";
      stream.on("data", (chunk: Buffer) => {
        if (head.length < 8_000) head += chunk.toString("latin1");
      });
      stream.on("end", () => {
        const key = /^X-Baton-Item: (\S+)/im.exec(head)?.[1];
        if (key && !arrived.has(key)) arrived.set(key, performance.now());
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    arrived,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Reads `notification` events of a stream, noting when each item's first one arrived. */
async function openStream(
  url: string,
  token: string,
  signal: AbortSignal,
): Promise<{ arrived: Map<string, number>; ready: Promise<void> }> {
  const arrived = new Map<string, number>();
  const res = await fetch(`${url}/api/v1/events/stream`, {
    headers: { authorization: `Bearer ${token}` },
    signal,
  });
  if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
  let markReady: () => void = () => {};
  const ready = new Promise<void>((r) => {
    markReady = r;
  });
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        const now = performance.now();
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (message.startsWith("event: ready")) markReady();
          if (message.startsWith("event: notification")) {
            const data = JSON.parse(message.slice(message.indexOf("data: ") + 6)) as {
              item: string;
              kind: string;
            };
            if (data.kind === "handoff.submitted" && !arrived.has(data.item))
              arrived.set(data.item, now);
          }
          end = buffer.indexOf("\n\n");
        }
      }
    } catch {
      // Aborted at the end.
    }
  })();
  return { arrived, ready };
}

async function post(api: Pool, path: string, token: string, body: unknown) {
  const res = await api.request({
    method: "POST",
    path: `/api/v1${path}`,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300)
    throw new Error(`${path}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
  return res.headers;
}

function summary(latencies: number[]) {
  const sorted = Float64Array.from(latencies).sort();
  return {
    count: sorted.length,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
  };
}

async function main(): Promise<void> {
  const abort = new AbortController();
  const adminToken = `bt_bench_${randomBytes(12).toString("hex")}`;
  let db: BenchDatabase | undefined;
  const nodes: BatonProcess[] = [];
  const smtp = await startSmtp();
  const apis: Pool[] = [];
  try {
    db = await createBenchDatabase(adminUrl);
    const serverEnv = {
      BATON_SMTP_URL: smtp.url,
      BATON_PUBLIC_URL: "https://baton.bench.local",
      BATON_MAIL_FROM: "Baton <baton@bench.local>",
    };
    // One after the other: both would migrate the fresh database at once otherwise (safe, but slower).
    for (let i = 0; i < 2; i++)
      nodes.push(
        await startBatonProcess({
          databaseUrl: db.url,
          adminToken,
          pool: undefined,
          env: serverEnv,
          signal: abort.signal,
        }),
      );
    const [a, b] = nodes as [BatonProcess, BatonProcess];
    const apiA = openApi(a.url, 64);
    apis.push(apiA);
    const users = await setUpTenant(apiA, adminToken);
    const total = Math.round(rate * (seconds + warmupSeconds));
    process.stdout.write(
      `Notifications: ${total} handoffs at ${rate}/s on node A, the receiver's stream on node B, mail to a local SMTP server…\n`,
    );
    // Items first, 32 at a time: the measured phase submits handoffs only.
    const keys: string[] = new Array(total);
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        for (let i = next++; i < total; i = next++) {
          const headers = await post(apiA, "/items", users.seller, {
            workflow: "bench",
            title: `Notify ${i}`,
          });
          const location = String(headers.location ?? "");
          keys[i] = location.slice(location.lastIndexOf("/") + 1);
        }
      }),
    );
    const stream = await openStream(b.url, users.implementer, abort.signal);
    await stream.ready;

    const answeredAt = new Map<string, number>();
    let errors = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const start = performance.now();
    const sends: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const key = keys[i] as string;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      sends.push(
        post(apiA, `/items/${key}/handoff`, users.seller, {}).then(
          () => {
            answeredAt.set(key, performance.now());
            inFlight--;
          },
          () => {
            errors++;
            inFlight--;
          },
        ),
      );
    }
    await Promise.all(sends);
    const sentSeconds = (performance.now() - start) / 1000;
    // Let the stragglers arrive (bounded).
    const deadline = performance.now() + 15_000;
    const measured = keys.slice(Math.round(rate * warmupSeconds));
    while (
      performance.now() < deadline &&
      measured.some((k) => !stream.arrived.has(k) || !smtp.arrived.has(k))
    )
      await new Promise((r) => setTimeout(r, 100));

    const sse: number[] = [];
    const mail: number[] = [];
    let missingSse = 0;
    let missingMail = 0;
    for (const k of measured) {
      const t = answeredAt.get(k);
      if (t === undefined) continue;
      const s = stream.arrived.get(k);
      const m = smtp.arrived.get(k);
      if (s === undefined) missingSse++;
      else sse.push(Math.max(0, s - t));
      if (m === undefined) missingMail++;
      else mail.push(Math.max(0, m - t));
    }
    const results = {
      rate,
      achievedRate: total / sentSeconds,
      handoffs: total,
      measured: measured.length,
      errors,
      maxInFlight,
      sse: { ...summary(sse), missing: missingSse, goalP99Ms: GOAL_SSE_P99_MS },
      mail: { ...summary(mail), missing: missingMail, goalP99Ms: GOAL_MAIL_P99_MS },
    };
    const line = (name: string, r: typeof results.sse) =>
      `${name.padEnd(34)} p50 ${r.p50Ms.toFixed(0).padStart(5)} ms   p99 ${r.p99Ms.toFixed(0).padStart(5)} ms   max ${r.maxMs.toFixed(0).padStart(5)} ms   (${r.count} measured, ${r.missing} missing; goal p99 ≤ ${r.goalP99Ms} ms)  ${r.p99Ms <= r.goalP99Ms && r.missing === 0 ? "ok" : "MISSED"}`;
    process.stdout.write(
      [
        `Submitted ${total} handoffs in ${sentSeconds.toFixed(1)} s (${results.achievedRate.toFixed(0)}/s, ${errors} errors, at most ${maxInFlight} in flight); the first ${warmupSeconds} s are warm-up.`,
        line("commit → SSE at the other node", results.sse),
        line("commit → e-mail accepted by SMTP", results.mail),
        "",
        "JSON:",
        JSON.stringify(results, null, 2),
        "",
      ].join("\n"),
    );
    if (errors > 0 || missingSse > 0 || missingMail > 0) process.exitCode = 1;
  } finally {
    abort.abort();
    await Promise.all(apis.map((p) => p.close()));
    await Promise.all(nodes.map((n) => n.stop()));
    await smtp.close();
    await db?.drop();
  }
}

await main();

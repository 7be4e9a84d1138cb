import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { toPrincipal } from "../src/engine/directory.ts";
import { createEngine, type Engine } from "../src/engine/engine.ts";
import { migrate, openDb } from "../src/store/db.ts";
import { createBenchDatabase } from "./database.ts";
import { percentile } from "./timed-run.ts";

/*
 * `npm run bench` (webhooks): one Baton engine in this process on a fresh database, its fan-out
 * and delivery workers running, and a webhook receiver on loopback, in a process of its own, that
 * verifies every message with the `standardwebhooks` package, as a subscriber would.
 *
 * 1. Latency: handoffs submitted at BENCH_WEBHOOK_RATE per second (open loop, on a schedule)
 *    for BENCH_WEBHOOK_SECONDS; for each, the time from the submit's answer (its commit
 *    happened before) to its verified message at the receiver. Goal: p99 ≤ 1 s.
 * 2. Throughput under failure: BENCH_WEBHOOK_MESSAGES handoffs are committed while the workers
 *    are stopped (the outbox fills up), then the workers start and a receiver that refuses 30 %
 *    of requests (HTTP 500, at random) gets them; retries back off from 20 ms. Measured: messages
 *    delivered per second until the last one arrived (goal ≥ 500/s), and that after dropping
 *    duplicates by `webhook-id` the receiver holds every message exactly once — the bench fails
 *    otherwise. The load generator shares the process with the workers, so the figures include
 *    its cost.
 */

const env = process.env;
const adminUrl = env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
const num = (v: string | undefined, d: number) => (v && Number(v) > 0 ? Number(v) : d);
const RATE = num(env.BENCH_WEBHOOK_RATE, 200);
const SECONDS = num(env.BENCH_WEBHOOK_SECONDS, 10);
const WARMUP = num(env.BENCH_WEBHOOK_WARMUP_SECONDS, 2);
const MESSAGES = num(env.BENCH_WEBHOOK_MESSAGES, 5_000);
/** Which parts run (both by default): BENCH_WEBHOOK_PARTS=latency or =throughput. */
const PARTS = (env.BENCH_WEBHOOK_PARTS ?? "latency,throughput").split(",");
const FAIL_SHARE = 0.3;
const GOAL_P99_MS = 1_000;
const GOAL_RATE = 500;

const workflow = `
key: bench
name: Bench
prefix: BN
steps:
  - {key: sell, team: sales, handoff: {to: build}}
  - {key: build, team: impl}
`;

interface Setup {
  engine: Engine;
  db: ReturnType<typeof openDb>;
  seller: ReturnType<typeof toPrincipal>;
}

async function setUp(url: string, pool: number): Promise<Setup> {
  const db = openDb(url, { max: pool });
  const engine = createEngine({
    db,
    url,
    webhooks: { allowPrivate: true },
    notify: { deliveryRetry: { baseMs: 20, maxMs: 200 }, maxAttempts: 50, pollMs: 50 },
    onError: (e) => console.error("background:", e),
  });
  return { engine, db, seller: toPrincipal(await engine.directory.getUser("sam@bench.local")) };
}

async function seed(url: string): Promise<void> {
  const db = openDb(url, { max: 2 });
  await migrate(db);
  const engine = createEngine({ db });
  const token = `bt_bench_${randomBytes(12).toString("hex")}`;
  await engine.directory.bootstrapAdmin(token);
  const admin = await engine.directory.authenticate(token);
  await engine.directory.createTeam(admin, { key: "sales", name: "Sales" });
  await engine.directory.createTeam(admin, { key: "impl", name: "Implementation" });
  await engine.directory.createUser(admin, {
    email: "sam@bench.local",
    name: "Sam",
    teams: [{ key: "sales", role: "member" }],
    isAdmin: false,
  });
  await engine.workflows.publish(admin, "bench", { source: workflow, format: "yaml" });
  await engine.close();
  await db.destroy();
}

/**
 * A subscription to the bench's handoffs, its secret given to the receiver. Returns its removal:
 * each phase has a receiver of its own, and a subscription left behind would send the next
 * phase's messages to a closed port too.
 */
async function subscribe(engine: Engine, receiver: Receiver): Promise<() => Promise<void>> {
  const admin = toPrincipal(await engine.directory.getUser("admin@baton.local"));
  const { row, secret } = await engine.webhooks.create(admin, {
    url: receiver.url,
    events: ["handoff.submitted"],
  });
  receiver.tell({ secret });
  return () => engine.webhooks.delete(admin, row.id);
}

/** Items to hand off, made `concurrency` at a time. */
async function makeItems({ engine, seller }: Setup, n: number): Promise<string[]> {
  const keys: string[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < n; i = next++)
        keys[i] = (
          await engine.items.create(seller, { workflow: "bench", title: `Bench ${i}` })
        ).item.key;
    }),
  );
  return keys;
}

/** Now on the wall clock in ms (with fractions), comparable across processes. */
const wallNow = () => performance.timeOrigin + performance.now();

/** One request as the receiver process reports it (see bench/webhook-receiver.ts). */
interface Arrival {
  id: string;
  status: number;
  /** Verified by standardwebhooks. */
  ok: boolean;
  key: string | null;
  at: number;
}

interface Receiver {
  url: string;
  /** Reports not yet taken, in order of arrival. */
  arrivals: Arrival[];
  tell(m: { secret?: string; failShare?: number }): void;
  close(): Promise<void>;
}

/** The receiver in a process of its own, so its HTTP and verification use another core. */
async function startReceiver(): Promise<Receiver> {
  const child = fork(join(import.meta.dirname, "webhook-receiver.ts"), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const arrivals: Arrival[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    child.on("message", (m: { url?: string; batch?: Arrival[] }) => {
      if (m.url) resolve(m.url);
      if (m.batch) arrivals.push(...m.batch);
    });
    child.once("exit", (code) => reject(new Error(`the receiver exited with ${code}`)));
  });
  return {
    url,
    arrivals,
    tell: (m) => child.send(m),
    close: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.send({ close: true });
      }),
  };
}

async function latency(
  url: string,
): Promise<{ p50: number; p99: number; max: number; count: number }> {
  const receiver = await startReceiver();
  const arrived = new Map<string, number>();
  const setup = await setUp(url, 10);
  let unsubscribe = async () => {};
  try {
    unsubscribe = await subscribe(setup.engine, receiver);
    const total = Math.round(RATE * (SECONDS + WARMUP));
    const keys = await makeItems(setup, total);
    setup.engine.startWorkers();
    const watch = setInterval(() => {
      for (const r of receiver.arrivals.splice(0)) {
        if (!r.ok || r.key === null) continue;
        if (!arrived.has(r.key)) arrived.set(r.key, r.at);
      }
    }, 5);
    const answered = new Map<string, number>();
    const start = performance.now();
    const sends: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const wait = start + (i * 1000) / RATE - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const key = keys[i] as string;
      sends.push(
        setup.engine.items.run(setup.seller, key, { type: "submit" }).then(() => {
          answered.set(key, wallNow());
        }),
      );
    }
    await Promise.all(sends);
    const deadline = performance.now() + 30_000;
    while (arrived.size < total && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    clearInterval(watch);
    const warm = new Set(keys.slice(0, Math.round(RATE * WARMUP)));
    const lat: number[] = [];
    for (const [key, at] of answered) {
      if (warm.has(key)) continue;
      const got = arrived.get(key);
      lat.push(got === undefined ? Number.POSITIVE_INFINITY : got - at);
    }
    const sorted = Float64Array.from(lat).sort();
    return {
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      max: sorted[sorted.length - 1] ?? Number.NaN,
      count: sorted.length,
    };
  } finally {
    await unsubscribe();
    await setup.engine.close();
    await setup.db.destroy();
    await receiver.close();
  }
}

async function throughput(url: string): Promise<{
  delivered: number;
  expected: number;
  requests: number;
  refused: number;
  duplicates: number;
  missing: number;
  extra: number;
  perSecond: number;
  seconds: number;
}> {
  const receiver = await startReceiver();
  const setup = await setUp(url, 10);
  let unsubscribe = async () => {};
  try {
    unsubscribe = await subscribe(setup.engine, receiver);
    receiver.tell({ failShare: FAIL_SHARE });
    const keys = await makeItems(setup, MESSAGES);
    // Committed with the workers stopped: the outbox holds every message when they start.
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = next++; i < keys.length; i = next++)
          await setup.engine.items.run(setup.seller, keys[i] as string, { type: "submit" });
      }),
    );
    const expected = new Set(keys);
    const start = wallNow();
    setup.engine.startWorkers();
    const seen = new Map<string, number>(); // webhook-id → accepted deliveries of it
    const keyOfId = new Map<string, string>();
    let requests = 0;
    let refused = 0;
    let last = start;
    const deadline = start + 120_000;
    while (wallNow() < deadline) {
      for (const r of receiver.arrivals.splice(0)) {
        requests++;
        if (!r.ok || r.status >= 300) {
          refused++;
          continue;
        }
        seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
        keyOfId.set(r.id, r.key ?? "");
        last = Math.max(last, r.at);
      }
      if (seen.size >= expected.size) break;
      await new Promise((res) => setTimeout(res, 10));
    }
    const deliveredKeys = new Set(keyOfId.values());
    const missing = [...expected].filter((k) => !deliveredKeys.has(k)).length;
    const extra = [...deliveredKeys].filter((k) => !expected.has(k)).length;
    const duplicates = [...seen.values()].reduce((a, n) => a + (n - 1), 0);
    const seconds = (last - start) / 1000;
    return {
      delivered: seen.size,
      expected: expected.size,
      requests,
      refused,
      duplicates,
      missing,
      extra,
      perSecond: seen.size / seconds,
      seconds,
    };
  } finally {
    await unsubscribe();
    await setup.engine.close();
    await setup.db.destroy();
    await receiver.close();
  }
}

async function main(): Promise<void> {
  const database = await createBenchDatabase(adminUrl);
  let failed = false;
  try {
    await seed(database.url);
    if (PARTS.includes("latency")) {
      console.log(
        `Webhooks: ${RATE} handoffs/s for ${SECONDS} s (+${WARMUP} s warm-up) to a loopback receiver…`,
      );
      const l = await latency(database.url);
      const fine = l.p99 <= GOAL_P99_MS;
      console.log(
        `  commit → verified webhook  p50 ${l.p50.toFixed(0)} ms, p99 ${l.p99.toFixed(0)} ms, max ${l.max.toFixed(0)} ms over ${l.count} handoffs (goal p99 ≤ ${GOAL_P99_MS} ms: ${fine ? "met" : "MISSED"})`,
      );
    }
    if (PARTS.includes("throughput")) {
      console.log(
        `Webhooks: ${MESSAGES} messages from a full outbox to a receiver refusing ${FAIL_SHARE * 100} % of requests…`,
      );
      const t = await throughput(database.url);
      const exact = t.missing === 0 && t.extra === 0 && t.delivered === t.expected;
      console.log(
        `  delivered ${t.delivered} of ${t.expected} in ${t.seconds.toFixed(2)} s: ${t.perSecond.toFixed(0)} messages/s (goal ≥ ${GOAL_RATE}/s: ${t.perSecond >= GOAL_RATE ? "met" : "MISSED"})
  requests ${t.requests}, refused by the receiver ${t.refused} (${((100 * t.refused) / Math.max(1, t.requests)).toFixed(1)} %), duplicates dropped by webhook-id ${t.duplicates}
  exactly once after dedupe: ${exact ? "yes" : `NO (missing ${t.missing}, unexpected ${t.extra})`}`,
      );
      if (!exact) failed = true;
    }
  } finally {
    await database.drop();
  }
  if (failed) process.exitCode = 1;
}

await main();

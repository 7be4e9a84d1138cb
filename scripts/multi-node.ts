/*
 * Several Baton nodes on one PostgreSQL, one of them killed mid-run (`npm run multinode`):
 *
 * 1. Creates a database on the server at DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test),
 *    starts three `baton serve` processes on it at once (they migrate under the migrator's lock).
 * 2. Puts a batch of items in front of a short service level (accept within 12 s of wall time:
 *    a warning at 9 s, a breach at 12 s): two timers per item, which must each fire exactly once
 *    across the nodes.
 * 3. Runs handoff cycles (create → submit → accept) from concurrent clients, round-robin over the
 *    nodes. Every POST carries an Idempotency-Key; a client whose node fails retries the same
 *    request on the next node with the same key, as a client behind a load balancer would.
 * 4. SIGKILLs one node while the timers fire and the load runs.
 * 5. Checks that every acknowledged transition is in the event log exactly once, and that every
 *    timer fired exactly once (a timer claimed by the killed node is taken over when its lease
 *    runs out, 60 s). Prints the figures; exits 1 if a check fails.
 *
 * Bounded: settings MULTINODE_CLIENTS, MULTINODE_LOAD_SECONDS, MULTINODE_TIMER_ITEMS,
 * MULTINODE_KILL_AT_SECONDS; the whole run gives up after MULTINODE_DEADLINE_SECONDS (150).
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { type BatonProcess, startBatonProcess } from "../bench/baton-server.ts";
import { createBenchDatabase, withClient } from "../bench/database.ts";

const env = process.env;
const adminUrl = env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const NODES = 3;
const CLIENTS = Number(env.MULTINODE_CLIENTS ?? 12);
const LOAD_S = Number(env.MULTINODE_LOAD_SECONDS ?? 20);
const TIMER_ITEMS = Number(env.MULTINODE_TIMER_ITEMS ?? 200);
const KILL_AT_S = Number(env.MULTINODE_KILL_AT_SECONDS ?? 11);
const DEADLINE_S = Number(env.MULTINODE_DEADLINE_SECONDS ?? 150);
const ADMIN_TOKEN = `bt_multinode_${process.pid}_admin_token`;

const LOAD_YAML = `key: load
name: Load
prefix: LD
steps:
  - key: sell
    team: sales
    handoff: {to: implement}
  - key: implement
    team: implementation
`;
// 0.2 minutes of wall time = 12 s: warning at 75 % (9 s), breach at 12 s.
const SLA_YAML = `key: sla
name: Short service level
prefix: SL
steps:
  - key: sell
    team: sales
    handoff:
      to: implement
      accept_within: 0.2m wall
  - key: implement
    team: implementation
`;

/** A transition a client was told succeeded: the event must be at `seq` of the item's log. */
interface Ack {
  key: string;
  seq: number;
  type: string;
}

/** The parts of an answer the script reads. */
interface Answer {
  status: number;
  json: { key: string; version: number; token: string; code?: string } | null;
}

const started = Date.now();
const elapsed = () => ((Date.now() - started) / 1000).toFixed(1);
const log = (m: string) => console.log(`[${elapsed().padStart(5)} s] ${m}`);

let nodes: BatonProcess[] = [];
const dead = new Set<number>();
let turn = 0;
const stats = { requests: 0, failovers: 0, inProgressWaits: 0, replays: 0 };

/** A POST (or other call) answered by some live node: round-robin, failing over on errors. */
async function call(
  method: string,
  path: string,
  token: string,
  body?: unknown,
  { contentType = "application/json", idempotent = method === "POST" } = {},
): Promise<Answer> {
  const key = idempotent ? randomUUID() : undefined;
  const payload =
    body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  const giveUp = Date.now() + 90_000;
  let node = turn++ % NODES;
  for (;;) {
    if (Date.now() > giveUp) throw new Error(`${method} ${path}: no answer within 90 s`);
    while (dead.has(node)) node = (node + 1) % NODES;
    const target = nodes[node] as BatonProcess;
    stats.requests++;
    try {
      const res = await fetch(`${target.url}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload === undefined ? {} : { "content-type": contentType }),
          ...(key ? { "idempotency-key": key } : {}),
        },
        ...(payload === undefined ? {} : { body: payload }),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      const json = text ? JSON.parse(text) : null;
      if (res.status === 409 && json?.code === "idempotency_in_progress") {
        // The first try is still running, or died with its node: ask again (same key).
        stats.inProgressWaits++;
        await sleep(1_000);
        continue;
      }
      if (res.headers.get("idempotent-replayed")) stats.replays++;
      return { status: res.status, json };
    } catch {
      // The node is gone (or the request timed out): the same request goes to the next node.
      stats.failovers++;
      node = (node + 1) % NODES;
      await sleep(50);
    }
  }
}

async function expectOk(
  what: string,
  r: Promise<Answer>,
): Promise<{ status: number; json: NonNullable<Answer["json"]> }> {
  const res = await r;
  if (res.status >= 300 || !res.json)
    throw new Error(`${what}: ${res.status} ${JSON.stringify(res.json)}`);
  return { status: res.status, json: res.json };
}

async function setUp(): Promise<{ seller: string; implementer: string }> {
  const admin = (method: string, path: string, body: unknown) =>
    expectOk(`${method} ${path}`, call(method, path, ADMIN_TOKEN, body));
  for (const key of ["sales", "implementation"]) await admin("POST", "/teams", { key, name: key });
  const token = async (email: string, team: string) => {
    await admin("POST", "/users", { email, name: email.split("@")[0], teams: [team] });
    return (await admin("POST", `/users/${email}/tokens`, { name: "multinode" })).json
      .token as string;
  };
  const seller = await token("seller@multinode.local", "sales");
  const implementer = await token("implementer@multinode.local", "implementation");
  for (const [key, yaml] of [
    ["load", LOAD_YAML],
    ["sla", SLA_YAML],
  ] as const)
    await expectOk(
      `publish ${key}`,
      call("PUT", `/workflows/${key}`, ADMIN_TOKEN, yaml, { contentType: "application/yaml" }),
    );
  return { seller, implementer };
}

async function main(): Promise<void> {
  const database = await createBenchDatabase(adminUrl);
  const abort = new AbortController();
  const deadline = setTimeout(() => {
    console.error(`Gave up after ${DEADLINE_S} s.`);
    abort.abort();
    process.exitCode = 1;
  }, DEADLINE_S * 1000);
  try {
    log(`database ${database.name}; starting ${NODES} nodes at once…`);
    nodes = await Promise.all(
      Array.from({ length: NODES }, () =>
        startBatonProcess({
          databaseUrl: database.url,
          adminToken: ADMIN_TOKEN,
          pool: 6,
          signal: abort.signal,
        }),
      ),
    );
    log(`nodes up: ${nodes.map((n) => `${n.url} (pid ${n.pid})`).join(", ")}`);
    const users = await setUp();
    const acks: Ack[] = [];

    // Items waiting for acceptance under the short service level: 2 timers each.
    const slaKeys: string[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async (_, c) => {
        for (let i = c; i < TIMER_ITEMS; i += 8) {
          const created = await expectOk(
            "create sla item",
            call("POST", "/items", users.seller, { workflow: "sla", title: `SLA ${i}` }),
          );
          const key = created.json?.key as string;
          acks.push({ key, seq: Number(created.json?.version), type: "item.created" });
          const sent = await expectOk(
            "submit sla item",
            call("POST", `/items/${key}/handoff`, users.seller, {}),
          );
          acks.push({ key, seq: Number(sent.json?.version), type: "handoff.submitted" });
          slaKeys.push(key);
        }
      }),
    );
    const slaStartedAt = Date.now();
    log(`${slaKeys.length} items wait for acceptance: ${slaKeys.length * 2} timers due in 9–12 s`);

    // The load, and the kill in the middle of it.
    const killAt = slaStartedAt + KILL_AT_S * 1000;
    const loadUntil = Date.now() + LOAD_S * 1000;
    let victim: BatonProcess | undefined;
    const killer = (async () => {
      await sleep(Math.max(0, killAt - Date.now()));
      victim = nodes[1] as BatonProcess;
      process.kill(victim.pid, "SIGKILL");
      dead.add(1);
      log(`SIGKILL node 2 (pid ${victim.pid})`);
    })();
    let cycles = 0;
    let refused = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        for (let n = 0; Date.now() < loadUntil; n++) {
          const created = await call("POST", "/items", users.seller, {
            workflow: "load",
            title: `c${c} n${n}`,
          });
          if (created.status !== 201) {
            refused++;
            continue;
          }
          const key = created.json?.key as string;
          acks.push({ key, seq: Number(created.json?.version), type: "item.created" });
          const sent = await call("POST", `/items/${key}/handoff`, users.seller, {});
          if (sent.status !== 200) {
            refused++;
            continue;
          }
          acks.push({ key, seq: Number(sent.json?.version), type: "handoff.submitted" });
          const accepted = await call("POST", `/items/${key}/accept`, users.implementer, {});
          if (accepted.status !== 200) {
            refused++;
            continue;
          }
          acks.push({ key, seq: Number(accepted.json?.version), type: "handoff.accepted" });
          cycles++;
        }
      }),
    );
    await killer;
    log(`load done: ${cycles} cycles, ${acks.length} acknowledged transitions, ${refused} refused`);

    // Every timer fires, on the nodes left (the victim's claims after their 60 s lease). Stall
    // timers (days away: an idle item stalls after 3 business days) are not part of this run.
    const url = database.url;
    for (;;) {
      const pending = await withClient(url, async (c) =>
        Number(
          (
            await c.query(
              "select count(*) as n from timers where fired_at is null and key not like 'stall:%'",
            )
          ).rows[0].n,
        ),
      );
      if (pending === 0) break;
      abort.signal.throwIfAborted();
      await sleep(1_000);
    }
    log("every timer fired");

    const result = await withClient(url, async (c) => {
      // Acknowledged transitions missing from the log (none may be).
      const { rows: missing } = await c.query(
        `select a.key, a.seq, a.type from jsonb_to_recordset($1::jsonb) as a(key text, seq int, type text)
          left join items i on i.key = a.key
          left join events e on e.item_id = i.id and e.seq = a.seq and e.type = a.type
          where e.item_id is null`,
        [JSON.stringify(acks)],
      );
      // A transition recorded twice (a retry that ran again): items created twice per title,
      // submissions or acceptances twice per item of the load.
      const { rows: dupTitles } = await c.query(
        `select doc->>'title' as title, count(*) as n from items group by 1 having count(*) > 1`,
      );
      const { rows: dupEvents } = await c.query(
        `select i.key, e.type, count(*) as n from events e join items i on i.id = e.item_id
          where i.workflow_key = 'load' and e.type in ('handoff.submitted', 'handoff.accepted')
          group by 1, 2 having count(*) > 1`,
      );
      const { rows: sla } = await c.query(
        `select e.type, count(*) as n, count(distinct e.item_id) as items from events e
          join items i on i.id = e.item_id where i.workflow_key = 'sla' and e.type like 'sla.%'
          group by 1`,
      );
      const { rows: timers } = await c.query(
        `select count(*) as n, count(*) filter (where fired_at is null) as unfired from timers t
          join items i on i.id = t.item_id where i.workflow_key = 'sla' and t.key not like 'stall:%'`,
      );
      const { rows: byNode } = await c.query(`select count(*) as events from events`);
      return { missing, dupTitles, dupEvents, sla, timers: timers[0], events: byNode[0].events };
    });
    const warned = result.sla.find((r) => r.type === "sla.warning");
    const breached = result.sla.find((r) => r.type === "sla.breached");
    const onceEach =
      Number(warned?.n) === slaKeys.length &&
      Number(warned?.items) === slaKeys.length &&
      Number(breached?.n) === slaKeys.length &&
      Number(breached?.items) === slaKeys.length;
    const ok =
      result.missing.length === 0 &&
      result.dupTitles.length === 0 &&
      result.dupEvents.length === 0 &&
      onceEach;
    console.log(`
Multi-node run: ${NODES} nodes (baton serve) on one PostgreSQL, ${CLIENTS} clients round-robin, node 2 SIGKILLed at ${KILL_AT_S} s
  load                      ${cycles} handoff cycles in ${LOAD_S} s, ${acks.length} acknowledged transitions, ${refused} refused
  requests                  ${stats.requests} sent, ${stats.failovers} failed over to another node, ${stats.replays} answered from an Idempotency-Key, ${stats.inProgressWaits} waits on a key still in flight
  acknowledged but lost     ${result.missing.length}${result.missing.length ? `  ${JSON.stringify(result.missing.slice(0, 5))}` : ""}
  recorded twice            ${result.dupTitles.length + result.dupEvents.length}${result.dupTitles.length + result.dupEvents.length ? `  ${JSON.stringify([...result.dupTitles, ...result.dupEvents].slice(0, 5))}` : ""}
  timers                    ${result.timers.n} on ${slaKeys.length} items, ${result.timers.unfired} unfired
  sla.warning               ${warned?.n ?? 0} on ${warned?.items ?? 0} items
  sla.breached              ${breached?.n ?? 0} on ${breached?.items ?? 0} items
  each timer fired once     ${onceEach ? "yes" : "NO"}
  result                    ${ok ? "PASS" : "FAIL"}   (${elapsed()} s in all)
`);
    if (!ok) process.exitCode = 1;
  } finally {
    clearTimeout(deadline);
    await Promise.all(nodes.map((n) => n.stop().catch(() => {})));
    await database.drop();
  }
}

await main();

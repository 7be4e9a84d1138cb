import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { replay } from "../src/domain/item.ts";
import { openDb } from "../src/store/db.ts";
import { findItem, listEvents } from "../src/store/items.ts";
import {
  embeddedUrl,
  postmasterPid,
  type Served,
  startServe,
  stopServe,
} from "../test/serve/serve-process.ts";

/*
 * The crash script: several clients move items through a two-team workflow over HTTP (create,
 * hand off, accept or reject, complete) against a real `baton serve` on the embedded
 * PostgreSQL, while Baton is killed with SIGKILL at random moments and restarted, then (a
 * separate phase) its PostgreSQL is killed with SIGKILL and Baton must bring it back by itself.
 * Half the clients re-read an item after a request whose outcome they could not know; the other
 * half send an Idempotency-Key and repeat such a request under it until they get an answer.
 * Afterwards, straight from the database:
 *
 * - lost: an acknowledged transition (a 2xx a client received) whose event is not in the log
 *   at the version the answer gave, or fewer events of a kind on an item than were acknowledged;
 * - duplicated: more events of a kind on an item than were acknowledged plus those whose
 *   outcome the client could not know (cut off by a kill), a transition's unique text found
 *   twice, two acknowledgements naming the same event;
 * - projection mismatches: an item whose stored row differs from the replay of its events, or
 *   whose events are not numbered 1..version.
 *
 * `npm run crash -- --clients 8 --node-kills 5 --db-kills 5`; a small run is part of `npm test`
 * (test/serve/crash.int.test.ts). Exits 1 if anything was lost, duplicated or mismatched.
 */

/** How big a run is. */
export interface CrashOptions {
  /** Concurrent clients, each moving its own items. */
  clients: number;
  /** SIGKILLs of the Baton process (each followed by a restart). */
  nodeKills: number;
  /** SIGKILLs of the embedded PostgreSQL (Baton restarts it). */
  dbKills: number;
  /** Load between two kills, at random in [min, max] ms once Baton is ready again. */
  minLoadMs: number;
  maxLoadMs: number;
  /** Whole run, set-up and checks included; kills stop early to stay within it. */
  maxSeconds: number;
  seed: number;
  log: (line: string) => void;
}

/** What a run found. lost, duplicated, mismatches and unexpected5xx must all be 0. */
export interface CrashReport {
  acknowledged: number;
  /** Requests whose outcome a client could not know (a kill cut them off, or a 503). */
  inDoubt: number;
  refused: number;
  /** Requests sent again under their Idempotency-Key after an unknown outcome. */
  retriedWithKey: number;
  /** Acknowledgements that were a replay of a first answer (the first run had committed). */
  replayed: number;
  /** Requests refused at connect while Baton was down (never sent, so never applied). */
  notSent: number;
  nodeKills: number;
  dbKills: number;
  /** 503 answers seen by clients (the database restarting). */
  unavailable: number;
  /** Requests that failed at the socket (Baton down or killed mid-request). */
  connectionErrors: number;
  /** Answers of 500 and above other than 503: each is a bug. */
  unexpected5xx: number;
  items: number;
  events: number;
  lost: number;
  duplicated: number;
  /** Transitions in the log that no request can explain (e.g. one that was never sent). */
  unexplained: number;
  mismatches: number;
  seconds: number;
  /** Details of the first problems found, for the report. */
  problems: string[];
}

export const defaultCrashOptions: CrashOptions = {
  clients: 8,
  nodeKills: 5,
  dbKills: 5,
  minLoadMs: 1_000,
  maxLoadMs: 4_000,
  maxSeconds: 300,
  seed: Date.now() % 1_000_000,
  log: (line) => console.log(line),
};

const ADMIN_TOKEN = "bt_crash_admin_token_0123456789";

const WORKFLOW = `
key: crash
name: Crash test
prefix: CR
steps:
  - key: draft
    team: alpha
    handoff:
      to: check
  - key: check
    team: beta
`;

type Kind = "create" | "submit" | "accept" | "reject" | "complete";

/** The event each command appends (one each). */
const eventOf: Record<Kind, string> = {
  create: "item.created",
  submit: "handoff.submitted",
  accept: "handoff.accepted",
  reject: "handoff.rejected",
  complete: "item.completed",
};

/** A transition a client saw acknowledged: its event must be at `version` in the item's log. */
interface Ack {
  kind: Kind;
  key: string;
  version: number;
  /** Text unique to this request (title, note, comment), if the command carries one. */
  text: string | null;
}

/** A request whose outcome is unknown: it may have been applied once, never twice. */
interface Doubt {
  kind: Kind;
  key: string | null;
  text: string | null;
}

/** A small seeded generator (mulberry32), so a run's random choices can be repeated. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject()));
    });
  });
}

/** The part of an item's JSON the clients read. */
interface ItemJson {
  key: string;
  version: number;
  state: string;
  step: string;
}

type Outcome =
  | { outcome: "ok"; body: ItemJson }
  | { outcome: "refused"; status: number; body: unknown }
  | { outcome: "doubt" };

/** Runs the crash script once and returns its figures. */
export async function runCrash(options: Partial<CrashOptions> = {}): Promise<CrashReport> {
  const started = Date.now();
  const o = { ...defaultCrashOptions, ...options };
  const say = (line: string) =>
    o.log(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s ${line}`);
  const rnd = random(o.seed);
  const deadline = started + o.maxSeconds * 1000;
  const dataDir = await mkdtemp(join(tmpdir(), "baton-crash-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const report: CrashReport = {
    acknowledged: 0,
    inDoubt: 0,
    refused: 0,
    retriedWithKey: 0,
    replayed: 0,
    notSent: 0,
    nodeKills: 0,
    dbKills: 0,
    unavailable: 0,
    connectionErrors: 0,
    unexpected5xx: 0,
    items: 0,
    events: 0,
    lost: 0,
    duplicated: 0,
    unexplained: 0,
    mismatches: 0,
    seconds: 0,
    problems: [],
  };
  const acks: Ack[] = [];
  const doubts: Doubt[] = [];
  const problem = (p: string) => {
    if (report.problems.length < 20) report.problems.push(p);
  };
  const start = () =>
    startServe({
      dataDir,
      port,
      env: { BATON_ADMIN_TOKEN: ADMIN_TOKEN, HOST: "127.0.0.1" },
    });
  let served: Served | undefined = await start();
  say(`Baton is running at ${url}`);
  let stopping = false;

  const request = async (
    token: string,
    method: string,
    path: string,
    body?: unknown,
    idempotencyKey?: string,
    // biome-ignore lint/suspicious/noExplicitAny: answers of several shapes, read where used.
  ): Promise<{ status: number; body: any; replayed: boolean } | null> => {
    try {
      const res = await fetch(`${url}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}),
          ...(body === undefined
            ? {}
            : {
                "content-type": typeof body === "string" ? "application/yaml" : "application/json",
              }),
        },
        ...(body === undefined
          ? {}
          : { body: typeof body === "string" ? body : JSON.stringify(body) }),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      return {
        status: res.status,
        body: text ? JSON.parse(text) : null,
        replayed: res.headers.get("idempotent-replayed") === "true",
      };
    } catch (e) {
      report.connectionErrors++;
      // Refused at connect: the request never left, so it certainly changed nothing.
      const code = (e as { cause?: { code?: unknown } }).cause?.code;
      return code === "ECONNREFUSED" ? { status: 0, body: null, replayed: false } : null;
    }
  };

  /**
   * A command by a client: a 2xx is an acknowledged transition, recorded for the check. With
   * `withKey` it carries an Idempotency-Key and a request whose outcome is unknown is sent again
   * under the same key until it gets a real answer, as an integrator's client would: that
   * answer (the first one, replayed, if the first run committed) is then the acknowledgement.
   */
  const send = async (
    token: string,
    kind: Kind,
    path: string,
    body: unknown,
    key: string | null,
    text: string | null,
    withKey: boolean,
  ): Promise<Outcome> => {
    const idempotencyKey = withKey ? randomUUID() : undefined;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) {
        report.retriedWithKey++;
        await sleep(50 + rnd() * 150);
      }
      const res = await request(token, "POST", path, body, idempotencyKey);
      if (res && res.status >= 200 && res.status < 300) {
        acks.push({ kind, key: res.body.key, version: res.body.version, text });
        report.acknowledged++;
        if (res.replayed) report.replayed++;
        return { outcome: "ok", body: res.body };
      }
      if (res?.status === 0) {
        report.notSent++;
        if (idempotencyKey && !stopping) continue;
        return { outcome: "refused", status: 0, body: null };
      }
      if (res && res.status < 500) {
        // The first run under this key still holds it (its node may be dying): ask again.
        if (idempotencyKey && res.body?.code === "idempotency_in_progress" && !stopping) continue;
        report.refused++;
        if (idempotencyKey && attempt > 0)
          problem(`${kind} ${key ?? text}: ${res.status} ${res.body?.code} on a retry`);
        return { outcome: "refused", status: res.status, body: res.body };
      }
      if (res?.status === 503) report.unavailable++;
      else if (res) {
        report.unexpected5xx++;
        problem(`${kind} ${key ?? ""}: ${res.status} ${JSON.stringify(res.body)}`);
      }
      if (idempotencyKey && !stopping) continue;
      doubts.push({ kind, key, text });
      report.inDoubt++;
      return { outcome: "doubt" };
    }
  };

  /** The item as Baton has it now, asked until it answers (null once the run is stopping). */
  const fetchItem = async (token: string, key: string): Promise<ItemJson | null> => {
    while (!stopping) {
      const res = await request(token, "GET", `/items/${key}`);
      if (res?.status === 200) return res.body;
      if (res && res.status > 0 && res.status < 500) throw new Error(`GET ${key}: ${res.status}`);
      await sleep(50 + rnd() * 100);
    }
    return null;
  };

  try {
    // Set-up: two teams, one person in each, the workflow.
    const admin = (method: string, path: string, body?: unknown) =>
      request(ADMIN_TOKEN, method, path, body);
    for (const key of ["alpha", "beta"])
      await admin("POST", "/teams", { key, name: key[0]?.toUpperCase() + key.slice(1) });
    const tokens: Record<string, string> = {};
    for (const team of ["alpha", "beta"]) {
      const email = `${team}@crash.test`;
      await admin("POST", "/users", { email, name: team, teams: [team] });
      const t = await admin("POST", `/users/${email}/tokens`, {});
      if (t?.status !== 201) throw new Error(`no token for ${email}: ${JSON.stringify(t)}`);
      tokens[team] = t.body.token;
    }
    const published = await admin("PUT", "/workflows/crash", WORKFLOW);
    if (!published || published.status >= 300)
      throw new Error(`workflow: ${JSON.stringify(published)}`);
    const alpha = tokens.alpha as string;
    const beta = tokens.beta as string;

    /** One client: items one after another, each moved until done (or the run stops). */
    const client = async (id: number) => {
      // Every other client sends Idempotency-Keys and retries what it could not know.
      const withKey = id % 2 === 1;
      for (let n = 0; !stopping; n++) {
        const title = `c${id}-${n}-${randomBytes(4).toString("hex")}`;
        const created = await send(
          alpha,
          "create",
          "/items",
          { workflow: "crash", title },
          null,
          title,
          withKey,
        );
        if (created.outcome !== "ok") {
          await sleep(50 + rnd() * 150);
          continue; // in doubt: the check makes sure it exists at most once
        }
        let item: ItemJson | null = created.body;
        let rejects = 0;
        for (let step = 0; !stopping && item && item.state !== "done"; step++) {
          const key = item.key as string;
          let result: Outcome;
          if (item.state === "in_progress" && item.step === "draft") {
            const note = `${title} submit ${step}`;
            result = await send(
              alpha,
              "submit",
              `/items/${key}/handoff`,
              { note },
              key,
              note,
              withKey,
            );
          } else if (item.state === "awaiting_acceptance" && rejects < 2 && rnd() < 0.3) {
            rejects++;
            const comment = `${title} reject ${step}`;
            result = await send(
              beta,
              "reject",
              `/items/${key}/reject`,
              { reason: "incomplete", comment },
              key,
              comment,
              withKey,
            );
          } else if (item.state === "awaiting_acceptance") {
            result = await send(
              beta,
              "accept",
              `/items/${key}/accept`,
              undefined,
              key,
              null,
              withKey,
            );
          } else if (item.state === "in_progress" && item.step === "check") {
            result = await send(
              beta,
              "complete",
              `/items/${key}/complete`,
              undefined,
              key,
              null,
              withKey,
            );
          } else throw new Error(`unexpected state of ${key}: ${item.state} at ${item.step}`);
          if (result.outcome === "ok") item = result.body;
          else {
            // Refused or in doubt: decide the next move on the item as it is now.
            await sleep(20 + rnd() * 80);
            item = await fetchItem(alpha, key);
          }
        }
      }
    };

    const ready = async () => {
      while (Date.now() < deadline) {
        try {
          if ((await fetch(`${url}/readyz`)).status === 200) return;
        } catch {
          // down
        }
        await sleep(50);
      }
      throw new Error("Baton did not become ready again in time");
    };
    const loadFor = () => sleep(o.minLoadMs + rnd() * (o.maxLoadMs - o.minLoadMs));
    // Room kept at the end for the last load, stopping and the checks.
    const timeLeft = () => deadline - Date.now() > 8_000 + o.maxLoadMs;

    say(`set up; ${o.clients} clients start`);
    // A client that fails (a bug in the script, or an answer it cannot read) stops the run.
    let failed: unknown = null;
    const clients = Array.from({ length: o.clients }, (_, i) =>
      client(i).catch((e: unknown) => {
        failed ??= e;
        stopping = true;
      }),
    );
    const chaos = (async () => {
      for (let i = 0; i < o.nodeKills && timeLeft(); i++) {
        await loadFor();
        const s = served as Served;
        s.proc.kill("SIGKILL");
        await s.exited;
        report.nodeKills++;
        say(`kill -9 Baton (pid ${s.proc.pid}) #${report.nodeKills}; restarting it`);
        await sleep(rnd() * 300);
        served = await start();
        await ready();
        say("Baton is ready again");
      }
      for (let i = 0; i < o.dbKills && timeLeft(); i++) {
        await loadFor();
        const pid = await postmasterPid(dataDir);
        process.kill(pid, "SIGKILL");
        report.dbKills++;
        say(`kill -9 PostgreSQL (pid ${pid}) #${report.dbKills}; Baton restarts it`);
        await sleep(100);
        await ready();
        say("Baton is ready again");
      }
      await loadFor(); // writes go through after the last recovery
    })();
    try {
      await chaos;
    } finally {
      stopping = true;
      await Promise.all(clients);
    }
    if (failed) throw failed;

    say("load stopped; checking the log");
    // The checks, on the database itself.
    const db = openDb(await embeddedUrl(dataDir), { max: 2 });
    try {
      const rows = await db
        .selectFrom("items")
        .select(["key"])
        .where("workflow_key", "=", "crash")
        .execute();
      const logs = new Map<string, { type: string; seq: number; data: unknown }[]>();
      const titles = new Map<string, number>();
      const texts = new Map<string, number>();
      const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
      for (const { key } of rows) {
        const stored = await findItem(db, key);
        if (!stored) continue;
        const events = await listEvents(db, stored.id);
        report.items++;
        report.events += events.length;
        logs.set(key, events);
        bump(titles, stored.item.title);
        for (const e of events) {
          const d = e.data as { note?: unknown; comment?: unknown };
          if (typeof d.note === "string") bump(texts, d.note);
          if (typeof d.comment === "string") bump(texts, d.comment);
        }
        const numbered = events.every((e, i) => e.seq === i + 1);
        if (!numbered || stored.item.version !== events.length) {
          report.mismatches++;
          problem(`${key}: version ${stored.item.version}, events ${events.map((e) => e.seq)}`);
        } else if (canonical(replay(events)) !== canonical(stored.item)) {
          report.mismatches++;
          problem(`${key}: the stored item differs from the replay of its events`);
        }
      }

      // Every acknowledgement names its own event, of its kind, with its text.
      const named = new Set<string>();
      for (const a of acks) {
        const e = logs.get(a.key)?.[a.version - 1];
        const d = e?.data as { title?: unknown; note?: unknown; comment?: unknown } | undefined;
        const text = a.kind === "create" ? d?.title : a.kind === "reject" ? d?.comment : d?.note;
        if (!e || e.type !== eventOf[a.kind] || (a.text !== null && text !== a.text)) {
          report.lost++;
          problem(`lost: ${a.kind} of ${a.key} acknowledged at version ${a.version}`);
        }
        if (named.has(`${a.key}#${a.version}`)) {
          report.duplicated++;
          problem(`two acknowledgements for ${a.key} version ${a.version}`);
        }
        named.add(`${a.key}#${a.version}`);
      }
      // Per item and kind: acknowledged <= events <= acknowledged + in doubt.
      const count = (list: { kind: Kind; key: string | null }[]) => {
        const m = new Map<string, number>();
        for (const x of list) if (x.key && x.kind !== "create") bump(m, `${x.key} ${x.kind}`);
        return m;
      };
      const acked = count(acks);
      const doubted = count(doubts);
      for (const [key, events] of logs)
        for (const kind of ["submit", "accept", "reject", "complete"] as const) {
          const n = events.filter((e) => e.type === eventOf[kind]).length;
          const a = acked.get(`${key} ${kind}`) ?? 0;
          const d = doubted.get(`${key} ${kind}`) ?? 0;
          if (n < a) {
            report.lost += a - n;
            problem(`${key}: ${a} ${kind} acknowledged, ${n} in the log`);
          }
          if (n > a + d) {
            report.duplicated += n - a - d;
            problem(`${key}: ${n} ${kind} in the log, ${a} acknowledged, ${d} in doubt`);
          }
        }
      // A request's unique text is in the log at most once (exactly once when acknowledged).
      for (const [text, n] of [...titles, ...texts])
        if (n > 1) {
          report.duplicated += n - 1;
          problem(`"${text}" is in the log ${n} times`);
        }
      // A text of a request that never left, or of no request at all, has no business there.
      const explained = new Set([...acks, ...doubts].map((x) => x.text));
      for (const text of [...titles.keys(), ...texts.keys()])
        if (!explained.has(text)) {
          report.unexplained++;
          problem(`"${text}" is in the log but was never acknowledged nor in doubt`);
        }
      const ackedTitles = new Set(acks.filter((a) => a.kind === "create").map((a) => a.text));
      for (const t of ackedTitles)
        if (t && !titles.has(t)) {
          report.lost++;
          problem(`created item "${t}" is missing`);
        }
    } finally {
      await db.destroy();
    }
  } catch (e) {
    problem(
      `run failed: ${(e as Error).stack ?? String(e)}\n${served?.output().slice(-3000) ?? ""}`,
    );
    throw Object.assign(e as Error, { report });
  } finally {
    stopping = true;
    await stopServe(served);
    served = undefined;
    // A run that failed right after killing Baton leaves its PostgreSQL behind: stop it.
    const orphan = await postmasterPid(dataDir).catch(() => null);
    const cmdline = orphan ? await readFile(`/proc/${orphan}/cmdline`, "utf8").catch(() => "") : "";
    if (orphan && cmdline.includes(dataDir)) {
      try {
        process.kill(orphan, "SIGINT");
        for (let i = 0; i < 100 && isRunning(orphan); i++) await sleep(100);
      } catch {
        // already gone
      }
    }
    await rm(dataDir, { recursive: true, force: true });
    report.seconds = Math.round((Date.now() - started) / 100) / 10;
  }
  return report;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** JSON with object keys sorted and undefined left out, to compare two items. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** The figures, one per line. */
export function formatReport(r: CrashReport, o: Pick<CrashOptions, "clients" | "seed">): string {
  const lines = [
    `crash: ${o.clients} clients, seed ${o.seed}, ${r.seconds} s`,
    `  transitions acknowledged  ${r.acknowledged}`,
    `  kills                     ${r.nodeKills} of Baton, ${r.dbKills} of PostgreSQL`,
    `  outcome unknown to client ${r.inDoubt} (cut off by a kill: applied at most once)`,
    `  503 answers               ${r.unavailable}`,
    `  connection errors         ${r.connectionErrors}`,
    `  refused (4xx)             ${r.refused}`,
    `  retried under their Idempotency-Key ${r.retriedWithKey}, answers replayed ${r.replayed}`,
    `  not sent (Baton down)     ${r.notSent}`,
    `  other 5xx                 ${r.unexpected5xx}`,
    `  items, events checked     ${r.items}, ${r.events}`,
    `  lost                      ${r.lost}`,
    `  duplicated                ${r.duplicated}`,
    `  unexplained               ${r.unexplained}`,
    `  projection mismatches     ${r.mismatches}`,
  ];
  return [...lines, ...r.problems.map((p) => `  ! ${p}`)].join("\n");
}

/** Whether the run found nothing wrong. */
export function isClean(r: CrashReport): boolean {
  return (
    r.lost === 0 &&
    r.duplicated === 0 &&
    r.unexplained === 0 &&
    r.mismatches === 0 &&
    r.unexpected5xx === 0
  );
}

async function main() {
  const { values } = parseArgs({
    options: {
      clients: { type: "string" },
      "node-kills": { type: "string" },
      "db-kills": { type: "string" },
      "min-load-ms": { type: "string" },
      "max-load-ms": { type: "string" },
      "max-seconds": { type: "string" },
      seed: { type: "string" },
    },
  });
  const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));
  const d = defaultCrashOptions;
  const o: CrashOptions = {
    ...d,
    clients: num(values.clients, d.clients),
    nodeKills: num(values["node-kills"], d.nodeKills),
    dbKills: num(values["db-kills"], d.dbKills),
    minLoadMs: num(values["min-load-ms"], d.minLoadMs),
    maxLoadMs: num(values["max-load-ms"], d.maxLoadMs),
    maxSeconds: num(values["max-seconds"], d.maxSeconds),
    seed: num(values.seed, d.seed),
  };
  const report = await runCrash(o);
  console.log(formatReport(report, o));
  process.exitCode = isClean(report) ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();

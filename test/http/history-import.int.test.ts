import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { sql } from "kysely";
import { beforeAll, describe, expect, it } from "vitest";
import { teamKeyOf } from "../../src/mining/propose.ts";
import { ADMIN_TOKEN, type ApiClient, dbKinds, type TestBaton, useBaton } from "../harness.ts";
import { type RefEvent, refReadCsv, refReadXes } from "../mining/reference.ts";

/*
 * Importing a mined log as history (POST /mining/jobs?import=WORKFLOW, docs/mining.md): the
 * cases of a shared log become closed items of the workflow's version 0 with their real times,
 * and the metrics of those items equal a computation written here from the definitions,
 * straight from the log's events (test/mining/reference.ts reads them with regular
 * expressions, not the miner). Nothing fires for the past, a second import adds nothing, and a
 * log past the limits or with teams the workflow has no step for is refused before anything is
 * written.
 */

const data = join(import.meta.dirname, "../../../shared/data");
const BPIC = "bpic2013-closed-problems.xes.gz";

/** The team sequence of each case, in timestamp order (ties in file order), and its span. */
function casesOf(events: RefEvent[]) {
  const byCase = new Map<string, { time: number; team: string | undefined }[]>();
  for (const e of events) {
    const list = byCase.get(e.case) ?? [];
    list.push({ time: e.time, team: e.team });
    byCase.set(e.case, list);
  }
  return [...byCase.values()].map((list) => {
    list.sort((a, b) => a.time - b.time);
    const seq = list.filter((e) => e.team !== undefined) as { time: number; team: string }[];
    return { first: list[0]?.time ?? 0, last: list.at(-1)?.time ?? 0, seq };
  });
}

/** Nearest rank, in seconds. */
function rankS(ms: number[], p: number): number | null {
  if (ms.length === 0) return null;
  const s = [...ms].sort((a, b) => a - b);
  return (s[Math.max(1, Math.ceil(p * s.length)) - 1] as number) / 1000;
}

/**
 * Per team pair, the handoffs submitted in [from, to): a handoff is two consecutive events of
 * different teams, submitted at the sender's event, accepted at the receiver's; limbo is the
 * gap; a bounce is a handoff into a team that appeared earlier in the case.
 */
function expectedEdges(events: RefEvent[], from: number, to: number) {
  const edges = new Map<string, { submitted: number; limbo: number[]; bounces: number }>();
  for (const c of casesOf(events)) {
    const seen = new Set<string>();
    for (let k = 0; k < c.seq.length; k++) {
      const a = c.seq[k] as { time: number; team: string };
      seen.add(a.team);
      const b = c.seq[k + 1];
      if (!b || b.team === a.team) continue;
      if (a.time < from || a.time >= to) continue;
      const key = `${teamKeyOf(a.team)}>${teamKeyOf(b.team)}`;
      const e = edges.get(key) ?? { submitted: 0, limbo: [], bounces: 0 };
      e.submitted++;
      e.limbo.push(b.time - a.time);
      if (seen.has(b.team)) e.bounces++;
      edges.set(key, e);
    }
  }
  return edges;
}

/** A workflow with one step per team, in a chain, so every team's run is a visit of its step. */
function workflowYaml(key: string, prefix: string, teams: string[]): string {
  const keys = teams.map(teamKeyOf);
  const steps = keys.map(
    (t, i) =>
      `  - key: ${t}\n    team: ${t}\n${i + 1 < keys.length ? `    handoff:\n      to: ${keys[i + 1]}\n      accept_within: 48h wall\n` : ""}`,
  );
  return `key: ${key}\nname: ${key}\nprefix: ${prefix}\nsteps:\n${steps.join("")}`;
}

async function finished(b: TestBaton, href: string) {
  for (let i = 0; i < 1200; i++) {
    const r = await b.app.inject({
      method: "GET",
      url: href,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const job = r.json();
    if (job.state !== "running") return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the job did not finish in 60 s");
}

function upload(b: TestBaton, token: string, body: Buffer, query: string) {
  return b.app.inject({
    method: "POST",
    url: `/api/v1/mining/jobs${query}`,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
    payload: body,
  });
}

async function count(b: TestBaton, table: string, where = "true"): Promise<number> {
  const { rows } = await sql<{
    n: string;
  }>`select count(*) as n from ${sql.raw(table)} where ${sql.raw(where)}`.execute(b.engine.db);
  return Number(rows[0]?.n);
}

describe.each(dbKinds())("importing mined history ($name)", (kind) => {
  const b = useBaton(kind);
  let log: Buffer;
  let events: RefEvent[];
  let teams: string[];
  let sam: ApiClient;
  beforeAll(async () => {
    log = await readFile(join(data, BPIC));
    events = refReadXes(log);
    teams = [...new Set(events.flatMap((e) => (e.team ? [e.team] : [])))].sort();
    for (const t of teams) await b.team(teamKeyOf(t), t);
    sam = await b.user("sam@example.com", [teamKeyOf(teams[0] as string)]);
  });

  it("only an admin imports, into a workflow that exists; nothing is taken otherwise", async () => {
    await b.workflow(workflowYaml("volvo", "VP", teams));
    const r = await upload(b, sam.token, log, `?name=${BPIC}&import=volvo`);
    expect(r.statusCode).toBe(403);
    expect(r.json().code).toBe("admin_only");
    const missing = await upload(b, ADMIN_TOKEN, log, `?name=${BPIC}&import=nope`);
    expect(missing.statusCode).toBe(404);
    const stray = await upload(b, ADMIN_TOKEN, log, `?name=${BPIC}&map=A%3Db`);
    expect(stray.statusCode).toBe(400);
    expect(stray.json().errors[0].path).toBe("map");
  });

  it("a log whose teams own no step is refused with the teams named, and nothing is written", async () => {
    // Only the first two teams have steps.
    await b.workflow(workflowYaml("partial", "PART", teams.slice(0, 2)));
    const r = await upload(b, ADMIN_TOKEN, log, `?name=${BPIC}&import=partial`);
    expect(r.statusCode).toBe(202);
    const job = await finished(b, r.json().href);
    expect(job.state).toBe("failed");
    expect(job.error.code).toBe("invalid_input");
    expect(job.error.detail).toContain(`${teams.length - 2} team(s) of the log own no step`);
    expect(job.error.errors.map((e: { path: string }) => e.path)).toContain(
      `map.${teams[2] as string}`,
    );
    expect(await count(b, "items", "workflow_key = 'partial'")).toBe(0);
    expect(await count(b, "workflow_versions", "workflow_key = 'partial' and version = 0")).toBe(0);
  });

  it("every case becomes a closed item of version 0 with its real times, and nothing fires", async () => {
    const before = {
      outbox: await count(b, "outbox"),
      timers: await count(b, "timers"),
      notifications: await count(b, "notifications"),
      deliveries: await count(b, "deliveries"),
    };
    const r = await upload(b, ADMIN_TOKEN, log, `?name=${BPIC}&import=volvo`);
    expect(r.statusCode).toBe(202);
    expect(r.json().import).toMatchObject({ workflow: "volvo", version: 0, phase: "checking" });
    const job = await finished(b, r.json().href);
    expect(job.error).toBeNull();
    const cases = casesOf(events).filter((c) => c.seq.length > 0);
    const handoffs = cases.reduce(
      (n, c) => n + c.seq.filter((e, k) => k > 0 && e.team !== c.seq[k - 1]?.team).length,
      0,
    );
    expect(job.result).toMatchObject({ cases: 1487, events: 6660 });
    expect(job.import).toMatchObject({
      phase: "done",
      cases_total: 1487,
      cases_imported: cases.length,
      cases_present: 0,
      // created + completed, and submitted + accepted per handoff
      events: 2 * cases.length + 2 * handoffs,
    });
    expect(await count(b, "items", "workflow_key = 'volvo' and workflow_version = 0")).toBe(
      cases.length,
    );
    expect(await count(b, "items", "workflow_key = 'volvo' and status <> 'done'")).toBe(0);
    expect(
      await count(
        b,
        "events e join items i on i.id = e.item_id",
        "i.workflow_key = 'volvo' and e.import_id is null",
      ),
    ).toBe(0);
    // The worked example of docs/mining.md: G3, A2, G3 with its real times.
    const item = await b.admin.get("/items?workflow=volvo&q=1-356879617");
    const key = item.body.items[0].key;
    const page = await b.admin.get(`/items/${key}`);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ state: "done", title: "1-356879617" });
    const history = await b.admin.get(`/items/${key}/events`);
    expect(history.status).toBe(200);
    const seen = history.body.events.map((e: { type: string; at: string }) => `${e.type} ${e.at}`);
    expect(seen).toEqual([
      "item.created 2010-02-26T12:39:44.000Z",
      "handoff.submitted 2010-02-26T12:45:58.000Z",
      "handoff.accepted 2010-02-26T17:04:51.000Z",
      "handoff.submitted 2010-02-26T17:09:42.000Z",
      "handoff.accepted 2010-02-26T17:11:57.000Z",
      "item.completed 2012-01-19T09:02:07.000Z",
    ]);
    // Nothing for the past: no timer, no outbox row (so no inbox line, e-mail or webhook).
    expect(await count(b, "outbox")).toBe(before.outbox);
    expect(await count(b, "timers")).toBe(before.timers);
    expect(await count(b, "notifications")).toBe(before.notifications);
    // Webhooks and mails are delivery jobs made from outbox rows: none either.
    expect(await count(b, "deliveries")).toBe(before.deliveries);
  });

  it("the imported items' edge metrics equal a computation from the log's events", async () => {
    const from = "2011-06-01T00:00:00.000Z";
    const to = "2012-06-01T00:00:00.000Z";
    const want = expectedEdges(events, Date.parse(from), Date.parse(to));
    expect(want.size).toBeGreaterThan(5);
    const r = await b.admin.get(`/metrics/edges?workflow=volvo&version=0&from=${from}&to=${to}`);
    expect(r.status).toBe(200);
    const got = new Map(
      r.body.edges
        .filter((e: { submitted: number }) => e.submitted > 0)
        .map((e: Record<string, unknown>) => [`${e.from_team}>${e.to_team}`, e]),
    );
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [key, w] of want) {
      expect(got.get(key), key).toMatchObject({
        submitted: w.submitted,
        accepted: w.submitted,
        rejected: 0,
        limbo_p50_s: rankS(w.limbo, 0.5),
        limbo_p85_s: rankS(w.limbo, 0.85),
        bounces: w.bounces,
      });
    }
    // The live version sees none of it, and shows it beside its own period on request.
    const live = await b.admin.get(
      `/metrics/edges?workflow=volvo&version=1&compare=version:0&compare_from=${from}&compare_to=${to}`,
    );
    expect(live.status).toBe(200);
    expect(live.body.edges.every((e: { submitted: number }) => e.submitted === 0)).toBe(true);
    expect(live.body.compare.period).toMatchObject({ version: 0, from, to });
    expect(
      live.body.compare.edges.reduce((n: number, e: { submitted: number }) => n + e.submitted, 0),
    ).toBe([...want.values()].reduce((n, w) => n + w.submitted, 0));
  });

  it("the flow's cycle times of the imported items equal the cases' spans", async () => {
    const from = "2011-06-01T00:00:00.000Z";
    const to = "2012-06-01T00:00:00.000Z";
    const spans = casesOf(events)
      .filter((c) => c.seq.length > 0 && c.last >= Date.parse(from) && c.last < Date.parse(to))
      .map((c) => c.last - c.first);
    const r = await b.admin.get(`/metrics/flow?workflow=volvo&version=0&from=${from}&to=${to}`);
    expect(r.status).toBe(200);
    expect(r.body.cycle_time).toMatchObject({
      count: spans.length,
      p50_s: rankS(spans, 0.5),
      p85_s: rankS(spans, 0.85),
    });
  });

  it("importing the same file again adds nothing", async () => {
    const items = await count(b, "items");
    const evs = await count(b, "events");
    const r = await upload(b, ADMIN_TOKEN, log, `?name=${BPIC}&import=volvo`);
    const job = await finished(b, r.json().href);
    expect(job.import).toMatchObject({ phase: "done", cases_imported: 0, events: 0 });
    expect(job.import.cases_present).toBe(casesOf(events).filter((c) => c.seq.length > 0).length);
    expect(await count(b, "items")).toBe(items);
    expect(await count(b, "events")).toBe(evs);
  });

  it("two imports of one CSV log at once write each case once", async () => {
    const csv = await readFile(join(data, "receipt.csv.gz"));
    const ref = refReadCsv(csv);
    const csvTeams = [...new Set(ref.flatMap((e) => (e.team ? [e.team] : [])))].sort();
    for (const t of csvTeams) await b.team(teamKeyOf(t), t);
    await b.workflow(workflowYaml("receipt", "RCPT", csvTeams));
    const other = await b.admin.post("/users", {
      email: "ada@example.com",
      name: "Ada",
      teams: [],
      admin: true,
    });
    expect(other.status).toBe(201);
    const ada = (await b.admin.post("/users/ada@example.com/tokens", {})).body.token;
    const [r1, r2] = await Promise.all(
      [ADMIN_TOKEN, ada].map((t) => upload(b, t, csv, "?name=receipt.csv.gz&import=receipt")),
    );
    const jobs = await Promise.all([r1, r2].map((r) => finished(b, r?.json().href)));
    expect(jobs.map((j) => j.error)).toEqual([null, null]);
    const cases = casesOf(ref).filter((c) => c.seq.length > 0).length;
    const imported = jobs.reduce((n, j) => n + j.import.cases_imported, 0);
    expect(imported).toBe(cases);
    expect(jobs.map((j) => j.import.cases_imported + j.import.cases_present)).toEqual([
      cases,
      cases,
    ]);
    expect(await count(b, "items", "workflow_key = 'receipt'")).toBe(cases);
  });

  it("a live item's forecast draws on the imported history", async () => {
    const first = teamKeyOf(teams[0] as string);
    const r = await b.admin.post("/items", { workflow: "volvo", title: "Live one" });
    expect(r.status).toBe(201);
    expect(r.body.step).toBe(first);
    const f = await b.admin.get(`/items/${r.body.key}/forecast`);
    expect(f.status).toBe(200);
    expect(f.body.completion.sample_size ?? 0).toBeGreaterThan(0);
  });
});

describe.each(dbKinds())("history import limits ($name)", (kind) => {
  const b = useBaton(kind, { engine: { importLimits: { cases: 1000 } } });
  it("a log with more cases than the limit is refused before anything is written", async () => {
    const log = await readFile(join(data, "receipt.csv.gz"));
    const teams = [...new Set(refReadCsv(log).flatMap((e) => (e.team ? [e.team] : [])))].sort();
    for (const t of teams) await b.team(teamKeyOf(t), t);
    await b.workflow(workflowYaml("receipt", "RCPT", teams));
    const r = await upload(b, ADMIN_TOKEN, log, "?name=receipt.csv.gz&import=receipt");
    expect(r.statusCode).toBe(202);
    const job = await finished(b, r.json().href);
    expect(job.state).toBe("failed");
    expect(job.error).toMatchObject({ code: "import_too_large", what: "cases", limit: 1000 });
    expect(await count(b, "items")).toBe(0);
  });
});

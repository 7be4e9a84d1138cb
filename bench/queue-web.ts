/*
 * The web app holding a big queue (`npm run bench:web`): a team with 3,000 open items, opened in
 * Chromium (playwright-core, /usr/bin/chromium) against `baton serve` in its own process.
 *
 * 1. Cold queue to first row: a fresh browser context opens the queue page; the time from
 *    navigation start to the first row in the DOM and to the whole queue in the page, the bytes
 *    of the first queue response, of the whole queue's response and of all API responses for
 *    the page (median of a few runs). Twice: as a first visit, and as someone who used the app
 *    in this browser before (assets in the HTTP cache, and the app knows to ask for the queue
 *    while it starts), with no queue data held either way.
 * 2. Scrolling: a scripted scroll through the list (time-based, 2,500 px/s for 4 s) counting
 *    animation frames, at full speed and with the CPU slowed 4× (CDP
 *    Emulation.setCPUThrottlingRate); the same for a plain list of 3,000 static rows as the
 *    reference. Rounds alternate between the pages; medians are reported.
 * 3. Live updates: with the queue open, 200 changes in another team, and then 20 changes to
 *    items in the queue shown, 1.5 s apart: the bytes the browser received per change (all
 *    responses and the event stream, compressed sizes as on the wire), and its queue reads.
 *
 * `BENCH_WEB_BEFORE=/path/to/other/checkout` (its web app built) runs a second Baton from that
 * checkout on the same database and measures both in one session, interleaved (cold loads and
 * scroll rounds alternate; both queues are open during the live changes), with the ratios. The
 * database is migrated by this checkout, which an older server refuses: to measure an older web
 * app, copy this checkout (`git archive HEAD`) and put the older build in its web/dist.
 *
 * `BENCH_WEB_PROFILE=file.cpuprofile` writes a CPU profile of this checkout's first scroll (open
 * it in Chrome's DevTools); `BENCH_WEB_VERBOSE=1` prints each cold load's resource timings.
 *
 * Everything lives in a fresh database `baton_bench_<pid>` that is dropped at the end.
 */
import { writeFileSync } from "node:fs";
import { get } from "node:http";
import type { BrowserContext, Page } from "playwright-core";
import { launchBrowser } from "../e2e/browser.ts";
import { toPrincipal } from "../src/engine/directory.ts";
import { createEngine } from "../src/engine/engine.ts";
import { migrate, openDb } from "../src/store/db.ts";
import { type BatonProcess, startBatonProcess } from "./baton-server.ts";
import { createBenchDatabase } from "./database.ts";

const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const COUNT = Number(process.env.BENCH_QUEUE_ITEMS ?? 3000);
const ELSEWHERE = Number(process.env.BENCH_ELSEWHERE_CHANGES ?? 200);
const HERE = 20;
const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 3);
const BEFORE = process.env.BENCH_WEB_BEFORE;
const ADMIN_TOKEN = `bt_bench_${process.pid}_admin_token_web`;
const PASSWORD = "bench-password-1";

const OPS = `key: bulk
name: Bulk requests
prefix: BLK
fields:
  - {key: customer, type: text, label: Customer}
steps:
  - key: handle
    name: Handle the request
    team: ops
    checklist: [Handled]
    complete_within: 5d
`;
const ELSE = `key: other
name: Other work
prefix: OTH
steps:
  - {key: do, name: Do it, team: sales}
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const kb = (n: number) => `${(n / 1024).toFixed(n < 10_240 ? 2 : 0)} kB`;

/** One response as received: its URL and its bytes (compressed, as on the wire). */
interface Received {
  url: string;
  bytes: number;
}

/** Bytes as received (compressed sizes, headers not counted) by one page, per request. */
async function countBytes(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  const requests = new Map<string, Received>();
  let total = 0;
  cdp.on("Network.requestWillBeSent", (e) => {
    if (!requests.has(e.requestId)) requests.set(e.requestId, { url: e.request.url, bytes: 0 });
  });
  cdp.on("Network.dataReceived", (e) => {
    total += e.encodedDataLength;
    const r = requests.get(e.requestId);
    if (r) r.bytes += e.encodedDataLength;
  });
  /** Every request so far, in the order they were sent. */
  const list = () => [...requests.values()];
  return {
    total: () => total,
    api: () => list().reduce((n, r) => n + (r.url.includes("/api/") ? r.bytes : 0), 0),
    queues: () => list().filter((r) => /\/api\/v1\/teams\/[^/]+\/queue/.test(r.url)),
  };
}

interface Fps {
  fps: number;
  worst: number;
  moved: number;
  /** Main-thread time during the 4 s scroll, in ms (CDP Performance metrics). */
  script?: number;
  style?: number;
  layout?: number;
}

/**
 * Scrolls whatever scrolls the queue (its own frame, or the page) for `ms`; frames per second.
 * Passed as text: tsx would wrap named functions in a helper the page does not have.
 */
function scrollFps(page: Page, ms = 4000, pxPerSecond = 2500) {
  return page.evaluate(`new Promise((resolve) => {
    const inner = document.querySelector("[data-testid=queue-scroller]");
    const el = inner && inner.scrollHeight > inner.clientHeight + 1 ? inner : document.scrollingElement;
    const from = el.scrollTop;
    const t0 = performance.now();
    let frames = 0, last = t0, worst = 0;
    const step = (t) => {
      frames++;
      worst = Math.max(worst, t - last);
      last = t;
      el.scrollTop = from + ((t - t0) / 1000) * ${pxPerSecond};
      if (t - t0 < ${ms}) requestAnimationFrame(step);
      else resolve({ fps: (frames * 1000) / (t - t0), worst, moved: el.scrollTop - from });
    };
    requestAnimationFrame(step);
  })`) as Promise<Fps>;
}

/**
 * Waits until the page holds the whole queue (the tab counts all of it, not "50+"), then a
 * moment for what it loads after. The event stream stays open, so "network idle" never comes.
 */
async function wholeQueueIn(page: Page): Promise<void> {
  await page
    .getByRole("tab", { name: /In progress/ })
    .filter({ hasText: new RegExp(`${COUNT}$`) })
    .waitFor({ timeout: 60_000 });
  await page.waitForTimeout(500);
}

const toTop = `window.scrollTo(0, 0);
  const inner = document.querySelector("[data-testid=queue-scroller]");
  if (inner) inner.scrollTop = 0;`;

/** One version of the web app under test: a Baton process serving it. */
interface Target {
  name: string;
  server: BatonProcess;
}

/** What one target measured. */
interface Figures {
  firstRow: number[];
  /** When the page held the whole queue (its tab counts all of it), from navigation start. */
  wholeIn: number[];
  /** The same two for someone back in a browser that used the app before. */
  firstRowBack: number[];
  wholeInBack: number[];
  firstQueueBytes: number[];
  wholeQueueBytes: number[];
  apiBytes: number[];
  fast: Fps[];
  slow: Fps[];
  elsewhere: number;
  here: number;
  /** Queue reads the page made during the changes in the queue shown: whole, and rows only. */
  reads: { whole: number; rows: number };
}

async function main(): Promise<void> {
  const database = await createBenchDatabase(adminUrl);
  const db = openDb(database.url, { max: 8 });
  const abort = new AbortController();
  const targets: Target[] = [];
  const browser = await launchBrowser();
  try {
    await migrate(db);
    const engine = createEngine({ db });
    await engine.directory.bootstrapAdmin(ADMIN_TOKEN);
    const admin = await engine.directory.authenticate(ADMIN_TOKEN);
    await engine.directory.createTeam(admin, { key: "ops", name: "Operations" });
    await engine.directory.createTeam(admin, { key: "sales", name: "Sales" });
    for (const [email, team] of [
      ["olga@example.com", "ops"],
      ["sam@example.com", "sales"],
    ] as const)
      await engine.directory.createUser(admin, {
        email,
        name: email.split("@")[0] ?? email,
        teams: [{ key: team, role: "lead" }],
        isAdmin: false,
        password: PASSWORD,
      });
    await engine.workflows.publish(admin, "bulk", { source: OPS, format: "yaml" });
    await engine.workflows.publish(admin, "other", { source: ELSE, format: "yaml" });
    const olga = toPrincipal(await engine.directory.getUser("olga@example.com"));
    const t0 = performance.now();
    let next = 0;
    const keys: string[] = [];
    const worker = async () => {
      for (let i = next++; i < COUNT; i = next++) {
        const v = await engine.items.create(olga, {
          workflow: "bulk",
          title: `Request ${i + 1} from customer ${(i * 7919) % 997}`,
          fields: { customer: `Customer ${i % 50}` },
        });
        keys.push(v.item.key);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    console.log(`${COUNT} items seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await engine.close();

    for (const [name, root] of [
      ["this checkout", undefined],
      ...(BEFORE ? ([["before", BEFORE]] as const) : []),
    ] as const) {
      const server = await startBatonProcess({
        databaseUrl: database.url,
        adminToken: ADMIN_TOKEN,
        pool: undefined,
        root,
        signal: abort.signal,
      });
      targets.push({ name, server });
    }
    const url = (targets[0] as Target).server.url;
    const context = async (t: Target) => {
      const c = await browser.newContext({
        baseURL: t.server.url,
        viewport: { width: 1440, height: 900 },
        deviceScaleFactor: 1,
      });
      const res = await c.request.post(`${t.server.url}/api/v1/session`, {
        data: { email: "olga@example.com", password: PASSWORD },
      });
      if (!res.ok()) throw new Error(`sign-in failed: ${res.status()} ${await res.text()}`);
      return c;
    };
    const queuePath = "/teams/ops?tab=in_progress";
    const figures = new Map<Target, Figures>(
      targets.map((t) => [
        t,
        {
          firstRow: [],
          wholeIn: [],
          firstRowBack: [],
          wholeInBack: [],
          firstQueueBytes: [],
          wholeQueueBytes: [],
          apiBytes: [],
          fast: [],
          slow: [],
          elsewhere: 0,
          here: 0,
          reads: { whole: 0, rows: 0 },
        },
      ]),
    );
    const of = (t: Target) => figures.get(t) as Figures;
    /** The targets in an order that alternates with `round`, so neither always goes first. */
    const order = (round: number) => (round % 2 === 0 ? targets : [...targets].reverse());

    // The API alone: how long the server takes for the whole queue and for the first rows, and
    // the bytes it sends (brotli, as a browser asks; node:http does not decompress).
    const answer = async (query: string) => {
      const times: number[] = [];
      let size = 0;
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        size = await new Promise<number>((resolve, reject) => {
          get(
            `${url}/api/v1/teams/ops/queue?${query}`,
            { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "accept-encoding": "br, gzip" } },
            (res) => {
              let n = 0;
              res.on("data", (chunk: Buffer) => {
                n += chunk.length;
              });
              res.on("end", () => resolve(n));
              res.on("error", reject);
            },
          ).on("error", reject);
        });
        times.push(performance.now() - t);
      }
      return { ms: median(times), size };
    };
    const apiWhole = await answer("limit=5000");
    const apiLean = await answer("limit=5000&clocks=false");
    const apiHead = await answer("limit=50&clocks=false");

    // 1. Cold queue to first row, as a first visit and as someone back.
    for (let run = 0; run < 2 * RUNS; run++)
      for (const t of order(run)) {
        const back = run % 2 === 1;
        const c = await context(t);
        if (back) {
          // A page without queues: the assets land in the cache, the app remembers the sign-in.
          const before = await c.newPage();
          await before.goto("/settings/tokens");
          await before.getByRole("heading", { name: "API tokens", level: 1 }).waitFor();
          await before.close();
        }
        const page = await c.newPage();
        await page.addInitScript((count: number) => {
          const w = window as unknown as { __firstRow?: number; __whole?: number };
          new MutationObserver(() => {
            if (w.__firstRow === undefined && document.querySelector("li[data-key]"))
              w.__firstRow = performance.now();
            if (w.__whole === undefined)
              for (const tab of document.querySelectorAll("[role=tab]"))
                if (tab.textContent === `In progress${count}`) w.__whole = performance.now();
          }).observe(document, { childList: true, subtree: true, characterData: true });
        }, COUNT);
        const bytes = await countBytes(page);
        await page.goto(queuePath);
        await page.locator("li[data-key]").first().waitFor({ timeout: 30_000 });
        // Whatever the page still loads after the first row (the rest of the queue) counts too.
        await wholeQueueIn(page);
        await page.waitForTimeout(500);
        const f = of(t);
        const at = await page.evaluate(() => {
          const w = window as unknown as { __firstRow: number; __whole: number };
          return { __firstRow: w.__firstRow, __whole: w.__whole };
        });
        (back ? f.firstRowBack : f.firstRow).push(at.__firstRow);
        (back ? f.wholeInBack : f.wholeIn).push(at.__whole);
        if (back) {
          await c.close();
          continue;
        }
        const queues = bytes.queues();
        f.firstQueueBytes.push(queues[0]?.bytes ?? 0);
        f.wholeQueueBytes.push(queues.find((q) => q.url.includes("limit=5000"))?.bytes ?? 0);
        f.apiBytes.push(bytes.api());
        if (process.env.BENCH_WEB_VERBOSE)
          console.log(
            `  ${t.name}: first row at ${Math.round(f.firstRow.at(-1) ?? 0)} ms;`,
            await page.evaluate(
              `JSON.stringify(performance.getEntriesByType("resource").map((r) => [r.name.replace(location.origin, ""), Math.round(r.startTime), Math.round(r.responseEnd)]))`,
            ),
          );
        await c.close();
      }

    // 2. Scrolling, at full speed and with a 4× slower CPU, against a plain list; rounds
    // alternate between the pages (the machine is shared) and the median of each is reported.
    const open: {
      t: Target;
      c: BrowserContext;
      page: Page;
      bytes: Awaited<ReturnType<typeof countBytes>>;
    }[] = [];
    for (const t of targets) {
      const c = await context(t);
      const page = await c.newPage();
      const bytes = await countBytes(page);
      await page.goto(queuePath);
      await page.locator("li[data-key]").first().waitFor({ timeout: 30_000 });
      await wholeQueueIn(page);
      await page.waitForTimeout(1000);
      open.push({ t, c, page, bytes });
    }
    const plainContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const plain = await plainContext.newPage();
    await plain.setContent(
      `<ul style="margin:0;padding:0;font:14px system-ui">${Array.from(
        { length: COUNT },
        (_, i) =>
          `<li style="height:60px;border-bottom:1px solid #ddd;display:flex;gap:12px;align-items:center"><a href="#">BLK-${i + 1}</a><span>Request ${i + 1}</span><span>Handle the request</span><span>unassigned</span></li>`,
      ).join("")}</ul>`,
    );
    const plainRounds = { fast: [] as Fps[], slow: [] as Fps[] };
    const pages = [
      ...open.map((o) => ({ page: o.page, into: of(o.t) })),
      { page: plain, into: plainRounds },
    ];
    for (const p of pages) {
      await p.page.bringToFront();
      await scrollFps(p.page, 1000); // warm-up
    }
    for (let round = 0; round < RUNS; round++) {
      const turn = round % 2 === 0 ? pages : [...pages].reverse();
      for (const p of turn) {
        const cdp = await p.page.context().newCDPSession(p.page);
        await cdp.send("Performance.enable");
        /** A scroll, with the main thread's time in script, style and layout meanwhile. */
        const measured = async (): Promise<Fps> => {
          const metrics = async () =>
            Object.fromEntries(
              (await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]),
            );
          const a = await metrics();
          const fps = await scrollFps(p.page);
          const b = await metrics();
          const ms = (name: string) => ((b[name] ?? 0) - (a[name] ?? 0)) * 1000;
          return {
            ...fps,
            script: ms("ScriptDuration"),
            style: ms("RecalcStyleDuration"),
            layout: ms("LayoutDuration"),
          };
        };
        await p.page.bringToFront();
        await p.page.evaluate(toTop);
        await p.page.waitForTimeout(300);
        // BENCH_WEB_PROFILE=file.cpuprofile: a CPU profile of this checkout's first scroll.
        const profile = round === 0 && p === pages[0] ? process.env.BENCH_WEB_PROFILE : undefined;
        if (profile) {
          await cdp.send("Profiler.enable");
          await cdp.send("Profiler.start");
        }
        p.into.fast.push(await measured());
        if (profile) {
          const { profile: data } = await cdp.send("Profiler.stop");
          writeFileSync(profile, JSON.stringify(data));
        }
        await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
        await p.page.evaluate(toTop);
        await p.page.waitForTimeout(300);
        p.into.slow.push(await measured());
        await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
        await cdp.detach();
      }
    }
    await plainContext.close();

    // 3. Live updates: changes elsewhere, then changes to rows the pages show (every open page
    // receives each change, so the versions are measured on the same changes).
    for (const o of open) await o.page.evaluate(toTop);
    await new Promise((r) => setTimeout(r, 500));
    const sam = await fetch(`${url}/api/v1/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "sam@example.com", password: PASSWORD }),
    });
    const cookie = sam.headers.get("set-cookie")?.split(";")[0] ?? "";
    const post = (who: string, path: string, body: unknown) =>
      fetch(`${url}/api/v1${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: who, "x-requested-with": "baton" },
        body: JSON.stringify(body),
      }).then(async (r) => {
        if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      });
    const olgaCookie = (await (open[0] as (typeof open)[0]).c.cookies())
      .map((k) => `${k.name}=${k.value}`)
      .join("; ");
    const sinceNow = () => {
      const at = open.map((o) => o.bytes.total());
      return () => open.map((o, i) => o.bytes.total() - (at[i] ?? 0));
    };

    let spent = sinceNow();
    for (let i = 0; i < ELSEWHERE; i++)
      await post(cookie, "/items", { workflow: "other", title: `Other ${i}` });
    await new Promise((r) => setTimeout(r, 2000));
    spent().forEach((b, i) => {
      of((open[i] as (typeof open)[0]).t).elsewhere = b / ELSEWHERE;
    });

    spent = sinceNow();
    const readsBefore = open.map((o) => o.bytes.queues().length);
    for (let i = 0; i < HERE; i++) {
      await post(olgaCookie, `/items/${keys[i * 7]}/claim`, {});
      // Apart enough that each page has dealt with one change before the next (a page that
      // refetches the whole queue would otherwise cancel one read with the next).
      await new Promise((r) => setTimeout(r, 1500));
    }
    await new Promise((r) => setTimeout(r, 3000));
    spent().forEach((b, i) => {
      const o = open[i] as (typeof open)[0];
      const f = of(o.t);
      f.here = b / HERE;
      const reads = o.bytes.queues().slice(readsBefore[i]);
      f.reads = {
        whole: reads.filter((r) => r.url.includes("limit=5000")).length,
        rows: reads.filter((r) => r.url.includes("keys=")).length,
      };
    });
    for (const o of open) await o.c.close();

    const mid = (xs: Fps[]) =>
      [...xs].sort((a, b) => a.fps - b.fps)[Math.floor(xs.length / 2)] as Fps;
    console.log(
      `\nQueue of ${COUNT} items in Chromium at 1440×900 (median of ${RUNS} cold loads of each kind and ${RUNS} scroll rounds${BEFORE ? ", interleaved" : ""}):`,
    );
    console.log(
      `  queue API (median of 5, brotli)   whole ${Math.round(apiWhole.ms)} ms (${kb(apiWhole.size)}); without clocks ${Math.round(apiLean.ms)} ms (${kb(apiLean.size)}); first 50 rows per tab ${Math.round(apiHead.ms)} ms (${kb(apiHead.size)})`,
    );
    const rows: [string, (f: Figures) => number, (n: number) => string][] = [
      ["first row after navigation start", (f) => median(f.firstRow), (n) => `${Math.round(n)} ms`],
      ["whole queue in the page", (f) => median(f.wholeIn), (n) => `${Math.round(n)} ms`],
      [
        "first row, back in the browser",
        (f) => median(f.firstRowBack),
        (n) => `${Math.round(n)} ms`,
      ],
      [
        "whole queue, back in the browser",
        (f) => median(f.wholeInBack),
        (n) => `${Math.round(n)} ms`,
      ],
      ["first queue response", (f) => median(f.firstQueueBytes), kb],
      ["whole queue response", (f) => median(f.wholeQueueBytes), kb],
      ["API bytes for the cold page", (f) => median(f.apiBytes), kb],
      ["scrolling, fps", (f) => mid(f.fast).fps, (n) => n.toFixed(0)],
      ["  worst frame", (f) => mid(f.fast).worst, (n) => `${Math.round(n)} ms`],
      ["  script / style / layout in 4 s, ms", (f) => mid(f.fast).script ?? 0, (n) => n.toFixed(0)],
      ["", (f) => mid(f.fast).style ?? 0, (n) => n.toFixed(0)],
      ["", (f) => mid(f.fast).layout ?? 0, (n) => n.toFixed(0)],
      ["scrolling, 4× slower CPU, fps", (f) => mid(f.slow).fps, (n) => n.toFixed(0)],
      ["  worst frame", (f) => mid(f.slow).worst, (n) => `${Math.round(n)} ms`],
      [
        "  against the plain list at 4× slower CPU",
        (f) => mid(f.slow).fps / mid(plainRounds.slow).fps,
        (n) => `${Math.round(n * 100)} %`,
      ],
      [`bytes per change in another team (${ELSEWHERE})`, (f) => f.elsewhere, kb],
      [`bytes per change in the queue shown (${HERE})`, (f) => f.here, kb],
      ["  whole-queue reads during those", (f) => f.reads.whole, String],
      ["  row reads (keys=) during those", (f) => f.reads.rows, String],
    ];
    const cell = (x: string) => x.padStart(14);
    console.log(
      `  ${"".padEnd(46)}${targets.map((t) => cell(t.name)).join("")}${targets.length > 1 ? cell("ratio") : ""}`,
    );
    for (const [label, pick, show] of rows) {
      const values = targets.map((t) => pick(of(t)));
      const [now, before] = values;
      const ratio =
        before !== undefined && now !== undefined && before > 0
          ? cell(`${(now / before).toFixed(2)}×`)
          : "";
      console.log(`  ${label.padEnd(46)}${values.map((v) => cell(show(v))).join("")}${ratio}`);
    }
    console.log(
      `  plain list of ${COUNT} static rows: ${mid(plainRounds.fast).fps.toFixed(0)} fps; 4× slower CPU ${mid(plainRounds.slow).fps.toFixed(0)} fps`,
    );
    console.log("  (ratio: this checkout ÷ before; the goal per change elsewhere is ≤ 5 kB)");
  } finally {
    await browser.close().catch(() => {});
    for (const t of targets) await t.server.stop();
    await db.destroy();
    await database.drop();
  }
}

await main();

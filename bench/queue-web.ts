/*
 * The web app holding a big queue (`npm run bench:web`): a team with 3,000 open items, opened in
 * Chromium (playwright-core, /usr/bin/chromium) against `baton serve` in its own process.
 *
 * 1. Cold queue to first row: a fresh browser context opens the queue page; the time from
 *    navigation start to the first row in the DOM, and the bytes the API sent for it (median of
 *    a few runs).
 * 2. Scrolling: a scripted scroll through the list (time-based, 2,500 px/s for 4 s) counting
 *    animation frames, at full speed and with the CPU slowed 4×; the same for a plain list of
 *    3,000 static rows as the reference.
 * 3. Live updates: with the queue open, 200 changes in another team, and then 20 changes to
 *    items in the queue shown: the bytes the browser received per change (all responses and the
 *    event stream, compressed sizes as on the wire).
 *
 * Everything lives in a fresh database `baton_bench_<pid>` that is dropped at the end.
 */
import type { CDPSession, Page } from "playwright-core";
import { launchBrowser } from "../e2e/browser.ts";
import { toPrincipal } from "../src/engine/directory.ts";
import { createEngine } from "../src/engine/engine.ts";
import { migrate, openDb } from "../src/store/db.ts";
import { startBatonProcess } from "./baton-server.ts";
import { createBenchDatabase } from "./database.ts";

const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const COUNT = Number(process.env.BENCH_QUEUE_ITEMS ?? 3000);
const ELSEWHERE = Number(process.env.BENCH_ELSEWHERE_CHANGES ?? 200);
const HERE = 20;
const RUNS = 3;
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

/** Bytes as received (compressed sizes, headers not counted) by one page, per URL kind. */
async function countBytes(page: Page): Promise<{ total: () => number; api: () => number }> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  const urls = new Map<string, string>();
  let total = 0;
  let api = 0;
  cdp.on("Network.requestWillBeSent", (e) => urls.set(e.requestId, e.request.url));
  cdp.on("Network.dataReceived", (e) => {
    total += e.encodedDataLength;
    if (urls.get(e.requestId)?.includes("/api/")) api += e.encodedDataLength;
  });
  return { total: () => total, api: () => api };
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
  })`) as Promise<{ fps: number; worst: number; moved: number }>;
}

async function main(): Promise<void> {
  const database = await createBenchDatabase(adminUrl);
  const db = openDb(database.url, { max: 8 });
  const abort = new AbortController();
  let server: Awaited<ReturnType<typeof startBatonProcess>> | undefined;
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

    server = await startBatonProcess({
      databaseUrl: database.url,
      adminToken: ADMIN_TOKEN,
      pool: undefined,
      signal: abort.signal,
    });
    const url = server.url;
    const context = async () => {
      const c = await browser.newContext({
        baseURL: url,
        viewport: { width: 1440, height: 900 },
        deviceScaleFactor: 1,
      });
      const res = await c.request.post(`${url}/api/v1/session`, {
        data: { email: "olga@example.com", password: PASSWORD },
      });
      if (!res.ok()) throw new Error(`sign-in failed: ${res.status()} ${await res.text()}`);
      return c;
    };
    const queuePath = "/teams/ops?tab=in_progress";

    // 1. Cold queue to first row.
    const firstRows: number[] = [];
    const apiBytes: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const c = await context();
      const page = await c.newPage();
      await page.addInitScript(() => {
        const w = window as unknown as { __firstRow?: number };
        new MutationObserver(() => {
          if (w.__firstRow === undefined && document.querySelector("li[data-key]"))
            w.__firstRow = performance.now();
        }).observe(document, { childList: true, subtree: true });
      });
      const bytes = await countBytes(page);
      await page.goto(queuePath);
      await page.locator("li[data-key]").first().waitFor({ timeout: 30_000 });
      // Whatever the page still loads after the first row (the rest of the queue) counts too.
      await page.waitForLoadState("networkidle").catch(() => {});
      await page.waitForTimeout(500);
      firstRows.push(
        await page.evaluate(() => (window as unknown as { __firstRow: number }).__firstRow),
      );
      apiBytes.push(bytes.api());
      await c.close();
    }

    // 2. Scrolling, at full speed and with a 4× slower CPU; then a plain list for reference.
    const c = await context();
    const page = await c.newPage();
    const bytes = await countBytes(page);
    await page.goto(queuePath);
    await page.locator("li[data-key]").first().waitFor({ timeout: 30_000 });
    await page.waitForLoadState("networkidle").catch(() => {});
    await page.waitForTimeout(1000);
    const cdp = await c.newCDPSession(page);
    await scrollFps(page, 1000); // warm-up
    const fast = await scrollFps(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
    const slow = await scrollFps(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });

    const plain = await c.newPage();
    await plain.setContent(
      `<ul style="margin:0;padding:0;font:14px system-ui">${Array.from(
        { length: COUNT },
        (_, i) =>
          `<li style="height:60px;border-bottom:1px solid #ddd;display:flex;gap:12px;align-items:center"><a href="#">BLK-${i + 1}</a><span>Request ${i + 1}</span><span>Handle the request</span><span>unassigned</span></li>`,
      ).join("")}</ul>`,
    );
    await scrollFps(plain, 1000);
    const plainFast = await scrollFps(plain);
    const plainCdp = await c.newCDPSession(plain);
    await plainCdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
    const plainSlow = await scrollFps(plain);
    await plain.close();

    // 3. Live updates: changes elsewhere, then changes to rows the page shows.
    await page.bringToFront();
    await page.waitForTimeout(500);
    const sam = await fetch(`${url}/api/v1/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "sam@example.com", password: PASSWORD }),
    });
    const cookie = sam.headers.get("set-cookie")?.split(";")[0] ?? "";
    const asSam = (path: string, body: unknown) =>
      fetch(`${url}/api/v1${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          cookie,
          "x-requested-with": "baton",
        },
        body: JSON.stringify(body),
      }).then(async (r) => {
        if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      });
    const olgaCookie = (await c.cookies()).map((k) => `${k.name}=${k.value}`).join("; ");
    const asOlga = (path: string, body: unknown) =>
      fetch(`${url}/api/v1${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          cookie: olgaCookie,
          "x-requested-with": "baton",
        },
        body: JSON.stringify(body),
      }).then(async (r) => {
        if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      });

    const before = bytes.total();
    for (let i = 0; i < ELSEWHERE; i++)
      await asSam("/items", { workflow: "other", title: `Other ${i}` });
    await page.waitForTimeout(2000);
    const elsewhere = (bytes.total() - before) / ELSEWHERE;

    const beforeHere = bytes.total();
    for (let i = 0; i < HERE; i++) {
      await asOlga(`/items/${keys[i * 7]}/claim`, {});
      await page.waitForTimeout(300);
    }
    await page.waitForTimeout(2000);
    const here = (bytes.total() - beforeHere) / HERE;
    await c.close();

    console.log(
      `\nQueue of ${COUNT} items in Chromium at 1440×900 (median of ${RUNS} cold loads):`,
    );
    console.log(`  first row after navigation start   ${Math.round(median(firstRows))} ms`);
    console.log(`  API bytes for the cold queue page   ${kb(median(apiBytes))}`);
    console.log(
      `  scrolling                           ${fast.fps.toFixed(0)} fps (worst frame ${Math.round(fast.worst)} ms); 4× slower CPU ${slow.fps.toFixed(0)} fps (worst ${Math.round(slow.worst)} ms)`,
    );
    console.log(
      `  plain list of ${COUNT} static rows   ${plainFast.fps.toFixed(0)} fps; 4× slower CPU ${plainSlow.fps.toFixed(0)} fps`,
    );
    console.log(
      `  bytes per change in another team    ${kb(elsewhere)} (${ELSEWHERE} changes; goal ≤ 5 kB)`,
    );
    console.log(`  bytes per change in the queue shown ${kb(here)} (${HERE} claims)`);
  } finally {
    await browser.close().catch(() => {});
    await server?.stop();
    await db.destroy();
    await database.drop();
  }
}

await main();

import { afterAll, describe, expect, it } from "vitest";
import { createEngine } from "../../src/engine/engine.ts";
import { buildApp } from "../../src/http/app.ts";
import { openDb } from "../../src/store/db.ts";
import { castOnboarding, onboardingCriteria, readyOnboardingItem } from "../fixtures.ts";
import { dbKinds, useBaton } from "../harness.ts";

/** Reads Server-Sent Events from a streaming response. */
function eventReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return async function next(timeoutMs = 5_000): Promise<{ event: string; data: any }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) return { event, data: JSON.parse(data) };
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("no event in time");
      const chunk = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error("no event in time")), left),
        ),
      ]);
      if (chunk.done) throw new Error("stream ended");
      buffer += decoder.decode(chunk.value, { stream: true });
    }
  };
}

describe.each(dbKinds())("live updates on $name", (kind) => {
  const b = useBaton(kind);
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of closers.reverse()) await c();
  });

  it("a handoff submitted on one node reaches a stream connected to another node", async () => {
    const { sales, impl } = await castOnboarding(b);
    // Node B: a second, independent Baton on the same database.
    const databaseUrl = b.databaseUrl;
    const db = openDb(databaseUrl, { max: 2 });
    const engineB = createEngine({ db, url: databaseUrl });
    const nodeB = await buildApp({ engine: engineB });
    const address = await nodeB.listen({ port: 0, host: "127.0.0.1" });
    closers.push(
      () => db.destroy(),
      () => engineB.close(),
      () => nodeB.close(),
    );

    const abort = new AbortController();
    closers.push(async () => abort.abort());
    const res = await fetch(`${address}/api/v1/events/stream`, {
      headers: { authorization: `Bearer ${impl.token}` },
      signal: abort.signal,
    });
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const next = eventReader(res.body as ReadableStream<Uint8Array>);
    expect((await next()).event).toBe("ready");

    // Node A (the test's Baton) takes the command.
    const key = await readyOnboardingItem(sales);
    await sales.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });
    const seen: any[] = [];
    for (;;) {
      const e = await next();
      if (e.event === "item" && e.data.key === key) seen.push(e.data);
      if (seen.at(-1)?.type === "handoff.submitted") break;
    }
    expect(seen.at(-1)).toMatchObject({
      key,
      state: "awaiting_acceptance",
      next_team: "implementation",
      owner_team: "sales",
    });
    expect(seen.map((c) => c.type)).toEqual([
      "item.created",
      "checklist.updated",
      "checklist.updated",
      "handoff.submitted",
    ]);
  });

  it("the stream needs the same authentication as the API", async () => {
    const r = await b.app.inject({ method: "GET", url: "/api/v1/events/stream" });
    expect(r.statusCode).toBe(401);
  });
});

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, type ApiClient, oneDbKind, useBaton } from "../harness.ts";

/*
 * POST /api/v1/mining/jobs and GET /api/v1/mining/jobs/{id}: a signed-in user uploads a shared
 * log as the raw body, polls the job, and reads the same report `baton mine --json` prints.
 */

const data = join(import.meta.dirname, "../../../shared/data");

describe.each(oneDbKind())("mining jobs over HTTP ($name)", (kind) => {
  const b = useBaton(kind);
  let sam: ApiClient;
  let kim: ApiClient;
  beforeAll(async () => {
    await b.team("sales");
    sam = await b.user("sam@example.com", ["sales"]);
    kim = await b.user("kim@example.com", ["sales"]);
  });

  const upload = (
    token: string,
    body: Buffer | string,
    query = "",
    type = "application/octet-stream",
  ) =>
    b.app.inject({
      method: "POST",
      url: `/api/v1/mining/jobs${query}`,
      headers: { authorization: `Bearer ${token}`, "content-type": type },
      payload: body,
    });

  async function finished(token: string, href: string) {
    for (let i = 0; i < 200; i++) {
      const r = await b.app.inject({
        method: "GET",
        url: href,
        headers: { authorization: `Bearer ${token}` },
      });
      const job = r.json();
      if (job.state !== "running") return job;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error("the job did not finish in 10 s");
  }

  it("a user uploads a gzipped CSV, polls the job and reads the report", async () => {
    const r = await upload(
      sam.token,
      await readFile(join(data, "receipt.csv.gz")),
      "?name=receipt.csv.gz",
    );
    expect(r.statusCode).toBe(202);
    const job = r.json();
    expect(job).toMatchObject({ state: "running", name: "receipt.csv.gz", result: null });
    expect(r.headers.location).toBe(`/api/v1/mining/jobs/${job.id}`);
    expect(job.progress.bytes_total).toBe(164_900);
    const done = await finished(sam.token, job.href);
    expect(done.state).toBe("done");
    expect(done.progress).toEqual({ bytes_read: 164_900, bytes_total: 164_900, share: 1 });
    expect(done.result).toMatchObject({
      cases: 1434,
      events: 8577,
      teams: 10,
      source: { format: "csv", gzip: true },
    });
    // Someone else cannot read it; an admin can.
    const other = await kim.get(`/mining/jobs/${job.id}`);
    expect(other.status).toBe(404);
    expect((await b.api(ADMIN_TOKEN).get(`/mining/jobs/${job.id}`)).status).toBe(200);
  });

  it("column mapping comes in the query; XES is told from the content", async () => {
    const r = await upload(
      kim.token,
      await readFile(join(data, "running-example.xes")),
      "?team=org:resource",
    );
    expect(r.statusCode).toBe(202);
    const done = await finished(kim.token, r.json().href);
    expect(done.result).toMatchObject({
      cases: 6,
      events: 42,
      handoffs: { cases_with_handoff: 6 },
    });
  });

  it("a broken log ends the job as failed, saying where", async () => {
    const r = await upload(sam.token, "<log>\n<trace>\n<event>\n</log>\n", "", "application/xml");
    const done = await finished(sam.token, r.json().href);
    expect(done.state).toBe("failed");
    expect(done.error).toMatchObject({ code: "invalid_log", line: 4 });
    expect(done.error.detail).toMatch(/^line 4, column \d+: /);
  });

  it("refuses an empty body, a JSON body, unknown options and anonymous callers", async () => {
    const empty = await upload(sam.token, "");
    expect([empty.statusCode, empty.json().code]).toEqual([400, "invalid_input"]);
    const json = await upload(sam.token, "{}", "", "application/json");
    expect([json.statusCode, json.json().code]).toEqual([415, "unsupported_media_type"]);
    const unknown = await upload(sam.token, "x", "?colour=red");
    expect([unknown.statusCode, unknown.json().code]).toEqual([400, "invalid_input"]);
    const anonymous = await b.app.inject({
      method: "POST",
      url: "/api/v1/mining/jobs",
      payload: "x",
    });
    expect(anonymous.statusCode).toBe(401);
    const bad = await sam.get("/mining/jobs/not-a-uuid");
    expect(bad.status).toBe(400);
  });
});

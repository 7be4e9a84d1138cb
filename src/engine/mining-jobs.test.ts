import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { DomainError } from "../domain/errors.ts";
import { MiningJobs } from "./mining-jobs.ts";

/* The bounds of the mining job registry: size, one running job per user, who may read a job. */

const sam = { email: "sam@example.com", teams: [], isAdmin: false };
const kim = { email: "kim@example.com", teams: [], isAdmin: false };
const log =
  "case:concept:name,concept:name,time:timestamp,org:group\n1,a,2024-01-01T00:00:00Z,A\n1,b,2024-01-01T01:00:00Z,B\n";

async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DomainError);
  return (e as DomainError).code;
}

async function settled(jobs: MiningJobs, id: string) {
  for (let i = 0; i < 100; i++) {
    const job = jobs.get(sam, id);
    if (job.state !== "running") return job;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("job did not finish");
}

describe("mining jobs", () => {
  it("refuses an upload past the size cap and keeps nothing", async () => {
    const jobs = new MiningJobs(() => new Date(), { uploadBytes: 50 });
    const body = Readable.from([Buffer.from(log)]);
    expect(await codeOf(jobs.submit({ actor: sam, body, name: "x.csv", options: {} }))).toBe(
      "body_too_large",
    );
    // The refused upload does not count as running.
    const ok = await jobs.submit({
      actor: sam,
      body: Readable.from([Buffer.from("x")]),
      name: "y.csv",
      options: {},
    });
    expect(ok.state).toBe("running");
  });

  it("one running job per user; another user may start one", async () => {
    const jobs = new MiningJobs(() => new Date());
    const slow = new PassThrough();
    const first = jobs.submit({ actor: sam, body: slow, name: "a.csv", options: {} });
    slow.write(log.slice(0, 20));
    expect(
      await codeOf(
        jobs.submit({
          actor: sam,
          body: Readable.from([Buffer.from(log)]),
          name: "b.csv",
          options: {},
        }),
      ),
    ).toBe("rate_limited");
    const other = await jobs.submit({
      actor: kim,
      body: Readable.from([Buffer.from(log)]),
      name: "c.csv",
      options: {},
    });
    expect(other.owner).toBe("kim@example.com");
    slow.end(log.slice(20));
    const job = await first;
    const done = await settled(jobs, job.id);
    expect(done.result).toMatchObject({ cases: 1, events: 2, handoffs: { total: 1 } });
    expect(await codeOf(Promise.resolve().then(() => jobs.get(kim, job.id)))).toBe("not_found");
    expect(jobs.get({ ...kim, isAdmin: true }, job.id).id).toBe(job.id);
  });

  it("forgets finished jobs after an hour", async () => {
    let now = new Date("2026-01-01T00:00:00Z");
    const jobs = new MiningJobs(() => now);
    const job = await jobs.submit({
      actor: sam,
      body: Readable.from([Buffer.from(log)]),
      name: "a.csv",
      options: {},
    });
    await settled(jobs, job.id);
    now = new Date(now.getTime() + 61 * 60 * 1000);
    expect(await codeOf(Promise.resolve().then(() => jobs.get(sam, job.id)))).toBe("not_found");
  });
});

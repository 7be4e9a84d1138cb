import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Actor } from "../domain/decide.ts";
import { DomainError } from "../domain/errors.ts";
import type { MineResult, ReadOptions } from "../mining/read-log.ts";
import {
  type HistoryImports,
  type ImportProgress,
  type ImportRequest,
  newImportProgress,
} from "./history-import.ts";

/*
 * Mining jobs of `POST /api/v1/mining/jobs`: an uploaded event log is written to a temporary
 * file (counted against a size cap while it arrives), then mined in the background while the
 * client polls `GET /mining/jobs/{id}` for progress and, at the end, the same report
 * `baton mine --json` prints. Jobs live in this node's memory, bounded in number and time: a
 * report is a read-only analysis of a file the caller still has, so losing it to a restart
 * costs one upload, and no table is worth that. Behind a load balancer, poll the node that
 * took the upload (or upload again).
 */

/** Bounds of the job registry. */
export const MINING_JOB_LIMITS = {
  /** Bytes of one upload (compressed, as sent). */
  uploadBytes: 200 * 1024 * 1024,
  /** Jobs mining at once on this node; mining is CPU work on the event loop's thread. */
  running: 2,
  /** Jobs one user may have running at once. */
  runningPerUser: 1,
  /** Finished jobs kept (the oldest go first). */
  kept: 200,
  /** How long a finished job's report is kept, in milliseconds. */
  keepMs: 60 * 60 * 1000,
} as const;

export type MiningJobState = "running" | "done" | "failed";

export interface MiningJob {
  id: string;
  owner: string;
  name: string;
  state: MiningJobState;
  bytesRead: number;
  bytesTotal: number;
  createdAt: Date;
  finishedAt: Date | null;
  result: MineResult | null;
  /** With an import: how far it is (phase, cases written), else null. */
  import: ImportProgress | null;
  error: { code: string; detail: string; [extra: string]: unknown } | null;
}

type JobReadOptions = Omit<ReadOptions, "onProgress" | "limits" | "onCase" | "drain">;

export class MiningJobs {
  private readonly jobs = new Map<string, MiningJob>();
  private readonly limits: typeof MINING_JOB_LIMITS;

  constructor(
    private readonly clock: () => Date,
    limits: Partial<typeof MINING_JOB_LIMITS> = {},
    /** Imports into Baton (`import=WORKFLOW`); without it a job only mines. */
    private readonly imports?: HistoryImports,
  ) {
    this.limits = { ...MINING_JOB_LIMITS, ...limits };
  }

  /**
   * Receives an upload and starts mining it. Resolves once the upload is on disk, with the job
   * running; refuses with `rate_limited` when the caller or this node is busy, and with
   * `body_too_large` past the size cap (nothing is kept then).
   */
  async submit({
    actor,
    body,
    name,
    options,
    importInto,
  }: {
    actor: Actor;
    body: Readable;
    name: string;
    options: JobReadOptions;
    /** Import the mined cases as closed items of a workflow (admins only). */
    importInto?: Omit<ImportRequest, "actor"> | undefined;
  }): Promise<MiningJob> {
    this.forgetOld();
    if (importInto !== undefined) {
      if (!this.imports) throw new Error("no history importer");
      // Refused before a byte is taken: who may, and into what.
      try {
        await this.imports.check({ actor, workflow: importInto.workflow });
      } catch (e) {
        body.resume();
        throw e;
      }
    }
    const running = [...this.jobs.values()].filter((j) => j.state === "running");
    if (running.filter((j) => j.owner === actor.email).length >= this.limits.runningPerUser)
      throw new DomainError(
        "rate_limited",
        "You have a mining job running; wait for it to finish (GET /mining/jobs/{id}).",
        { retry_after: 5 },
      );
    if (running.length >= this.limits.running)
      throw new DomainError("rate_limited", "This server is mining other logs; try again soon.", {
        retry_after: 5,
      });
    const id = randomUUID();
    const job: MiningJob = {
      id,
      owner: actor.email,
      name,
      state: "running",
      bytesRead: 0,
      bytesTotal: 0,
      createdAt: this.clock(),
      finishedAt: null,
      result: null,
      import: importInto === undefined ? null : newImportProgress(importInto.workflow),
      error: null,
    };
    // Registered before anything is awaited, so a second upload by the same user is refused.
    this.jobs.set(id, job);
    let dir: string | undefined;
    let path: string;
    try {
      dir = await mkdtemp(join(tmpdir(), "baton-mining-"));
      path = join(dir, "upload");
      await this.receive(body, path, job);
    } catch (e) {
      this.jobs.delete(id);
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
      body.resume();
      throw e;
    }
    const done = dir;
    const req = importInto === undefined ? undefined : { ...importInto, actor };
    void this.run(job, path, options, req)
      .finally(() => rm(done, { recursive: true, force: true }))
      .catch(() => {});
    return job;
  }

  /** The job, for its owner or an admin; `not_found` for anyone else (no probing of ids). */
  get(actor: Actor, id: string): MiningJob {
    this.forgetOld();
    const job = this.jobs.get(id);
    if (!job || (job.owner !== actor.email && !actor.isAdmin))
      throw new DomainError("not_found", `No mining job ${id}.`);
    return job;
  }

  private async receive(body: Readable, path: string, job: MiningJob): Promise<void> {
    const max = this.limits.uploadBytes;
    let size = 0;
    await pipeline(
      body,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          size += chunk.length;
          if (size > max)
            throw new DomainError(
              "body_too_large",
              `The log is larger than ${max / 1024 / 1024} MiB; mine it with baton mine on your machine.`,
            );
          yield chunk;
        }
      },
      createWriteStream(path),
    );
    if (size === 0)
      throw new DomainError("invalid_input", "The upload is empty: send the log as the body.", {
        errors: [
          { path: "(body)", message: "an event log (XES or CSV, optionally gzipped) is required" },
        ],
      });
    job.bytesTotal = size;
  }

  private async run(
    job: MiningJob,
    path: string,
    options: JobReadOptions,
    req: ImportRequest | undefined,
  ): Promise<void> {
    try {
      const { mineFile } = await import("../mining/read-log.ts");
      const result =
        req !== undefined && this.imports && job.import
          ? await this.imports.run(req, path, options, job.import, (n) => {
              job.bytesRead = n;
            })
          : await mineFile(path, {
              ...options,
              onProgress: (n) => {
                job.bytesRead = n;
              },
            });
      result.source.name = job.name;
      job.result = result;
      job.state = "done";
    } catch (e) {
      job.state = "failed";
      job.error =
        e instanceof DomainError
          ? { code: e.code, detail: e.message, ...e.details }
          : { code: "invalid_log", detail: "The log could not be read." };
    } finally {
      job.bytesRead = job.bytesTotal;
      job.finishedAt = this.clock();
    }
  }

  /** Drops finished jobs past their time, and the oldest past the count limit. */
  private forgetOld(): void {
    const now = this.clock().getTime();
    const finished: MiningJob[] = [];
    for (const job of this.jobs.values()) {
      if (job.finishedAt === null) continue;
      if (now - job.finishedAt.getTime() > this.limits.keepMs) this.jobs.delete(job.id);
      else finished.push(job);
    }
    const excess = finished.length - this.limits.kept;
    if (excess > 0)
      for (const job of finished
        .sort((a, b) => (a.finishedAt?.getTime() ?? 0) - (b.finishedAt?.getTime() ?? 0))
        .slice(0, excess))
        this.jobs.delete(job.id);
  }
}

import type { Actor } from "../domain/decide.ts";
import { DomainError } from "../domain/errors.ts";
import {
  IMPORTED_VERSION,
  type ImportCase,
  importedEvents,
  planTeams,
  planVisits,
  type TeamPlan,
} from "../domain/history-import.ts";
import { replay } from "../domain/item.ts";
import type { WorkflowDef } from "../domain/workflow.ts";
import type { MineResult, ReadOptions } from "../mining/read-log.ts";
import type { Db } from "../store/db.ts";
import * as store from "../store/imports.ts";
import type { Metrics } from "./metrics.ts";
import type { Workflows } from "./workflows.ts";

/*
 * Import mined history (docs/mining.md): every case of an event log becomes a closed item of a
 * workflow's version 0 with its real timestamps. Two passes over the file (on disk: the CLI's
 * file, or the upload's temporary copy):
 * 1. mine it, which checks it reads, counts cases and events against the limits and lists its
 *    teams, so a log that is too large or has teams the workflow has no step for is refused
 *    before anything is written;
 * 2. read it again and write the cases in batches as the reader folds them; reading waits for
 *    each batch, so memory follows the batch, not the file.
 * A case already imported into the workflow (by this file before, or another) is skipped, so a
 * second run adds nothing. Nothing is written to timers, the outbox or the live feed; the
 * metrics worker derives the new items' rollups as for any write.
 */

/** Bounds of one import. */
export const IMPORT_LIMITS: { cases: number; events: number } = {
  /** Cases of one log. */
  cases: 200_000,
  /** Events of one log (those with a case and a timestamp). */
  events: 2_000_000,
};

/** Cases written per statement. */
const BATCH = 250;

export interface ImportRequest {
  actor: Actor;
  workflow: string;
  /** Log team → Baton team key, overriding the key --propose gives a name. */
  mapping: ReadonlyMap<string, string>;
  /** Leave out events of teams that own no step (else the import is refused). */
  skipUnmapped: boolean;
}

/** How far an import is, and how it ended. */
export interface ImportProgress {
  workflow: string;
  version: number;
  importId: string | null;
  phase: "checking" | "importing" | "done";
  casesTotal: number;
  casesDone: number;
  casesImported: number;
  /** Cases skipped because the workflow has them already (a second import of the same log). */
  casesPresent: number;
  /** Cases none of whose teams maps to a step. */
  casesWithoutStep: number;
  events: number;
  /** Log team → Baton team, or null where left out. */
  teams: Record<string, string | null>;
  period: { first: string | null; last: string | null };
}

/** The progress of an import that has not begun. */
export function newImportProgress(workflow: string): ImportProgress {
  return {
    workflow,
    version: IMPORTED_VERSION,
    importId: null,
    phase: "checking",
    casesTotal: 0,
    casesDone: 0,
    casesImported: 0,
    casesPresent: 0,
    casesWithoutStep: 0,
    events: 0,
    teams: {},
    period: { first: null, last: null },
  };
}

export class HistoryImports {
  private readonly limits: { cases: number; events: number };

  constructor(
    private readonly deps: {
      db: Db;
      workflows: Workflows;
      metrics: Metrics;
      clock: () => Date;
      keyOf: (name: string) => string;
    },
    limits: Partial<typeof IMPORT_LIMITS> = {},
  ) {
    this.limits = { ...IMPORT_LIMITS, ...limits };
  }

  /** What must hold before an upload is taken: an admin, an existing workflow. */
  async check(req: Pick<ImportRequest, "actor" | "workflow">): Promise<void> {
    if (!req.actor.isAdmin)
      throw new DomainError("admin_only", "Only an admin may import history into a workflow.");
    await this.deps.workflows.get(req.workflow);
  }

  /** Imports the log at `path`; `progress` is updated as it goes (a job shows it). */
  async run(
    req: ImportRequest,
    path: string,
    read: Omit<ReadOptions, "onProgress" | "limits" | "onCase" | "drain">,
    progress: ImportProgress,
    /** Bytes read of the file in the first pass (the job's progress bar). */
    onProgress?: (bytes: number) => void,
  ): Promise<MineResult> {
    await this.check(req);
    const { mineFile } = await import("../mining/read-log.ts");
    const { db, workflows, clock } = this.deps;
    const tooLarge = (what: string, n: number, max: number) =>
      new DomainError(
        "import_too_large",
        `The log has more than ${max.toLocaleString("en")} ${what} (${n.toLocaleString("en")} so far); import it in parts.`,
        { limit: max, what },
      );
    // Pass 1: counts and teams, stopping at the first case past a limit.
    let cases = 0;
    let events = 0;
    const report = await mineFile(path, {
      ...read,
      onProgress,
      onCase: (c) => {
        cases++;
        events += c.events;
        if (cases > this.limits.cases) throw tooLarge("cases", cases, this.limits.cases);
        if (events > this.limits.events) throw tooLarge("events", events, this.limits.events);
      },
    });
    const def = await this.importedDefinition(req.workflow);
    const plan = planTeams({
      def,
      logTeams: report.team_list.map((t) => ({ team: t.team, events: t.events })),
      mapping: req.mapping,
      keyOf: this.deps.keyOf,
    });
    if (plan.unmapped.length > 0 && !req.skipUnmapped) throw unmappedError(req.workflow, plan);
    Object.assign(progress, {
      phase: "importing",
      casesTotal: report.cases,
      teams: Object.fromEntries(plan.teamOf),
      period: report.period,
    } satisfies Partial<ImportProgress>);

    // Pass 2: the cases, a batch at a time.
    await store.ensureImportedVersion(db, { workflow: req.workflow, by: req.actor.email });
    const v0 = await workflows.get(req.workflow, IMPORTED_VERSION);
    const importId = await store.startImport(db, {
      workflow: req.workflow,
      name: report.source.name,
      by: req.actor.email,
      at: clock(),
    });
    progress.importId = importId;
    let batch: ImportCase[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const cases = batch;
      batch = [];
      await this.write(cases, v0.definition, plan, importId, progress);
    };
    await mineFile(path, {
      ...read,
      onCase: (c) => {
        batch.push(c);
      },
      drain: async () => {
        if (batch.length >= BATCH) await flush();
      },
    });
    await flush();
    await store.finishImport(db, {
      id: importId,
      at: clock(),
      casesImported: progress.casesImported,
      casesPresent: progress.casesPresent,
      events: progress.events,
    });
    progress.phase = "done";
    return report;
  }

  /** Version 0 if the workflow has it, else what it will be: a copy of the current version. */
  private async importedDefinition(workflow: string): Promise<WorkflowDef> {
    const v0 = await this.deps.workflows.get(workflow, IMPORTED_VERSION).catch(() => null);
    return (v0 ?? (await this.deps.workflows.get(workflow))).definition;
  }

  private async write(
    cases: readonly ImportCase[],
    def: WorkflowDef,
    plan: TeamPlan,
    importId: string,
    progress: ImportProgress,
  ): Promise<void> {
    const { db, metrics } = this.deps;
    progress.casesDone += cases.length;
    const present = await store.presentCases(
      db,
      def.key,
      cases.map((c) => c.id),
    );
    const fresh: { c: ImportCase; visits: ReturnType<typeof planVisits> }[] = [];
    for (const c of cases) {
      if (present.has(c.id)) {
        progress.casesPresent++;
        continue;
      }
      const visits = planVisits(c, def, plan.teamOf);
      if (visits.length === 0) progress.casesWithoutStep++;
      else fresh.push({ c, visits });
    }
    const numbers = await store.takeItemNumbers(db, def.prefix, fresh.length);
    const items = fresh.map(({ c, visits }, i) => {
      const events = importedEvents({ c, def, visits, key: `${def.prefix}-${numbers[i]}` });
      const item = replay(events);
      if (!item) throw new Error(`case ${c.id} made no item`);
      return { importCase: c.id, item, events };
    });
    const written = await store.insertImported(db, { importId, workflow: def.key, items });
    progress.casesImported += written.ids.length;
    // Written by another import in the meantime: present, not imported by this one.
    progress.casesPresent += items.length - written.ids.length;
    progress.events += written.events;
    await metrics.derive(written.ids);
  }
}

function unmappedError(workflow: string, plan: TeamPlan): DomainError {
  const shown = plan.unmapped.slice(0, 20);
  return new DomainError(
    "invalid_input",
    `${plan.unmapped.length} team(s) of the log own no step of workflow "${workflow}": ${shown
      .map((u) => `"${u.team}"`)
      .join(
        ", ",
      )}${plan.unmapped.length > shown.length ? ", …" : ""}. Map each onto a team of the workflow (--map "LOG TEAM=TEAM", map=LOG TEAM=TEAM), or leave their events out (--unmapped skip).`,
    {
      errors: shown.map((u) => ({
        path: `map.${u.team}`,
        message: `${u.events.toLocaleString("en")} events; read as team "${u.mappedTo}", which owns no step of ${workflow}`,
      })),
    },
  );
}

import { sql } from "kysely";
import type { WorkflowDef } from "../domain/workflow.ts";
import type { Db } from "./db.ts";
import { itemSequence } from "./items.ts";

/* Versioned workflow definitions. A version, once published, never changes. */

export interface WorkflowVersionRow {
  key: string;
  version: number;
  definition: WorkflowDef;
  source: string;
  sourceFormat: "yaml" | "json";
  publishedBy: string;
  publishedAt: string;
}

export interface WorkflowSummary {
  key: string;
  name: string;
  prefix: string;
  currentVersion: number;
  updatedAt: string;
  /** The team that owns the first step of the current version: who may start an item. */
  startTeam: string | null;
  /** Items not yet done or cancelled, of any version. */
  openItems: number;
}

/** The workflow (other than `key`) that already uses a prefix, if any. */
export async function prefixOwner(
  db: Db,
  prefix: string,
  key: string,
): Promise<string | undefined> {
  const r = await db
    .selectFrom("workflows")
    .select("key")
    .where("prefix", "=", prefix)
    .where("key", "<>", key)
    .executeTakeFirst();
  return r?.key;
}

/**
 * Publishes a definition as the next version. The row lock on the workflow serialises two
 * publishers; the per-prefix sequence that numbers items is created on first publish.
 */
export async function insertWorkflowVersion(
  db: Db,
  v: { def: WorkflowDef; source: string; sourceFormat: "yaml" | "json"; publishedBy: string },
): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const current = await tx
      .selectFrom("workflows")
      .select("current_version")
      .where("key", "=", v.def.key)
      .forUpdate()
      .executeTakeFirst();
    const version = (current?.current_version ?? 0) + 1;
    if (current) {
      await tx
        .updateTable("workflows")
        .set({
          current_version: version,
          name: v.def.name,
          prefix: v.def.prefix,
          updated_at: new Date(),
        })
        .where("key", "=", v.def.key)
        .execute();
    } else {
      await tx
        .insertInto("workflows")
        .values({
          key: v.def.key,
          prefix: v.def.prefix,
          name: v.def.name,
          current_version: version,
        })
        .execute();
    }
    await tx
      .insertInto("workflow_versions")
      .values({
        workflow_key: v.def.key,
        version,
        definition: JSON.stringify(v.def),
        source: v.source,
        source_format: v.sourceFormat,
        published_by: v.publishedBy,
      })
      .execute();
    await sql`create sequence if not exists ${sql.id(itemSequence(v.def.prefix))}`.execute(tx);
    return version;
  });
}

function toVersion(r: {
  workflow_key: string;
  version: number;
  definition: unknown;
  source: string;
  source_format: "yaml" | "json";
  published_by: string;
  published_at: Date;
}): WorkflowVersionRow {
  return {
    key: r.workflow_key,
    version: r.version,
    definition: r.definition as WorkflowDef,
    source: r.source,
    sourceFormat: r.source_format,
    publishedBy: r.published_by,
    publishedAt: r.published_at.toISOString(),
  };
}

/** A given version, or the current one when `version` is omitted. */
export async function findWorkflowVersion(
  db: Db,
  key: string,
  version?: number,
): Promise<WorkflowVersionRow | undefined> {
  let q = db
    .selectFrom("workflow_versions")
    .selectAll("workflow_versions")
    .where("workflow_versions.workflow_key", "=", key);
  if (version === undefined)
    q = q.innerJoin("workflows", (j) =>
      j
        .onRef("workflows.key", "=", "workflow_versions.workflow_key")
        .onRef("workflows.current_version", "=", "workflow_versions.version"),
    );
  else q = q.where("workflow_versions.version", "=", version);
  const r = await q.executeTakeFirst();
  return r ? toVersion(r) : undefined;
}

export async function listWorkflowVersions(
  db: Db,
  key: string,
): Promise<Omit<WorkflowVersionRow, "definition" | "source">[]> {
  const rows = await db
    .selectFrom("workflow_versions")
    .select(["workflow_key", "version", "source_format", "published_by", "published_at"])
    .where("workflow_key", "=", key)
    .orderBy("version", "desc")
    .execute();
  return rows.map((r) => ({
    key: r.workflow_key,
    version: r.version,
    sourceFormat: r.source_format,
    publishedBy: r.published_by,
    publishedAt: r.published_at.toISOString(),
  }));
}

export async function listWorkflows(db: Db): Promise<WorkflowSummary[]> {
  // The open count reads the items_workflow (workflow_key, status) index.
  const rows = await db
    .selectFrom("workflows as w")
    .innerJoin("workflow_versions as v", (j) =>
      j.onRef("v.workflow_key", "=", "w.key").onRef("v.version", "=", "w.current_version"),
    )
    .selectAll("w")
    .select((eb) => [
      sql<string | null>`v.definition->'steps'->0->>'team'`.as("start_team"),
      eb
        .selectFrom("items")
        .select(eb.fn.countAll<string>().as("n"))
        .whereRef("items.workflow_key", "=", "w.key")
        .where("items.status", "not in", ["done", "cancelled"])
        .as("open_items"),
    ])
    .orderBy("w.key")
    .execute();
  return rows.map((r) => ({
    key: r.key,
    name: r.name,
    prefix: r.prefix,
    currentVersion: r.current_version,
    updatedAt: r.updated_at.toISOString(),
    startTeam: r.start_team,
    openItems: Number(r.open_items ?? 0),
  }));
}

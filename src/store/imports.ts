import { sql } from "kysely";
import { IMPORTED_VERSION } from "../domain/history-import.ts";
import type { Item, ItemEvent } from "../domain/item.ts";
import type { Db } from "./db.ts";
import { CLOSED_SLA, itemSequence, projectionRecord, projectionSql } from "./items.ts";

/*
 * Imported history (migration 018): the import runs, the workflow's version 0 (the imported
 * process) and the closed items mined cases become. Items are written straight as their final
 * projection with all their events: no timer, no outbox row, no live notice, so nothing fires
 * for the past. The unique (workflow, case) index keeps a case from being imported twice, even
 * by two imports running at once.
 */

/**
 * Makes version 0 of the workflow a copy of its current version, unless it exists; returns
 * whether it was made now.
 */
export async function ensureImportedVersion(
  db: Db,
  { workflow, by }: { workflow: string; by: string },
): Promise<boolean> {
  const r = await sql`
    insert into workflow_versions (workflow_key, version, definition, source, source_format, published_by)
    select v.workflow_key, ${IMPORTED_VERSION}::int, v.definition, v.source, v.source_format, ${by}::text
    from workflow_versions v join workflows w on w.key = v.workflow_key and w.current_version = v.version
    where w.key = ${workflow}
    on conflict (workflow_key, version) do nothing`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

/** Records the start of an import; returns its id. */
export async function startImport(
  db: Db,
  { workflow, name, by, at }: { workflow: string; name: string; by: string; at: Date },
): Promise<string> {
  const row = await db
    .insertInto("imports")
    .values({ workflow_key: workflow, name, imported_by: by, started_at: at.toISOString() })
    .returning("id")
    .executeTakeFirstOrThrow();
  return String(row.id);
}

/** Records how an import ended. */
export async function finishImport(
  db: Db,
  {
    id,
    at,
    casesImported,
    casesPresent,
    events,
  }: { id: string; at: Date; casesImported: number; casesPresent: number; events: number },
): Promise<void> {
  await db
    .updateTable("imports")
    .set({
      finished_at: at.toISOString(),
      cases_imported: casesImported,
      cases_present: casesPresent,
      events,
    })
    .where("id", "=", id)
    .execute();
}

/** The case ids among `cases` already imported into the workflow. */
export async function presentCases(
  db: Db,
  workflow: string,
  cases: readonly string[],
): Promise<Set<string>> {
  if (cases.length === 0) return new Set();
  const rows = await db
    .selectFrom("items")
    .select("import_case")
    .where("workflow_key", "=", workflow)
    .where("import_case", "in", cases)
    .execute();
  return new Set(rows.map((r) => r.import_case as string));
}

/** `n` item numbers of the workflow's prefix (numbers are never given back, as for live items). */
export async function takeItemNumbers(db: Db, prefix: string, n: number): Promise<number[]> {
  if (n === 0) return [];
  const { rows } = await sql<{ n: string }>`
    select nextval(${itemSequence(prefix)}::regclass) as n from generate_series(1, ${n}::int)`.execute(
    db,
  );
  return rows.map((r) => Number(r.n));
}

/** One imported case: its closed item and the events it replays from. */
export interface ImportedItem {
  importCase: string;
  item: Item;
  events: readonly ItemEvent[];
}

/**
 * Inserts imported items and their events in one statement; a case another import wrote
 * meanwhile is left as it is. Returns the row ids of the items written and their event count.
 */
export async function insertImported(
  db: Db,
  {
    importId,
    workflow,
    items,
  }: { importId: string; workflow: string; items: readonly ImportedItem[] },
): Promise<{ ids: string[]; events: number }> {
  if (items.length === 0) return { ids: [], events: 0 };
  const rows = items.map((x) => ({
    key: x.item.key,
    import_case: x.importCase,
    created_at: x.item.createdAt,
    ...projectionRecord(x.item, CLOSED_SLA),
  }));
  const events = items.flatMap((x) =>
    x.events.map((e, i) => ({
      key: x.item.key,
      seq: i + 1,
      type: e.type,
      actor: e.actor,
      at: e.at,
      data: e.data,
    })),
  );
  const { rows: out } = await sql<{ id: string; events: string }>`
    with rows as materialized (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(key text, import_case text,
        created_at timestamptz, ${sql.raw(projectionSql.recordsetColumns)})
    ), events_in as materialized (
      select * from jsonb_to_recordset(${JSON.stringify(events)}::jsonb)
        as e(key text, seq int, type text, actor text, at timestamptz, data jsonb)
    ), new_items as (
      insert into items (key, workflow_key, workflow_version, created_at,
        ${sql.raw(projectionSql.columns)}, import_id, import_case)
      select r.key, ${workflow}::text, ${IMPORTED_VERSION}::int, r.created_at,
        ${sql.raw(projectionSql.valuesFrom("r"))}, ${importId}::bigint, r.import_case
      from rows r
      on conflict (workflow_key, import_case) where import_case is not null do nothing
      returning id, key
    ), new_events as (
      insert into events (item_id, seq, type, actor, at, data, import_id)
      select n.id, e.seq, e.type, e.actor, e.at, e.data, ${importId}::bigint
      from events_in e join new_items n on n.key = e.key
      returning item_id
    )
    select n.id, (select count(*) from new_events) as events from new_items n`.execute(db);
  return { ids: out.map((r) => String(r.id)), events: Number(out[0]?.events ?? 0) };
}

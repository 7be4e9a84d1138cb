import { type Kysely, sql } from "kysely";

/*
 * Imported history (docs/mining.md, "Import into Baton as history"): cases mined from another
 * tool's event log become closed items of a workflow, on its version 0 (the imported process),
 * with their real timestamps. `imports` records each run; an item remembers the case it came
 * from, and the unique index on (workflow, case) is what makes importing the same file twice
 * add nothing. Every imported event carries the import it came from (`events.import_id`); live
 * events leave it null. Both new columns are nullable without a default, so adding them rewrites
 * no row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table imports (
      id bigserial primary key,
      workflow_key text not null references workflows (key),
      name text not null,
      imported_by text not null,
      started_at timestamptz not null,
      finished_at timestamptz,
      cases_imported int not null default 0,
      cases_present int not null default 0,
      events int not null default 0
    );

    alter table items add column import_id bigint references imports (id);
    alter table items add column import_case text;
    create unique index items_import_case on items (workflow_key, import_case)
      where import_case is not null;

    alter table events add column import_id bigint;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table events drop column import_id;
    drop index items_import_case;
    alter table items drop column import_case, drop column import_id;
    drop table imports;
  `.execute(db);
}

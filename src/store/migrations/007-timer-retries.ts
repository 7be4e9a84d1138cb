import { type Kysely, sql } from "kysely";

/*
 * Timers that failed: the worker could not compute or write what one item's timers fire (a
 * calendar or workflow version it cannot compute with, a row PostgreSQL refuses). Such a timer
 * is not claimed again before `retry_at`, which backs off exponentially with `attempts`; the
 * last error is kept for operators. Any write of the item's timers (a command, a recompute)
 * clears all three, since it computed the item's clocks successfully.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table timers
      add column attempts int not null default 0,
      add column last_error text,
      add column retry_at timestamptz;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table timers drop column retry_at, drop column last_error, drop column attempts`.execute(
    db,
  );
}

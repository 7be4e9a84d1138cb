import { sql } from "kysely";
import type { Item } from "../domain/item.ts";
import type { Db } from "./db.ts";

/*
 * Service-level timers. Any number of workers (in any number of nodes) claim due timers with
 * FOR UPDATE SKIP LOCKED, so a timer goes to one worker at a time; the claim is a lease, so a
 * worker that dies mid-batch loses nothing: its timers are claimed again when the lease ends.
 * A timer counts as fired once `fired_at` is set, which happens in the same statement as the
 * event it produces (see appendEvents). A timer whose item failed (see recordTimerFailures)
 * waits until its `retry_at` before it is claimed again.
 */

export interface DueTimer {
  id: string;
  itemId: string;
  key: string;
  dueAt: Date;
  payload: unknown;
}

/** Claims up to `limit` due timers (oldest due first) for `leaseMs`. */
export async function claimDueTimers(
  db: Db,
  { now, limit, leaseMs }: { now: Date; limit: number; leaseMs: number },
): Promise<DueTimer[]> {
  const leaseEnd = new Date(now.getTime() - leaseMs).toISOString();
  const { rows } = await sql<{
    id: string;
    item_id: string;
    key: string;
    due_at: Date;
    payload: unknown;
  }>`
    update timers set claimed_at = ${now.toISOString()}
    where id in (
      select id from timers
      where fired_at is null and due_at <= ${now.toISOString()}
        and (claimed_at is null or claimed_at < ${leaseEnd})
        and (retry_at is null or retry_at <= ${now.toISOString()})
      order by due_at
      limit ${limit}
      for update skip locked
    )
    returning id, item_id, key, due_at, payload`.execute(db);
  return rows
    .map((r) => ({ id: r.id, itemId: r.item_id, key: r.key, dueAt: r.due_at, payload: r.payload }))
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}

/** When a failed timer is tried again: `base · 2^(attempts − 1)`, at most `max` (ms). */
export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * Records that firing these timers failed: one more attempt, the error, the lease given back and
 * a retry time that doubles with each attempt up to the cap. Timers that fired meanwhile (on
 * another node) are left alone. Returns the attempts and retry time of each timer recorded.
 */
export async function recordTimerFailures(
  db: Db,
  {
    ids,
    error,
    now,
    retry,
  }: { ids: readonly string[]; error: string; now: Date; retry: RetryPolicy },
): Promise<{ id: string; attempts: number; retryAt: Date }[]> {
  if (ids.length === 0) return [];
  // The exponent is capped so the power cannot overflow before least() applies the cap.
  const { rows } = await sql<{ id: string; attempts: number; retry_at: Date }>`
    update timers set attempts = attempts + 1, last_error = ${error}, claimed_at = null,
      retry_at = ${now.toISOString()}::timestamptz + least(${retry.maxMs}::float8,
        ${retry.baseMs}::float8 * power(2, least(attempts, 40))) * interval '1 millisecond'
    where id = any(${ids}::bigint[]) and fired_at is null
    returning id, attempts, retry_at`.execute(db);
  return rows.map((r) => ({ id: String(r.id), attempts: r.attempts, retryAt: r.retry_at }));
}

/** Marks timers fired that turned out to need no event (the clock ended or moved). */
export async function markFired(db: Db, ids: readonly string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable("timers")
    .set({ fired_at: at.toISOString() })
    .where("id", "in", ids)
    .execute();
}

/** Gives a claimed timer back with a later due time (the moment it stands for moved). */
export async function rescheduleTimer(
  db: Db,
  { id, dueAt }: { id: string; dueAt: string },
): Promise<void> {
  await db
    .updateTable("timers")
    .set({ due_at: dueAt, claimed_at: null })
    .where("id", "=", id)
    .where("fired_at", "is", null)
    .execute();
}

/** Loads items by id. */
export async function findItemsById(db: Db, ids: readonly string[]): Promise<Map<string, Item>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom("items").select(["id", "doc"]).where("id", "in", ids).execute();
  return new Map(rows.map((r) => [r.id, r.doc as Item]));
}

/** The earliest unfired timer, to know how long a worker may sleep. */
export async function nextDueAt(db: Db): Promise<Date | null> {
  const r = await db
    .selectFrom("timers")
    .select((e) => e.fn.min("due_at").as("due"))
    .where("fired_at", "is", null)
    .executeTakeFirst();
  return (r?.due as Date | null | undefined) ?? null;
}

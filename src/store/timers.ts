import { sql } from "kysely";
import type { Item } from "../domain/item.ts";
import type { Db } from "./db.ts";

/*
 * Service-level timers. Any number of workers (in any number of nodes) claim due timers with
 * FOR UPDATE SKIP LOCKED, so a timer goes to one worker at a time; the claim is a lease, so a
 * worker that dies mid-batch loses nothing: its timers are claimed again when the lease ends.
 * A timer counts as fired once `fired_at` is set, which happens in the same statement as the
 * event it produces (see appendEvents).
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
      order by due_at
      limit ${limit}
      for update skip locked
    )
    returning id, item_id, key, due_at, payload`.execute(db);
  return rows
    .map((r) => ({ id: r.id, itemId: r.item_id, key: r.key, dueAt: r.due_at, payload: r.payload }))
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
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

export interface OutboxRow {
  id: string;
  kind: string;
  recipient: string;
  subject: string;
  body: string;
  itemKey: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

/** Outbox messages, newest first, optionally for one item. */
export async function listOutbox(
  db: Db,
  { itemKey, limit = 100 }: { itemKey?: string; limit?: number } = {},
): Promise<OutboxRow[]> {
  let q = db.selectFrom("outbox").selectAll();
  if (itemKey) q = q.where("item_key", "=", itemKey);
  const rows = await q.orderBy("id", "desc").limit(limit).execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    recipient: r.recipient,
    subject: r.subject,
    body: r.body,
    itemKey: r.item_key,
    createdAt: r.created_at.toISOString(),
    deliveredAt: r.delivered_at ? r.delivered_at.toISOString() : null,
  }));
}

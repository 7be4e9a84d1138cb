import { sql } from "kysely";
import type { Db } from "./db.ts";
import type { NewDelivery } from "./notifications.ts";

/* The weekly review digest's rows (migration 018b): who was sent which week, once. */

/** Teams whose digest of the week (its Monday) is written already. */
export async function sentTeams(db: Db, week: string): Promise<Set<string>> {
  const { rows } = await sql<{ team: string }>`
    select team from review_digests where week = ${week}::date`.execute(db);
  return new Set(rows.map((r) => r.team));
}

/** An inbox line of a digest (no item: it is about a team's week). */
export interface DigestLine {
  recipient: string;
  title: string;
  action: string;
  inbox: boolean;
}

/**
 * Writes one team's digest of one week: the claim row, the inbox lines and the mail
 * deliveries, in one statement. Another node that wrote it first makes this one write nothing;
 * returns whether this statement wrote it.
 */
export async function writeDigest(
  db: Db,
  {
    week,
    team,
    at,
    lines,
    deliveries,
    edges,
  }: {
    week: string;
    team: string;
    at: Date;
    lines: readonly DigestLine[];
    deliveries: readonly NewDelivery[];
    edges: number;
  },
): Promise<boolean> {
  const recipients = new Set([
    ...lines.map((l) => l.recipient),
    ...deliveries.map((d) => d.target),
  ]);
  const n = lines.filter((l) => l.inbox);
  const d = deliveries.map((x) => ({
    idempotency_id: x.idempotencyId,
    channel: x.channel,
    target: x.target,
    kind: x.kind,
    payload: x.payload,
    created_at: x.createdAt,
  }));
  const { rows } = await sql<{ week: string }>`
    with claim as (
      insert into review_digests (week, team, sent_at, recipients, edges)
      values (${week}::date, ${team}, ${at.toISOString()}::timestamptz, ${recipients.size}::int,
        ${edges}::int)
      on conflict (week, team) do nothing
      returning week
    ), n as (
      insert into notifications (recipient, created_at, kind, reason, item_key, event_seq, actor,
        title, action, due_at, inbox, digest_pending)
      select x.recipient, ${at.toISOString()}::timestamptz, 'review.digest', 'lead', null, null,
        null, x.title, x.action, null, true, false
      from jsonb_to_recordset(${JSON.stringify(n)}::jsonb) as x(recipient text, title text, action text)
      where exists (select 1 from claim)
    ), d as (
      insert into deliveries (idempotency_id, channel, target, kind, item_key, payload, created_at,
        next_attempt_at)
      select x.idempotency_id, x.channel, x.target, x.kind, null, x.payload, x.created_at,
        ${at.toISOString()}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(d)}::jsonb) as x(idempotency_id text, channel text,
        target text, kind text, payload jsonb, created_at timestamptz)
      where exists (select 1 from claim)
      on conflict (idempotency_id) do nothing
    )
    select week from claim`.execute(db);
  return rows.length > 0;
}

import { sql } from "kysely";
import type { Item, ItemEvent } from "../domain/item.ts";
import type { Db } from "./db.ts";

/*
 * The outbox, the inbox and the deliveries (see migration 009).
 *
 * The fan-out takes outbox rows in a transaction of its own: it locks them (`for update skip
 * locked`, so workers of several nodes never take the same row), works out what they fan out
 * into, and deletes them in the statement that writes their notifications and deliveries, then
 * commits. A worker that dies mid-round loses nothing: its connection drops, its transaction
 * rolls back and the rows are free again. Deliveries are claimed under a lease
 * (`claimed_until`) instead, since sending one may take seconds; `claimOutbox` claims outbox
 * rows the same way (a lease the fan-out respects), as a worker that is not in a transaction
 * would. The write inserts only for the rows its own statement deleted, so a row is fanned out
 * once even if two workers held it.
 */

/** An outbox row as claimed, with the event it points at and the item as it is now. */
export interface OutboxWork {
  id: string;
  attempts: number;
  kind: string;
  watch: boolean;
  data: Record<string, unknown> | null;
  itemId: string;
  event: ItemEvent & { seq: number };
  item: Item;
  /** The item's nearest deadline now (its queue's sort key), for "by when". */
  nextDueAt: string | null;
  watcherRows: { email: string; watching: boolean }[];
}

/** What the fan-out reads of an outbox row: the row, its event, the item now, its watchers. */
type OutboxDbRow = {
  id: string;
  attempts: number;
  kind: string;
  watch: boolean;
  data: Record<string, unknown> | null;
  item_id: string;
  seq: number;
  type: string;
  actor: string;
  event_at: Date;
  event_data: unknown;
  doc: Item;
  next_due_at: Date | null;
  watchers: { email: string; watching: boolean }[];
};

/** The columns of OutboxDbRow, for outbox rows `o` (or a CTE of them) with `outboxWorkJoins`. */
const outboxWorkColumns = sql`o.id, o.attempts, o.kind, o.watch, o.data, o.item_id, o.seq,
  e.type, e.actor, e.at as event_at, e.data as event_data, i.doc, i.next_due_at,
  coalesce((select json_agg(json_build_object('email', w.email, 'watching', w.watching))
            from watchers w where w.item_id = o.item_id), '[]') as watchers`;

/**
 * Each row's item and event, looked up by primary key row by row. As plain joins the planner
 * hashes whole tables when it thinks them small (a fresh or young database): measured in
 * `npm run bench:cost`, 13-32 event rows read per transition for the 0.67 outbox rows it has.
 * (`limit 1` keeps PostgreSQL from turning the lookups back into joins.)
 */
const outboxWorkJoins = sql`
  cross join lateral (select doc, next_due_at from items where id = o.item_id limit 1) i
  cross join lateral (select type, actor, at, data from events
                      where item_id = o.item_id and seq = o.seq limit 1) e`;

function toOutboxWork(r: OutboxDbRow): OutboxWork {
  return {
    id: String(r.id),
    attempts: r.attempts,
    kind: r.kind,
    watch: r.watch,
    data: r.data,
    itemId: String(r.item_id),
    event: {
      seq: r.seq,
      type: r.type,
      actor: r.actor,
      at: r.event_at.toISOString(),
      data: r.event_data,
    } as ItemEvent & { seq: number },
    item: r.doc,
    nextDueAt: r.next_due_at ? r.next_due_at.toISOString() : null,
    watcherRows: r.watchers,
  };
}

/**
 * Locks up to `limit` outbox rows that are due, oldest first, for the transaction `tx` is
 * (skipping rows another transaction holds or another worker's lease covers); with their
 * events and items. They stay locked until that transaction ends.
 */
export async function lockOutbox(
  tx: Db,
  { now, limit }: { now: Date; limit: number },
): Promise<OutboxWork[]> {
  const at = now.toISOString();
  const { rows } = await sql<OutboxDbRow>`
    select ${outboxWorkColumns}
    from outbox o ${outboxWorkJoins}
    where (o.claimed_until is null or o.claimed_until < ${at})
      and (o.retry_at is null or o.retry_at <= ${at})
    order by o.id
    limit ${limit}
    for update of o skip locked`.execute(tx);
  return rows.map(toOutboxWork);
}

/**
 * Claims up to `limit` outbox rows, oldest first, under a lease of `leaseMs` (no transaction
 * held); with their events and items. Until the lease runs out nobody else fans them out.
 */
export async function claimOutbox(
  db: Db,
  { now, limit, leaseMs }: { now: Date; limit: number; leaseMs: number },
): Promise<OutboxWork[]> {
  const at = now.toISOString();
  const until = new Date(now.getTime() + leaseMs).toISOString();
  const { rows } = await sql<OutboxDbRow>`
    with o as (
      update outbox set claimed_until = ${until}
      where id in (
        select id from outbox
        where (claimed_until is null or claimed_until < ${at})
          and (retry_at is null or retry_at <= ${at})
        order by id
        limit ${limit}
        for update skip locked
      )
      returning id, attempts, kind, watch, data, item_id, seq
    )
    select ${outboxWorkColumns}
    from o ${outboxWorkJoins}
    order by o.id`.execute(db);
  return rows.map(toOutboxWork);
}

/** A line of someone's inbox, to be written. */
export interface NewNotification {
  outboxId: string;
  recipient: string;
  createdAt: string;
  kind: string;
  reason: string;
  itemKey: string;
  eventSeq: number;
  actor: string;
  title: string;
  action: string;
  dueAt: string | null;
  inbox: boolean;
  digestPending: boolean;
}

/** A delivery job, to be written. `outboxId` ties it to the outbox row it comes from, if any. */
export interface NewDelivery {
  outboxId?: string | undefined;
  idempotencyId: string;
  channel: string;
  target: string;
  kind: string;
  itemKey: string | null;
  subscription?: string | null | undefined;
  payload: unknown;
  createdAt: string;
}

/** A stored inbox line. */
export interface NotificationRow {
  id: string;
  recipient: string;
  createdAt: string;
  kind: string;
  reason: string;
  itemKey: string | null;
  actor: string | null;
  title: string;
  action: string;
  dueAt: string | null;
  readAt: string | null;
}

type NotificationDbRow = {
  id: string;
  recipient: string;
  created_at: Date | string;
  kind: string;
  reason: string;
  item_key: string | null;
  actor: string | null;
  title: string;
  action: string;
  due_at: Date | string | null;
  read_at: Date | string | null;
};

const iso = (d: Date | string | null): string | null =>
  d === null ? null : typeof d === "string" ? new Date(d).toISOString() : d.toISOString();

function toNotification(r: NotificationDbRow): NotificationRow {
  return {
    id: String(r.id),
    recipient: r.recipient,
    createdAt: iso(r.created_at) as string,
    kind: r.kind,
    reason: r.reason,
    itemKey: r.item_key,
    actor: r.actor,
    title: r.title,
    action: r.action,
    dueAt: iso(r.due_at),
    readAt: iso(r.read_at),
  };
}

/** An inbox line's instant as the live notice carries it (Date.toISOString's form). */
const isoOf = (column: string) =>
  sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/**
 * Fans out outbox rows in one statement: deletes them and writes the notifications and
 * deliveries of the rows it deleted (a row another worker fanned out meanwhile adds nothing).
 * With `channel`, the new inbox lines also go out on it as live notices (`{recipient,
 * notification}` in JSON arrays under NOTIFY's 8000-byte limit), which PostgreSQL sends when
 * the transaction commits and not before; a line too long for a notice (over 3,900 bytes)
 * stays out of them, as it would from a notice sent by the node.
 * Returns how many outbox rows it deleted.
 */
export async function writeFanout(
  db: Db,
  {
    outboxIds,
    notifications,
    deliveries,
    now,
    channel,
  }: {
    outboxIds: readonly string[];
    notifications: readonly NewNotification[];
    deliveries: readonly NewDelivery[];
    now: Date;
    channel: string | null;
  },
): Promise<number> {
  if (outboxIds.length === 0) return 0;
  const n = notifications.map((x) => ({
    outbox_id: x.outboxId,
    recipient: x.recipient,
    created_at: x.createdAt,
    kind: x.kind,
    reason: x.reason,
    item_key: x.itemKey,
    event_seq: x.eventSeq,
    actor: x.actor,
    title: x.title,
    action: x.action,
    due_at: x.dueAt,
    inbox: x.inbox,
    digest_pending: x.digestPending,
  }));
  const d = deliveries.map(deliveryRow);
  const { rows } = await sql<{ gone: string }>`
    with gone as (
      delete from outbox where id = any(${outboxIds}::bigint[]) returning id
    ), n as (
      insert into notifications (recipient, created_at, kind, reason, item_key, event_seq, actor,
        title, action, due_at, inbox, digest_pending)
      select x.recipient, x.created_at, x.kind, x.reason, x.item_key, x.event_seq, x.actor,
        x.title, x.action, x.due_at, x.inbox, x.digest_pending
      from jsonb_to_recordset(${JSON.stringify(n)}::jsonb) as x(outbox_id bigint, recipient text,
        created_at timestamptz, kind text, reason text, item_key text, event_seq int, actor text,
        title text, action text, due_at timestamptz, inbox boolean, digest_pending boolean)
      -- Only lines of rows this statement deleted: a row is fanned out once, even when two
      -- workers hold the same (expired) claim.
      join gone on gone.id = x.outbox_id
      returning id, recipient, created_at, kind, reason, item_key, actor, title, action, due_at,
        inbox
    ), d as (
      insert into deliveries (idempotency_id, channel, target, kind, item_key, subscription,
        payload, created_at, next_attempt_at)
      select x.idempotency_id, x.channel, x.target, x.kind, x.item_key, x.subscription, x.payload,
        x.created_at, ${now.toISOString()}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(d)}::jsonb) as x(outbox_id bigint,
        idempotency_id text, channel text, target text, kind text, item_key text,
        subscription text, payload jsonb, created_at timestamptz)
      where x.outbox_id is null or x.outbox_id in (select id from gone)
      on conflict (idempotency_id) do nothing
    ), line as (
      select n.id, json_build_object('recipient', n.recipient, 'notification', json_build_object(
        'id', n.id::text, 'recipient', n.recipient, 'createdAt', ${isoOf("n.created_at")},
        'kind', n.kind, 'reason', n.reason, 'itemKey', n.item_key, 'actor', n.actor,
        'title', n.title, 'action', n.action, 'dueAt', ${isoOf("n.due_at")}, 'readAt', null
      ))::text as json
      from n where n.inbox and ${channel}::text is not null
    ), sized as (
      -- Where each line starts in the stream of lines: a notice holds those starting in one
      -- 4,000-byte stretch, so it stays under 3,900 + 4,000 bytes.
      select id, json, sum(octet_length(json) + 1) over (order by id) - octet_length(json) - 1
        as start
      from line where octet_length(json) <= 3900
    ), notice as (
      select pg_notify(${channel}::text, '[' || string_agg(json, ',' order by id) || ']')
      from sized group by start / 4000
    )
    select (select count(*) from gone) as gone, (select count(*) from notice) as notices`.execute(
    db,
  );
  return Number(rows[0]?.gone ?? 0);
}

/** Records that fanning out these rows failed: retried after `retryAt`, the error kept. */
export async function recordOutboxFailure(
  db: Db,
  { ids, error, retryAt }: { ids: readonly string[]; error: string; retryAt: Date },
): Promise<void> {
  if (ids.length === 0) return;
  await sql`
    update outbox set attempts = attempts + 1, last_error = ${error}, claimed_until = null,
      retry_at = ${retryAt.toISOString()}
    where id = any(${ids}::bigint[])`.execute(db);
}

/** Gives claimed outbox rows back (a worker stopping before it fanned them out). */
export async function releaseOutbox(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`update outbox set claimed_until = null where id = any(${ids}::bigint[])`.execute(db);
}

/** How many outbox rows wait to be fanned out, and the oldest one's age (for health). */
export async function outboxBacklog(db: Db): Promise<{ pending: number; oldest: string | null }> {
  const { rows } = await sql<{ n: string; oldest: Date | null }>`
    select count(*) as n, min(created_at) as oldest from outbox`.execute(db);
  return { pending: Number(rows[0]?.n ?? 0), oldest: iso(rows[0]?.oldest ?? null) };
}

/** A delivery job as the insert statements read it (jsonb_to_recordset). */
function deliveryRow(x: NewDelivery) {
  return {
    outbox_id: x.outboxId ?? null,
    idempotency_id: x.idempotencyId,
    channel: x.channel,
    target: x.target,
    kind: x.kind,
    item_key: x.itemKey,
    subscription: x.subscription ?? null,
    payload: x.payload,
    created_at: x.createdAt,
  };
}

/** Inserts delivery jobs (not tied to an outbox row); an idempotency id already there adds nothing. */
export async function enqueueDeliveries(
  db: Db,
  deliveries: readonly NewDelivery[],
  now: Date,
): Promise<string[]> {
  if (deliveries.length === 0) return [];
  const d = deliveries.map(deliveryRow);
  const { rows } = await sql<{ id: string }>`
    insert into deliveries (idempotency_id, channel, target, kind, item_key, subscription, payload,
      created_at, next_attempt_at)
    select x.idempotency_id, x.channel, x.target, x.kind, x.item_key, x.subscription, x.payload,
      x.created_at, ${now.toISOString()}::timestamptz
    from jsonb_to_recordset(${JSON.stringify(d)}::jsonb) as x(idempotency_id text, channel text,
      target text, kind text, item_key text, subscription text, payload jsonb,
      created_at timestamptz)
    on conflict (idempotency_id) do nothing
    returning id`.execute(db);
  return rows.map((r) => String(r.id));
}

/** A delivery as a worker holds it. */
export interface DeliveryJob {
  id: string;
  idempotencyId: string;
  channel: string;
  target: string;
  kind: string;
  itemKey: string | null;
  subscription: string | null;
  payload: unknown;
  /** This try's number, from 1. */
  attempt: number;
  createdAt: string;
}

/** Claims up to `limit` due pending deliveries of `channels` under `token` for `leaseMs`. */
export async function claimDeliveries(
  db: Db,
  {
    now,
    limit,
    leaseMs,
    token,
    channels,
  }: { now: Date; limit: number; leaseMs: number; token: string; channels: readonly string[] },
): Promise<DeliveryJob[]> {
  if (channels.length === 0) return [];
  const at = now.toISOString();
  const { rows } = await sql<{
    id: string;
    idempotency_id: string;
    channel: string;
    target: string;
    kind: string;
    item_key: string | null;
    subscription: string | null;
    payload: unknown;
    attempts: number;
    created_at: Date;
  }>`
    update deliveries set claimed_until = ${new Date(now.getTime() + leaseMs).toISOString()},
      claim_token = ${token}
    where id in (
      select id from deliveries
      where status = 'pending' and next_attempt_at <= ${at}
        and (claimed_until is null or claimed_until < ${at})
        and channel = any(${channels}::text[])
      order by next_attempt_at
      limit ${limit}
      for update skip locked
    )
    returning id, idempotency_id, channel, target, kind, item_key, subscription, payload, attempts,
      created_at`.execute(db);
  return rows
    .map((r) => ({
      id: String(r.id),
      idempotencyId: r.idempotency_id,
      channel: r.channel,
      target: r.target,
      kind: r.kind,
      itemKey: r.item_key,
      subscription: r.subscription,
      payload: r.payload,
      attempt: r.attempts + 1,
      createdAt: r.created_at.toISOString(),
    }))
    .sort((a, b) => Number(a.id) - Number(b.id));
}

/** The outcome of one try, to record. */
export interface DeliveryOutcome {
  id: string;
  attempt: number;
  status: "delivered" | "retry" | "failed";
  error: string | null;
  durationMs: number;
  at: string;
  /** For a retry: when. */
  nextAttemptAt: string | null;
}

/**
 * Records tries in one statement: the job's new status, attempts and next try, and a line in
 * its log. Only jobs still held under `token` change (a job whose lease ran out and was claimed
 * by another worker is that worker's to record); their log lines are written all the same.
 */
export async function recordDeliveries(
  db: Db,
  { token, outcomes }: { token: string; outcomes: readonly DeliveryOutcome[] },
): Promise<void> {
  if (outcomes.length === 0) return;
  const o = outcomes.map((x) => ({
    id: x.id,
    attempt: x.attempt,
    status: x.status,
    error: x.error,
    duration_ms: Math.round(x.durationMs),
    at: x.at,
    next_attempt_at: x.nextAttemptAt,
  }));
  await sql`
    with o as (
      select * from jsonb_to_recordset(${JSON.stringify(o)}::jsonb) as o(id bigint, attempt int,
        status text, error text, duration_ms int, at timestamptz, next_attempt_at timestamptz)
    ), log as (
      insert into delivery_attempts (delivery_id, attempt, at, status, error, duration_ms)
      select id, attempt, at, status, error, duration_ms from o
      on conflict (delivery_id, attempt) do nothing
    )
    update deliveries d set
      status = case o.status when 'retry' then 'pending' else o.status end,
      attempts = greatest(d.attempts, o.attempt),
      last_error = o.error,
      next_attempt_at = coalesce(o.next_attempt_at, d.next_attempt_at),
      delivered_at = case o.status when 'delivered' then o.at else d.delivered_at end,
      claimed_until = null, claim_token = null
    from o where d.id = o.id and d.claim_token = ${token} and d.status = 'pending'`.execute(db);
}

/** Gives claimed deliveries back untried (a worker stopping). */
export async function releaseDeliveries(
  db: Db,
  { ids, token }: { ids: readonly string[]; token: string },
): Promise<void> {
  if (ids.length === 0) return;
  await sql`
    update deliveries set claimed_until = null, claim_token = null
    where id = any(${ids}::bigint[]) and claim_token = ${token}`.execute(db);
}

/** A delivery with its log, for operators and subscribers. */
export interface DeliveryRow {
  id: string;
  idempotencyId: string;
  channel: string;
  target: string;
  kind: string;
  itemKey: string | null;
  subscription: string | null;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  createdAt: string;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  lastError: string | null;
  log: { attempt: number; at: string; status: string; error: string | null; durationMs: number }[];
}

/** Deliveries newest first, by subscription, item or channel; `beforeId` pages on. */
export async function listDeliveries(
  db: Db,
  {
    subscription,
    itemKey,
    channel,
    beforeId,
    limit,
  }: {
    subscription?: string | undefined;
    itemKey?: string | undefined;
    channel?: string | undefined;
    beforeId?: string | undefined;
    limit: number;
  },
): Promise<DeliveryRow[]> {
  const { rows } = await sql<{
    id: string;
    idempotency_id: string;
    channel: string;
    target: string;
    kind: string;
    item_key: string | null;
    subscription: string | null;
    status: "pending" | "delivered" | "failed";
    attempts: number;
    created_at: Date;
    next_attempt_at: Date;
    delivered_at: Date | null;
    last_error: string | null;
    log: {
      attempt: number;
      at: string;
      status: string;
      error: string | null;
      duration_ms: number;
    }[];
  }>`
    select d.id, d.idempotency_id, d.channel, d.target, d.kind, d.item_key, d.subscription,
      d.status, d.attempts, d.created_at, d.next_attempt_at, d.delivered_at, d.last_error,
      coalesce((select json_agg(json_build_object('attempt', a.attempt, 'at', a.at,
                  'status', a.status, 'error', a.error, 'duration_ms', a.duration_ms)
                  order by a.attempt)
                from delivery_attempts a where a.delivery_id = d.id), '[]') as log
    from deliveries d
    where true
      ${subscription === undefined ? sql`` : sql`and d.subscription = ${subscription}`}
      ${itemKey === undefined ? sql`` : sql`and d.item_key = ${itemKey}`}
      ${channel === undefined ? sql`` : sql`and d.channel = ${channel}`}
      ${beforeId === undefined ? sql`` : sql`and d.id < ${beforeId}::bigint`}
    order by d.id desc limit ${limit}`.execute(db);
  return rows.map((r) => ({
    id: String(r.id),
    idempotencyId: r.idempotency_id,
    channel: r.channel,
    target: r.target,
    kind: r.kind,
    itemKey: r.item_key,
    subscription: r.subscription,
    status: r.status,
    attempts: r.attempts,
    createdAt: r.created_at.toISOString(),
    nextAttemptAt: r.status === "pending" ? r.next_attempt_at.toISOString() : null,
    deliveredAt: iso(r.delivered_at),
    lastError: r.last_error,
    log: r.log.map((l) => ({
      attempt: l.attempt,
      at: new Date(l.at).toISOString(),
      status: l.status,
      error: l.error,
      durationMs: l.duration_ms,
    })),
  }));
}

/**
 * Writes one inbox line that no item event caused (a webhook disabled), for its owner; returns
 * it for the live stream.
 */
export async function insertNotice(
  db: Db,
  n: { recipient: string; kind: string; reason: string; title: string; action: string; at: string },
): Promise<NotificationRow> {
  const { rows } = await sql<NotificationDbRow>`
    insert into notifications (recipient, created_at, kind, reason, title, action)
    values (${n.recipient}, ${n.at}::timestamptz, ${n.kind}, ${n.reason}, ${n.title}, ${n.action})
    returning id, recipient, created_at, kind, reason, item_key, actor, title, action, due_at,
      read_at`.execute(db);
  return toNotification(rows[0] as NotificationDbRow);
}

/** A person's inbox, newest first, `beforeId` paging on; with their unread count (capped). */
export async function listNotifications(
  db: Db,
  {
    recipient,
    beforeId,
    limit,
    unreadOnly = false,
  }: { recipient: string; beforeId?: string | undefined; limit: number; unreadOnly?: boolean },
): Promise<{ rows: NotificationRow[]; unread: number }> {
  const [list, count] = await Promise.all([
    sql<NotificationDbRow>`
      select id, recipient, created_at, kind, reason, item_key, actor, title, action, due_at,
        read_at
      from notifications
      where recipient = ${recipient} and inbox
        ${beforeId === undefined ? sql`` : sql`and id < ${beforeId}::bigint`}
        ${unreadOnly ? sql`and read_at is null` : sql``}
      order by id desc limit ${limit}`.execute(db),
    sql<{ n: string }>`
      select count(*) as n from (
        select 1 from notifications where recipient = ${recipient} and inbox and read_at is null
        limit ${UNREAD_MAX}
      ) u`.execute(db),
  ]);
  return { rows: list.rows.map(toNotification), unread: Number(count.rows[0]?.n ?? 0) };
}

/** The unread count stops counting here (a badge says "9999+"). */
export const UNREAD_MAX = 10_000;

/** Marks lines read (only the person's own); returns how many changed. */
export async function markRead(
  db: Db,
  { recipient, ids, at }: { recipient: string; ids: readonly string[] | "all"; at: Date },
): Promise<number> {
  const { numAffectedRows } = await sql`
    update notifications set read_at = ${at.toISOString()}
    where recipient = ${recipient} and inbox and read_at is null
      ${ids === "all" ? sql`` : sql`and id = any(${ids}::bigint[])`}`.execute(db);
  return Number(numAffectedRows ?? 0);
}

/** Who was told what about an item (or anything), newest first: the admin's outbox view. */
export async function listTold(
  db: Db,
  { itemKey, limit }: { itemKey?: string | undefined; limit: number },
): Promise<NotificationRow[]> {
  const { rows } = await sql<NotificationDbRow>`
    select id, recipient, created_at, kind, reason, item_key, actor, title, action, due_at, read_at
    from notifications
    ${itemKey === undefined ? sql`` : sql`where item_key = ${itemKey}`}
    order by id desc limit ${limit}`.execute(db);
  return rows.map(toNotification);
}

/** People with lines waiting for a digest (at most `limit`). */
export async function digestRecipients(db: Db, limit: number): Promise<string[]> {
  const { rows } = await sql<{ recipient: string }>`
    select distinct recipient from notifications where digest_pending limit ${limit}`.execute(db);
  return rows.map((r) => r.recipient);
}

/** The lines waiting for one person's digest, oldest first (at most `limit`). */
export async function digestLines(
  db: Db,
  { recipient, limit }: { recipient: string; limit: number },
): Promise<NotificationRow[]> {
  const { rows } = await sql<NotificationDbRow>`
    select id, recipient, created_at, kind, reason, item_key, actor, title, action, due_at, read_at
    from notifications where recipient = ${recipient} and digest_pending
    order by id limit ${limit}`.execute(db);
  return rows.map(toNotification);
}

/**
 * Queues a digest mail and takes its lines off the waiting list, in one statement; a digest
 * with the same idempotency id (the same person and day) already queued adds nothing and takes
 * nothing. Returns whether it was queued.
 */
export async function queueDigest(
  db: Db,
  { delivery, lineIds, now }: { delivery: NewDelivery; lineIds: readonly string[]; now: Date },
): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`
    with d as (
      insert into deliveries (idempotency_id, channel, target, kind, item_key, payload, created_at,
        next_attempt_at)
      values (${delivery.idempotencyId}, ${delivery.channel}, ${delivery.target}, ${delivery.kind},
        null, ${JSON.stringify(delivery.payload)}::jsonb, ${delivery.createdAt},
        ${now.toISOString()})
      on conflict (idempotency_id) do nothing
      returning id
    ), taken as (
      update notifications set digest_pending = false
      where id = any(${lineIds}::bigint[]) and exists (select 1 from d)
    )
    select id from d`.execute(db);
  return rows.length > 0;
}

/** Whether a delivery with this idempotency id exists. */
export async function hasDelivery(db: Db, idempotencyId: string): Promise<boolean> {
  const { rows } = await sql`
    select 1 from deliveries where idempotency_id = ${idempotencyId}`.execute(db);
  return rows.length > 0;
}

/** Starts or stops `email` watching an item. */
export async function setWatching(
  db: Db,
  { itemId, email, watching }: { itemId: string; email: string; watching: boolean },
): Promise<void> {
  await sql`
    insert into watchers (item_id, email, watching) values (${itemId}, ${email}, ${watching})
    on conflict (item_id, email) do update set watching = excluded.watching`.execute(db);
}

/** The rows of an item's watchers (explicit starts and stops). */
export async function watcherRows(
  db: Db,
  itemId: string,
): Promise<{ email: string; watching: boolean }[]> {
  return db
    .selectFrom("watchers")
    .select(["email", "watching"])
    .where("item_id", "=", itemId)
    .orderBy("email")
    .execute();
}

/** Stored preference documents by e-mail (absent: the defaults). */
export async function findPreferences(
  db: Db,
  emails: readonly string[],
): Promise<Map<string, unknown>> {
  if (emails.length === 0) return new Map();
  const rows = await db
    .selectFrom("notification_preferences")
    .select(["email", "prefs"])
    .where("email", "in", emails)
    .execute();
  return new Map(rows.map((r) => [r.email, r.prefs]));
}

export async function savePreferences(
  db: Db,
  { email, prefs, at }: { email: string; prefs: unknown; at: Date },
): Promise<void> {
  await sql`
    insert into notification_preferences (email, prefs, updated_at)
    values (${email}, ${JSON.stringify(prefs)}::jsonb, ${at.toISOString()})
    on conflict (email) do update set prefs = excluded.prefs, updated_at = excluded.updated_at`.execute(
    db,
  );
}

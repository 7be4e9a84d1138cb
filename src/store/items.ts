import { sql } from "kysely";
import type { CommentFacts } from "../domain/decide.ts";
import type { Item, ItemEvent } from "../domain/item.ts";
import { nextTeam } from "../domain/item.ts";
import { type Db, runCount, runStatement, type Statement } from "./db.ts";

/*
 * Items and their events. A command writes its events and the new projection in ONE statement
 * (a data-modifying CTE), so it is atomic without an explicit transaction and costs one round
 * trip. Concurrency is optimistic: the update matches only the version the command was decided
 * on; a writer that lost the race updates nothing and inserts nothing.
 */

export interface StoredItem {
  id: string;
  item: Item;
}

function eventRows(events: readonly ItemEvent[], firstSeq: number): string {
  return JSON.stringify(
    events.map(({ type, actor, at, data }, i) => ({ seq: firstSeq + i, type, actor, at, data })),
  );
}

/** An item as a command loads it: with whether its row may hold unfired timers. */
export interface LoadedItem extends StoredItem {
  /**
   * Whether the item may have unfired timers: it has a clock with a deadline (`next_due_at`) or
   * a stall timer. An item without may be written without looking at the timers table at all.
   */
  timed: boolean;
  /** Whether it has a clock with a deadline (`next_due_at`), and so may have clock timers. */
  deadline: boolean;
}

type LoadedRow = { id: string; doc: Item; timed: boolean; deadline: boolean };
const loaded = (r: LoadedRow): LoadedItem => ({
  id: r.id,
  item: r.doc,
  timed: r.timed,
  deadline: r.deadline,
});

/**
 * Whether a row may hold unfired timers: it has a deadline, or it is work in someone's hands
 * that is not stalled yet (its stall timer waits; see stallOf in domain/sla.ts).
 */
const TIMED = `(next_due_at is not null
  or (status in ('in_progress', 'awaiting_acceptance') and stalled_at is null))`;

/** Loads an item's projection by key. */
export async function findItem(db: Db, key: string): Promise<LoadedItem | undefined> {
  const [row] = await runStatement<LoadedRow>(db, FIND_ITEM, [key]);
  return row && loaded(row);
}

const FIND_ITEM: Statement = {
  name: "find_item",
  text: `select id, doc, ${TIMED} as timed, next_due_at is not null as deadline from items
    where key = $1`,
};

/**
 * Runs `fn` holding the item's row lock, in a transaction: the slow path for a command that
 * lost an optimistic race, which waits its turn instead of retrying forever.
 */
export async function withLockedItem<T>(
  db: Db,
  key: string,
  fn: (row: LoadedItem | undefined, tx: Db) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (tx) => {
    const [row] = await runStatement<LoadedRow>(tx, FIND_ITEM_FOR_UPDATE, [key]);
    return fn(row && loaded(row), tx);
  });
}

const FIND_ITEM_FOR_UPDATE: Statement = {
  name: "find_item_for_update",
  text: `${FIND_ITEM.text} for update`,
};

export function itemSequence(prefix: string): string {
  return `item_seq_${prefix.toLowerCase()}`;
}

/**
 * What a write keeps about an item's service levels besides its document: the queue's sort key
 * and the timers the worker must fire (replacing the unfired ones the item had).
 */
export interface ItemSla {
  urgency: number;
  nextDueAt: string | null;
  /** Teams with an open question on the item. */
  questionTeams: string[];
  timers: { key: string; dueAt: string; payload: unknown }[];
}

/** What a closed item stores of service levels: last in every queue order, nothing to time. */
export const CLOSED_SLA: Readonly<ItemSla> = {
  urgency: 3,
  nextDueAt: null,
  questionTeams: [],
  timers: [],
};

/**
 * An outbox row: one notifiable event of the write (its seq), which the notification worker
 * fans out after commit to the people and channels it concerns (see src/domain/notify.ts).
 */
export interface OutboxEntry {
  seq: number;
  kind: string;
  /** Owner, state or due date changed: the item's watchers hear of it. */
  watch: boolean;
  /** What the event does not say (a breach's escalate_to). */
  data?: Record<string, unknown> | null;
}

function outboxRows(outbox: readonly OutboxEntry[]): string {
  return JSON.stringify(outbox.map((o) => ({ seq: o.seq, kind: o.kind, watch: o.watch })));
}

function timerRows(sla: ItemSla): string {
  return JSON.stringify(
    sla.timers.map((t) => ({ key: t.key, due_at: t.dueAt, payload: t.payload })),
  );
}

/**
 * What an item's row keeps beside its id, key and workflow: the document and the columns queues
 * filter and sort by, each with its SQL type and how it follows from the item and its service
 * levels. Every statement that creates or changes an item row is built from this one list (the
 * insert, the single-item writes, the batch write, the history import), so a new column is
 * added here once.
 */
const PROJECTION = {
  status: { type: "text", of: (item: Item) => item.status },
  step: { type: "text", of: (item: Item) => item.step },
  owner_team: { type: "text", of: (item: Item) => item.ownerTeam },
  next_team: { type: "text", of: (item: Item) => nextTeam(item) },
  assignee: { type: "text", of: (item: Item) => item.assignee },
  teams: { type: "text[]", of: (item: Item) => item.teams },
  waiting_teams: { type: "text[]", of: (item: Item) => waitingTeams(item) },
  version: { type: "int", of: (item: Item) => item.version },
  doc: { type: "json", of: (item: Item) => item },
  updated_at: { type: "timestamptz", of: (item: Item) => item.updatedAt },
  urgency: { type: "smallint", of: (_: Item, sla: ItemSla) => sla.urgency },
  next_due_at: { type: "timestamptz", of: (_: Item, sla: ItemSla) => sla.nextDueAt },
  question_teams: { type: "text[]", of: (_: Item, sla: ItemSla) => sla.questionTeams },
  stalled_at: { type: "timestamptz", of: (item: Item) => item.stalled?.at ?? null },
} as const;

type ProjectionColumn = keyof typeof PROJECTION;
const COLUMNS = Object.keys(PROJECTION) as ProjectionColumn[];

/** The projection as one record per row (the batch statements read them with jsonb_to_recordset). */
export function projectionRecord(item: Item, sla: ItemSla): Record<ProjectionColumn, unknown> {
  return Object.fromEntries(COLUMNS.map((c) => [c, PROJECTION[c].of(item, sla)])) as Record<
    ProjectionColumn,
    unknown
  >;
}

/** The projection as positional parameters, in COLUMNS order (the document as JSON text). */
function projection(item: Item, sla: ItemSla): unknown[] {
  return COLUMNS.map((c) => (c === "doc" ? JSON.stringify(item) : PROJECTION[c].of(item, sla)));
}

/** SQL pieces of the projection: column list, `col = $n`, typed `$n`, recordset columns. */
export const projectionSql = {
  list: COLUMNS as readonly ProjectionColumn[],
  columns: COLUMNS.join(", "),
  /** `status = $first, step = $first+1, …` */
  assignParams: (first: number) => COLUMNS.map((c, i) => `${c} = $${first + i}`).join(", "),
  /** `$first::text, …`; `wrap` writes a column's value from its bare parameter (`$12`) instead. */
  typedParams: (
    first: number,
    wrap: Partial<Record<ProjectionColumn, (p: string) => string>> = {},
  ) =>
    COLUMNS.map(
      (c, i) => wrap[c]?.(`$${first + i}`) ?? `$${first + i}::${PROJECTION[c].type}`,
    ).join(", "),
  /** `status text, step text, …` for `jsonb_to_recordset(…) as r(…)`. */
  recordsetColumns: COLUMNS.map((c) => `${c} ${PROJECTION[c].type}`).join(", "),
  /** `status = r.status, …` */
  assignFrom: (alias: string) => COLUMNS.map((c) => `${c} = ${alias}.${c}`).join(", "),
  /** `r.status, r.step, …` in column order. */
  valuesFrom: (alias: string) => COLUMNS.map((c) => `${alias}.${c}`).join(", "),
};

/** Positional parameters of the single-item writes: $1 id, $2 version, the projection, then these. */
const ONE = (() => {
  const events = 3 + COLUMNS.length;
  return { projection: 3, events, timerKeys: events + 1, timerRows: events + 2 };
})();

/** Positional parameters of the insert: $1 prefix, $2 sequence, $3 placeholder, the projection, then these. */
const NEW = (() => {
  const workflow = 4 + COLUMNS.length;
  return {
    projection: 4,
    workflow,
    workflowVersion: workflow + 1,
    createdAt: workflow + 2,
    events: workflow + 3,
    timers: workflow + 4,
  };
})();

/**
 * Inserts a new item with its first events and timers, numbering it in the same statement: the
 * next number of the workflow's sequence makes the key (`PREFIX-n`), which replaces
 * `placeholder` wherever the item, its events and its timers mention the key. Returns the row
 * id and the key.
 */
export async function insertItem(
  db: Db,
  { prefix, placeholder }: { prefix: string; placeholder: string },
  item: Item,
  events: readonly ItemEvent[],
  sla: ItemSla,
): Promise<{ id: string; key: string }> {
  const statement = sla.timers.length > 0 ? INSERT_ITEM : INSERT_ITEM_UNTIMED;
  const [row] = await runStatement<{ id: string; key: string }>(db, statement, [
    prefix,
    itemSequence(prefix),
    placeholder,
    ...projection(item, sla),
    item.workflow,
    item.workflowVersion,
    item.createdAt,
    eventRows(events, 1),
    ...(sla.timers.length > 0 ? [timerRows(sla)] : []),
  ]);
  if (!row) throw new Error("insert returned no row");
  return row;
}

/*
 * A sequence never gives a number back, even when its statement fails, so the number is taken
 * only after every value the insert reads has been parsed: the events and timers (jsonb, whose
 * timestamps and text PostgreSQL may refuse) are read first, in materialized CTEs that
 * `numbered` counts before it calls nextval. Typed parameters are parsed before the statement
 * runs at all. What can still fail after nextval is the database itself, not the input.
 */
const insertItemText = (timers: boolean) => `
    with events_in as materialized (
      select * from jsonb_to_recordset($${NEW.events}::jsonb)
        as e(seq int, type text, actor text, at timestamptz, data jsonb)
    )${
      timers
        ? `, timers_in as materialized (
      select * from jsonb_to_recordset($${NEW.timers}::jsonb) as t(key text, due_at timestamptz, payload jsonb)
    )`
        : ""
    }, numbered as (
      select $1::text || '-' || nextval($2::regclass) as key
      from (select count(*) from events_in) as read_events${
        timers ? ", (select count(*) from timers_in) as read_timers" : ""
      }
    ), new_item as (
      insert into items (key, ${projectionSql.columns}, workflow_key, workflow_version, created_at)
      select numbered.key, ${projectionSql.typedParams(NEW.projection, {
        // The document names the item by its placeholder until the key is known.
        doc: (p) => `replace(${p}::text, $3::text, numbered.key)::json`,
      })}, $${NEW.workflow}::text, $${NEW.workflowVersion}::int, $${NEW.createdAt}::timestamptz
      from numbered
      returning id, key
    ), new_events as (
      insert into events (item_id, seq, type, actor, at, data)
      select new_item.id, e.seq, e.type, e.actor, e.at,
             replace(e.data::text, $3::text, new_item.key)::jsonb
      from new_item, events_in e
    )${
      timers
        ? `, new_timers as (
      insert into timers (item_id, key, due_at, payload)
      select new_item.id, replace(t.key, $3::text, new_item.key), t.due_at,
             replace(t.payload::text, $3::text, new_item.key)::jsonb
      from new_item, timers_in t
    )`
        : ""
    }
    select id, key from new_item`;

const INSERT_ITEM: Statement = { name: "insert_item", text: insertItemText(true) };
const INSERT_ITEM_UNTIMED: Statement = { name: "insert_item_untimed", text: insertItemText(false) };

/** One item's write: events to append and the state, summaries and timers to store. */
export interface ItemWrite {
  id: string;
  /** The version the write was decided on; the write happens only if the item is still there. */
  fromVersion: number;
  /**
   * Whether the item had a deadline at `fromVersion` (see LoadedItem); false lets a write that
   * leaves it without timers skip the timers table. The write then also requires that the row
   * still has no deadline. Default true.
   */
  timed?: boolean;
  /**
   * The item's stored timers stand as they are: it had no deadline, gets none, and its stall
   * timer only moved later (see timersStand in engine/service-levels.ts). The write then skips
   * the timers table; it also requires that the row still has no deadline.
   */
  timersStand?: boolean;
  item: Item;
  events: readonly ItemEvent[];
  sla: ItemSla;
  /** Timers this write fires (marked fired only if the write happens). */
  firedTimers?: readonly string[];
  /** Notifiable events to fan out after commit, written in the same statement. */
  outbox?: readonly OutboxEntry[];
  /** When the timers fired and the messages were made (default: the item's updatedAt). */
  at?: string;
}

/** The teams that see an open item under "waiting on others": those involved but not acting. */
function waitingTeams(item: Item): string[] {
  const next = nextTeam(item);
  return next === null ? [] : item.teams.filter((t) => t !== next);
}

/**
 * Appends events, stores the evolved projection and replaces the item's unfired timers, if the
 * item is still at `fromVersion`. Returns false when another writer got there first (nothing is
 * written then). A timer that already fired keeps its row, so the same mark never fires twice.
 */
export async function appendEvents(db: Db, write: ItemWrite): Promise<boolean> {
  // A user's command (one item, its events, no fired timers) takes a lean single-item
  // statement without the batch's row-locking step. The rest goes through the batch statement,
  // including a write without events (a recomputation of service levels), since the
  // single-item forms tell success by the events they insert.
  if ((write.firedTimers ?? []).length > 0 || write.events.length === 0)
    return (await appendMany(db, [write])).has(write.id);
  const { id, fromVersion, item, events, sla } = write;
  const outbox = write.outbox ?? [];
  const values = [id, fromVersion, ...projection(item, sla), eventRows(events, fromVersion + 1)];
  const notices = outbox.length > 0 ? [outboxRows(outbox)] : [];
  const written = write.timersStand
    ? await runCount(db, outbox.length > 0 ? APPEND_ONE_KEEP_NOTIFY : APPEND_ONE_KEEP, [
        ...values,
        ...notices,
      ])
    : sla.timers.length > 0
      ? await runCount(db, outbox.length > 0 ? APPEND_ONE_NOTIFY : APPEND_ONE, [
          ...values,
          sla.timers.map((t) => t.key),
          timerRows(sla),
          ...notices,
        ])
      : await runCount(
          db,
          write.timed === false
            ? outbox.length > 0
              ? APPEND_ONE_BARE_NOTIFY
              : APPEND_ONE_BARE
            : outbox.length > 0
              ? APPEND_ONE_UNTIMED_NOTIFY
              : APPEND_ONE_UNTIMED,
          [...values, ...notices],
        );
  return written > 0;
}

/**
 * The outbox rows of a single-item write, a CTE on the updated row (so they exist only if the
 * write happened), reading parameter `$n`.
 */
const outboxCte = (n: number) => `, notices as (
      insert into outbox (item_id, seq, kind, watch)
      select updated.id, x.seq, x.kind, x.watch
      from updated, jsonb_to_recordset($${n}::jsonb) as x(seq int, kind text, watch boolean)
    )`;

/**
 * A single-item write: the item's update (if still at its version), then `timers` (CTEs on the
 * updated row), then its events as the statement's own insert. The statement returns no rows:
 * the count of events inserted says whether the update happened (PostgreSQL then sends no row
 * description to decode on every command).
 */
const appendOne = ({ condition = "", timers = "" }: { condition?: string; timers?: string }) => `
    with updated as (
      update items set ${projectionSql.assignParams(ONE.projection)}
      where id = $1 and version = $2 ${condition}
      returning id
    )${timers}
    insert into events (item_id, seq, type, actor, at, data)
    select updated.id, e.seq, e.type, e.actor, e.at, e.data
    from updated, jsonb_to_recordset($${ONE.events}::jsonb)
      as e(seq int, type text, actor text, at timestamptz, data jsonb)`;

/**
 * A write that leaves the item with timers: the unfired ones it no longer has go, the rest are
 * set. A timer waiting to be retried after a failure is due again at once: this write computed
 * the item's clocks, so whatever failed is gone.
 */
const TIMERS_CTE = `, stale_timers as (
      delete from timers t using updated
      where t.item_id = updated.id and t.fired_at is null and t.key <> all($${ONE.timerKeys}::text[])
    ), new_timers as (
      insert into timers (item_id, key, due_at, payload)
      select updated.id, x.key, x.due_at, x.payload
      from updated, jsonb_to_recordset($${ONE.timerRows}::jsonb) as x(key text, due_at timestamptz, payload jsonb)
      on conflict (item_id, key) do update set due_at = excluded.due_at, payload = excluded.payload,
        attempts = 0, last_error = null, retry_at = null
        where timers.fired_at is null
    )`;

const APPEND_ONE: Statement = { name: "append_one", text: appendOne({ timers: TIMERS_CTE }) };
const APPEND_ONE_NOTIFY: Statement = {
  name: "append_one_notify",
  text: appendOne({ timers: TIMERS_CTE + outboxCte(ONE.timerRows + 1) }),
};

/** A write that leaves the item without timers: its unfired ones go. */
const UNTIMED_CTE = `, stale_timers as (
      delete from timers t using updated where t.item_id = updated.id and t.fired_at is null
    )`;
const APPEND_ONE_UNTIMED: Statement = {
  name: "append_one_untimed",
  text: appendOne({ timers: UNTIMED_CTE }),
};
const APPEND_ONE_UNTIMED_NOTIFY: Statement = {
  name: "append_one_untimed_notify",
  text: appendOne({ timers: UNTIMED_CTE + outboxCte(ONE.events + 1) }),
};

/**
 * A write that leaves the item's timers as stored (ItemWrite.timersStand): work passed from hand
 * to hand without a deadline, whose stall timer the timer worker moves on when it comes due.
 */
const APPEND_ONE_KEEP: Statement = {
  name: "append_one_keep",
  text: appendOne({ condition: "and next_due_at is null" }),
};
const APPEND_ONE_KEEP_NOTIFY: Statement = {
  name: "append_one_keep_notify",
  text: appendOne({ condition: "and next_due_at is null", timers: outboxCte(ONE.events + 1) }),
};

/**
 * A write of an item that had no deadline and gets none (most items, most of the time): no
 * timers before, none after. Without a deadline in the row it updates nothing, as if stale.
 */
const APPEND_ONE_BARE: Statement = {
  name: "append_one_bare",
  text: appendOne({ condition: `and not ${TIMED}` }),
};
const APPEND_ONE_BARE_NOTIFY: Statement = {
  name: "append_one_bare_notify",
  text: appendOne({ condition: `and not ${TIMED}`, timers: outboxCte(ONE.events + 1) }),
};

/**
 * `appendEvents` for many items in ONE statement (one round trip, one commit): the timer
 * worker's rounds. Rows are locked in id order, so concurrent batches never deadlock. Returns
 * the ids actually written; the others had moved past their `fromVersion`.
 */
export async function appendMany(db: Db, writes: readonly ItemWrite[]): Promise<Set<string>> {
  if (writes.length === 0) return new Set();
  const items = writes.map((w) => ({
    id: w.id,
    from_version: w.fromVersion,
    ...projectionRecord(w.item, w.sla),
    timer_keys: w.sla.timers.map((t) => t.key),
    fired: w.firedTimers ?? [],
    at: w.at ?? w.item.updatedAt,
  }));
  const events = writes.flatMap((w) =>
    w.events.map(({ type, actor, at, data }, i) => ({
      item_id: w.id,
      seq: w.fromVersion + 1 + i,
      type,
      actor,
      at,
      data,
    })),
  );
  const timers = writes.flatMap((w) =>
    w.sla.timers.map((t) => ({ item_id: w.id, key: t.key, due_at: t.dueAt, payload: t.payload })),
  );
  const outbox = writes.flatMap((w) =>
    (w.outbox ?? []).map((m) => ({
      item_id: w.id,
      seq: m.seq,
      kind: m.kind,
      watch: m.watch,
      data: m.data ?? null,
    })),
  );
  const { rows } = await sql<{ id: string }>`
    with w as (
      select * from jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as w(
        id bigint, from_version int, ${sql.raw(projectionSql.recordsetColumns)},
        timer_keys text[], fired bigint[], at timestamptz)
    ), locked as (
      select i.id from items i join w on w.id = i.id and i.version = w.from_version
      order by i.id for update of i
    ), updated as (
      update items i set ${sql.raw(projectionSql.assignFrom("w"))}
      from w, locked where i.id = w.id and locked.id = i.id and i.version = w.from_version
      returning i.id
    ), new_events as (
      insert into events (item_id, seq, type, actor, at, data)
      select e.item_id, e.seq, e.type, e.actor, e.at, e.data
      from jsonb_to_recordset(${JSON.stringify(events)}::jsonb)
        as e(item_id bigint, seq int, type text, actor text, at timestamptz, data jsonb)
      join updated u on u.id = e.item_id
    ), stale_timers as (
      delete from timers t using updated u, w
      where t.item_id = u.id and w.id = u.id and t.fired_at is null
        and t.key <> all(w.timer_keys) and t.id <> all(w.fired)
    ), new_timers as (
      insert into timers (item_id, key, due_at, payload)
      select x.item_id, x.key, x.due_at, x.payload
      from jsonb_to_recordset(${JSON.stringify(timers)}::jsonb)
        as x(item_id bigint, key text, due_at timestamptz, payload jsonb)
      join updated u on u.id = x.item_id
      on conflict (item_id, key) do update set due_at = excluded.due_at, payload = excluded.payload,
        attempts = 0, last_error = null, retry_at = null
        where timers.fired_at is null
    ), fired as (
      update timers t set fired_at = w.at
      from w join updated u on u.id = w.id
      where t.id = any(w.fired) and t.item_id = u.id
    ), notices as (
      insert into outbox (item_id, seq, kind, watch, data)
      select m.item_id, m.seq, m.kind, m.watch, m.data
      from jsonb_to_recordset(${JSON.stringify(outbox)}::jsonb)
        as m(item_id bigint, seq int, kind text, watch boolean, data jsonb)
      join updated u on u.id = m.item_id
    )
    select id from updated`.execute(db);
  return new Set(rows.map((r) => String(r.id)));
}

/**
 * One comment of an item as its events left it (author, latest text, deleted or not), with the
 * item's version when read; `comment` is undefined when the item has no such comment.
 * Undefined when there is no such item.
 */
export async function findComment(
  db: Db,
  key: string,
  seq: number,
): Promise<{ version: number; comment: CommentFacts | undefined } | undefined> {
  const { rows } = await sql<{
    version: number;
    author: string | null;
    body: string | null;
    deleted: boolean;
  }>`
    select i.version, c.actor as author,
      coalesce((select x.data->>'body' from events x
                where x.item_id = i.id and x.type = 'comment.edited'
                  and x.data->'comment' = to_jsonb(c.seq)
                order by x.seq desc limit 1), c.data->>'body') as body,
      exists(select from events x where x.item_id = i.id and x.type = 'comment.deleted'
                and x.data->'comment' = to_jsonb(c.seq)) as deleted
    from items i
      left join events c on c.item_id = i.id and c.seq = ${seq} and c.type = 'comment.added'
    where i.key = ${key}`.execute(db);
  const row = rows[0];
  if (!row) return undefined;
  return {
    version: row.version,
    comment:
      row.author === null
        ? undefined
        : { author: row.author, body: row.body ?? "", deleted: row.deleted },
  };
}

/** An item's full history, oldest first. */
export async function listEvents(db: Db, itemId: string): Promise<(ItemEvent & { seq: number })[]> {
  const rows = await db
    .selectFrom("events")
    .select(["seq", "type", "actor", "at", "data"])
    .where("item_id", "=", itemId)
    .orderBy("seq")
    .execute();
  return rows.map((r) => ({
    seq: r.seq,
    type: r.type,
    actor: r.actor,
    at: r.at.toISOString(),
    data: r.data,
  })) as (ItemEvent & { seq: number })[];
}

/** An open item with what is stored about its service levels (see ItemSla), for recomputes. */
export interface StoredSla extends StoredItem {
  urgency: number;
  nextDueAt: Date | null;
  questionTeams: string[];
  /** The item's unfired timers; `attempts` > 0 while one waits to be retried after a failure. */
  timers: { key: string; dueAt: string; payload: unknown; attempts: number }[];
}

/**
 * Open items in id order after `afterId`, a page at a time, with their stored urgency and
 * unfired timers. With `team`, only the items whose running clocks count on that team's
 * calendar: those it must move next (the owner of a step in progress or paused, the receiver of
 * a handoff awaiting acceptance) and those with a question open to it. The keyset page reads
 * the next_team and question indexes, not the whole table.
 */
export async function listOpenSlaAfter(
  db: Db,
  { afterId, limit, team }: { afterId: string; limit: number; team?: string | undefined },
): Promise<StoredSla[]> {
  const ofTeam =
    team === undefined
      ? sql``
      : sql`and (next_team = ${team}
          or (question_teams @> array[${team}]::text[] and question_teams <> '{}'))`;
  const { rows } = await sql<{
    id: string;
    doc: Item;
    urgency: number;
    next_due_at: Date | null;
    question_teams: string[];
    timers: { key: string; due_at: string; payload: unknown; attempts: number }[];
  }>`
    select id, doc, urgency, next_due_at, question_teams,
      coalesce((select json_agg(json_build_object('key', t.key, 'due_at', t.due_at,
                  'payload', t.payload, 'attempts', t.attempts))
                from timers t where t.item_id = items.id and t.fired_at is null), '[]') as timers
    from items
    where id > ${afterId}::bigint and status not in ('done', 'cancelled') ${ofTeam}
    order by id limit ${limit}`.execute(db);
  return rows.map((r) => ({
    id: String(r.id),
    item: r.doc,
    urgency: r.urgency,
    nextDueAt: r.next_due_at,
    questionTeams: r.question_teams,
    timers: r.timers.map((t) => ({
      key: t.key,
      dueAt: t.due_at,
      payload: t.payload,
      attempts: t.attempts,
    })),
  }));
}

/** The sections of a team's queue. */
export type QueueSection =
  | "incoming"
  | "in_progress"
  | "waiting_on_others"
  | "stalled"
  | "paused"
  | "questions";

/**
 * A team's whole queue in one round trip: each section is an index range read in queue order
 * (breached first, then warnings, then the nearest deadline, then the longest waiting).
 */
export async function listQueue(
  db: Db,
  {
    team,
    limit,
    stalledBefore,
    keys,
  }: {
    team: string;
    limit: number;
    /**
     * Work untouched since this instant counts as stalled (as does breached work). Without it,
     * the workflows' rule: the item was found stalled (`item.stalled`, see stallOf).
     */
    stalledBefore?: string | undefined;
    /** Only these items: where each of them is in the queue now (a live update's rows). */
    keys?: readonly string[] | undefined;
  },
): Promise<Record<QueueSection, StoredItem[]>> {
  // With keys, every section's read starts from the items_key index instead of a queue range.
  const only = keys ? sql`and key = any(${[...keys]}::text[])` : sql``;
  const rank = sql`order by urgency, next_due_at asc nulls last, updated_at, id limit ${limit}`;
  const order = sql`${only} ${rank}`;
  // Breached, or untouched since stalledBefore. Written so that no index can answer it: the read
  // walks items_queue_next in queue order (breached work first) and stops after `limit` rows,
  // whatever the planner's statistics say about urgency.
  const isStalled =
    stalledBefore === undefined
      ? sql`(case when urgency = 0 then true else stalled_at is not null end)`
      : sql`(case when urgency = 0 then true else updated_at < ${stalledBefore}::timestamptz end)`;
  const { rows } = await sql<{ section: QueueSection; id: string; doc: Item }>`
    (select 'incoming' as section, id, doc from items
      where next_team = ${team} and status = 'awaiting_acceptance' ${order})
    union all
    (select 'in_progress', id, doc from items where next_team = ${team} and status = 'in_progress' ${order})
    union all
    (select 'waiting_on_others', id, doc from items where waiting_teams @> array[${team}]::text[] ${order})
    union all
    (select 'paused', id, doc from items where next_team = ${team} and status = 'paused' ${order})
    union all
    (select 'questions', id, doc from items
      where question_teams @> array[${team}]::text[] and question_teams <> '{}'
        and status not in ('done', 'cancelled') ${order})
    union all
    (select 'stalled', id, doc from (
      (select id, doc, urgency, next_due_at, updated_at from items
        where next_team = ${team} and status = 'in_progress' and ${isStalled} ${order})
      union all
      (select id, doc, urgency, next_due_at, updated_at from items
        where next_team = ${team} and status = 'awaiting_acceptance' and ${isStalled} ${order})
    ) stalled ${rank})`.execute(db);
  const out: Record<QueueSection, StoredItem[]> = {
    incoming: [],
    in_progress: [],
    waiting_on_others: [],
    stalled: [],
    paused: [],
    questions: [],
  };
  for (const r of rows) out[r.section].push({ id: r.id, item: r.doc });
  return out;
}

/** A stalled item with its row id. */
export interface StalledRow extends StoredItem {
  stalledAt: Date;
}

/**
 * Open items found stalled (see Item.stalled), most stalled first (stalled longest ago), up to
 * `limit`; optionally only those a team must move or of one workflow. Reads the partial index
 * on stalled_at, which holds only stalled rows.
 */
export async function listStalled(
  db: Db,
  {
    team,
    workflow,
    limit,
  }: { team?: string | undefined; workflow?: string | undefined; limit: number },
): Promise<StalledRow[]> {
  let q = db
    .selectFrom("items")
    .select(["id", "doc", "stalled_at"])
    .where("stalled_at", "is not", null)
    .where("status", "in", ["in_progress", "awaiting_acceptance"]);
  if (team) q = q.where("next_team", "=", team);
  if (workflow) q = q.where("workflow_key", "=", workflow);
  const rows = await q.orderBy("stalled_at").orderBy("id").limit(limit).execute();
  return rows.map((r) => ({ id: r.id, item: r.doc as Item, stalledAt: r.stalled_at as Date }));
}

import { type RawBuilder, sql } from "kysely";
import type { Item } from "../domain/item.ts";
import type { Db } from "./db.ts";
import type { StoredItem } from "./items.ts";

/*
 * Listing items by filters across teams, and searching them (migration 012). Search reads the
 * partial GIN index on the events that carry text, then keeps only the hits that still hold on
 * the item as it is now: a title or field value must match the item's current document, a
 * comment must be neither edited since nor deleted. An exact key always comes first.
 */

/** Event hits read per search at most: a query of one letter must not walk the whole log. */
export const SEARCH_HITS_MAX = 20_000;

/** The event types the search index holds (its partial predicate, repeated to be used). */
const indexedTypes = sql`('item.created', 'item.fields_updated', 'item.edited', 'comment.added', 'comment.edited')`;

export interface ItemQuery {
  /** Words to search for in titles, field values and comments (each a prefix). */
  q?: string | undefined;
  /** An item key to put first when it exists (the query, when it has the form of a key). */
  exactKey?: string | undefined;
  /** Items whose next actor is this team. */
  team?: string | undefined;
  /** Items this team has owned or been handed (its `teams`). */
  involves?: string | undefined;
  status?: readonly string[] | undefined;
  workflow?: string | undefined;
  assignee?: string | undefined;
  /** Service-level states of the open items wanted: 0 breached, 1 warning (the urgency column). */
  urgency?: readonly number[] | undefined;
  /** Field values, each compared as text with the item's current value. */
  fields?: readonly { key: string; value: string }[] | undefined;
  createdAfter?: string | undefined;
  createdBefore?: string | undefined;
  updatedAfter?: string | undefined;
  updatedBefore?: string | undefined;
  limit: number;
}

/**
 * The words of `q` as a prefix query (`acme corp` → `'acme':* & 'corp':*`), split by the same
 * parser as the indexed text; null when `q` has no word at all. Each lexeme is quoted for the
 * tsquery syntax (backslashes and quotes escaped) rather than pasted in, so no input can change
 * the query's shape.
 */
function prefixQuery(q: string): RawBuilder<unknown> {
  const backslash = "\\";
  return sql`(select string_agg(
      '''' || replace(replace(w, ${backslash}, ${backslash + backslash}), '''', '''''') || ''':*',
      ' & ')::tsquery
    from unnest(tsvector_to_array(to_tsvector('simple'::regconfig, ${q}))) w)`;
}

/**
 * Items matching the filters (and the search words, if any): least recently updated first
 * without words; with words, the exact key first, then the most recently updated.
 */
export async function findItems(db: Db, f: ItemQuery): Promise<StoredItem[]> {
  const where: RawBuilder<unknown>[] = [];
  if (f.team) where.push(sql`next_team = ${f.team}`);
  if (f.involves) where.push(sql`teams @> array[${f.involves}]::text[]`);
  if (f.status && f.status.length > 0) where.push(sql`status in (${sql.join(f.status)})`);
  if (f.workflow) where.push(sql`workflow_key = ${f.workflow}`);
  if (f.assignee) where.push(sql`assignee = ${f.assignee}`);
  if (f.urgency && f.urgency.length > 0)
    where.push(sql`urgency in (${sql.join(f.urgency)}) and status not in ('done', 'cancelled')`);
  for (const { key, value } of f.fields ?? []) where.push(sql`(doc->'fields'->>${key}) = ${value}`);
  if (f.createdAfter) where.push(sql`created_at >= ${f.createdAfter}::timestamptz`);
  if (f.createdBefore) where.push(sql`created_at < ${f.createdBefore}::timestamptz`);
  if (f.updatedAfter) where.push(sql`updated_at >= ${f.updatedAfter}::timestamptz`);
  if (f.updatedBefore) where.push(sql`updated_at < ${f.updatedBefore}::timestamptz`);
  const filters = where.length > 0 ? sql`and ${sql.join(where, sql` and `)}` : sql``;

  if (f.q === undefined) {
    const { rows } = await sql<{ id: string; doc: Item }>`
      select id, doc from items where true ${filters}
      order by updated_at, id limit ${f.limit}`.execute(db);
    return rows.map((r) => ({ id: String(r.id), item: r.doc }));
  }

  const exact = f.exactKey ?? null;
  const { rows } = await sql<{ id: string; doc: Item }>`
    with query as (select ${prefixQuery(f.q)} as q),
    hits as (
      select e.item_id, e.type, e.seq, e.data from events e, query
      where query.q is not null and e.type in ${indexedTypes}
        and to_tsvector('simple'::regconfig, baton_event_text(e.type, e.data)) @@ query.q
      limit ${SEARCH_HITS_MAX}
    ), found as (
      -- A comment matches while it is the text shown: not edited since, not deleted.
      select h.item_id from hits h
      where (h.type = 'comment.added' and not exists (
              select from events x where x.item_id = h.item_id
                and x.type in ('comment.edited', 'comment.deleted')
                and x.data->'comment' = to_jsonb(h.seq)))
         or (h.type = 'comment.edited' and not exists (
              select from events x where x.item_id = h.item_id and x.seq > h.seq
                and x.type in ('comment.edited', 'comment.deleted')
                and x.data->'comment' = h.data->'comment'))
      union
      -- A title or field value matches if the item still has it.
      select i.id from items i, query
      where i.id in (select item_id from hits where type not like 'comment.%')
        and to_tsvector('simple'::regconfig, baton_item_text(i.doc)) @@ query.q
    )
    select id, doc from items
    where (id in (select item_id from found) or key = ${exact}) ${filters}
    order by key = ${exact} desc nulls last, updated_at desc, id desc
    limit ${f.limit}`.execute(db);
  return rows.map((r) => ({ id: String(r.id), item: r.doc }));
}

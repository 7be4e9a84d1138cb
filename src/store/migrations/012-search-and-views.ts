import { type Kysely, sql } from "kysely";

/*
 * Search and saved views.
 *
 * Search is indexed on the events, not on the items: events are append-only, and only the few
 * that carry text people search for (a create's title and field values, a field change, a new
 * title, a comment and its edits) get an entry in a partial GIN index. A handoff, an accept, a
 * tick or a timer's event pays only the index's predicate, and the item row — rewritten by every
 * command — carries no search index at all. A hit on an old event is checked against the item
 * as it is now (store/items.ts), so a renamed item or a deleted comment stops matching.
 *
 * The text configuration is `simple` (lower-casing, no stemming, no stop words): what is searched
 * is names, customers, codes and addresses in any language, where a stemmer guesses wrong.
 *
 * Saved views: a named set of list filters (GET /items's query), owned by a user and optionally
 * shared with one of their teams.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The searchable text of one event. Immutable (it reads only its arguments), so an index may
    -- use it; the search query repeats this exact expression to use the index.
    create function baton_event_text(type text, data jsonb) returns text
    language sql immutable parallel safe as $$
      select case type
        when 'item.created' then concat_ws(' ', data->>'title',
          (select string_agg(v, ' ') from jsonb_each_text(data->'fields') as f(k, v)))
        when 'item.fields_updated' then
          (select string_agg(v, ' ') from jsonb_each_text(data->'changes') as f(k, v))
        when 'item.edited' then data->'changes'->>'title'
        when 'comment.added' then data->>'body'
        when 'comment.edited' then data->>'body'
      end
    $$;

    -- The searchable text of an item as it is now: its title and field values.
    create function baton_item_text(doc json) returns text
    language sql immutable parallel safe as $$
      select concat_ws(' ', doc->>'title',
        (select string_agg(v, ' ') from json_each_text(doc->'fields') as f(k, v)))
    $$;

    create index events_search on events
      using gin (to_tsvector('simple'::regconfig, baton_event_text(type, data)))
      where type in ('item.created', 'item.fields_updated', 'item.edited', 'comment.added',
                     'comment.edited');

    create table saved_views (
      id bigserial primary key,
      owner_id bigint not null references users (id) on delete cascade,
      -- Shared with this team's members (null: only the owner sees it).
      team_key text references teams (key) on delete cascade,
      name text not null,
      query jsonb not null,
      created_at timestamptz not null default now()
    );
    create index saved_views_owner on saved_views (owner_id);
    create index saved_views_team on saved_views (team_key) where team_key is not null;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table saved_views;
    drop index events_search;
    drop function baton_item_text(json);
    drop function baton_event_text(text, jsonb);
  `.execute(db);
}

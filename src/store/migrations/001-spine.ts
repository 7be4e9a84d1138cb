import { type Kysely, sql } from "kysely";

/*
 * The spine: teams, users and tokens; versioned workflow definitions; items as a projection
 * over an append-only event log. Plain PostgreSQL 15+, nothing an extension would add.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table teams (
      key text primary key,
      name text not null,
      created_at timestamptz not null default now()
    );

    create table users (
      id bigserial primary key,
      email text not null unique,
      name text not null,
      is_admin boolean not null default false,
      created_at timestamptz not null default now()
    );

    create table team_members (
      team_key text not null references teams (key) on delete cascade,
      user_id bigint not null references users (id) on delete cascade,
      role text not null default 'member' check (role in ('member', 'lead')),
      primary key (team_key, user_id)
    );
    create index team_members_user on team_members (user_id);

    -- Tokens are stored as SHA-256 hashes: they are long random strings, so a slow hash adds nothing.
    create table api_tokens (
      id bigserial primary key,
      user_id bigint not null references users (id) on delete cascade,
      token_hash text not null unique,
      name text not null default '',
      created_at timestamptz not null default now(),
      revoked_at timestamptz
    );

    create table workflows (
      key text primary key,
      prefix text not null unique,
      name text not null,
      current_version int not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    create table workflow_versions (
      workflow_key text not null references workflows (key),
      version int not null,
      definition jsonb not null,
      source text not null,
      source_format text not null check (source_format in ('yaml', 'json')),
      published_by text not null,
      published_at timestamptz not null default now(),
      primary key (workflow_key, version)
    );

    -- The projection: one row per item, rebuilt from events by replay. doc holds the whole
    -- domain state; the columns beside it exist only to filter and sort queues.
    create table items (
      id bigserial primary key,
      key text not null unique,
      workflow_key text not null,
      workflow_version int not null,
      status text not null,
      step text not null,
      owner_team text not null,
      next_team text,
      assignee text,
      teams text[] not null,
      version int not null,
      doc jsonb not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      foreign key (workflow_key, workflow_version) references workflow_versions (workflow_key, version)
    );
    create index items_next_team on items (next_team, updated_at) where next_team is not null;
    create index items_owner_team on items (owner_team, status);
    create index items_teams on items using gin (teams);
    create index items_workflow on items (workflow_key, status);

    -- Append-only: rows are never updated or deleted. (item_id, seq) orders an item's history
    -- and makes a second writer of the same version fail instead of forking it.
    create table events (
      id bigserial primary key,
      item_id bigint not null references items (id),
      seq int not null,
      type text not null,
      actor text not null,
      at timestamptz not null,
      data jsonb not null,
      unique (item_id, seq)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table events, items, workflow_versions, workflows, api_tokens, team_members, users, teams`.execute(
    db,
  );
}

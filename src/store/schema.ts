import type { ColumnType, Generated } from "kysely";

/** Row types for Kysely; kept in step with the migrations by hand (they are few). */
export interface Database {
  teams: {
    key: string;
    name: string;
    created_at: Generated<Date>;
    calendar: ColumnType<unknown, string | null, string | null> | null;
  };
  users: {
    id: Generated<string>;
    email: string;
    name: string;
    is_admin: Generated<boolean>;
    created_at: Generated<Date>;
    password_hash: string | null;
  };
  team_members: { team_key: string; user_id: string; role: Generated<"member" | "lead"> };
  api_tokens: {
    id: Generated<string>;
    user_id: string;
    token_hash: string;
    name: Generated<string>;
    created_at: Generated<Date>;
    revoked_at: Date | null;
  };
  workflows: {
    key: string;
    prefix: string;
    name: string;
    current_version: number;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  workflow_versions: {
    workflow_key: string;
    version: number;
    definition: ColumnType<unknown, string, string>;
    source: string;
    source_format: "yaml" | "json";
    published_by: string;
    published_at: Generated<Date>;
  };
  items: {
    id: Generated<string>;
    key: string;
    workflow_key: string;
    workflow_version: number;
    status: string;
    step: string;
    owner_team: string;
    next_team: string | null;
    assignee: string | null;
    teams: string[];
    version: number;
    doc: ColumnType<unknown, string, string>;
    created_at: ColumnType<Date, string, string>;
    updated_at: ColumnType<Date, string, string>;
    urgency: Generated<number>;
    next_due_at: ColumnType<Date | null, string | null, string | null>;
    question_teams: Generated<string[]>;
    waiting_teams: Generated<string[]>;
    stalled_at: ColumnType<Date | null, string | null, string | null>;
    /** The import (migration 018) and the case id in its log, for imported history; else null. */
    import_id: string | null;
    import_case: string | null;
  };
  imports: {
    id: Generated<string>;
    workflow_key: string;
    name: string;
    imported_by: string;
    started_at: ColumnType<Date, string, string>;
    finished_at: ColumnType<Date | null, string | null, string | null>;
    cases_imported: Generated<number>;
    cases_present: Generated<number>;
    events: Generated<number>;
  };
  timers: {
    id: Generated<string>;
    item_id: string;
    key: string;
    due_at: ColumnType<Date, string, string>;
    payload: ColumnType<unknown, string, string>;
    fired_at: ColumnType<Date | null, string | null, string | null>;
    claimed_at: ColumnType<Date | null, string | null, string | null>;
    attempts: Generated<number>;
    last_error: string | null;
    retry_at: ColumnType<Date | null, string | null, string | null>;
  };
  item_shares: {
    token_hash: string;
    item_id: string;
    created_by: string;
    created_at: ColumnType<Date, string, string>;
    expires_at: ColumnType<Date | null, string | null, string | null>;
    revoked_at: ColumnType<Date | null, string | null, string | null>;
  };
  status_subscriptions: {
    id: Generated<string>;
    share_hash: string;
    item_key: string;
    email: string;
    secret: string;
    created_at: ColumnType<Date, string, string>;
    confirmed_at: ColumnType<Date | null, string | null, string | null>;
    unsubscribed_at: ColumnType<Date | null, string | null, string | null>;
  };
  webhooks: {
    id: Generated<string>;
    url: string;
    events: string[];
    description: string | null;
    format: Generated<"standard" | "slack">;
    team: string | null;
    created_by: string;
    created_at: ColumnType<Date, string, string>;
    secret: string;
    previous_secret: string | null;
    previous_secret_until: ColumnType<Date | null, string | null, string | null>;
    consecutive_failures: Generated<number>;
    disabled_at: ColumnType<Date | null, string | null, string | null>;
    disabled_reason: string | null;
    deleted_at: ColumnType<Date | null, string | null, string | null>;
  };
  outbox: {
    id: Generated<string>;
    created_at: Generated<Date>;
    item_id: string;
    seq: number;
    kind: string;
    watch: Generated<boolean>;
    data: ColumnType<unknown, string | null, string | null> | null;
    claimed_until: ColumnType<Date | null, string | null, string | null>;
    attempts: Generated<number>;
    retry_at: ColumnType<Date | null, string | null, string | null>;
    last_error: string | null;
  };
  notifications: {
    id: Generated<string>;
    recipient: string;
    created_at: ColumnType<Date, string, string>;
    kind: string;
    reason: string;
    item_key: string | null;
    event_seq: number | null;
    actor: string | null;
    title: string;
    action: string;
    due_at: ColumnType<Date | null, string | null, string | null>;
    inbox: Generated<boolean>;
    read_at: ColumnType<Date | null, string | null, string | null>;
    digest_pending: Generated<boolean>;
  };
  deliveries: {
    id: Generated<string>;
    idempotency_id: string;
    channel: string;
    target: string;
    kind: string;
    item_key: string | null;
    notification_id: string | null;
    subscription: string | null;
    payload: ColumnType<unknown, string, string>;
    status: Generated<"pending" | "delivered" | "failed">;
    attempts: Generated<number>;
    created_at: ColumnType<Date, string, string>;
    next_attempt_at: ColumnType<Date, string, string>;
    claimed_until: ColumnType<Date | null, string | null, string | null>;
    claim_token: string | null;
    last_error: string | null;
    delivered_at: ColumnType<Date | null, string | null, string | null>;
  };
  delivery_attempts: {
    delivery_id: string;
    attempt: number;
    at: ColumnType<Date, string, string>;
    status: "delivered" | "retry" | "failed";
    error: string | null;
    duration_ms: number;
  };
  watchers: {
    item_id: string;
    email: string;
    watching: boolean;
  };
  notification_preferences: {
    email: string;
    prefs: ColumnType<unknown, string, string>;
    updated_at: ColumnType<Date, string, string>;
  };
  idempotency_keys: {
    user_id: string;
    key: string;
    fingerprint: string;
    status: number | null;
    headers: ColumnType<unknown, string | null, string | null> | null;
    body: string | null;
    locked_at: Date;
    expires_at: Date;
  };
  saved_views: {
    id: Generated<string>;
    owner_id: string;
    team_key: string | null;
    name: string;
    query: ColumnType<Record<string, string>, string, string>;
    created_at: Generated<Date>;
  };
  sessions: {
    id_hash: string;
    user_id: string;
    created_at: Generated<Date>;
    expires_at: Date;
  };
  user_identities: {
    issuer: string;
    subject: string;
    user_id: string;
    created_at: Generated<Date>;
  };
  files: {
    id: string;
    item_id: string;
    name: string;
    content_type: string;
    size: number;
    sha256: string;
    data: Buffer;
    uploaded_by: string;
    uploaded_at: ColumnType<Date, string, string>;
  };
  events: {
    item_id: string;
    seq: number;
    type: string;
    actor: string;
    at: ColumnType<Date, string, string>;
    data: ColumnType<unknown, string, string>;
    /** The import an imported event came from; null for everything Baton itself recorded. */
    import_id: string | null;
  };
}

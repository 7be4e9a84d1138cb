import { sql } from "kysely";
import type { Db } from "./db.ts";

/*
 * Webhook subscriptions (migration 010). Deleting one keeps its row (deleted_at) so its delivery
 * log still names it; every read here skips deleted ones.
 */

export interface WebhookRow {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  format: "standard" | "slack";
  /** The team whose items it hears of; null: every item (admins only). */
  team: string | null;
  createdBy: string;
  createdAt: string;
  secret: string;
  previousSecret: string | null;
  previousSecretUntil: string | null;
  consecutiveFailures: number;
  disabledAt: string | null;
  disabledReason: string | null;
}

type Raw = {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  format: "standard" | "slack";
  team: string | null;
  created_by: string;
  created_at: Date;
  secret: string;
  previous_secret: string | null;
  previous_secret_until: Date | null;
  consecutive_failures: number;
  disabled_at: Date | null;
  disabled_reason: string | null;
};

function rowOf(r: Raw): WebhookRow {
  return {
    id: String(r.id),
    url: r.url,
    events: r.events,
    description: r.description,
    format: r.format,
    team: r.team,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    secret: r.secret,
    previousSecret: r.previous_secret,
    previousSecretUntil: r.previous_secret_until?.toISOString() ?? null,
    consecutiveFailures: r.consecutive_failures,
    disabledAt: r.disabled_at?.toISOString() ?? null,
    disabledReason: r.disabled_reason,
  };
}

const columns = [
  "id",
  "url",
  "events",
  "description",
  "format",
  "team",
  "created_by",
  "created_at",
  "secret",
  "previous_secret",
  "previous_secret_until",
  "consecutive_failures",
  "disabled_at",
  "disabled_reason",
] as const;

export async function insertWebhook(
  db: Db,
  w: {
    url: string;
    events: string[];
    description: string | null;
    format: "standard" | "slack";
    team: string | null;
    createdBy: string;
    at: string;
    secret: string;
  },
): Promise<WebhookRow> {
  const row = await db
    .insertInto("webhooks")
    .values({
      url: w.url,
      events: w.events,
      description: w.description,
      format: w.format,
      team: w.team,
      created_by: w.createdBy,
      created_at: w.at,
      secret: w.secret,
    })
    .returning(columns)
    .executeTakeFirstOrThrow();
  return rowOf(row as Raw);
}

/** Subscriptions, oldest first; with `teams`, only those of these teams. */
export async function listWebhooks(
  db: Db,
  { teams }: { teams?: readonly string[] | undefined } = {},
): Promise<WebhookRow[]> {
  let q = db.selectFrom("webhooks").select(columns).where("deleted_at", "is", null);
  if (teams) {
    if (teams.length === 0) return [];
    q = q.where("team", "in", teams);
  }
  const rows = await q.orderBy("id").execute();
  return rows.map((r) => rowOf(r as Raw));
}

export async function findWebhook(db: Db, id: string): Promise<WebhookRow | undefined> {
  const row = await db
    .selectFrom("webhooks")
    .select(columns)
    .where("id", "=", id)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
  return row && rowOf(row as Raw);
}

export async function deleteWebhook(db: Db, { id, at }: { id: string; at: string }): Promise<void> {
  await db.updateTable("webhooks").set({ deleted_at: at }).where("id", "=", id).execute();
}

/** A new secret; the current one keeps signing until `graceUntil`. */
export async function rotateSecret(
  db: Db,
  { id, secret, graceUntil }: { id: string; secret: string; graceUntil: string | null },
): Promise<WebhookRow | undefined> {
  const row = await db
    .updateTable("webhooks")
    .set((e) => ({
      previous_secret: graceUntil === null ? null : e.ref("secret"),
      previous_secret_until: graceUntil,
      secret,
    }))
    .where("id", "=", id)
    .where("deleted_at", "is", null)
    .returning(columns)
    .executeTakeFirst();
  return row && rowOf(row as Raw);
}

/** Turns a disabled subscription on again, with its failure count reset. */
export async function enableWebhook(db: Db, id: string): Promise<void> {
  await db
    .updateTable("webhooks")
    .set({ disabled_at: null, disabled_reason: null, consecutive_failures: 0 })
    .where("id", "=", id)
    .execute();
}

/**
 * Counts one message that ended failed; at `limit` in a row the subscription is disabled. Returns
 * the row when this call disabled it (so its owner is told once), else undefined.
 */
export async function recordFailedMessage(
  db: Db,
  { id, limit, at, reason }: { id: string; limit: number; at: string; reason: string },
): Promise<WebhookRow | undefined> {
  const { rows } = await sql<Raw & { just_disabled: boolean }>`
    update webhooks set consecutive_failures = consecutive_failures + 1,
      disabled_at = case when disabled_at is null and consecutive_failures + 1 >= ${limit}
        then ${at}::timestamptz else disabled_at end,
      disabled_reason = case when disabled_at is null and consecutive_failures + 1 >= ${limit}
        then ${reason} else disabled_reason end
    where id = ${id}::bigint and deleted_at is null
    returning ${sql.join(columns.map((c) => sql.ref(c)))},
      (disabled_at is not null and consecutive_failures = ${limit}) as just_disabled`.execute(db);
  const row = rows[0];
  return row?.just_disabled ? rowOf(row) : undefined;
}

/** A delivered message resets the count of failures in a row. */
export async function recordDeliveredMessage(db: Db, id: string): Promise<void> {
  await db
    .updateTable("webhooks")
    .set({ consecutive_failures: 0 })
    .where("id", "=", id)
    .where("consecutive_failures", ">", 0)
    .execute();
}

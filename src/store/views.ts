import type { Db } from "./db.ts";

/*
 * Saved views: named list filters (GET /items's query) of one user, optionally shared with one
 * team. Only the store's SQL; who may see and delete what is decided in engine/views.ts.
 */

export interface StoredView {
  id: string;
  ownerEmail: string;
  team: string | null;
  name: string;
  query: Record<string, string>;
  createdAt: string;
}

const columns = [
  "v.id",
  "u.email as owner_email",
  "v.team_key",
  "v.name",
  "v.query",
  "v.created_at",
] as const;

type Row = {
  id: string;
  owner_email: string;
  team_key: string | null;
  name: string;
  query: Record<string, string>;
  created_at: Date;
};
const viewOf = (r: Row): StoredView => ({
  id: String(r.id),
  ownerEmail: r.owner_email,
  team: r.team_key,
  name: r.name,
  query: r.query,
  createdAt: r.created_at.toISOString(),
});

/** The views a user owns, and those shared with any of `teams`; oldest first. */
export async function listViews(
  db: Db,
  { userId, teams }: { userId: string; teams: readonly string[] },
): Promise<StoredView[]> {
  const rows = await db
    .selectFrom("saved_views as v")
    .innerJoin("users as u", "u.id", "v.owner_id")
    .select(columns)
    .where((w) =>
      teams.length > 0
        ? w.or([w("v.owner_id", "=", userId), w("v.team_key", "in", teams)])
        : w("v.owner_id", "=", userId),
    )
    .orderBy("v.id")
    .execute();
  return rows.map(viewOf);
}

export async function countViews(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom("saved_views")
    .select((s) => s.fn.countAll<string>().as("n"))
    .where("owner_id", "=", userId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findView(db: Db, id: string): Promise<StoredView | undefined> {
  const row = await db
    .selectFrom("saved_views as v")
    .innerJoin("users as u", "u.id", "v.owner_id")
    .select(columns)
    .where("v.id", "=", id)
    .executeTakeFirst();
  return row && viewOf(row);
}

export async function insertView(
  db: Db,
  v: { userId: string; team: string | null; name: string; query: Record<string, string> },
): Promise<string> {
  const row = await db
    .insertInto("saved_views")
    .values({ owner_id: v.userId, team_key: v.team, name: v.name, query: JSON.stringify(v.query) })
    .returning("id")
    .executeTakeFirstOrThrow();
  return String(row.id);
}

export async function deleteView(db: Db, id: string): Promise<void> {
  await db.deleteFrom("saved_views").where("id", "=", id).execute();
}

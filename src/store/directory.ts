import { sql } from "kysely";
import type { Db } from "./db.ts";

/* Teams, users, memberships and API tokens. */

export interface TeamRow {
  key: string;
  name: string;
  members: { email: string; name: string; role: "member" | "lead" }[];
}

export interface UserRow {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
  teams: { key: string; role: "member" | "lead" }[];
}

export async function insertTeam(db: Db, team: { key: string; name: string }): Promise<boolean> {
  const r = await db
    .insertInto("teams")
    .values(team)
    .onConflict((c) => c.doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function listTeams(db: Db): Promise<TeamRow[]> {
  const teams = await db.selectFrom("teams").select(["key", "name"]).orderBy("key").execute();
  const members = await db
    .selectFrom("team_members")
    .innerJoin("users", "users.id", "team_members.user_id")
    .select(["team_members.team_key", "team_members.role", "users.email", "users.name"])
    .orderBy("users.email")
    .execute();
  return teams.map((t) => ({
    ...t,
    members: members
      .filter((m) => m.team_key === t.key)
      .map((m) => ({ email: m.email, name: m.name, role: m.role })),
  }));
}

export async function teamKeys(db: Db): Promise<Set<string>> {
  const rows = await db.selectFrom("teams").select("key").execute();
  return new Set(rows.map((r) => r.key));
}

/** Inserts a user with memberships in one transaction; false if the e-mail is taken. */
export async function insertUser(
  db: Db,
  u: {
    email: string;
    name: string;
    isAdmin: boolean;
    teams: { key: string; role: "member" | "lead" }[];
  },
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto("users")
      .values({ email: u.email, name: u.name, is_admin: u.isAdmin })
      .onConflict((c) => c.column("email").doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!row) return false;
    if (u.teams.length > 0)
      await tx
        .insertInto("team_members")
        .values(u.teams.map((t) => ({ team_key: t.key, user_id: row.id, role: t.role })))
        .execute();
    return true;
  });
}

/** Replaces a user's memberships (in one transaction: `db`'s, if it is one). */
export async function setMemberships(
  db: Db,
  userId: string,
  teams: { key: string; role: "member" | "lead" }[],
): Promise<void> {
  const inTransaction = (write: (tx: Db) => Promise<void>) =>
    db.isTransaction ? write(db) : db.transaction().execute(write);
  await inTransaction(async (tx) => {
    await tx.deleteFrom("team_members").where("user_id", "=", userId).execute();
    if (teams.length > 0)
      await tx
        .insertInto("team_members")
        .values(teams.map((t) => ({ team_key: t.key, user_id: userId, role: t.role })))
        .execute();
  });
}

const userWithTeams = (db: Db) =>
  db.selectFrom("users").select([
    "users.id",
    "users.email",
    "users.name",
    "users.is_admin",
    sql<{ key: string; role: "member" | "lead" }[]>`coalesce((
        select json_agg(json_build_object('key', m.team_key, 'role', m.role) order by m.team_key)
        from team_members m where m.user_id = users.id), '[]'::json)`.as("teams"),
  ]);

function toUser(r: {
  id: string;
  email: string;
  name: string;
  is_admin: boolean;
  teams: UserRow["teams"];
}): UserRow {
  return { id: r.id, email: r.email, name: r.name, isAdmin: r.is_admin, teams: r.teams };
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  const r = await userWithTeams(db).where("users.email", "=", email).executeTakeFirst();
  return r ? toUser(r) : undefined;
}

/** The users with these (lower-case) e-mails; unknown ones are left out. */
export async function findUsersByEmails(db: Db, emails: readonly string[]): Promise<UserRow[]> {
  if (emails.length === 0) return [];
  return (
    await userWithTeams(db)
      .where("users.email", "in", [...emails])
      .execute()
  ).map(toUser);
}

export async function listUsers(db: Db): Promise<UserRow[]> {
  return (await userWithTeams(db).orderBy("users.email").execute()).map(toUser);
}

export async function countUsers(db: Db): Promise<number> {
  const r = await db
    .selectFrom("users")
    .select((e) => e.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertToken(
  db: Db,
  t: { userId: string; hash: string; name: string },
): Promise<string> {
  const r = await db
    .insertInto("api_tokens")
    .values({ user_id: t.userId, token_hash: t.hash, name: t.name, revoked_at: null })
    .returning("id")
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function findUserByTokenHash(db: Db, hash: string): Promise<UserRow | undefined> {
  const r = await userWithTeams(db)
    .innerJoin("api_tokens", "api_tokens.user_id", "users.id")
    .where("api_tokens.token_hash", "=", hash)
    .where("api_tokens.revoked_at", "is", null)
    .executeTakeFirst();
  return r ? toUser(r) : undefined;
}

export async function setPasswordHash(db: Db, userId: string, hash: string | null): Promise<void> {
  await db.updateTable("users").set({ password_hash: hash }).where("id", "=", userId).execute();
}

export async function findPasswordHash(
  db: Db,
  email: string,
): Promise<{ id: string; hash: string | null } | undefined> {
  const r = await db
    .selectFrom("users")
    .select(["id", "password_hash"])
    .where("email", "=", email)
    .executeTakeFirst();
  return r ? { id: r.id, hash: r.password_hash } : undefined;
}

export async function insertSession(
  db: Db,
  s: { idHash: string; userId: string; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto("sessions")
    .values({ id_hash: s.idHash, user_id: s.userId, expires_at: s.expiresAt })
    .execute();
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom("sessions").where("id_hash", "=", idHash).execute();
}

export async function findUserBySessionHash(
  db: Db,
  idHash: string,
  now: Date,
): Promise<UserRow | undefined> {
  const r = await userWithTeams(db)
    .innerJoin("sessions", "sessions.user_id", "users.id")
    .where("sessions.id_hash", "=", idHash)
    .where("sessions.expires_at", ">", now)
    .executeTakeFirst();
  return r ? toUser(r) : undefined;
}

/** The user an identity provider's account (issuer and subject) is linked to. */
export async function findUserByIdentity(
  db: Db,
  identity: { issuer: string; subject: string },
): Promise<UserRow | undefined> {
  const r = await userWithTeams(db)
    .innerJoin("user_identities", "user_identities.user_id", "users.id")
    .where("user_identities.issuer", "=", identity.issuer)
    .where("user_identities.subject", "=", identity.subject)
    .executeTakeFirst();
  return r ? toUser(r) : undefined;
}

/** Links a provider's account to a user; false if that account is linked already (to anyone). */
export async function insertIdentity(
  db: Db,
  identity: { issuer: string; subject: string; userId: string },
): Promise<boolean> {
  const r = await db
    .insertInto("user_identities")
    .values({ issuer: identity.issuer, subject: identity.subject, user_id: identity.userId })
    .onConflict((c) => c.columns(["issuer", "subject"]).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function listTokens(
  db: Db,
  userId: string,
): Promise<{ id: string; name: string; createdAt: string }[]> {
  const rows = await db
    .selectFrom("api_tokens")
    .select(["id", "name", "created_at"])
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .orderBy("id")
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at.toISOString() }));
}

/** Revokes one of a user's tokens; false if the user has no such active token. */
export async function revokeToken(db: Db, userId: string, tokenId: string): Promise<boolean> {
  const r = await db
    .updateTable("api_tokens")
    .set({ revoked_at: new Date() })
    .where("id", "=", tokenId)
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Every team's calendar as stored (null: the default calendar). */
export async function listCalendars(db: Db): Promise<Map<string, unknown>> {
  const rows = await db.selectFrom("teams").select(["key", "calendar"]).execute();
  return new Map(rows.map((r) => [r.key, r.calendar]));
}

/** Sets a team's calendar (null: back to the default); false if there is no such team. */
export async function setCalendar(db: Db, team: string, calendar: unknown): Promise<boolean> {
  const r = await db
    .updateTable("teams")
    .set({ calendar: calendar === null ? null : JSON.stringify(calendar) })
    .where("key", "=", team)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

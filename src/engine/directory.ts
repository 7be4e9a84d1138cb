import { createHash, randomBytes } from "node:crypto";
import type { Actor, KnownPeople } from "../domain/decide.ts";
import { DomainError } from "../domain/errors.ts";
import type { ClaimedPerson, GrantedTeam } from "../domain/sign-in-claims.ts";
import type { Db } from "../store/db.ts";
import * as store from "../store/directory.ts";
import { TtlCache } from "./cache.ts";
import { CacheInvalidation } from "./invalidation.ts";
import { hashPassword, verifyPassword } from "./password-work.ts";

/* Teams, users and API tokens: the people side of Baton. */

export type Role = "member" | "lead";
export type User = store.UserRow;
export type Team = store.TeamRow;

/** The signed-in user as the domain sees them, plus their profile. */
export interface Principal extends Actor {
  user: User;
}

const teamKey = /^[a-z][a-z0-9_-]{0,62}$/;

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function newToken(): string {
  return `bt_${randomBytes(24).toString("base64url")}`;
}

/** How long a web session lasts. */
export const SESSION_DAYS = 14;

/** A hash to compare against when the e-mail is unknown, so timing does not reveal which e-mails exist. */
let dummyHash: Promise<string> | undefined;

export function toPrincipal(user: User): Principal {
  return { email: user.email, teams: user.teams.map((t) => t.key), isAdmin: user.isAdmin, user };
}

function checkPassword(password: string): void {
  if (password.length < 8 || password.length > 200)
    throw new DomainError("invalid_input", "A password needs 8 to 200 characters.", {
      errors: [{ path: "password", message: "must be 8 to 200 characters" }],
    });
}

/**
 * The memberships a teams claim grants: teams that exist, once each (lead wins), with the
 * mapping's role, else the role already held, else member.
 */
function settleTeams(
  granted: readonly GrantedTeam[],
  known: ReadonlySet<string>,
  current: readonly { key: string; role: Role }[],
): { key: string; role: Role }[] {
  const held = new Map(current.map((t) => [t.key, t.role]));
  const teams = new Map<string, Role>();
  for (const g of granted) {
    if (!known.has(g.key)) continue;
    const role = g.role ?? held.get(g.key) ?? "member";
    if (teams.get(g.key) !== "lead") teams.set(g.key, role);
  }
  return [...teams].map(([key, role]) => ({ key, role }));
}

/** Whether two lists hold the same teams with the same roles, in any order. */
function sameTeams(
  a: readonly { key: string; role: Role }[],
  b: readonly { key: string; role: Role }[],
): boolean {
  const roles = new Map(b.map((t) => [t.key, t.role]));
  return a.length === b.length && a.every((t) => roles.get(t.key) === t.role);
}

function requireAdmin(by: Principal): void {
  if (!by.isAdmin) throw new DomainError("admin_only", "Only an admin can do this.");
}

export class Directory {
  /** Principals by token and by session id, as sent (hashing them on every request shows). */
  private readonly tokens: TtlCache<string, Principal | null>;
  private readonly sessions: TtlCache<string, Principal | null>;
  private readonly teamNames: TtlCache<"all", Map<string, string>>;
  private readonly teamList: TtlCache<"all", Team[]>;

  constructor(
    private readonly db: Db,
    private readonly clock: () => Date = () => new Date(),
    /** Clears these caches on every node when users, tokens, sessions or teams change. */
    private readonly caches: CacheInvalidation = new CacheInvalidation(db, undefined),
  ) {
    this.tokens = new TtlCache(5_000, 10_000, caches.canCache);
    this.sessions = new TtlCache(5_000, 10_000, caches.canCache);
    this.teamNames = new TtlCache(10_000, 1, caches.canCache);
    this.teamList = new TtlCache(10_000, 1, caches.canCache);
    caches.on("directory", () => {
      this.tokens.clear();
      this.sessions.clear();
      this.teamNames.clear();
      this.teamList.clear();
    });
  }

  /**
   * Makes a change to users, tokens, sessions or teams in a transaction that tells every node
   * to forget what it cached about them.
   */
  private change<T>(write: (tx: Db) => Promise<T>): Promise<T> {
    return this.caches.change(["directory"], write);
  }

  async createTeam(by: Principal, t: { key: string; name: string }): Promise<Team> {
    requireAdmin(by);
    if (!teamKey.test(t.key))
      throw new DomainError(
        "invalid_input",
        `Team key "${t.key}" must be lower case letters, digits, '-' or '_'.`,
        {
          errors: [
            {
              path: "key",
              message: "must be lower case letters, digits, '-' or '_', starting with a letter",
            },
          ],
        },
      );
    // Other nodes may have cached the team names without this one.
    if (
      !(await this.change((tx) =>
        store.insertTeam(tx, { key: t.key, name: t.name.trim() || t.key }),
      ))
    )
      throw new DomainError("already_exists", `A team with key "${t.key}" already exists.`);
    return { key: t.key, name: t.name.trim() || t.key, members: [] };
  }

  listTeams(): Promise<Team[]> {
    return store.listTeams(this.db);
  }

  /**
   * Every team with its members, from a short-lived cache cleared on every node when teams or
   * memberships change: the notification worker reads it every round.
   */
  cachedTeams(): Promise<Team[]> {
    return this.teamList.get("all", () => store.listTeams(this.db));
  }

  async getTeam(key: string): Promise<Team> {
    const team = (await store.listTeams(this.db)).find((t) => t.key === key);
    if (!team) throw new DomainError("not_found", `No team "${key}".`);
    return team;
  }

  /** Display names of all teams, cached; unknown keys fall back to the key itself. */
  async teamNameOf(): Promise<(key: string) => string> {
    const names = await this.names();
    return (key) => names.get(key) ?? key;
  }

  /** Whether a team exists (from the same short-lived cache as the names). */
  async hasTeam(key: string): Promise<boolean> {
    return (await this.names()).has(key);
  }

  private names(): Promise<Map<string, string>> {
    return this.teamNames.get("all", async () => {
      const rows = await this.db.selectFrom("teams").select(["key", "name"]).execute();
      return new Map(rows.map((r) => [r.key, r.name]));
    });
  }

  /** The people behind a list of team keys and e-mails (for invites), each once. */
  async peopleOf(entries: readonly string[]): Promise<{ name: string; email: string }[]> {
    const [teams, users] = await Promise.all([store.listTeams(this.db), store.listUsers(this.db)]);
    const people = new Map<string, string>();
    for (const entry of entries) {
      if (entry.includes("@"))
        people.set(entry, users.find((u) => u.email === entry)?.name ?? entry);
      else
        for (const m of teams.find((t) => t.key === entry)?.members ?? [])
          people.set(m.email, m.name);
    }
    return [...people].map(([email, name]) => ({ email, name }));
  }

  /**
   * What the directory knows of the team keys and e-mails a meeting names: which are teams, and
   * each known user's teams. One query for the users; teams come from the cached names.
   */
  async knownPeople(names: readonly string[]): Promise<KnownPeople> {
    const emails = [
      ...new Set(names.filter((n) => n.includes("@")).map((n) => n.trim().toLowerCase())),
    ];
    const [teamNames, users] = await Promise.all([
      this.names(),
      store.findUsersByEmails(this.db, emails),
    ]);
    return {
      users: new Map(users.map((u) => [u.email, u.teams.map((t) => t.key)])),
      teams: new Set(names.filter((n) => teamNames.has(n))),
    };
  }

  teamKeys(): Promise<Set<string>> {
    return store.teamKeys(this.db);
  }

  private async checkTeams(teams: { key: string }[]): Promise<void> {
    const known = await store.teamKeys(this.db);
    const unknown = teams.filter((t) => !known.has(t.key));
    if (unknown.length > 0)
      throw new DomainError(
        "not_found",
        `No team ${unknown.map((t) => `"${t.key}"`).join(", ")}.`,
        {
          errors: unknown.map((t) => ({ path: "teams", message: `unknown team "${t.key}"` })),
        },
      );
  }

  async createUser(
    by: Principal | "system",
    u: {
      email: string;
      name: string;
      teams: { key: string; role: Role }[];
      isAdmin: boolean;
      password?: string;
    },
  ): Promise<User> {
    if (by !== "system") requireAdmin(by);
    const email = u.email.trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+$/.test(email))
      throw new DomainError("invalid_input", `"${u.email}" is not an e-mail address.`, {
        errors: [{ path: "email", message: "must be an e-mail address" }],
      });
    await this.checkTeams(u.teams);
    if (u.password !== undefined) checkPassword(u.password);
    // Hashed first: a hash refused as too busy must not leave a user behind.
    const hash = u.password === undefined ? undefined : await hashPassword(u.password);
    if (!(await store.insertUser(this.db, { ...u, email, name: u.name.trim() || email })))
      throw new DomainError("already_exists", `A user with e-mail ${email} already exists.`);
    const user = await this.getUser(email);
    if (hash !== undefined) await store.setPasswordHash(this.db, user.id, hash);
    return user;
  }

  async setTeams(
    by: Principal,
    email: string,
    teams: { key: string; role: Role }[],
  ): Promise<User> {
    requireAdmin(by);
    const user = await this.getUser(email);
    await this.checkTeams(teams);
    // A removed member must not act for the team on any node from the next request on.
    await this.change((tx) => store.setMemberships(tx, user.id, teams));
    return this.getUser(email);
  }

  async getUser(email: string): Promise<User> {
    const user = await store.findUserByEmail(this.db, email.trim().toLowerCase());
    if (!user) throw new DomainError("not_found", `No user with e-mail ${email}.`);
    return user;
  }

  listUsers(): Promise<User[]> {
    return store.listUsers(this.db);
  }

  /** Sets (or replaces) a user's password; admins may set anyone's, others only their own. */
  async setPassword(by: Principal | "system", email: string, password: string): Promise<void> {
    const user = await this.getUser(email);
    if (by !== "system" && !by.isAdmin && by.email !== user.email)
      throw new DomainError("admin_only", "Only an admin can set another user's password.");
    checkPassword(password);
    await store.setPasswordHash(this.db, user.id, await hashPassword(password));
  }

  /** Checks e-mail and password and opens a session; returns the cookie value (shown once). */
  async signIn(
    email: string,
    password: string,
  ): Promise<{ session: string; user: User; expiresAt: Date }> {
    const found = await store.findPasswordHash(this.db, email.trim().toLowerCase());
    // A refused first hash (too busy) must not stay cached as a rejection.
    dummyHash ??= hashPassword("not a password").catch((e: unknown) => {
      dummyHash = undefined;
      throw e;
    });
    const ok = await verifyPassword(found?.hash ?? (await dummyHash), password);
    if (!found?.hash || !ok)
      throw new DomainError("unauthenticated", "The e-mail or the password is wrong.");
    return this.openSession(await this.getUser(email));
  }

  private async openSession(user: User): Promise<{ session: string; user: User; expiresAt: Date }> {
    const session = `bs_${randomBytes(24).toString("base64url")}`;
    const expiresAt = new Date(this.clock().getTime() + SESSION_DAYS * 86_400_000);
    await store.insertSession(this.db, { idHash: hashToken(session), userId: user.id, expiresAt });
    return { session, user, expiresAt };
  }

  /**
   * Opens a session for the person an identity provider vouched for (claims already verified).
   * The provider's account (issuer, subject) finds its user once linked; the first time, the
   * verified e-mail finds an existing user or creates one, and the account is linked to it.
   * With `teams` (a teams claim is configured) the user's teams become those that exist in
   * Baton, each with the role the mapping names, else the role already held, else member.
   */
  async signInWithIdentity(identity: {
    issuer: string;
    subject: string;
    person: ClaimedPerson;
  }): Promise<{ session: string; user: User; expiresAt: Date }> {
    const { person } = identity;
    const linked = await store.findUserByIdentity(this.db, identity);
    let user = linked ?? (await this.linkIdentity(identity));
    if (person.teams) {
      const teams = settleTeams(person.teams, await store.teamKeys(this.db), user.teams);
      if (!sameTeams(teams, user.teams)) {
        // Someone who left a group must not act for its team on any node from now on.
        await this.change((tx) => store.setMemberships(tx, user.id, teams));
        user = await this.getUser(user.email);
      }
    }
    return this.openSession(user);
  }

  /** The user a provider's not-yet-linked account belongs to (found by e-mail, or new), linked. */
  private async linkIdentity(identity: {
    issuer: string;
    subject: string;
    person: ClaimedPerson;
  }): Promise<User> {
    const { email, name, teams } = identity.person;
    let user = await store.findUserByEmail(this.db, email);
    if (!user) {
      const known = await store.teamKeys(this.db);
      // False when a parallel first sign-in made the user a moment ago: then it is used.
      await store.insertUser(this.db, {
        email,
        name,
        isAdmin: false,
        teams: settleTeams(teams ?? [], known, []),
      });
      user = await this.getUser(email);
    }
    if (await store.insertIdentity(this.db, { ...identity, userId: user.id })) return user;
    // Linked by a parallel sign-in: whoever holds the link is the user.
    const holder = await store.findUserByIdentity(this.db, identity);
    if (!holder) throw new Error("an identity link vanished while signing in");
    return holder;
  }

  async signOut(session: string): Promise<void> {
    await this.change((tx) => store.deleteSession(tx, hashToken(session)));
  }

  /** The principal of a web session, or an `unauthenticated` error. */
  async authenticateSession(session: string): Promise<Principal> {
    const principal = await this.sessions.get(session, async () => {
      const user = await store.findUserBySessionHash(this.db, hashToken(session), this.clock());
      return user ? toPrincipal(user) : null;
    });
    if (!principal)
      throw new DomainError("unauthenticated", "Your session has ended; sign in again.");
    return principal;
  }

  /** The user whose tokens `by` may manage: their own, or anyone's for an admin. */
  private async tokenHolder(by: Principal, email: string | undefined): Promise<User> {
    if (email === undefined || email.trim().toLowerCase() === by.email) return by.user;
    if (!by.isAdmin)
      throw new DomainError("admin_only", "Only an admin can manage another user's tokens.");
    return this.getUser(email);
  }

  /** Active tokens of `email` (default: the caller's own). */
  async listTokens(
    by: Principal,
    email?: string,
  ): Promise<{ id: string; name: string; createdAt: string }[]> {
    return store.listTokens(this.db, (await this.tokenHolder(by, email)).id);
  }

  /**
   * Revokes a token of `email` (default: the caller's own). An admin can revoke anyone's, so a
   * leaked token is stopped without its holder; every node refuses it from the next request.
   */
  async revokeToken(by: Principal, tokenId: string, email?: string): Promise<void> {
    const holder = await this.tokenHolder(by, email);
    if (
      !/^\d{1,18}$/.test(tokenId) ||
      !(await this.change((tx) => store.revokeToken(tx, holder.id, tokenId)))
    )
      throw new DomainError(
        "not_found",
        holder.id === by.user.id
          ? `You have no active token ${tokenId}.`
          : `${holder.email} has no active token ${tokenId}.`,
      );
  }

  /** Issues a new API token; only its hash is kept, so this is the one time it is shown. */
  async createToken(by: Principal | "system", email: string, name = ""): Promise<string> {
    const user = await this.getUser(email);
    if (by !== "system" && !by.isAdmin && by.email !== user.email)
      throw new DomainError("admin_only", "Only an admin can create tokens for another user.");
    const token = newToken();
    await store.insertToken(this.db, { userId: user.id, hash: hashToken(token), name });
    return token;
  }

  /** The principal holding a bearer token, or an `unauthenticated` error. */
  async authenticate(token: string): Promise<Principal> {
    const principal = await this.tokens.get(token, async () => {
      const user = await store.findUserByTokenHash(this.db, hashToken(token));
      return user ? toPrincipal(user) : null;
    });
    if (!principal) throw new DomainError("unauthenticated", "The token is unknown or revoked.");
    return principal;
  }

  /**
   * On an empty database, creates the first admin holding `token` (from BATON_ADMIN_TOKEN).
   * Does nothing once any user exists. Returns whether it created one.
   */
  /** Whether anyone has been created yet (an empty database gets its first admin). */
  async hasUsers(): Promise<boolean> {
    return (await store.countUsers(this.db)) > 0;
  }

  async bootstrapAdmin(token: string, email = "admin@baton.local"): Promise<boolean> {
    if ((await store.countUsers(this.db)) > 0) return false;
    const created = await store.insertUser(this.db, {
      email,
      name: "Admin",
      isAdmin: true,
      teams: [],
    });
    if (!created) return false;
    const user = await this.getUser(email);
    // A node may have remembered this (known in advance) token as unknown.
    await this.change((tx) =>
      store.insertToken(tx, { userId: user.id, hash: hashToken(token), name: "bootstrap" }),
    );
    return true;
  }
}

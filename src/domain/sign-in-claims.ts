import { DomainError } from "./errors.ts";
import { isStorableText } from "./text.ts";

/*
 * What Baton reads from an identity provider's claims at single sign-on: who the person is
 * (e-mail, name) and, when configured, which teams they belong to. The claims arrive verified
 * (signature, issuer, audience, nonce: src/engine/single-sign-on.ts); this decides what they
 * mean, and refuses what Baton cannot use.
 */

/** A team a claim value grants; `role` only when the mapping names one. */
export interface GrantedTeam {
  key: string;
  role?: "member" | "lead";
}

/** Claim value → team, from BATON_OIDC_TEAMS_MAP. */
export type TeamsMap = ReadonlyMap<string, GrantedTeam>;

/** Caps on what one sign-in may carry; a larger claim is cut, not refused. */
export const SIGN_IN_CLAIM_LIMITS = {
  /** Values of the teams claim looked at (Entra ID sends at most 200 groups in a token). */
  teamValues: 1_000,
  /** Characters of one claim value. */
  valueLength: 1_000,
  /** Characters of a display name; longer names are cut. */
  name: 200,
  /** Characters of an e-mail address. */
  email: 320,
} as const;

const teamKey = /^[a-z][a-z0-9_-]{0,62}$/;

/**
 * Parses BATON_OIDC_TEAMS_MAP: comma-separated `value=team` or `value=team:lead` (or `:member`).
 * Throws an Error naming the entry that is wrong.
 */
export function parseTeamsMap(spec: string): TeamsMap {
  const map = new Map<string, GrantedTeam>();
  for (const raw of spec.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const at = entry.lastIndexOf("=");
    const value = entry.slice(0, at).trim();
    const [key = "", role, ...rest] = entry
      .slice(at + 1)
      .trim()
      .split(":");
    if (at <= 0 || !value) throw new Error(`"${entry}": expected value=team or value=team:lead`);
    if (!teamKey.test(key)) throw new Error(`"${entry}": "${key}" is not a team key`);
    if (rest.length > 0 || (role !== undefined && role !== "lead" && role !== "member"))
      throw new Error(`"${entry}": the role after ':' must be lead or member`);
    map.set(value, role === undefined ? { key } : { key, role });
  }
  return map;
}

/** A claim at a dotted path (`groups`, `realm_access.roles`); a claim whose own name has dots wins. */
function claimAt(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  if (path in claims) return claims[path];
  let at: unknown = claims;
  for (const part of path.split(".")) {
    if (typeof at !== "object" || at === null || Array.isArray(at)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

/**
 * The teams a claim grants. With a map, only mapped values count. Without one, a value that is
 * a team key counts, compared in lower case; a group path (Keycloak's `/org/sales`) counts by
 * its last segment. Whether the team exists is the directory's business. A missing claim
 * grants nothing: the provider leaves it out for someone in no group.
 */
export function teamsFromClaim(value: unknown, map: TeamsMap | null): GrantedTeam[] {
  const values = (Array.isArray(value) ? value : value === undefined ? [] : [value])
    .slice(0, SIGN_IN_CLAIM_LIMITS.teamValues)
    .filter(
      (v): v is string => typeof v === "string" && v.length <= SIGN_IN_CLAIM_LIMITS.valueLength,
    );
  const granted: GrantedTeam[] = [];
  for (const v of values) {
    if (map) {
      const team = map.get(v);
      if (team) granted.push(team);
      continue;
    }
    const key = (v.split("/").at(-1) ?? "").trim().toLowerCase();
    if (teamKey.test(key)) granted.push({ key });
  }
  return granted;
}

/** How Baton reads a provider's claims (from src/config.ts). */
export interface ClaimRules {
  /** The claim holding the teams; undefined leaves teams to Baton's admins. */
  teamsClaim?: string | undefined;
  teamsMap?: TeamsMap | null | undefined;
  /** Accept an e-mail address without `email_verified: true`. */
  trustEmail: boolean;
}

/** Who signed in, as Baton will store them. `teams` is undefined when no teams claim is set. */
export interface ClaimedPerson {
  email: string;
  name: string;
  teams: GrantedTeam[] | undefined;
}

/** The person verified claims describe, or `sso_refused` saying what is missing. */
export function personFromClaims(
  claims: Readonly<Record<string, unknown>>,
  rules: ClaimRules,
): ClaimedPerson {
  const raw = claims.email;
  const email = typeof raw === "string" ? raw.trim().toLowerCase() : "";
  if (
    !email ||
    email.length > SIGN_IN_CLAIM_LIMITS.email ||
    !/^[^\s@]+@[^\s@]+$/.test(email) ||
    !isStorableText(email)
  )
    throw new DomainError(
      "sso_refused",
      "The identity provider sent no usable e-mail address. Baton needs the `email` claim (the `email` scope).",
      { reason: "no_email" },
    );
  // Some providers send the flag as a string.
  const verified = claims.email_verified === true || claims.email_verified === "true";
  if (!verified && !rules.trustEmail)
    throw new DomainError(
      "sso_refused",
      `The identity provider does not confirm that ${email} is yours (email_verified is not true). Verify the address there, or ask an admin.`,
      { reason: "email_not_verified" },
    );
  return {
    email,
    name: nameFromClaims(claims) ?? email,
    teams: rules.teamsClaim
      ? teamsFromClaim(claimAt(claims, rules.teamsClaim), rules.teamsMap ?? null)
      : undefined,
  };
}

function nameFromClaims(claims: Readonly<Record<string, unknown>>): string | undefined {
  const str = (v: unknown) => (typeof v === "string" ? v.trim() : "");
  const candidates = [
    str(claims.name),
    [str(claims.given_name), str(claims.family_name)].filter(Boolean).join(" "),
    str(claims.preferred_username),
  ];
  const name = candidates.find((c) => c !== "" && isStorableText(c));
  return name === undefined ? undefined : [...name].slice(0, SIGN_IN_CLAIM_LIMITS.name).join("");
}

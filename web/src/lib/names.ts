import { useMemo } from "react";
import { useTeams, useUsers } from "../api/queries.ts";

/*
 * Display names for what the API sends as keys: people (by e-mail), teams (by key). Everything a
 * person reads names people and teams this way; keys show only where a key is asked for.
 */

export interface Names {
  /** "Ivy Implementer" for "ivy@example.com"; the part before the @ while the directory loads. */
  person: (email: string | null | undefined) => string;
  /** "Implementation" for "implementation". */
  team: (key: string | null | undefined) => string;
}

/** The people and teams of the directory, by key; both lists are cached for a minute. */
export function useNames(): Names {
  const users = useUsers();
  const teams = useTeams();
  return useMemo(() => {
    const people = new Map<string, string>();
    for (const t of teams.data ?? []) for (const m of t.members) people.set(m.email, m.name);
    for (const u of users.data ?? []) people.set(u.email, u.name);
    const teamNames = new Map((teams.data ?? []).map((t) => [t.key, t.name]));
    return {
      person: (email) => {
        if (!email) return "";
        // Service-level warnings and breaches are recorded by Baton itself.
        if (email === "baton") return "Baton";
        return people.get(email) ?? (email.includes("@") ? (email.split("@")[0] ?? email) : email);
      },
      team: (key) => (key ? (teamNames.get(key) ?? key) : ""),
    };
  }, [users.data, teams.data]);
}

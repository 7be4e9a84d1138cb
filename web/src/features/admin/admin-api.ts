import { useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client.ts";
import { keys } from "../../api/queries.ts";
import type { Role, User } from "../../api/types.ts";

/*
 * What the admin areas share: the role choices, the one write to a person's teams, and the
 * refresh after it.
 */

export const roleOptions = [
  { value: "member", label: "Member" },
  { value: "lead", label: "Lead" },
];

/** Refetches teams and people after a change to either (memberships show on both tabs). */
export function useRefresh() {
  const qc = useQueryClient();
  return () => {
    void qc.invalidateQueries({ queryKey: keys.teams });
    void qc.invalidateQueries({ queryKey: keys.users });
  };
}

/** Replaces a person's teams and role in each (`PUT /users/{email}/teams`). */
export function setUserTeams(email: string, teams: { key: string; role: Role }[]) {
  return api<User>(`/users/${encodeURIComponent(email)}/teams`, {
    method: "PUT",
    body: { teams },
  });
}

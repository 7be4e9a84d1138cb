import { queryOptions, useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext } from "react";
import { api, isApiError, storeToken } from "../../api/client.ts";
import { keys } from "../../api/queries.ts";
import type { User } from "../../api/types.ts";

/*
 * Who is signed in. `GET /users/me` answers for a session cookie or a bearer token alike;
 * `null` means signed out (the sign-in page shows, whatever the URL, and stays on it after).
 */

export const meQuery = queryOptions({
  queryKey: keys.me,
  // `GET /session` answers "nobody" with a 200: a signed-out visitor's browser logs no 401.
  queryFn: async ({ signal }): Promise<User | null> =>
    (await api<{ user: User | null }>("/session", { signal })).user,
  retry: (count, e) => !isApiError(e) && count < 2,
  staleTime: 5 * 60_000,
});

const SIGNED_IN_KEY = "baton.signed-in";

/**
 * Whether this browser was signed in last time: only a hint, to start loading the app and its
 * first page's data before the session is confirmed (see main.tsx). Who is signed in is always
 * the server's answer.
 */
export function wasSignedIn(): boolean {
  try {
    return localStorage.getItem(SIGNED_IN_KEY) === "1";
  } catch {
    return false;
  }
}

export function rememberSignedIn(signedIn: boolean): void {
  try {
    if (signedIn) localStorage.setItem(SIGNED_IN_KEY, "1");
    else localStorage.removeItem(SIGNED_IN_KEY);
  } catch {
    // Storage refused (private mode): the app only loads a little later.
  }
}

export function useMeQuery() {
  return useQuery(meQuery);
}

export const SessionContext = createContext<User | null>(null);

/** The signed-in user; only used below the session gate, where there always is one. */
export function useMe(): User {
  const me = useContext(SessionContext);
  if (!me) throw new Error("useMe outside a signed-in session");
  return me;
}

export function isMemberOf(me: User, team: string | null | undefined): boolean {
  return !!team && (me.admin || me.teams.some((t) => t.key === team));
}

/** Ends the session (cookie or token) and forgets every cached answer. */
export function useSignOut() {
  const qc = useQueryClient();
  return useCallback(async () => {
    try {
      await api("/session", { method: "DELETE" });
    } catch {
      // No session endpoint, or already signed out: forgetting locally is what matters.
    }
    storeToken(null);
    // Signed out first (the app unmounts), then forget everything else the session saw.
    // (clear() would also drop the query the app observes, leaving it on the old answer.)
    qc.setQueryData(keys.me, null);
    qc.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] });
  }, [qc]);
}

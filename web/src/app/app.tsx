import { useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useCallback, useEffect } from "react";
import { keys } from "../api/queries.ts";
import { CenteredLoader, PageError } from "../components/page-state.tsx";
import { rememberSignedIn, useMeQuery } from "../features/auth/session.ts";
import { SignInPage } from "../features/auth/sign-in-page.tsx";

/*
 * Signed out: the sign-in page at any URL, and nothing more is downloaded. Signed in: the app
 * (./signed-in-app.tsx, its own chunk, already on its way when this browser was signed in
 * before — see main.tsx), with live updates flowing.
 */

export const loadSignedInApp = () => import("./signed-in-app.tsx");
const SignedInApp = lazy(loadSignedInApp);

export function App() {
  const me = useMeQuery();
  const qc = useQueryClient();
  const onSignedOut = useCallback(() => {
    void qc.invalidateQueries({ queryKey: keys.me });
  }, [qc]);
  const user = me.data;
  useEffect(() => {
    if (user !== undefined) rememberSignedIn(user !== null);
  }, [user]);
  if (me.isPending) return <CenteredLoader label="Starting Baton" />;
  if (me.isError && me.data === undefined)
    return (
      <main style={{ padding: 24 }}>
        <PageError error={me.error} />
      </main>
    );
  if (!user) return <SignInPage />;
  return (
    <Suspense fallback={<CenteredLoader label="Starting Baton" />}>
      <SignedInApp me={user} onSignedOut={onSignedOut} />
    </Suspense>
  );
}

import "@mantine/core/styles.css";
import "@mantine/notifications/styles.css";
import "./app/global.css";
import { localStorageColorSchemeManager, MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter, RouterProvider } from "react-router";
import { isApiError } from "./api/client.ts";
import { itemQuery, keys, queueHeadQuery, queueQuery, teamsQuery } from "./api/queries.ts";
import { App, loadSignedInApp } from "./app/app.tsx";
import { cssVariablesResolver, theme } from "./app/theme.ts";
import { meQuery, wasSignedIn } from "./features/auth/session.ts";

/** A 401 anywhere means the session ended: re-ask who we are, which shows the sign-in page. */
const onError = (e: unknown) => {
  if (isApiError(e, "unauthenticated")) void queryClient.invalidateQueries({ queryKey: keys.me });
};

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      // 4xx answers are final (not found, not allowed); only network and 5xx errors retry.
      retry: (count, e) => (isApiError(e) && e.status >= 400 && e.status < 500 ? false : count < 2),
    },
  },
});

/*
 * Ask who is signed in while React is still starting. A browser that was signed in last time
 * also starts on the app's code and what the first page shows (the queue or the item in the
 * URL); a signed-out visitor downloads neither and sends no request that would answer 401.
 */
void queryClient.prefetchQuery(meQuery);
if (wasSignedIn()) {
  void loadSignedInApp();
  void queryClient.prefetchQuery(teamsQuery);
  const team = /^\/teams\/([^/]+)$/.exec(location.pathname)?.[1];
  if (team) {
    // The first rows of each section come first; the whole queue follows (see useQueue).
    const name = decodeURIComponent(team);
    void queryClient
      .prefetchQuery(queueHeadQuery(name))
      .then(() => queryClient.prefetchQuery(queueQuery(name)));
  }
  const item = /^\/items\/([^/]+)$/.exec(location.pathname)?.[1];
  if (item) void queryClient.prefetchQuery(itemQuery(decodeURIComponent(item)));
}

// A data router (one catch-all route; the app's own <Routes> do the matching) so pages can
// hold a navigation while their changes are unsaved (useBlocker).
const router = createBrowserRouter([{ path: "*", element: <App /> }]);

// Light, dark or the system's choice (the default), remembered in this browser.
const colorSchemeManager = localStorageColorSchemeManager({ key: "baton.color-scheme" });

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <MantineProvider
      theme={theme}
      cssVariablesResolver={cssVariablesResolver}
      defaultColorScheme="auto"
      colorSchemeManager={colorSchemeManager}
    >
      <Notifications position="bottom-right" />
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);

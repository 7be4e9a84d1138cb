import "@mantine/core/styles.css";
import "@mantine/notifications/styles.css";
import "./app/global.css";
import { MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter, RouterProvider } from "react-router";
import { isApiError } from "./api/client.ts";
import { itemQuery, keys, queueQuery, teamsQuery } from "./api/queries.ts";
import { App } from "./app/app.tsx";
import { cssVariablesResolver, theme } from "./app/theme.ts";
import { meQuery } from "./features/auth/session.ts";

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
 * Ask for what the first page shows while React is still starting: the queue or the item in
 * the URL. Errors (a signed-out visitor gets 401) are ignored here; the page asks again.
 */
void queryClient.prefetchQuery(meQuery);
void queryClient.prefetchQuery(teamsQuery);
const team = /^\/teams\/([^/]+)$/.exec(location.pathname)?.[1];
if (team) void queryClient.prefetchQuery(queueQuery(decodeURIComponent(team)));
const item = /^\/items\/([^/]+)$/.exec(location.pathname)?.[1];
if (item) void queryClient.prefetchQuery(itemQuery(decodeURIComponent(item)));

// A data router (one catch-all route; the app's own <Routes> do the matching) so pages can
// hold a navigation while their changes are unsaved (useBlocker).
const router = createBrowserRouter([{ path: "*", element: <App /> }]);

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver}>
      <Notifications position="bottom-right" />
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);

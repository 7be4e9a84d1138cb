import { useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect } from "react";
import { Route, Routes, useLocation } from "react-router";
import { LiveProvider } from "../api/live-provider.tsx";
import { itemQuery } from "../api/queries.ts";
import type { User } from "../api/types.ts";
import { NotFound, PageLoading } from "../components/page-state.tsx";
import { SessionContext } from "../features/auth/session.ts";
import { MyWorkPage } from "../features/my-work/my-work-page.tsx";
import QueuePage from "../features/queue/queue-page.tsx";
import { Shell } from "./shell.tsx";

/*
 * The signed-in app, a chunk of its own so the sign-in page loads none of it. The shell, "My
 * work" and the team queue (the pages people live in) come with it; every other page is its
 * own chunk, and the workflow map and editor (React Flow, CodeMirror) load only on workflow
 * pages. The item page's chunk is fetched while the browser is idle, and an item's data is
 * requested at once rather than after its chunk arrives.
 */

const loadItemPage = () => import("../features/item/item-page.tsx");
const loadNewItemPage = () => import("../features/new-item/new-item-page.tsx");
const TeamsPage = lazy(() => import("../features/queue/teams-page.tsx"));
const ItemPage = lazy(loadItemPage);
const NewItemPage = lazy(loadNewItemPage);
const WorkflowsPage = lazy(() => import("../features/workflows/workflows-page.tsx"));
const WorkflowPage = lazy(() => import("../features/workflows/workflow-page.tsx"));
const ReviewPage = lazy(() => import("../features/review/review-page.tsx"));
const ReviewIndexPage = lazy(() => import("../features/review/review-index-page.tsx"));
const AdminPage = lazy(() => import("../features/admin/admin-page.tsx"));
const TokensPage = lazy(() => import("../features/settings/tokens-page.tsx"));
const CalendarPage = lazy(() => import("../features/calendar/calendar-page.tsx"));
const InboxPage = lazy(() => import("../features/inbox/inbox-page.tsx"));
const PreferencesPage = lazy(() => import("../features/inbox/preferences-page.tsx"));
const WebhooksPage = lazy(() => import("../features/webhooks/webhooks-page.tsx"));

/** Starts the data and code a page needs before its chunk has loaded. */
function usePrefetch() {
  const qc = useQueryClient();
  const { pathname } = useLocation();
  useEffect(() => {
    const item = /^\/items\/([^/]+)$/.exec(pathname)?.[1];
    if (item) void qc.prefetchQuery(itemQuery(decodeURIComponent(item)));
  }, [pathname, qc]);
  useEffect(() => {
    const preload = () => {
      void loadItemPage();
      void loadNewItemPage();
    };
    if ("requestIdleCallback" in window) {
      const id = requestIdleCallback(preload, { timeout: 3000 });
      return () => cancelIdleCallback(id);
    }
    const t = setTimeout(preload, 1500);
    return () => clearTimeout(t);
  }, []);
}

export default function SignedInApp({ me, onSignedOut }: { me: User; onSignedOut: () => void }) {
  usePrefetch();
  return (
    <SessionContext.Provider value={me}>
      <LiveProvider onSignedOut={onSignedOut}>
        <Shell>
          <Suspense fallback={<PageLoading />}>
            <Routes>
              <Route path="/" element={<MyWorkPage />} />
              <Route path="/teams" element={<TeamsPage />} />
              <Route path="/teams/:team" element={<QueuePage />} />
              <Route path="/teams/:team/calendar" element={<CalendarPage />} />
              <Route path="/items/:key" element={<ItemPage />} />
              <Route path="/new" element={<NewItemPage />} />
              <Route path="/workflows" element={<WorkflowsPage />} />
              <Route path="/workflows/:key" element={<WorkflowPage />} />
              <Route path="/workflows/:key/review" element={<ReviewPage />} />
              <Route path="/review" element={<ReviewIndexPage />} />
              <Route path="/admin" element={<AdminPage />} />
              <Route path="/settings/tokens" element={<TokensPage />} />
              <Route path="/inbox" element={<InboxPage />} />
              <Route path="/settings/notifications" element={<PreferencesPage />} />
              <Route path="/admin/webhooks" element={<WebhooksPage />} />
              <Route path="*" element={<NotFound />} />
            </Routes>
          </Suspense>
        </Shell>
      </LiveProvider>
    </SessionContext.Provider>
  );
}

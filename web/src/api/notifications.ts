import {
  type InfiniteData,
  type QueryClient,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import type { z } from "zod";
import type {
  inboxSchema,
  notificationSchema,
  preferencesSchema,
  watchSchema,
} from "../../../src/http/responses.ts";
import { api } from "./client.ts";
import { usePollInterval } from "./queries.ts";

/*
 * The reader's inbox, preferences and watched items (GET /me/notifications, POST
 * /me/notifications/read, GET/PUT /me/notification-preferences, GET/PUT/DELETE
 * /items/{key}/watch). The types come from the API's own answer schemas (type-only: nothing of
 * the server reaches the bundle), so the two cannot drift apart.
 *
 * New lines arrive over the live stream (`event: notification`) and are put into the cached
 * count and lists; nothing polls while the stream is up.
 */

export type Notification = z.infer<typeof notificationSchema>;
export type Inbox = z.infer<typeof inboxSchema>;
export type NotificationPreferences = z.infer<typeof preferencesSchema>;
export type PreferencesDraft = Pick<
  NotificationPreferences,
  "channels" | "muted_workflows" | "email_digest" | "digest_hour_utc"
>;
export type PersonalChannel = "inbox" | "email";
export type Watch = z.infer<typeof watchSchema>;

/** Lines per inbox page. */
export const INBOX_PAGE = 30;

export type InboxFilter = "all" | "unread";

/** The unread count and the newest line id it has counted (ids only grow). */
interface UnreadCount {
  unread: number;
  newest: string | null;
}

export const notificationKeys = {
  all: ["inbox"] as const,
  unread: ["inbox", "unread"] as const,
  list: (filter: InboxFilter) => ["inbox", "list", filter] as const,
  preferences: ["notification-preferences"] as const,
  watch: (key: string) => ["item", key, "watch"] as const,
};

/** Ids are decimal strings that grow; compare them as numbers of any length. */
const isNewer = (a: string, b: string | null) =>
  b === null || a.length > b.length || (a.length === b.length && a > b);

/** The bell's count: the unread total of the inbox (one line is fetched with it). */
export function useUnreadCount() {
  return useQuery({
    queryKey: notificationKeys.unread,
    queryFn: ({ signal }) =>
      api<Inbox>("/me/notifications?limit=1", { signal }).then(
        (r): UnreadCount => ({ unread: r.unread, newest: r.notifications[0]?.id ?? null }),
      ),
    // The live stream brings new lines; only without it does the count refresh on a timer.
    refetchInterval: usePollInterval(),
    staleTime: 60_000,
  });
}

/** The inbox, newest first, a page at a time (`next_before` is the cursor). */
export function useInbox(filter: InboxFilter) {
  return useInfiniteQuery({
    queryKey: notificationKeys.list(filter),
    queryFn: ({ signal, pageParam }) =>
      api<Inbox>(
        `/me/notifications?limit=${INBOX_PAGE}${filter === "unread" ? "&unread=true" : ""}${
          pageParam ? `&before=${pageParam}` : ""
        }`,
        { signal },
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_before,
    refetchInterval: usePollInterval(),
    staleTime: 60_000,
  });
}

/** A line that arrived over the stream: counted unread and put on top of the cached lists. */
export function receiveNotification(qc: QueryClient, n: Notification): void {
  qc.setQueryData<UnreadCount>(notificationKeys.unread, (c) => {
    // Not loaded yet: the first fetch will count it. Already counted: a replay after reconnect.
    if (!c || !isNewer(n.id, c.newest)) return c;
    return { unread: c.unread + (n.read ? 0 : 1), newest: n.id };
  });
  for (const filter of ["all", "unread"] as const)
    qc.setQueryData<InfiniteData<Inbox, string | null>>(notificationKeys.list(filter), (d) => {
      const first = d?.pages[0];
      if (!d || !first) return d;
      if (d.pages.some((p) => p.notifications.some((m) => m.id === n.id))) return d;
      return {
        ...d,
        pages: [
          { ...first, notifications: [n, ...first.notifications], unread: first.unread + 1 },
          ...d.pages.slice(1),
        ],
      };
    });
}

export function useMarkRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (which: { ids: string[] } | { all: true }) =>
      api<{ marked: number; unread: number }>("/me/notifications/read", {
        method: "POST",
        body: which,
      }),
    onSuccess: ({ unread }, which) => {
      const now = new Date().toISOString();
      const marks = (n: Notification): Notification =>
        !n.read && ("all" in which || which.ids.includes(n.id))
          ? { ...n, read: true, read_at: now }
          : n;
      qc.setQueryData<UnreadCount>(notificationKeys.unread, (c) => (c ? { ...c, unread } : c));
      // Lines marked read stay where they are (also under "Unread") until the list is refetched,
      // so nothing jumps away under the pointer.
      for (const filter of ["all", "unread"] as const)
        qc.setQueryData<InfiniteData<Inbox, string | null>>(notificationKeys.list(filter), (d) =>
          d
            ? {
                ...d,
                pages: d.pages.map((p) => ({
                  ...p,
                  unread,
                  notifications: p.notifications.map(marks),
                })),
              }
            : d,
        );
    },
  });
}

export function usePreferences() {
  return useQuery({
    queryKey: notificationKeys.preferences,
    queryFn: ({ signal }) =>
      api<NotificationPreferences>("/me/notification-preferences", { signal }),
    staleTime: 60_000,
  });
}

export function useSavePreferences() {
  const qc = useQueryClient();
  return useMutation({
    // One at a time, in order: each sends the whole draft, so the last one sent wins.
    scope: { id: "notification-preferences" },
    mutationFn: (p: PreferencesDraft) =>
      api<NotificationPreferences>("/me/notification-preferences", { method: "PUT", body: p }),
    onSuccess: (saved) => qc.setQueryData(notificationKeys.preferences, saved),
  });
}

export function useWatch(key: string) {
  return useQuery({
    queryKey: notificationKeys.watch(key),
    queryFn: ({ signal }) => api<Watch>(`/items/${encodeURIComponent(key)}/watch`, { signal }),
  });
}

export function useSetWatch(key: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (watching: boolean) =>
      api<Watch>(`/items/${encodeURIComponent(key)}/watch`, {
        method: watching ? "PUT" : "DELETE",
      }),
    onSuccess: (w) => qc.setQueryData(notificationKeys.watch(key), w),
  });
}

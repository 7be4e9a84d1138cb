import {
  type QueryClient,
  queryOptions,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import type { z } from "zod";
import type { fileSchema, forecastSchema } from "../../../src/http/responses.ts";
import { api } from "./client.ts";
import { useLiveStatus } from "./live-context.ts";
import { patchQueues } from "./queue-cache.ts";
import type {
  ApiToken,
  BusinessCalendar,
  Comment,
  Item,
  ItemEvent,
  Queue,
  Team,
  TeamCalendar,
  User,
  WorkflowSummary,
  WorkflowVersion,
  WorkflowVersionSummary,
} from "./types.ts";

/*
 * Query keys and fetchers in one place, so the live stream and mutations invalidate exactly
 * what they should. Keys are arrays whose prefixes group related data: ["item", key] covers the
 * item, its events and its comments.
 */

export const keys = {
  me: ["me"] as const,
  item: (key: string) => ["item", key] as const,
  events: (key: string) => ["item", key, "events"] as const,
  comments: (key: string) => ["item", key, "comments"] as const,
  queues: ["queue"] as const,
  queue: (team: string) => ["queue", team] as const,
  /** A queue asked with a non-default stalled threshold; under keys.queue(team) for invalidation. */
  queueStalledAfter: (team: string, days: number) => ["queue", team, { stalledAfterDays: days }],
  teams: ["teams"] as const,
  calendar: (team: string) => ["calendar", team] as const,
  users: ["users"] as const,
  workflows: ["workflows"] as const,
  workflow: (key: string, version?: number) => ["workflow", key, version ?? "current"] as const,
  versions: (key: string) => ["workflow", key, "versions"] as const,
  tokens: ["tokens"] as const,
};

/** Queues and items refetch on this interval when the live stream is not connected. */
const POLL_MS = 15_000;

/** Without a live stream, poll; with one, the stream tells us when to refetch. */
export function usePollInterval(): number | false {
  return useLiveStatus() === "live" ? false : POLL_MS;
}

/** The largest queue the API returns in one response; the list is virtualised. */
export const QUEUE_LIMIT = 5000;

/**
 * Rows per section asked first, so the first screenful shows while the whole queue (up to
 * QUEUE_LIMIT) is still on its way: 50 rows cover the tallest screen.
 */
export const QUEUE_HEAD = 50;

/**
 * The stalled threshold the page asks for by default: 0 sends none, so the server applies the
 * workflows' rule (`stall_after` of business time, 3 business days unless a workflow says).
 */
export const STALLED_AFTER_DAYS = 0;

/**
 * While live, the stream patches the queues held (queue-cache.ts), so a queue shown again need
 * not be read whole; this is only the safety net (risk values, which move with time, refresh).
 */
const LIVE_QUEUE_STALE_MS = 5 * 60_000;

const queuePath = (team: string, limit: number, stalledAfterDays: number) =>
  `/teams/${encodeURIComponent(team)}/queue?limit=${limit}&clocks=false${
    stalledAfterDays === STALLED_AFTER_DAYS ? "" : `&stalled_after_days=${stalledAfterDays}`
  }`;

/**
 * A team's queue; `stalledAfterDays` > 0 asks for a wall-clock threshold instead of the rule.
 * Rows come without their clock arrays (each keeps its nearest deadline, service-level state
 * and risk): nothing in a list reads them, and they were most of a 3,000-item queue's bytes.
 */
export const queueQuery = (team: string, stalledAfterDays = STALLED_AFTER_DAYS) =>
  queryOptions({
    queryKey:
      stalledAfterDays === STALLED_AFTER_DAYS
        ? keys.queue(team)
        : keys.queueStalledAfter(team, stalledAfterDays),
    queryFn: ({ signal }) => api<Queue>(queuePath(team, QUEUE_LIMIT, stalledAfterDays), { signal }),
  });

/** The first QUEUE_HEAD rows of each section: what shows until the whole queue is in. */
export const queueHeadQuery = (team: string, stalledAfterDays = STALLED_AFTER_DAYS) =>
  queryOptions({
    // Not under keys.queues: live changes and invalidations go to the whole queue only.
    queryKey: ["queue-head", team, stalledAfterDays] as const,
    queryFn: ({ signal }) => api<Queue>(queuePath(team, QUEUE_HEAD, stalledAfterDays), { signal }),
    // Kept briefly: the page asks for it right after main.tsx prefetched it.
    staleTime: 30_000,
    gcTime: 30_000,
  });

export interface QueueResult {
  /** The whole queue, or while it loads its first rows per section (`partial`). */
  data: Queue | undefined;
  /** Only the first QUEUE_HEAD rows of each section are in; counts are lower bounds. */
  partial: boolean;
  isPending: boolean;
  isError: boolean;
  error: unknown;
}

/**
 * A team's queue for its page: the first rows of each section first (a few kilobytes, on screen
 * at once), then the whole queue. A queue already in the cache shows at once and skips the head.
 */
export function useQueue(team: string | undefined, stalledAfterDays?: number): QueueResult {
  const live = useLiveStatus() === "live";
  const refetchInterval = usePollInterval();
  const qc = useQueryClient();
  const cached =
    !!team && qc.getQueryData(queueQuery(team, stalledAfterDays).queryKey) !== undefined;
  const head = useQuery({
    ...queueHeadQuery(team ?? "", stalledAfterDays),
    enabled: !!team && !cached,
  });
  const whole = useQuery({
    ...queueQuery(team ?? "", stalledAfterDays),
    // Asked once the first rows are in: asked together, the server would answer both late.
    enabled: !!team && (cached || head.data !== undefined || head.isError),
    refetchInterval,
    ...(live ? { staleTime: LIVE_QUEUE_STALE_MS } : {}),
    // A new stalled threshold keeps this team's queue on screen while the new answer loads
    // (never another team's: switching teams shows the loading state).
    placeholderData: (previous, query) => (query?.queryKey[1] === team ? previous : undefined),
  });
  return {
    data: whole.data ?? head.data,
    partial: whole.data === undefined && head.data !== undefined,
    isPending: whole.data === undefined && head.data === undefined && !whole.isError,
    isError: whole.isError,
    error: whole.error,
  };
}

export const itemQuery = (key: string) =>
  queryOptions({
    queryKey: keys.item(key),
    queryFn: ({ signal }) => api<Item>(`/items/${encodeURIComponent(key)}`, { signal }),
  });

export function useItem(key: string) {
  const refetchInterval = usePollInterval();
  return useQuery({ ...itemQuery(key), refetchInterval });
}

/** GET /items/{key}/forecast: breach chances of the running clocks and the expected finish. */
export type Forecast = z.infer<typeof forecastSchema>;

/** The item's forecast; keyed under the item, so every change to the item refreshes it. */
export function useForecast(key: string, version: number | undefined) {
  return useQuery({
    queryKey: [...keys.item(key), "forecast", version],
    queryFn: ({ signal }) =>
      api<Forecast>(`/items/${encodeURIComponent(key)}/forecast`, { signal }),
    enabled: version !== undefined,
    staleTime: 60_000,
  });
}

export function useItemEvents(key: string) {
  return useQuery({
    queryKey: keys.events(key),
    queryFn: ({ signal }) =>
      api<{ events: ItemEvent[] }>(`/items/${encodeURIComponent(key)}/events`, { signal }).then(
        (r) => r.events,
      ),
  });
}

export function useComments(key: string) {
  return useQuery({
    queryKey: keys.comments(key),
    queryFn: ({ signal }) =>
      api<{ comments: Comment[] }>(`/items/${encodeURIComponent(key)}/comments`, {
        signal,
      }).then((r) => r.comments),
  });
}

export const teamsQuery = queryOptions({
  queryKey: keys.teams,
  queryFn: ({ signal }) => api<{ teams: Team[] }>("/teams", { signal }).then((r) => r.teams),
  staleTime: 60_000,
});

export function useTeams() {
  return useQuery(teamsQuery);
}

export function useCalendar(team: string) {
  return useQuery({
    queryKey: keys.calendar(team),
    queryFn: ({ signal }) =>
      api<TeamCalendar>(`/teams/${encodeURIComponent(team)}/calendar`, { signal }),
    enabled: !!team,
  });
}

/**
 * Saves a team's calendar (`PUT`), or with `null` returns it to the default (`DELETE`).
 * Deadlines move with the calendar, so queues and items are refetched after.
 */
export function useSetCalendar(team: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (calendar: BusinessCalendar | null) =>
      api<TeamCalendar>(`/teams/${encodeURIComponent(team)}/calendar`, {
        method: calendar ? "PUT" : "DELETE",
        ...(calendar ? { body: calendar } : {}),
      }),
    onSuccess: (saved) => {
      qc.setQueryData(keys.calendar(team), saved);
      void qc.invalidateQueries({ queryKey: keys.queues });
      void qc.invalidateQueries({ queryKey: ["item"] });
    },
  });
}

export function useUsers() {
  return useQuery({
    queryKey: keys.users,
    queryFn: ({ signal }) => api<{ users: User[] }>("/users", { signal }).then((r) => r.users),
    staleTime: 60_000,
  });
}

export function useWorkflows() {
  return useQuery({
    queryKey: keys.workflows,
    queryFn: ({ signal }) =>
      api<{ workflows: WorkflowSummary[] }>("/workflows", { signal }).then((r) => r.workflows),
    staleTime: 60_000,
  });
}

/** A workflow version; published versions never change, so a numbered one is cached forever. */
export function useWorkflow(key: string | undefined, version?: number) {
  return useQuery({
    queryKey: keys.workflow(key ?? "", version),
    queryFn: ({ signal }) =>
      api<WorkflowVersion>(
        `/workflows/${encodeURIComponent(key ?? "")}${version ? `?version=${version}` : ""}`,
        { signal },
      ),
    enabled: !!key,
    staleTime: version ? Number.POSITIVE_INFINITY : 30_000,
  });
}

export function useWorkflowVersions(key: string) {
  return useQuery({
    queryKey: keys.versions(key),
    queryFn: ({ signal }) =>
      api<{ versions: WorkflowVersionSummary[] }>(
        `/workflows/${encodeURIComponent(key)}/versions`,
        { signal },
      ).then((r) => r.versions),
  });
}

export function useTokens() {
  return useQuery({
    queryKey: keys.tokens,
    queryFn: ({ signal }) =>
      api<{ tokens: ApiToken[] }>("/users/me/tokens", { signal }).then((r) => r.tokens),
    retry: false,
  });
}

/** The commands an item accepts as `POST /items/{key}/{command}`. */
export type ItemCommand =
  | "checklist"
  | "claim"
  | "assign"
  | "handoff"
  | "withdraw"
  | "accept"
  | "reject"
  | "complete"
  | "cancel"
  | "pause"
  | "resume"
  | "comments";

/** The teams whose queues may show an item (as an ItemChange of the live stream names them). */
export function itemTeams(item: Item): string[] {
  return [
    item.owner_team,
    ...(item.next ? [item.next.team] : []),
    ...item.teams,
    ...(item.questions ?? []).filter((q) => q.state === "open").map((q) => q.to_team),
  ];
}

/** After an item changed: refresh everything that shows it (queues read its rows only). */
export function afterItemChange(qc: QueryClient, item: Item): void {
  // Two commands in flight (a field saved on blur, a checklist tick) may answer out of order:
  // the older answer must not put the item back to before the newer one.
  qc.setQueryData<Item>(keys.item(item.key), (cached) =>
    cached && cached.version > item.version ? cached : item,
  );
  void qc.invalidateQueries({ queryKey: keys.events(item.key) });
  void qc.invalidateQueries({ queryKey: keys.comments(item.key) });
  void patchQueues(qc, [{ key: item.key, version: item.version, teams: itemTeams(item) }]);
}

/** Runs a command on one item and puts the item it returns into the cache. */
export function runItemCommand(
  key: string,
  command: ItemCommand,
  body?: unknown,
  ifMatch?: number,
): Promise<Item> {
  return api<Item>(`/items/${encodeURIComponent(key)}/${command}`, {
    method: "POST",
    body: body ?? {},
    ...(ifMatch !== undefined ? { ifMatch } : {}),
  });
}

export function useItemCommand(key: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { command: ItemCommand; body?: unknown; ifMatch?: number }) =>
      runItemCommand(key, v.command, v.body, v.ifMatch),
    onSuccess: (item) => afterItemChange(qc, item),
  });
}

/** A file of an item, as the API lists it. */
export type ItemFile = z.infer<typeof fileSchema>;

/** Uploads a file to the item, into `field` (a file field) when given. */
export function useUploadFile(key: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { file: File; field?: string }) => {
      const form = new FormData();
      form.set("file", v.file, v.file.name);
      const query = v.field ? `?field=${encodeURIComponent(v.field)}` : "";
      return api<{ file: ItemFile; item: Item }>(
        `/items/${encodeURIComponent(key)}/files${query}`,
        {
          method: "POST",
          body: form,
        },
      );
    },
    onSuccess: ({ item }) => afterItemChange(qc, item),
  });
}

export function useUpdateFields(key: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { fields: Record<string, unknown>; ifMatch?: number }) =>
      api<Item>(`/items/${encodeURIComponent(key)}/fields`, {
        method: "PATCH",
        body: v.fields,
        ...(v.ifMatch !== undefined ? { ifMatch: v.ifMatch } : {}),
      }),
    onSuccess: (item) => afterItemChange(qc, item),
  });
}

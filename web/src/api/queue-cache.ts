import type { Query, QueryClient } from "@tanstack/react-query";
import { api } from "./client.ts";
import type { ItemSummary, Queue, QueueTab } from "./types.ts";

/*
 * Keeps the queues in the cache current by patching them: after an item changed, each cached
 * queue it may concern asks the server for that item's rows only (`GET /teams/{team}/queue?
 * keys=…&clocks=false`, a kilobyte or two) and moves them into the sections they are in now. A
 * change that concerns no queue held costs nothing. A 3,000-item queue is downloaded once, not
 * once per change.
 */

/** What the client knows about a change: the item and the teams whose queues may hold it. */
export interface QueueChange {
  key: string;
  /** The item's version after the change; a cached row at this version is already current. */
  version?: number | undefined;
  teams: readonly (string | null | undefined)[];
}

const sections: QueueTab[] = [
  "incoming",
  "in_progress",
  "waiting_on_others",
  "paused",
  "questions",
  "stalled",
];

/** Keys per read: the server takes up to 100. */
const KEYS_PER_READ = 100;

type QueueKey = readonly ["queue", string, { stalledAfterDays: number }?];

/**
 * The server's queue order (store/items.ts listQueue): breached, warning, running, then the
 * nearest deadline (none last), then the longest waiting. Ties fall back to the key; the server
 * uses the row id, which only matters for two changes in the same microsecond.
 */
function rank(i: ItemSummary): [number, string, string] {
  const urgency = i.sla === "breached" ? 0 : i.sla === "warning" ? 1 : i.next_deadline ? 2 : 3;
  return [urgency, i.next_deadline?.due_at ?? "\uffff", i.updated_at];
}

function isBefore(a: ItemSummary, b: ItemSummary): boolean {
  const ra = rank(a);
  const rb = rank(b);
  if (ra[0] !== rb[0]) return ra[0] < rb[0];
  if (ra[1] !== rb[1]) return ra[1] < rb[1];
  if (ra[2] !== rb[2]) return ra[2] < rb[2];
  return a.key < b.key;
}

/** `rows` without `drop`, with `add` inserted at their places in queue order. */
function merge(rows: ItemSummary[], drop: ReadonlySet<string>, add: ItemSummary[]): ItemSummary[] {
  const out = rows.filter((r) => !drop.has(r.key));
  for (const row of add) {
    let at = out.findIndex((r) => isBefore(row, r));
    if (at === -1) at = out.length;
    out.splice(at, 0, row);
  }
  return out;
}

/**
 * Applies a read of some items' rows to a cached queue: the items asked for are where the read
 * says now (in no section if it has none), and every other row stays as it was.
 */
export function applyRows(queue: Queue, asked: readonly string[], rows: Queue): Queue {
  const drop = new Set(asked);
  const next: Queue = { ...queue };
  for (const s of sections) {
    const held = queue[s];
    if (!held) continue;
    next[s] = merge(held, drop, rows[s] ?? []);
  }
  return next;
}

function heldVersion(queue: Queue, key: string): number | undefined {
  for (const s of sections) {
    const row = queue[s]?.find((r) => r.key === key);
    if (row) return row.version;
  }
  return undefined;
}

/** Whether a change may move rows of this team's cached queue. */
function concerns(queue: Queue, team: string, change: QueueChange): boolean {
  const held = heldVersion(queue, change.key);
  if (held !== undefined) return change.version === undefined || held < change.version;
  return change.teams.includes(team);
}

/** Reads in flight per queue, so the patches of one queue apply in order. */
const chains = new WeakMap<object, Promise<void>>();

async function patchOne(
  qc: QueryClient,
  query: Query<Queue>,
  changes: readonly QueueChange[],
): Promise<void> {
  // A whole read in flight may predate the change: patch what it brings, once it is in.
  if (query.state.fetchStatus === "fetching") await query.promise?.catch(() => undefined);
  const queue = query.state.data;
  if (!queue) return;
  const [, team, opts] = query.queryKey as unknown as QueueKey;
  const wanted = [...new Set(changes.filter((c) => concerns(queue, team, c)).map((c) => c.key))];
  for (let n = 0; n < wanted.length; n += KEYS_PER_READ) {
    const asked = wanted.slice(n, n + KEYS_PER_READ);
    const params = new URLSearchParams({ keys: asked.join(","), clocks: "false" });
    if (opts?.stalledAfterDays !== undefined)
      params.set("stalled_after_days", String(opts.stalledAfterDays));
    const rows = await api<Queue>(`/teams/${encodeURIComponent(team)}/queue?${params}`);
    qc.setQueryData<Queue>(query.queryKey, (current) =>
      current ? applyRows(current, asked, rows) : current,
    );
  }
}

/**
 * Brings every cached queue up to date with `changes`. A read that fails marks its queue stale,
 * so it is read whole the next time it is shown.
 */
export function patchQueues(qc: QueryClient, changes: readonly QueueChange[]): Promise<void> {
  if (changes.length === 0) return Promise.resolve();
  const queries = qc.getQueryCache().findAll({ queryKey: ["queue"] }) as Query<Queue>[];
  return Promise.all(
    queries.map((query) => {
      const run = (chains.get(query) ?? Promise.resolve())
        .then(() => patchOne(qc, query, changes))
        .catch(() => qc.invalidateQueries({ queryKey: query.queryKey, exact: true }));
      chains.set(query, run);
      return run;
    }),
  ).then(() => undefined);
}

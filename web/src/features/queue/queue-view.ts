import { useSearchParams } from "react-router";
import { STALLED_AFTER_DAYS } from "../../api/queries.ts";
import type { ItemSummary, QueueTab } from "../../api/types.ts";

/*
 * What the queue page shows, kept in the URL so a view can be shared and survives a reload:
 * the tab, the search, the workflow and assignee filters, the sort and the stalled threshold.
 * Filtering and sorting run in the browser (the API sends up to 5,000 per tab).
 */

export type Sort = "urgent" | "risk" | "oldest" | "newest" | "key" | "title";

/** Without a forecast a row sorts after every row with one. */
const riskOf = (i: ItemSummary) => i.risk ?? -1;
// ISO timestamps sort as plain strings; localeCompare would cost ~50 ms on 3,000 items.
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const sorters: Record<Sort, ((a: ItemSummary, b: ItemSummary) => number) | null> = {
  // The server sends each tab most urgent first (breached, then nearest deadline).
  urgent: null,
  // Most likely to breach first; the sort is stable, so equal risks keep the urgent order.
  risk: (a, b) => riskOf(b) - riskOf(a),
  oldest: (a, b) => byString(a.updated_at, b.updated_at),
  newest: (a, b) => byString(b.updated_at, a.updated_at),
  key: (a, b) => a.key.localeCompare(b.key, undefined, { numeric: true }),
  title: (a, b) => a.title.localeCompare(b.title),
};

/** The sorts offered, in the order the Sort menu lists them. */
export const sortChoices: { value: Sort; label: string }[] = [
  { value: "urgent", label: "Most urgent" },
  { value: "risk", label: "Most at risk" },
  { value: "oldest", label: "Waiting longest" },
  { value: "newest", label: "Most recent" },
  { value: "key", label: "Key" },
  { value: "title", label: "Title" },
];

/**
 * The tab's rows that pass the search (key or title, any case) and the filters, sorted.
 * `assignee` is an email, `__me` (the signed-in user) or `__none` (unassigned).
 */
export function filterQueue({
  items,
  search,
  workflow,
  assignee,
  sort,
  me,
}: {
  items: ItemSummary[];
  search: string;
  workflow: string;
  assignee: string;
  sort: Sort;
  me: string;
}): ItemSummary[] {
  const q = search.trim().toLowerCase();
  const filtered = items.filter(
    (i) =>
      (!workflow || i.workflow === workflow) &&
      (!assignee ||
        (assignee === "__me" && i.assignee === me) ||
        (assignee === "__none" && !i.assignee) ||
        i.assignee === assignee) &&
      (!q || i.key.toLowerCase().includes(q) || i.title.toLowerCase().includes(q)),
  );
  const by = sorters[sort];
  return by ? filtered.sort(by) : filtered;
}

/**
 * The view's settings read from the URL, and their setters. Each change replaces the history
 * entry (typing in the search is not a trail of pages) and calls `onChange`.
 */
export function useQueueView({ onChange }: { onChange: () => void }) {
  const [params, setParams] = useSearchParams();
  const stalledParam = Number(params.get("stalled_after_days"));
  const stalledAfterDays =
    Number.isFinite(stalledParam) && stalledParam > 0 && stalledParam <= 365
      ? stalledParam
      : STALLED_AFTER_DAYS;
  const setParam = (name: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
    onChange();
  };
  /** Clears search and filters; the tab and its stalled threshold stay. */
  const clearFilters = () => {
    const kept = new URLSearchParams();
    for (const name of ["tab", "stalled_after_days"]) {
      const v = params.get(name);
      if (v) kept.set(name, v);
    }
    setParams(kept);
  };
  return {
    tab: (params.get("tab") as QueueTab | null) ?? "incoming",
    search: params.get("q") ?? "",
    workflow: params.get("workflow") ?? "",
    assignee: params.get("assignee") ?? "",
    sort: (params.get("sort") as Sort | null) ?? "urgent",
    stalledAfterDays,
    setParam,
    clearFilters,
  };
}

export type QueueView = ReturnType<typeof useQueueView>;

import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { api, authHeaders, storedToken } from "../../api/client.ts";

/*
 * The metrics and review API as the review page reads it (docs/metrics.md defines every
 * figure). Durations are seconds; ratios 0..1; null where nothing was measured.
 */

export interface Period {
  from: string;
  to: string;
  version: number | null;
  team: string | null;
  edge: string | null;
}

export interface EdgeMetrics {
  from_step: string;
  to_step: string;
  from_team: string;
  to_team: string;
  submitted: number;
  accepted: number;
  rejected: number;
  withdrawn: number;
  rejection_rate: number | null;
  rejections_by_reason: Record<string, number>;
  failed_criteria: Record<string, number>;
  limbo_p50_s: number | null;
  limbo_p85_s: number | null;
  limbo_p95_s: number | null;
  limbo_business_p50_s: number | null;
  limbo_business_p85_s: number | null;
  limbo_business_p95_s: number | null;
  in_limbo_now: number;
  oldest_in_limbo_s: number | null;
  bounces: number;
  questions_after_accept: number;
  sla_met: number;
  sla_breached: number;
  sla_attainment: number | null;
  survey_receiver_avg: number | null;
  survey_receiver_count: number;
  survey_sender_avg: number | null;
  survey_sender_count: number;
}

export type SuggestionKind =
  | "add_required_field"
  | "longer_limit"
  | "require_meeting"
  | "drop_criterion";

export interface Suggestion {
  id: string;
  kind: SuggestionKind;
  from_step: string;
  to_step: string;
  title: string;
  evidence: Record<string, unknown>;
  change: Record<string, unknown>;
}

export interface ReviewEdge extends EdgeMetrics {
  accept_within: string | null;
  accept_within_s: number | null;
  top_reasons: { reason: string; count: number }[];
  criteria_failed: { criterion: string; count: number }[];
  reject_comments: { key: string; reason: string | null; comment: string; at: string }[];
  questions: { key: string; body: string; at: string }[];
  survey_comments: { key: string; role: string; score: number; comment: string; at: string }[];
  stalled: {
    key: string;
    to_team: string;
    submitted_at: string;
    in_limbo_s: number;
    over_limit: boolean;
  }[];
  suggestions: Suggestion[];
  compare: EdgeMetrics | null;
}

export interface Review {
  workflow: string;
  version: number;
  period: Period;
  compare?: Period;
  edges: ReviewEdge[];
}

export interface Draft {
  workflow: string;
  base_version: number;
  suggestion: Suggestion;
  source: string;
  source_format: "yaml" | "json";
  diff: string;
  definition: unknown;
}

/** What the page asks about: a period, a version, and what to compare with. */
export interface ReviewFilter {
  from?: string | undefined;
  to?: string | undefined;
  version?: number | undefined;
  /** Handoffs with this team on either side; its visits and clocks. */
  team?: string | undefined;
  /** One handoff edge, "FROM_STEP:TO_STEP". */
  edge?: string | undefined;
  /** Another version, or another period ("from/to"). */
  compare?: { version: number } | { from: string; to: string } | undefined;
}

/** The query string of a filter (without the leading "?"), extra parameters first. */
export function filterQuery(f: ReviewFilter, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams(extra);
  if (f.from) q.set("from", f.from);
  if (f.to) q.set("to", f.to);
  if (f.version !== undefined) q.set("version", String(f.version));
  if (f.team) q.set("team", f.team);
  if (f.edge) q.set("edge", f.edge);
  if (f.compare && "version" in f.compare) q.set("compare", `version:${f.compare.version}`);
  else if (f.compare) {
    q.set("compare_from", f.compare.from);
    q.set("compare_to", f.compare.to);
  }
  return q.toString();
}

export function useReview(workflow: string, f: ReviewFilter) {
  const qs = filterQuery(f);
  return useQuery({
    queryKey: ["review", workflow, qs],
    queryFn: ({ signal }) =>
      api<Review>(`/review/${encodeURIComponent(workflow)}${qs ? `?${qs}` : ""}`, { signal }),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

/** A draft of the next version from a suggestion (nothing is published). */
export function useDraft(
  workflow: string,
  suggestion: string | null,
  period: { from?: string | undefined; to?: string | undefined },
) {
  return useQuery({
    queryKey: ["review", workflow, "draft", suggestion, period.from, period.to],
    queryFn: () =>
      api<Draft>(`/review/${encodeURIComponent(workflow)}/drafts`, {
        method: "POST",
        body: {
          suggestion,
          ...(period.from ? { from: period.from } : {}),
          ...(period.to ? { to: period.to } : {}),
        },
      }),
    enabled: suggestion !== null,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
}

/** Downloads a CSV the API serves: a plain link for cookie sessions, a fetch for token sessions. */
export function useCsvDownload() {
  return useMutation({
    mutationFn: async ({ href, name }: { href: string; name: string }) => {
      const res = await fetch(href, { headers: authHeaders(), credentials: "same-origin" });
      if (!res.ok) throw new Error(`The server answered ${res.status}.`);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });
}

/** Whether this tab signed in with an API token (a plain link would not carry it). */
export const usesToken = () => storedToken() !== null;

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api } from "../../api/client.ts";
import type { EdgeMetrics, Period, ReviewFilter } from "./api.ts";
import { filterQuery } from "./api.ts";

/* Teams and flow figures (GET /metrics/teams, /metrics/flow), with their comparison. */

export interface Percentiles {
  p50_s: number | null;
  p85_s: number | null;
  p95_s: number | null;
}

export interface TeamMetrics {
  team: string;
  wip: number;
  finished: number;
  throughput_per_week: number;
  step_time: Percentiles;
  received: number;
  rejected_by_team: number;
  sent: number;
  sent_rejected: number;
  sent_rejection_rate: number | null;
  bounces_received: number;
  limbo_as_receiver_business: Percentiles;
  sla: Record<string, { met: number; breached: number; attainment: number | null }>;
  attainment: number | null;
}

export interface TeamsAnswer {
  period: Period;
  teams: TeamMetrics[];
  compare?: { period: Period; teams: TeamMetrics[] };
}

export interface FlowBody {
  period: Period;
  cycle_time: { count: number } & Percentiles;
  cycle_points: { key: string; done_at: string; cycle_s: number }[];
  steps: ({
    step: string;
    visits: number;
    active_s: number;
    waiting_s: number;
    flow_efficiency: number | null;
  } & Percentiles)[];
  flow_efficiency: number | null;
  throughput: { week: string; done: number }[];
  wip: { step: string; items: number }[];
  cfd: { day: string; steps: Record<string, number>; done: number }[];
  ageing: {
    key: string;
    step: string;
    team: string;
    age_s: number;
    in_step_s: number;
    step_p50_s: number | null;
    step_p85_s: number | null;
  }[];
}

export interface FlowAnswer extends FlowBody {
  compare?: FlowBody;
}

export interface EdgesAnswer {
  period: Period;
  edges: EdgeMetrics[];
  compare?: { period: Period; edges: EdgeMetrics[] };
}

export interface EdgeWeek {
  from_step: string;
  to_step: string;
  from_team: string;
  to_team: string;
  week: string;
  submitted: number;
  rejected: number;
  decided: number;
  limbo_p50_s: number | null;
  limbo_p85_s: number | null;
  limbo_business_p50_s: number | null;
  limbo_business_p85_s: number | null;
}

function useMetric<T>(path: string, workflow: string, f: ReviewFilter, enabled = true) {
  const qs = filterQuery(f, { workflow });
  return useQuery({
    queryKey: ["metrics", path, qs],
    queryFn: ({ signal }) => api<T>(`/metrics/${path}?${qs}`, { signal }),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
    enabled,
  });
}

export const useTeamsMetrics = (workflow: string, f: ReviewFilter, enabled = true) =>
  useMetric<TeamsAnswer>("teams", workflow, f, enabled);
export const useFlowMetrics = (workflow: string, f: ReviewFilter, enabled = true) =>
  useMetric<FlowAnswer>("flow", workflow, f, enabled);
export const useEdgesMetrics = (workflow: string, f: ReviewFilter, enabled = true) =>
  useMetric<EdgesAnswer>("edges", workflow, f, enabled);
export const useLimboSeries = (workflow: string, f: ReviewFilter, enabled = true) =>
  useMetric<{ period: Period; series: EdgeWeek[] }>(
    "limbo",
    workflow,
    { ...f, compare: undefined },
    enabled,
  );

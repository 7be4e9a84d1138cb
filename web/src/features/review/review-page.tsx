import { Anchor, Group, Select, Stack, Table, Tabs, Text, TextInput, Title } from "@mantine/core";
import { lazy, Suspense, useMemo } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { useWorkflow, useWorkflowVersions } from "../../api/queries.ts";
import { Empty, PageError, PageLoading, useDocumentTitle } from "../../components/page-state.tsx";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { useNames } from "../../lib/names.ts";
import { transitionsOf } from "../workflows/layout.ts";
import { filterQuery, type ReviewFilter, useReview } from "./api.ts";
import { CompareView } from "./compare-view.tsx";
import { CsvLink } from "./csv-link.tsx";
import { EdgeSection, edgeFigures, edgeTitle } from "./edge-section.tsx";
import { dayOf, lastDayOf } from "./format.ts";
import { ReviewMap } from "./review-map.tsx";

/** The charts and ECharts: a chunk of their own, loaded when the Charts tab opens. */
const ReviewCharts = lazy(() => import("./charts/review-charts.tsx"));

/*
 * The review page of a workflow (GET /review/{workflow}): for each handoff edge, how long work
 * waits in limbo against the limit, why it comes back, what both sides say, what is stuck now,
 * and what to change — each suggestion a draft of the next version for an admin to publish.
 * The period and version live in the address, so a review can be shared as a link.
 */

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The filter in the address: ?from=YYYY-MM-DD&to=YYYY-MM-DD&version=N, and what to compare with:
 * compare=version:N or compare_from/compare_to (days).
 */
export function useReviewFilter(): [ReviewFilter, (patch: Record<string, string | null>) => void] {
  const [params, setParams] = useSearchParams();
  const filter = useMemo((): ReviewFilter => {
    const from = params.get("from");
    const to = params.get("to");
    const version = Number(params.get("version"));
    const compare = /^version:(\d{1,9})$/.exec(params.get("compare") ?? "")?.[1];
    const compareFrom = params.get("compare_from");
    const compareTo = params.get("compare_to");
    return {
      from: from && DAY_RE.test(from) ? from : undefined,
      to: to && DAY_RE.test(to) ? to : undefined,
      version: Number.isInteger(version) && version > 0 ? version : undefined,
      team: params.get("team") || undefined,
      edge: /^[^:]{1,200}:[^:]{1,200}$/.test(params.get("edge") ?? "")
        ? (params.get("edge") ?? undefined)
        : undefined,
      compare:
        compare && Number(compare) > 0
          ? { version: Number(compare) }
          : compareFrom && compareTo && DAY_RE.test(compareFrom) && DAY_RE.test(compareTo)
            ? { from: compareFrom, to: compareTo }
            : undefined,
    };
  }, [params]);
  const update = (patch: Record<string, string | null>) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        for (const [k, v] of Object.entries(patch)) {
          if (v === null || v === "") next.delete(k);
          else next.set(k, v);
        }
        return next;
      },
      { replace: true },
    );
  return [filter, update];
}

export default function ReviewPage() {
  const { key = "" } = useParams();
  const wf = useWorkflow(key);
  const versions = useWorkflowVersions(key);
  const names = useNames();
  const [filter, update] = useReviewFilter();
  const [params] = useSearchParams();
  const view = params.get("view") ?? "edges";
  const review = useReview(key, filter);
  const def = wf.data?.definition;
  useDocumentTitle(def ? `Review: ${def.name}` : "Review");
  // Edges in the workflow's order: by the sending step, then the receiving one.
  const edges = useMemo(() => {
    const order = (step: string) => def?.steps.findIndex((s) => s.key === step) ?? 0;
    return [...(review.data?.edges ?? [])].sort(
      (a, b) => order(a.from_step) - order(b.from_step) || order(a.to_step) - order(b.to_step),
    );
  }, [review.data, def]);

  if (wf.isError) return <PageError error={wf.error} />;
  if (!wf.data) return <PageLoading label="Loading the review" />;
  const period = review.data?.period;

  const periodOf = period ? { from: period.from, to: period.to } : null;

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1}>Review: {def?.name}</Title>
          <Text size="sm" c="dimmed">
            How handoffs went between the teams of <code>{key}</code>, edge by edge, and what to
            change.{" "}
            <Anchor component={Link} to={`/workflows/${key}`} size="sm" underline="always">
              Workflow map and definition
            </Anchor>
          </Text>
        </div>
      </Group>

      <Group align="flex-end" gap="sm">
        <TextInput
          type="date"
          label="From"
          value={filter.from ?? (period ? dayOf(period.from) : "")}
          onChange={(e) => update({ from: e.currentTarget.value || null })}
          w={170}
        />
        <TextInput
          type="date"
          label="To (including)"
          value={filter.to ?? (period ? lastDayOf(period.to) : "")}
          onChange={(e) => update({ to: e.currentTarget.value || null })}
          w={170}
        />
        <Select
          label="Items on"
          data={[
            { value: "", label: "Every version" },
            ...(versions.data ?? []).map((v) => ({
              value: String(v.version),
              label: `Version ${v.version}`,
            })),
          ]}
          value={filter.version ? String(filter.version) : ""}
          onChange={(v) => update({ version: v || null })}
          allowDeselect={false}
          w={170}
        />
        <Select
          label="Team"
          data={[
            { value: "", label: "Every team" },
            ...[...new Set((def?.steps ?? []).map((st) => st.team))].map((t) => ({
              value: t,
              label: names.team(t),
            })),
          ]}
          value={filter.team ?? ""}
          onChange={(v) => update({ team: v || null })}
          allowDeselect={false}
          w={190}
        />
        <Select
          label="Handoff"
          data={[
            { value: "", label: "Every handoff" },
            ...(def ? transitionsOf(def) : [])
              .filter((t, i, all) => all.findIndex((x) => x.from === t.from && x.to === t.to) === i)
              .map((t) => ({
                value: `${t.from}:${t.to}`,
                label: edgeTitle(def, { from_step: t.from, to_step: t.to }),
              })),
          ]}
          value={filter.edge ?? ""}
          onChange={(v) => update({ edge: v || null })}
          allowDeselect={false}
          w={260}
        />
      </Group>

      <Tabs value={view} onChange={(v) => update({ view: v === "edges" ? null : v })}>
        <Tabs.List>
          <Tabs.Tab value="edges">Handoff edges</Tabs.Tab>
          <Tabs.Tab value="compare">Before and after</Tabs.Tab>
          <Tabs.Tab value="map">Map</Tabs.Tab>
          <Tabs.Tab value="charts">Charts</Tabs.Tab>
        </Tabs.List>
      </Tabs>

      {view === "compare" && (
        <CompareView
          workflow={key}
          def={def}
          names={names}
          filter={filter}
          versions={(versions.data ?? []).map((v) => v.version)}
          update={update}
        />
      )}
      {view === "map" && <ProblemAlert error={review.error} />}
      {view === "map" && def && review.data && (
        <ReviewMap
          def={def}
          edges={edges}
          names={names}
          metric={params.get("colour") === "rejections" ? "rejections" : "limbo"}
          onMetric={(m) => update({ colour: m === "limbo" ? null : m })}
        />
      )}
      {view === "charts" && review.data && (
        <Suspense fallback={<PageLoading label="Loading the charts" />}>
          <ReviewCharts workflow={key} def={def} names={names} filter={filter} edges={edges} />
        </Suspense>
      )}
      {view === "edges" && <ProblemAlert error={review.error} />}
      {view !== "edges" ? null : review.isPending ? (
        <PageLoading label="Loading the review" />
      ) : !review.data ? null : edges.length === 0 ? (
        <Empty title="No handoffs in this period">
          Once items of this workflow are handed from one team to the next, each handoff edge shows
          here with its figures and suggestions.
        </Empty>
      ) : (
        <>
          <Stack gap={4}>
            <Group justify="space-between">
              <Title order={2} size="h3">
                Every edge at a glance
              </Title>
              <CsvLink
                path={`/metrics/edges?${filterQuery(filter, { workflow: key, format: "csv" })}`}
                name={`edges-${key}.csv`}
                label="Edges as CSV"
              />
            </Group>
            <Table.ScrollContainer minWidth={720}>
              <Table fz="sm" aria-label="Every edge at a glance" data-testid="edges-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Handoff</Table.Th>
                    <Table.Th>Limbo p50 / p85</Table.Th>
                    <Table.Th>Limit</Table.Th>
                    <Table.Th>Rejected</Table.Th>
                    <Table.Th>Accepted in time</Table.Th>
                    <Table.Th>In limbo now</Table.Th>
                    <Table.Th>Suggestions</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {edges.map((e) => {
                    const f = edgeFigures(e, e.accept_within);
                    return (
                      <Table.Tr key={`${e.from_step}:${e.to_step}:${e.to_team}`}>
                        <Table.Td>
                          <Anchor href={`#edge-${e.from_step}-${e.to_step}`} size="sm">
                            {edgeTitle(def, e)}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>{f.limbo}</Table.Td>
                        <Table.Td>{e.accept_within ?? "—"}</Table.Td>
                        <Table.Td>{f.rejected}</Table.Td>
                        <Table.Td>{f.sla}</Table.Td>
                        <Table.Td>{e.in_limbo_now}</Table.Td>
                        <Table.Td>{e.suggestions.length}</Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <CsvLink
              path={`/review/${encodeURIComponent(key)}?${filterQuery(filter, { format: "csv" })}`}
              name={`review-${key}.csv`}
              label="Suggestions as CSV"
            />
          </Stack>
          {edges.map((e) => (
            <EdgeSection
              key={`${e.from_step}:${e.to_step}:${e.to_team}`}
              edge={e}
              def={def}
              names={names}
              workflow={key}
              period={periodOf ?? { from: "", to: "" }}
              comparing={review.data.compare !== undefined}
            />
          ))}
        </>
      )}
    </Stack>
  );
}

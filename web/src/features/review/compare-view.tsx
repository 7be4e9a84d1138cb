import {
  Alert,
  Group,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import type { WorkflowDef } from "../../api/types.ts";
import { duration } from "../../lib/format.ts";
import type { Names } from "../../lib/names.ts";
import type { EdgeMetrics, Period, ReviewFilter } from "./api.ts";
import type { FlowBody, TeamMetrics } from "./compare-api.ts";
import { useEdgesMetrics, useFlowMetrics, useTeamsMetrics } from "./compare-api.ts";
import { DownloadCsv } from "./download-csv.tsx";
import { edgeTitle } from "./edge-section.tsx";
import { dayOf, lastDayOf, REASONS } from "./format.ts";

/*
 * Before and after: every figure of the review — per edge, per team and for the whole flow —
 * for two workflow versions (items on each) or two periods, side by side with the change and
 * whether it went the good way. A team sees whether the criterion it added cut rejections.
 */

type Kind = "count" | "share" | "seconds" | "score" | "rate";
type Better = "lower" | "higher" | null;

interface Row {
  group: string;
  label: string;
  before: number | null;
  after: number | null;
  kind: Kind;
  better: Better;
}

function show(v: number | null, kind: Kind): string {
  if (v === null) return "—";
  switch (kind) {
    case "count":
      return String(v);
    case "rate":
      return v.toFixed(2);
    case "share":
      return `${Math.round(v * 100)} %`;
    case "seconds":
      return duration(v * 1000);
    case "score":
      return `${v.toFixed(1)} / 5`;
  }
}

/** The change in words: "+3", "−12 pts", "−2 h 10 m", and better/worse where that is clear. */
function change(r: Row): { text: string; verdict: "better" | "worse" | null } {
  if (r.before === null || r.after === null) return { text: "—", verdict: null };
  const d = r.after - r.before;
  // Durations are shown to the minute: less than that is no change to a reader.
  if (Math.abs(d) < (r.kind === "seconds" ? 60 : 1e-9)) return { text: "no change", verdict: null };
  const sign = d > 0 ? "+" : "−";
  const abs = Math.abs(d);
  const text =
    r.kind === "share"
      ? `${sign}${Math.round(abs * 100)} pts`
      : r.kind === "seconds"
        ? `${sign}${duration(abs * 1000)}`
        : r.kind === "score" || r.kind === "rate"
          ? `${sign}${abs.toFixed(2)}`
          : `${sign}${abs}`;
  const verdict = r.better === null ? null : d < 0 === (r.better === "lower") ? "better" : "worse";
  return { text, verdict };
}

/** The row builder of one group: each row picks its figure from the before and the after side. */
function rowOf<T>(group: string, a: T | undefined, b: T | undefined) {
  return (label: string, pick: (x: T) => number | null, kind: Kind, better: Better): Row => ({
    group,
    label,
    before: a ? pick(a) : null,
    after: b ? pick(b) : null,
    kind,
    better,
  });
}

function edgeRows(group: string, a: EdgeMetrics | undefined, b: EdgeMetrics | undefined): Row[] {
  const row = rowOf<EdgeMetrics>(group, a, b);
  return [
    row("Handoffs submitted", (e) => e.submitted, "count", null),
    row("Accepted", (e) => e.accepted, "count", null),
    row("Withdrawn", (e) => e.withdrawn, "count", null),
    row("Rejection rate", (e) => e.rejection_rate, "share", "lower"),
    row("Rejected", (e) => e.rejected, "count", "lower"),
    ...["incomplete", "incorrect", "wrong_team", "other"].map((r) =>
      row(
        `Rejected as ${(REASONS[r] ?? r).toLowerCase()}`,
        (e) => e.rejections_by_reason[r] ?? 0,
        "count",
        "lower",
      ),
    ),
    row("Limbo p50", (e) => e.limbo_p50_s, "seconds", "lower"),
    row("Limbo p85", (e) => e.limbo_p85_s, "seconds", "lower"),
    row("Limbo p95", (e) => e.limbo_p95_s, "seconds", "lower"),
    row("Limbo p50, receiver's business time", (e) => e.limbo_business_p50_s, "seconds", "lower"),
    row("Limbo p85, receiver's business time", (e) => e.limbo_business_p85_s, "seconds", "lower"),
    row("Limbo p95, receiver's business time", (e) => e.limbo_business_p95_s, "seconds", "lower"),
    row("Accepted in time", (e) => e.sla_attainment, "share", "higher"),
    row("Acceptance limit breached", (e) => e.sla_breached, "count", "lower"),
    row("Questions after acceptance", (e) => e.questions_after_accept, "count", "lower"),
    row("Bounces", (e) => e.bounces, "count", "lower"),
    row("Receiver survey", (e) => e.survey_receiver_avg, "score", "higher"),
    row("Receiver survey answers", (e) => e.survey_receiver_count, "count", null),
    row("Sender survey", (e) => e.survey_sender_avg, "score", "higher"),
    row("Sender survey answers", (e) => e.survey_sender_count, "count", null),
  ];
}

function teamRows(group: string, a: TeamMetrics | undefined, b: TeamMetrics | undefined): Row[] {
  const row = rowOf<TeamMetrics>(group, a, b);
  return [
    row("Steps finished", (t) => t.finished, "count", null),
    row("Throughput per week", (t) => t.throughput_per_week, "rate", "higher"),
    row("Time in step p50", (t) => t.step_time.p50_s, "seconds", "lower"),
    row("Time in step p85", (t) => t.step_time.p85_s, "seconds", "lower"),
    row("Time in step p95", (t) => t.step_time.p95_s, "seconds", "lower"),
    row("Handoffs received", (t) => t.received, "count", null),
    row("Handoffs it rejected", (t) => t.rejected_by_team, "count", null),
    row("Handoffs sent", (t) => t.sent, "count", null),
    row("Its handoffs rejected", (t) => t.sent_rejection_rate, "share", "lower"),
    row("Bounces into the team", (t) => t.bounces_received, "count", "lower"),
    row(
      "Limbo p85 as receiver, business time",
      (t) => t.limbo_as_receiver_business.p85_s,
      "seconds",
      "lower",
    ),
    row("Service levels met", (t) => t.attainment, "share", "higher"),
    ...(["complete", "accept", "answer", "due"] as const).map((k) =>
      row(
        `Met: ${{ complete: "finish the step", accept: "accept", answer: "answer questions", due: "due date" }[k]}`,
        (t) => t.sla[k]?.attainment ?? null,
        "share",
        "higher",
      ),
    ),
  ];
}

function flowRows(a: FlowBody | undefined, b: FlowBody | undefined): Row[] {
  const row = rowOf<FlowBody>("Whole workflow", a, b);
  return [
    row("Items done", (f) => f.cycle_time.count, "count", "higher"),
    row("Cycle time p50", (f) => f.cycle_time.p50_s, "seconds", "lower"),
    row("Cycle time p85", (f) => f.cycle_time.p85_s, "seconds", "lower"),
    row("Cycle time p95", (f) => f.cycle_time.p95_s, "seconds", "lower"),
    row("Flow efficiency", (f) => f.flow_efficiency, "share", "higher"),
    row(
      "Done per week",
      (f) =>
        f.throughput.length === 0
          ? null
          : Math.round((f.throughput.reduce((n, w) => n + w.done, 0) / f.throughput.length) * 100) /
            100,
      "rate",
      "higher",
    ),
  ];
}

/** Per step: time in it and flow efficiency, for the steps either side visited. */
function stepRows(def: WorkflowDef | undefined, a: FlowBody | undefined, b: FlowBody | undefined) {
  const keys = [...new Set([...(a?.steps ?? []), ...(b?.steps ?? [])].map((s) => s.step))];
  const order = (k: string) => def?.steps.findIndex((s) => s.key === k) ?? 0;
  return keys
    .sort((x, y) => order(x) - order(y))
    .flatMap((k): Row[] => {
      const [x, y] = [a?.steps.find((s) => s.step === k), b?.steps.find((s) => s.step === k)];
      const group = def?.steps.find((s) => s.key === k)?.name ?? k;
      const row = rowOf<FlowBody["steps"][number]>(group, x, y);
      return [
        row("Visits ended", (s) => s.visits, "count", null),
        row("Time in step p50", (s) => s.p50_s, "seconds", "lower"),
        row("Time in step p85", (s) => s.p85_s, "seconds", "lower"),
        row("Flow efficiency", (s) => s.flow_efficiency, "share", "higher"),
      ];
    });
}

function CompareTable({
  title,
  rows,
  before,
  after,
  csvName,
}: {
  title: string;
  rows: Row[];
  before: string;
  after: string;
  csvName: string;
}) {
  const groups = [...new Set(rows.map((r) => r.group))];
  return (
    <Stack gap={4}>
      <Group justify="space-between">
        <Title order={2} size="h3">
          {title}
        </Title>
        <DownloadCsv
          name={csvName}
          label={`${title} as CSV`}
          rows={() =>
            rows.map((r) => ({
              group: r.group,
              figure: r.label,
              before: r.before,
              after: r.after,
              change: change(r).text,
            }))
          }
        />
      </Group>
      <Table.ScrollContainer minWidth={560}>
        <Table fz="sm" aria-label={title} withTableBorder>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Figure</Table.Th>
              <Table.Th>Before: {before}</Table.Th>
              <Table.Th>After: {after}</Table.Th>
              <Table.Th>Change</Table.Th>
            </Table.Tr>
          </Table.Thead>
          {groups.map((g) => (
            <Table.Tbody key={g}>
              {groups.length > 1 || g !== title ? (
                <Table.Tr>
                  <Table.Th colSpan={4} scope="colgroup" bg="var(--mantine-color-default-hover)">
                    {g}
                  </Table.Th>
                </Table.Tr>
              ) : null}
              {rows
                .filter((r) => r.group === g)
                .map((r) => {
                  const c = change(r);
                  return (
                    <Table.Tr key={`${g}:${r.label}`}>
                      <Table.Th scope="row" fw={400}>
                        {r.label}
                      </Table.Th>
                      <Table.Td>{show(r.before, r.kind)}</Table.Td>
                      <Table.Td>{show(r.after, r.kind)}</Table.Td>
                      <Table.Td
                        c={
                          c.verdict === "better"
                            ? "var(--baton-green)"
                            : c.verdict === "worse"
                              ? "var(--baton-red)"
                              : undefined
                        }
                        fw={c.verdict ? 600 : undefined}
                      >
                        {c.text}
                        {c.verdict ? ` (${c.verdict})` : ""}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
            </Table.Tbody>
          ))}
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

/** A period in words: "Sep 3 – Dec 2, 2026", optionally on a version. */
export function describePeriod(p: Period): string {
  const fmt = new Intl.DateTimeFormat("en", {
    month: "short",
    day: "numeric",
    year: "numeric",
    timeZone: "UTC",
  });
  const span = `${fmt.format(new Date(p.from))} – ${fmt.format(new Date(Date.parse(p.to) - 1))}`;
  return p.version === null ? span : `version ${p.version}, ${span}`;
}

export function CompareView({
  workflow,
  def,
  names,
  filter,
  versions,
  update,
}: {
  workflow: string;
  def: WorkflowDef | undefined;
  names: Names;
  filter: ReviewFilter;
  versions: number[];
  update: (patch: Record<string, string | null>) => void;
}) {
  const mode = filter.compare && "from" in filter.compare ? "periods" : "versions";
  const latest = versions[0] ?? 1;
  const ready = filter.compare !== undefined;
  const edges = useEdgesMetrics(workflow, filter, ready);
  const teams = useTeamsMetrics(workflow, filter, ready);
  const flow = useFlowMetrics(workflow, filter, ready);

  const setMode = (m: string) => {
    if (m === "versions")
      update({
        compare: `version:${Math.max(1, latest - 1)}`,
        version: String(latest),
        compare_from: null,
        compare_to: null,
      });
    else {
      // The period of the same length just before the one chosen (the last 90 days unless set).
      const DAY = 86_400_000;
      const p = edges.data?.period;
      const afterTo = filter.to ? Date.parse(filter.to) + DAY : p ? Date.parse(p.to) : Date.now();
      const afterFrom = filter.from
        ? Date.parse(filter.from)
        : p
          ? Date.parse(p.from)
          : afterTo - 90 * DAY;
      const to = afterFrom;
      const from = to - (afterTo - afterFrom);
      update({
        compare: null,
        version: null,
        compare_from: dayOf(new Date(from).toISOString()),
        compare_to: lastDayOf(new Date(to).toISOString()),
      });
    }
  };

  const options = versions.map((v) => ({ value: String(v), label: `Version ${v}` }));
  const before = edges.data?.compare?.period;
  const after = edges.data?.period;
  const beforeName = before ? describePeriod(before) : "";
  const afterName = after ? describePeriod(after) : "";

  const edgeKey = (e: EdgeMetrics) => `${e.from_step}:${e.to_step}:${e.to_team}`;
  const allEdges = new Map<string, EdgeMetrics>();
  for (const e of [...(edges.data?.edges ?? []), ...(edges.data?.compare?.edges ?? [])])
    if (!allEdges.has(edgeKey(e))) allEdges.set(edgeKey(e), e);
  const order = (step: string) => def?.steps.findIndex((s) => s.key === step) ?? 0;
  const edgeTable = [...allEdges.values()]
    .sort((a, b) => order(a.from_step) - order(b.from_step) || order(a.to_step) - order(b.to_step))
    .flatMap((e) =>
      edgeRows(
        edgeTitle(def, e),
        edges.data?.compare?.edges.find((x) => edgeKey(x) === edgeKey(e)),
        edges.data?.edges.find((x) => edgeKey(x) === edgeKey(e)),
      ),
    );
  const teamKeys = [
    ...new Set([
      ...(teams.data?.teams ?? []).map((t) => t.team),
      ...(teams.data?.compare?.teams ?? []).map((t) => t.team),
    ]),
  ];
  const teamTable = teamKeys.flatMap((k) =>
    teamRows(
      names.team(k),
      teams.data?.compare?.teams.find((t) => t.team === k),
      teams.data?.teams.find((t) => t.team === k),
    ),
  );

  return (
    <Stack>
      <Group align="flex-end" gap="sm">
        <SegmentedControl
          aria-label="Compare"
          value={ready ? mode : ""}
          onChange={setMode}
          data={[
            { value: "versions", label: "Two versions" },
            { value: "periods", label: "Two periods" },
          ]}
        />
        {ready && mode === "versions" && (
          <>
            <Select
              label="Before"
              data={options}
              value={
                filter.compare && "version" in filter.compare
                  ? String(filter.compare.version)
                  : null
              }
              onChange={(v) => v && update({ compare: `version:${v}` })}
              allowDeselect={false}
              w={150}
            />
            <Select
              label="After"
              data={options}
              value={filter.version ? String(filter.version) : String(latest)}
              onChange={(v) => v && update({ version: v })}
              allowDeselect={false}
              w={150}
            />
          </>
        )}
        {ready && mode === "periods" && filter.compare && "from" in filter.compare && (
          <>
            <TextInput
              type="date"
              label="Before: from"
              value={filter.compare.from}
              onChange={(e) => update({ compare_from: e.currentTarget.value || null })}
              w={170}
            />
            <TextInput
              type="date"
              label="Before: to (including)"
              value={filter.compare.to}
              onChange={(e) => update({ compare_to: e.currentTarget.value || null })}
              w={170}
            />
            <Text size="sm" c="dimmed" pb={8}>
              After: the period chosen above
            </Text>
          </>
        )}
      </Group>
      {!ready ? (
        <Alert variant="light" color="blue" title="Compare two versions or two periods">
          Choose two versions of the workflow (the items that ran on each) or two periods, and every
          figure of the review is shown for both, with the change.
        </Alert>
      ) : edges.isError || teams.isError || flow.isError ? (
        <Alert color="red" variant="light" title="Could not compare" role="alert">
          {(edges.error ?? teams.error ?? flow.error)?.message}
        </Alert>
      ) : !edges.data || !teams.data || !flow.data ? (
        <Text size="sm" c="dimmed">
          Comparing…
        </Text>
      ) : (
        <>
          <Text size="sm" data-testid="compare-sides">
            Before: {beforeName}. After: {afterName}.
          </Text>
          <CompareTable
            title="Handoff edges"
            rows={edgeTable}
            before={beforeName}
            after={afterName}
            csvName={`compare-edges-${workflow}.csv`}
          />
          <CompareTable
            title="Teams"
            rows={teamTable}
            before={beforeName}
            after={afterName}
            csvName={`compare-teams-${workflow}.csv`}
          />
          <CompareTable
            title="Whole workflow"
            rows={flowRows(flow.data.compare, flow.data)}
            before={beforeName}
            after={afterName}
            csvName={`compare-flow-${workflow}.csv`}
          />
          <CompareTable
            title="Steps"
            rows={stepRows(def, flow.data.compare, flow.data)}
            before={beforeName}
            after={afterName}
            csvName={`compare-steps-${workflow}.csv`}
          />
        </>
      )}
    </Stack>
  );
}

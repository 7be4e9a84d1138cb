import { Anchor, Paper, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import type { EChartsCoreOption } from "echarts/core";
import { type ReactNode, useMemo } from "react";
import { Link } from "react-router";
import type { WorkflowDef } from "../../../api/types.ts";
import { formatDateTime } from "../../../lib/format.ts";
import type { Names } from "../../../lib/names.ts";
import { filterQuery, type ReviewEdge, type ReviewFilter } from "../api.ts";
import { type EdgeWeek, useFlowMetrics, useLimboSeries, useTeamsMetrics } from "../compare-api.ts";
import { CsvLink } from "../csv-link.tsx";
import { edgeTitle, stepName } from "../edge-section.tsx";
import { pct, REASONS, secs } from "../format.ts";
import { EChart } from "./echart.tsx";

/*
 * The review's charts, where people would rather look than read: limbo over time per edge,
 * rejections by reason, service-level attainment per team, the cumulative flow diagram, cycle
 * times with their percentiles, and the ageing of open work against each step's history. Each
 * has its numbers in a table below (folded) and a CSV link for that table. This file and
 * ECharts load as one chunk, when the Charts tab opens.
 */

const HOUR = 3600;
const DAY = 86_400;
const hours = (s: number | null) => (s === null ? null : Math.round((s / HOUR) * 10) / 10);
const days = (s: number | null) => (s === null ? null : Math.round((s / DAY) * 100) / 100);

function ChartCard({
  title,
  description,
  chart,
  table,
  csv,
}: {
  title: string;
  description: string;
  chart: ReactNode;
  table: ReactNode;
  csv: { path: string; name: string };
}) {
  const id = `chart-${title.toLowerCase().replaceAll(/[^a-z]+/g, "-")}`;
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby={id}>
      <Stack gap="xs">
        <div>
          <Title order={2} size="h4" id={id}>
            {title}
          </Title>
          <Text size="sm" c="dimmed">
            {description}
          </Text>
        </div>
        {chart}
        <details>
          <summary>
            <Text span size="sm">
              The numbers as a table
            </Text>
          </summary>
          <Table.ScrollContainer minWidth={360} mah={320} mt="xs">
            {table}
          </Table.ScrollContainer>
        </details>
        <CsvLink path={csv.path} name={csv.name} label={`${title} as CSV`} />
      </Stack>
    </Paper>
  );
}

function SimpleTable({
  label,
  head,
  rows,
}: {
  label: string;
  head: string[];
  rows: (string | number)[][];
}) {
  return (
    <Table fz="sm" aria-label={label} stickyHeader>
      <Table.Thead>
        <Table.Tr>
          {head.map((h) => (
            <Table.Th key={h}>{h}</Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: table rows of figures have no identity but their place
          <Table.Tr key={i}>
            {r.map((c, j) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: cells of a row
              <Table.Td key={j}>{c}</Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** Whether an edge's limit counts wall time (else the receiver's business time). */
const isWall = (e: ReviewEdge | undefined) => !e?.accept_within || /\bwall\b/.test(e.accept_within);

function limboOption(
  series: EdgeWeek[],
  edges: ReviewEdge[],
  def: WorkflowDef | undefined,
): EChartsCoreOption {
  const weeks = [...new Set(series.map((s) => s.week))].sort();
  const keys = [...new Set(series.map((s) => `${s.from_step}:${s.to_step}`))];
  return {
    tooltip: {
      trigger: "axis",
      valueFormatter: (v: number | null) => (v === null ? "—" : `${v} h`),
    },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 84, bottom: 32 },
    xAxis: { type: "category", data: weeks, name: "week of", nameLocation: "middle", nameGap: 24 },
    yAxis: { type: "value", name: "hours" },
    series: keys.flatMap((k) => {
      const [from, to] = k.split(":");
      const edge = edges.find((e) => e.from_step === from && e.to_step === to);
      const title = edgeTitle(def, { from_step: from ?? "", to_step: to ?? "" });
      const at = (w: string) =>
        series.find((s) => `${s.from_step}:${s.to_step}` === k && s.week === w);
      const pick = (s: EdgeWeek | undefined, p: 50 | 85) =>
        s === undefined
          ? null
          : hours(
              isWall(edge)
                ? p === 50
                  ? s.limbo_p50_s
                  : s.limbo_p85_s
                : p === 50
                  ? s.limbo_business_p50_s
                  : s.limbo_business_p85_s,
            );
      return [
        {
          name: `${title} p85`,
          type: "line",
          data: weeks.map((w) => pick(at(w), 85)),
          connectNulls: true,
          ...(edge?.accept_within_s
            ? {
                markLine: {
                  symbol: "none",
                  data: [
                    { yAxis: hours(edge.accept_within_s), name: `limit ${edge.accept_within}` },
                  ],
                  label: { formatter: `limit ${edge.accept_within}`, position: "insideEndTop" },
                  lineStyle: { type: "dotted" },
                },
              }
            : {}),
        },
        {
          name: `${title} p50`,
          type: "line",
          data: weeks.map((w) => pick(at(w), 50)),
          lineStyle: { type: "dashed" },
          connectNulls: true,
        },
      ];
    }),
  };
}

export default function ReviewCharts({
  workflow,
  def,
  names,
  filter,
  edges,
}: {
  workflow: string;
  def: WorkflowDef | undefined;
  names: Names;
  filter: ReviewFilter;
  edges: ReviewEdge[];
}) {
  const plain = { ...filter, compare: undefined };
  const limbo = useLimboSeries(workflow, plain);
  const teams = useTeamsMetrics(workflow, plain);
  const flow = useFlowMetrics(workflow, plain);
  const qs = (extra: Record<string, string>) =>
    filterQuery(plain, { workflow, format: "csv", ...extra });
  const step = (k: string) => stepName(def, k);

  const limboChart = useMemo(
    () => (limbo.data ? limboOption(limbo.data.series, edges, def) : null),
    [limbo.data, edges, def],
  );

  const reasons = useMemo(() => {
    const all = [...new Set(edges.flatMap((e) => Object.keys(e.rejections_by_reason)))];
    return {
      all,
      option: {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { top: 0 },
        grid: { left: 8, right: 24, top: 36, bottom: 24, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: edges.map((e) => edgeTitle(def, e)) },
        series: all.map((r) => ({
          name: REASONS[r] ?? r,
          type: "bar",
          stack: "reasons",
          label: { show: true },
          data: edges.map((e) => e.rejections_by_reason[r] ?? 0),
        })),
      } satisfies EChartsCoreOption,
    };
  }, [edges, def]);

  const attainment = useMemo(() => {
    const rows = (teams.data?.teams ?? []).filter((t) => t.attainment !== null);
    return {
      rows,
      option: {
        tooltip: { trigger: "axis", valueFormatter: (v: number) => `${v} %` },
        grid: { left: 8, right: 16, top: 24, bottom: 24, containLabel: true },
        xAxis: { type: "category", data: rows.map((t) => names.team(t.team)) },
        yAxis: { type: "value", max: 100, name: "% met" },
        series: [
          {
            name: "Service levels met",
            type: "bar",
            data: rows.map((t) => Math.round((t.attainment ?? 0) * 100)),
            label: { show: true, position: "top", formatter: "{c} %" },
          },
        ],
      } satisfies EChartsCoreOption,
    };
  }, [teams.data, names]);

  const cfd = useMemo(() => {
    const data = flow.data?.cfd ?? [];
    const open = (def?.steps ?? []).filter((s) => data.some((d) => (d.steps[s.key] ?? 0) > 0));
    // Done at the bottom, then the steps from last to first, as a CFD reads.
    const bands = [
      { name: "Done", values: data.map((d) => d.done) },
      ...[...open].reverse().map((s) => ({
        name: s.name ?? s.key,
        values: data.map((d) => d.steps[s.key] ?? 0),
      })),
    ];
    return {
      open,
      option: {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 40, right: 16, top: 40, bottom: 28 },
        xAxis: { type: "category", boundaryGap: false, data: data.map((d) => d.day) },
        yAxis: { type: "value", name: "items", minInterval: 1 },
        series: bands.map((b) => ({
          name: b.name,
          type: "line",
          stack: "cfd",
          symbol: "none",
          areaStyle: {},
          lineStyle: { width: 1 },
          data: b.values,
        })),
      } satisfies EChartsCoreOption,
    };
  }, [flow.data, def]);

  const cycle = useMemo(() => {
    const f = flow.data;
    const lines: { name: string; s: number }[] = [];
    if (f)
      for (const [name, v] of [
        ["p50", f.cycle_time.p50_s],
        ["p85", f.cycle_time.p85_s],
        ["p95", f.cycle_time.p95_s],
      ] as const)
        if (v !== null) lines.push({ name, s: v });
    return {
      option: {
        tooltip: {
          trigger: "item",
          formatter: (p: { data: [number, number, string] }) => `${p.data[2]}: ${p.data[1]} days`,
        },
        grid: { left: 40, right: 56, top: 24, bottom: 28 },
        xAxis: { type: "time" },
        yAxis: { type: "value", name: "days" },
        series: [
          {
            name: "Items done",
            type: "scatter",
            symbolSize: 7,
            data: (f?.cycle_points ?? []).map((p) => [
              Date.parse(p.done_at),
              days(p.cycle_s),
              p.key,
            ]),
            markLine: {
              symbol: "none",
              lineStyle: { type: "dashed" },
              label: { formatter: "{b}", position: "end" },
              data: lines.map((l) => ({ name: l.name, yAxis: days(l.s) })),
            },
          },
        ],
      } satisfies EChartsCoreOption,
    };
  }, [flow.data]);

  const ageing = useMemo(() => {
    const items = flow.data?.ageing ?? [];
    const steps = (def?.steps ?? []).filter((s) => items.some((a) => a.step === s.key));
    const names_ = steps.map((s) => s.name ?? s.key);
    const p = (k: "step_p50_s" | "step_p85_s") =>
      steps.map((s) => {
        const v = items.find((a) => a.step === s.key)?.[k] ?? null;
        return [s.name ?? s.key, days(v)];
      });
    return {
      option: {
        tooltip: {
          trigger: "item",
          formatter: (x: { seriesName: string; data: [string, number, string?] }) =>
            x.data[2]
              ? `${x.data[2]}: ${x.data[1]} days in step`
              : `${x.seriesName}: ${x.data[1]} days`,
        },
        legend: { top: 0 },
        grid: { left: 40, right: 16, top: 40, bottom: 28 },
        xAxis: { type: "category", data: names_ },
        yAxis: { type: "value", name: "days in step" },
        series: [
          {
            name: "Open items",
            type: "scatter",
            symbolSize: 9,
            data: items.map((a) => [stepName(def, a.step), days(a.in_step_s), a.key]),
          },
          {
            name: "Step p50 (history)",
            type: "scatter",
            symbol: "rect",
            symbolSize: [70, 3],
            data: p("step_p50_s"),
          },
          {
            name: "Step p85 (history)",
            type: "scatter",
            symbol: "rect",
            symbolSize: [70, 3],
            data: p("step_p85_s"),
          },
        ],
      } satisfies EChartsCoreOption,
    };
  }, [flow.data, def]);

  if (limbo.isError || teams.isError || flow.isError)
    return (
      <Text c="var(--baton-red)" role="alert">
        Could not load the charts: {(limbo.error ?? teams.error ?? flow.error)?.message}
      </Text>
    );
  if (!limbo.data || !teams.data || !flow.data || !limboChart)
    return (
      <Text size="sm" c="dimmed" aria-busy="true">
        Loading the charts…
      </Text>
    );

  const f = flow.data;
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
      <ChartCard
        title="Limbo over time"
        description="Per handoff edge and week of submission: how long handoffs waited for acceptance (p85 solid, p50 dashed), in the terms of the edge's limit (dotted)."
        chart={
          <EChart
            option={limboChart}
            label={`Line chart: limbo p50 and p85 per week for ${edges.length} handoff edges`}
            testId="chart-limbo"
          />
        }
        table={
          <SimpleTable
            label="Limbo over time"
            head={[
              "Handoff",
              "Week of",
              "Submitted",
              "Rejected",
              "Limbo p50",
              "Limbo p85",
              "p85 in business time",
            ]}
            rows={limbo.data.series.map((s) => [
              edgeTitle(def, s),
              s.week,
              s.submitted,
              s.rejected,
              secs(s.limbo_p50_s),
              secs(s.limbo_p85_s),
              secs(s.limbo_business_p85_s),
            ])}
          />
        }
        csv={{ path: `/metrics/limbo?${qs({})}`, name: `limbo-${workflow}.csv` }}
      />
      <ChartCard
        title="Rejections by reason"
        description="Handoffs sent back in the period, per edge and reason."
        chart={
          <EChart
            option={reasons.option}
            label={`Stacked bar chart: rejections by reason for ${edges.length} handoff edges`}
            height={Math.max(180, 70 * edges.length + 60)}
            testId="chart-reasons"
          />
        }
        table={
          <SimpleTable
            label="Rejections by reason"
            head={["Handoff", ...reasons.all.map((r) => REASONS[r] ?? r), "Rejected of submitted"]}
            rows={edges.map((e) => [
              edgeTitle(def, e),
              ...reasons.all.map((r) => e.rejections_by_reason[r] ?? 0),
              `${e.rejected} of ${e.submitted} (${pct(e.rejection_rate)})`,
            ])}
          />
        }
        csv={{ path: `/metrics/edges?${qs({})}`, name: `edges-${workflow}.csv` }}
      />
      <ChartCard
        title="Service levels met per team"
        description="Share of the team's clocks (finish a step, accept, answer, due date) that ended in time."
        chart={
          <EChart
            option={attainment.option}
            label={`Bar chart: service-level attainment of ${attainment.rows.length} teams`}
            testId="chart-attainment"
          />
        }
        table={
          <SimpleTable
            label="Service levels met per team"
            head={["Team", "Met", "Breached", "Attainment", "By kind"]}
            rows={attainment.rows.map((t) => {
              const met = Object.values(t.sla).reduce((n, c) => n + c.met, 0);
              const breached = Object.values(t.sla).reduce((n, c) => n + c.breached, 0);
              return [
                names.team(t.team),
                met,
                breached,
                pct(t.attainment),
                Object.entries(t.sla)
                  .map(([k, c]) => `${k} ${pct(c.attainment)}`)
                  .join(", "),
              ];
            })}
          />
        }
        csv={{ path: `/metrics/teams?${qs({})}`, name: `teams-${workflow}.csv` }}
      />
      <ChartCard
        title="Cumulative flow"
        description="Items in each step at the end of each day, and those done since the period began: widening bands are work piling up."
        chart={
          <EChart
            option={cfd.option}
            label={`Cumulative flow diagram over ${f.cfd.length} days: ${f.cfd.at(-1)?.done ?? 0} items done`}
            testId="chart-cfd"
          />
        }
        table={
          <SimpleTable
            label="Cumulative flow"
            head={["Day", ...cfd.open.map((s) => s.name ?? s.key), "Done"]}
            rows={f.cfd.map((d) => [d.day, ...cfd.open.map((s) => d.steps[s.key] ?? 0), d.done])}
          />
        }
        csv={{ path: `/metrics/flow?${qs({ table: "cfd" })}`, name: `cfd-${workflow}.csv` }}
      />
      <ChartCard
        title="Cycle time"
        description={`Each item done in the period, by when it was done and how long it took from creation; dashed lines at p50 ${secs(f.cycle_time.p50_s)}, p85 ${secs(f.cycle_time.p85_s)}, p95 ${secs(f.cycle_time.p95_s)}.`}
        chart={
          <EChart
            option={cycle.option}
            label={`Scatterplot: cycle times of ${f.cycle_time.count} items with p50, p85 and p95 lines`}
            testId="chart-cycle"
          />
        }
        table={
          <SimpleTable
            label="Cycle time"
            head={["Item", "Done", "Cycle time"]}
            rows={f.cycle_points.map((p) => [p.key, formatDateTime(p.done_at), secs(p.cycle_s)])}
          />
        }
        csv={{ path: `/metrics/flow?${qs({ table: "cycle" })}`, name: `cycle-${workflow}.csv` }}
      />
      <ChartCard
        title="Ageing work in progress"
        description="Open items by how long they have been in their step, against that step's p50 and p85 from the period's history: dots above the p85 bar are older than most work there ever got."
        chart={
          <EChart
            option={ageing.option}
            label={`Chart: ${f.ageing.length} open items by time in their step, with each step's historical p50 and p85`}
            testId="chart-ageing"
          />
        }
        table={
          <Table fz="sm" aria-label="Ageing work in progress" stickyHeader>
            <Table.Thead>
              <Table.Tr>
                {["Item", "Step", "In step", "Age", "Step p50", "Step p85"].map((h) => (
                  <Table.Th key={h}>{h}</Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {f.ageing.map((a) => (
                <Table.Tr key={a.key}>
                  <Table.Td>
                    <Anchor component={Link} to={`/items/${a.key}`} size="sm" ff="monospace">
                      {a.key}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{step(a.step)}</Table.Td>
                  <Table.Td>
                    {secs(a.in_step_s)}
                    {a.step_p85_s !== null && a.in_step_s > a.step_p85_s ? " (over p85)" : ""}
                  </Table.Td>
                  <Table.Td>{secs(a.age_s)}</Table.Td>
                  <Table.Td>{secs(a.step_p50_s)}</Table.Td>
                  <Table.Td>{secs(a.step_p85_s)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        }
        csv={{ path: `/metrics/flow?${qs({ table: "ageing" })}`, name: `ageing-${workflow}.csv` }}
      />
    </SimpleGrid>
  );
}

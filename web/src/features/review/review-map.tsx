import { Box, Group, SegmentedControl, Stack, Table, Text } from "@mantine/core";
import { lazy, Suspense, useMemo } from "react";
import type { WorkflowDef } from "../../api/types.ts";
import { PageLoading } from "../../components/page-state.tsx";
import type { Names } from "../../lib/names.ts";
import type { EdgeTone } from "../workflows/workflow-map.tsx";
import type { ReviewEdge } from "./api.ts";
import { edgeTitle, limboAsLimit } from "./edge-section.tsx";
import { pct, secs } from "./format.ts";

/*
 * The workflow map of the review: the same swimlane map as the workflow page, its handoff arrows
 * coloured by limbo p85 against the edge's limit or by rejection rate, each with the figure in
 * words on it, a legend, and the same in a table.
 */

const WorkflowMap = lazy(() => import("../workflows/workflow-map.tsx"));

export type MapMetric = "limbo" | "rejections";

/** Bands, so the colours mean the same on every workflow. */
const REJECTION_WARN = 0.1;
const REJECTION_BAD = 0.25;
const LIMBO_WARN = 0.5;

const bandWords: Record<MapMetric, Record<EdgeTone["tone"], string>> = {
  limbo: {
    good: "well within the limit (p85 at most half of it)",
    warn: "near the limit",
    bad: "over the limit",
    none: "no limit or no handoffs",
  },
  rejections: {
    good: `under ${REJECTION_WARN * 100} % rejected`,
    warn: `${REJECTION_WARN * 100}–${REJECTION_BAD * 100} % rejected`,
    bad: `${REJECTION_BAD * 100} % or more rejected`,
    none: "no handoffs",
  },
};

/** How an edge is doing on a metric, with the figure in words. */
export function toneOf(e: ReviewEdge, metric: MapMetric): EdgeTone {
  if (metric === "rejections") {
    const r = e.rejection_rate;
    if (r === null) return { tone: "none", label: "no handoffs" };
    return {
      tone: r < REJECTION_WARN ? "good" : r < REJECTION_BAD ? "warn" : "bad",
      label: `${pct(r)} rejected`,
    };
  }
  const p85 = limboAsLimit(e, 85);
  if (p85 === null) return { tone: "none", label: "no limbo yet" };
  const label = `p85 ${secs(p85)}`;
  if (e.accept_within_s === null) return { tone: "none", label: `${label}, no limit` };
  const ratio = p85 / e.accept_within_s;
  return {
    tone: ratio <= LIMBO_WARN ? "good" : ratio <= 1 ? "warn" : "bad",
    label: `${label} / ${e.accept_within}`,
  };
}

export function ReviewMap({
  def,
  edges,
  names,
  metric,
  onMetric,
}: {
  def: WorkflowDef;
  edges: ReviewEdge[];
  names: Names;
  metric: MapMetric;
  onMetric: (m: MapMetric) => void;
}) {
  const tones = useMemo(() => {
    const out: Record<string, EdgeTone> = {};
    for (const e of edges) out[`${e.from_step}:${e.to_step}`] ??= toneOf(e, metric);
    return out;
  }, [edges, metric]);
  const words = bandWords[metric];
  const what = metric === "limbo" ? "limbo p85 against the acceptance limit" : "rejection rate";
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <SegmentedControl
          aria-label="Colour the handoffs by"
          value={metric}
          onChange={(v) => onMetric(v as MapMetric)}
          data={[
            { value: "limbo", label: "Limbo p85 against the limit" },
            { value: "rejections", label: "Rejection rate" },
          ]}
        />
        <Group gap="md" aria-label="Legend" role="list">
          {(["good", "warn", "bad"] as const).map((t) => (
            <Group key={t} gap={6} role="listitem" wrap="nowrap">
              <Box
                w={22}
                h={5}
                style={{
                  background: `var(--baton-${{ good: "green", warn: "orange", bad: "red" }[t]})`,
                  borderRadius: 3,
                }}
                aria-hidden
              />
              <Text size="xs">{words[t]}</Text>
            </Group>
          ))}
        </Group>
      </Group>
      <Suspense fallback={<PageLoading label="Loading the map" />}>
        <WorkflowMap
          def={def}
          teamName={names.team}
          withTable={false}
          edgeTones={tones}
          label={`handoffs coloured by ${what}`}
        />
      </Suspense>
      <Table.ScrollContainer minWidth={480}>
        <Table fz="sm" aria-label={`Handoffs by ${what}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Handoff</Table.Th>
              <Table.Th>{metric === "limbo" ? "Limbo p85 / limit" : "Rejected"}</Table.Th>
              <Table.Th>How it stands</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {edges.map((e) => {
              const t = toneOf(e, metric);
              return (
                <Table.Tr key={`${e.from_step}:${e.to_step}:${e.to_team}`}>
                  <Table.Td>{edgeTitle(def, e)}</Table.Td>
                  <Table.Td>{t.label}</Table.Td>
                  <Table.Td>{words[t.tone]}</Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

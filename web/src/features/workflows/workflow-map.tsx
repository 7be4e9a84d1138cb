import "@xyflow/react/dist/style.css";
import { Box, Table, Text, useComputedColorScheme } from "@mantine/core";
import { useElementSize } from "@mantine/hooks";
import {
  BaseEdge,
  Controls,
  type Edge,
  EdgeLabelRenderer,
  type EdgeProps,
  getSmoothStepPath,
  Handle,
  MarkerType,
  type Node,
  type NodeProps,
  Position,
  ReactFlow,
} from "@xyflow/react";
import { useMemo } from "react";
import type { FieldDef, HandoffDef, StepDef, WorkflowDef } from "../../api/types.ts";
import {
  CARD_W,
  describeCondition,
  LANE_HEADER_H,
  LANE_W,
  type Layout,
  layoutWorkflow,
  NODE_H,
  NODE_W,
} from "./layout.ts";
import classes from "./workflow-map.module.css";

/*
 * The workflow drawn as swimlanes (one column per team), steps as boxes, and below each step
 * that hands off a card with what the handoff requires: the fields, the criteria the receiver
 * checks and the acceptance clock. Arrows lead to the next step, labelled with the route's
 * condition where there is a choice. Read-only. A table below says the same in words, for
 * screen readers and narrow screens.
 */

type LaneNode = Node<{ label: string; height: number; shaded: boolean }, "lane">;
type StepNode = Node<{ step: StepDef }, "step">;
type CardNode = Node<{ handoff: HandoffDef; fields: FieldDef[]; height: number }, "card">;
/** How a handoff edge is doing, for a map coloured by a metric (the review page's map). */
export interface EdgeTone {
  tone: "good" | "warn" | "bad" | "none";
  /** The figure in words, drawn on the arrow: "p85 5 h 51 m", "27 % rejected". */
  label: string;
}

/** A tone's colour: text-safe shades on light and dark backgrounds (global.css). */
export const toneColor: Record<EdgeTone["tone"], string> = {
  good: "var(--baton-green)",
  warn: "var(--baton-orange)",
  bad: "var(--baton-red)",
  none: "var(--baton-line)",
};

type RouteEdge = Edge<{ condition: string | null; metric?: EdgeTone | undefined }, "route">;

function LaneView({ data }: NodeProps<LaneNode>) {
  return (
    <div
      className={classes.lane}
      style={{
        width: LANE_W,
        height: data.height,
        background: data.shaded
          ? "var(--mantine-color-default-hover)"
          : "var(--mantine-color-body)",
      }}
    >
      <div className={classes.laneLabel} style={{ height: LANE_HEADER_H }}>
        {data.label}
      </div>
    </div>
  );
}

function StepView({ data }: NodeProps<StepNode>) {
  const s = data.step;
  const required = s.checklist.filter((c) => !c.optional).length;
  return (
    <div className={classes.step} style={{ width: NODE_W, height: NODE_H }}>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <div className={classes.stepName}>{s.name ?? s.key}</div>
      <div className={classes.stepMeta}>
        {s.checklist.length > 0
          ? `${required} checklist item${required === 1 ? "" : "s"}`
          : "No checklist"}
        {s.complete_within ? ` · within ${s.complete_within}` : ""}
      </div>
      {!s.handoff && <div className={classes.final}>Final step</div>}
      {s.handoff && <Handle type="source" position={Position.Bottom} isConnectable={false} />}
    </div>
  );
}

function CardView({ data }: NodeProps<CardNode>) {
  const h = data.handoff;
  const label = (k: string) => data.fields.find((f) => f.key === k)?.label ?? k;
  return (
    <div className={classes.card} style={{ width: CARD_W, minHeight: data.height }}>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <div className={classes.cardTitle}>Handoff</div>
      {(h.requires ?? []).length > 0 && (
        <div>
          <b>Needs:</b> {(h.requires ?? []).map(label).join(", ")}
        </div>
      )}
      {(h.criteria ?? []).map((c) => (
        <div key={c}>✓ {c}</div>
      ))}
      {h.accept_within && <div className={classes.clock}>Accept within {h.accept_within}</div>}
      {h.meeting?.required && <div className={classes.clock}>Handoff meeting required</div>}
      {h.meeting?.required_when && (
        <div className={classes.clock}>
          Meeting when {describeCondition(h.meeting.required_when)}
        </div>
      )}
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}

function RouteArrow(props: EdgeProps<RouteEdge>) {
  const { sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, markerEnd } =
    props;
  const [path, labelX, labelY] = getSmoothStepPath({
    sourceX,
    sourceY,
    targetX,
    targetY,
    sourcePosition,
    targetPosition,
    borderRadius: 10,
  });
  return (
    <>
      <BaseEdge
        path={path}
        {...(markerEnd ? { markerEnd } : {})}
        style={
          data?.metric
            ? { stroke: toneColor[data.metric.tone], strokeWidth: 4 }
            : { stroke: "var(--baton-line)", strokeWidth: 1.6 }
        }
      />
      {data?.metric && (
        <EdgeLabelRenderer>
          <div
            className={`${classes.metric} nodrag nopan`}
            data-tone={data.metric.tone}
            style={{
              transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)`,
              borderColor: toneColor[data.metric.tone],
            }}
          >
            {data.metric.label}
          </div>
        </EdgeLabelRenderer>
      )}
      {data?.condition && (
        <EdgeLabelRenderer>
          <div
            className={`${classes.condition} nodrag nopan`}
            style={{ transform: `translate(${targetX + 8}px, ${targetY - 24}px)` }}
          >
            {data.condition}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

const nodeTypes = { lane: LaneView, step: StepView, card: CardView };
const edgeTypes = { route: RouteArrow };
const arrow = { type: MarkerType.ArrowClosed, width: 18, height: 18, color: "var(--baton-line)" };

function toFlow(
  layout: Layout,
  def: WorkflowDef,
  teamName: (k: string) => string,
  edgeTones?: Record<string, EdgeTone>,
) {
  const nodes: (LaneNode | StepNode | CardNode)[] = [
    ...layout.lanes.map(
      (l, i): LaneNode => ({
        id: `lane:${l.team}`,
        type: "lane",
        position: { x: l.x, y: 0 },
        data: { label: teamName(l.team), height: layout.height, shaded: i % 2 === 0 },
        draggable: false,
        selectable: false,
        focusable: false,
        zIndex: -1,
      }),
    ),
  ];
  const edges: RouteEdge[] = [];
  const known = new Set(def.steps.map((s) => s.key));
  for (const s of layout.steps) {
    nodes.push({
      id: s.step.key,
      type: "step",
      position: { x: s.x, y: s.y },
      data: { step: s.step },
      draggable: false,
      selectable: false,
      focusable: false,
    });
    if (!s.card) continue;
    const card = `card:${s.step.key}`;
    nodes.push({
      id: card,
      type: "card",
      position: { x: s.card.x, y: s.card.y },
      data: { handoff: s.card.handoff, fields: def.fields, height: s.card.height },
      draggable: false,
      selectable: false,
      focusable: false,
    });
    edges.push({
      id: `${s.step.key}->${card}`,
      source: s.step.key,
      target: card,
      type: "route",
      data: { condition: null },
      selectable: false,
      focusable: false,
    });
    for (const t of layout.transitions.filter((x) => x.from === s.step.key && known.has(x.to))) {
      const metric = edgeTones?.[`${t.from}:${t.to}`];
      edges.push({
        id: t.id,
        source: card,
        target: t.to,
        type: "route",
        data: { condition: t.condition, metric },
        markerEnd: metric ? { ...arrow, color: toneColor[metric.tone] } : arrow,
        selectable: false,
        focusable: false,
      });
    }
  }
  return { nodes, edges };
}

/** A plain-words version of the map. */
function StepsTable({ def, teamName }: { def: WorkflowDef; teamName: (k: string) => string }) {
  const layout = useMemo(() => layoutWorkflow(def), [def]);
  const name = (k: string) => {
    const s = def.steps.find((x) => x.key === k);
    return s ? `${s.name ?? s.key} (${teamName(s.team)})` : k;
  };
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table fz="sm" verticalSpacing={6} aria-label="Steps and handoffs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Step</Table.Th>
            <Table.Th>Team</Table.Th>
            <Table.Th>Hands off to</Table.Th>
            <Table.Th>The receiver checks</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {def.steps.map((s) => {
            const out = layout.transitions.filter((t) => t.from === s.key);
            return (
              <Table.Tr key={s.key}>
                <Table.Td>{s.name ?? s.key}</Table.Td>
                <Table.Td>{teamName(s.team)}</Table.Td>
                <Table.Td>
                  {out.length === 0
                    ? "— (final step)"
                    : out.map((t) => (
                        <div key={t.id}>
                          {name(t.to)}
                          {t.condition
                            ? ` (${t.condition === "otherwise" ? "otherwise" : `when ${t.condition}`})`
                            : ""}
                        </div>
                      ))}
                </Table.Td>
                <Table.Td>
                  {s.handoff
                    ? [
                        ...(s.handoff.requires ?? []).map(
                          (k) => def.fields.find((f) => f.key === k)?.label ?? k,
                        ),
                        ...(s.handoff.criteria ?? []),
                      ].join("; ") || "—"
                    : "—"}
                  {s.handoff?.accept_within ? ` (accept within ${s.handoff.accept_within})` : ""}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export default function WorkflowMap({
  def,
  teamName,
  withTable = true,
  height,
  edgeTones,
  label,
}: {
  def: WorkflowDef;
  teamName: (k: string) => string;
  withTable?: boolean;
  height?: number;
  /** Colours the handoff arrows by a metric, keyed "FROM_STEP:TO_STEP". */
  edgeTones?: Record<string, EdgeTone> | undefined;
  /** What the figure says, for screen readers ("coloured by limbo p85 against the limit"). */
  label?: string | undefined;
}) {
  // React Flow draws its controls and background for the page's colour scheme.
  const colorScheme = useComputedColorScheme("light");
  const layout = useMemo(() => layoutWorkflow(def), [def]);
  const flow = useMemo(
    () => toFlow(layout, def, teamName, edgeTones),
    [layout, def, teamName, edgeTones],
  );
  // As tall as the drawing at the scale that fits the width: no empty bands, no tiny text.
  const { ref, width } = useElementSize();
  const scale = width > 0 ? Math.min(1, (width - 16) / layout.width) : 1;
  const h = height ?? Math.round(Math.max(240, layout.height * Math.max(scale, 0.55) + 16));
  return (
    <Box>
      <Box
        ref={ref}
        className={classes.frame}
        style={{ height: h }}
        role="figure"
        aria-label={`Map of ${def.name}: ${def.steps.length} steps across ${layout.lanes.length} teams${label ? `, ${label}` : ""}`}
        data-testid="workflow-map"
      >
        <ReactFlow
          colorMode={colorScheme}
          nodes={flow.nodes}
          edges={flow.edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          key={`${Math.round(width / 50)}`}
          fitView
          fitViewOptions={{ padding: 0.02, maxZoom: 1, minZoom: 0.55 }}
          minZoom={0.3}
          maxZoom={1.5}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          zoomOnScroll={false}
          preventScrolling={false}
          panOnScroll={false}
          proOptions={{ hideAttribution: false }}
        >
          <Controls showInteractive={false} position="bottom-left" />
        </ReactFlow>
      </Box>
      {withTable && (
        <Box mt="md">
          <Text size="sm" fw={600} mb={4}>
            In words
          </Text>
          <StepsTable def={def} teamName={teamName} />
        </Box>
      )}
    </Box>
  );
}

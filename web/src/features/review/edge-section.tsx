import {
  Anchor,
  Badge,
  Button,
  Group,
  List,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { IconBulb } from "@tabler/icons-react";
import type { ReactNode } from "react";
import { Link } from "react-router";
import type { WorkflowDef } from "../../api/types.ts";
import { formatDateTime } from "../../lib/format.ts";
import type { Names } from "../../lib/names.ts";
import type { EdgeMetrics, ReviewEdge, Suggestion } from "./api.ts";
import { pct, REASONS, score, secs } from "./format.ts";

/*
 * One handoff edge of the review: its figures against its limit (and against the compared
 * version or period, when there is one), why handoffs came back, what receivers asked and said,
 * what is stuck now, and the suggestions with their evidence, each a link to a draft of the next
 * workflow version in the editor.
 */

/** The step's name, or its key. */
export function stepName(def: WorkflowDef | undefined, key: string): string {
  return def?.steps.find((s) => s.key === key)?.name ?? key;
}

/** An edge as a heading says it: "Close the deal → Implement". */
export function edgeTitle(def: WorkflowDef | undefined, e: { from_step: string; to_step: string }) {
  return `${stepName(def, e.from_step)} → ${stepName(def, e.to_step)}`;
}

/** The limbo percentile measured as the edge's limit is (business time unless "wall"). */
export function limboAsLimit(e: EdgeMetrics & { accept_within: string | null }, p: 50 | 85) {
  const wall = e.accept_within === null || /\bwall\b/.test(e.accept_within);
  if (p === 50) return wall ? e.limbo_p50_s : e.limbo_business_p50_s;
  return wall ? e.limbo_p85_s : e.limbo_business_p85_s;
}

function Figure({
  label,
  value,
  detail,
  before,
  alarm = false,
  testId,
}: {
  label: string;
  value: string;
  detail?: ReactNode;
  before?: string | null;
  alarm?: boolean;
  testId?: string;
}) {
  return (
    <Paper withBorder p="sm" radius="md" data-testid={testId}>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {label}
      </Text>
      <Text fw={700} fz="lg" c={alarm ? "var(--baton-red)" : undefined}>
        {value}
      </Text>
      {detail && (
        <Text size="xs" c="dimmed">
          {detail}
        </Text>
      )}
      {before !== undefined && before !== null && (
        <Text size="xs" data-testid="before">
          Before: {before}
        </Text>
      )}
    </Paper>
  );
}

/** The figures of an edge in words, for a tile and for its "before" line alike. */
export function edgeFigures(e: EdgeMetrics, acceptWithin: string | null) {
  const withLimit = { ...e, accept_within: acceptWithin };
  return {
    limbo: `${secs(limboAsLimit(withLimit, 50))} / ${secs(limboAsLimit(withLimit, 85))}`,
    rejected: `${pct(e.rejection_rate)} (${e.rejected} of ${e.submitted})`,
    rework: `${e.rejected} returns · ${e.questions_after_accept} questions · ${e.bounces} bounces`,
    sla:
      e.sla_attainment === null
        ? "—"
        : `${pct(e.sla_attainment)} met (${e.sla_met} of ${e.sla_met + e.sla_breached})`,
    surveys: `receiver ${score(e.survey_receiver_avg, e.survey_receiver_count)} · sender ${score(e.survey_sender_avg, e.survey_sender_count)}`,
  };
}

/** What the suggestions' evidence holds (docs/metrics.md, "Suggestions"). */
interface EvidenceFields {
  items?: number;
  in_reject_comments?: number;
  in_questions?: number;
  examples?: { key: string; text: string }[];
  accept_within?: string;
  limbo_p85_s?: number;
  measured_in?: string;
  decided?: number;
  sla_breached?: number;
  bounces?: number;
  accepted?: number;
  rejected?: number;
}

function Evidence({ s }: { s: Suggestion }) {
  const ev = s.evidence as EvidenceFields;
  switch (s.kind) {
    case "add_required_field":
      return (
        <Stack gap={4}>
          <Text size="sm">
            Named in {ev.items} items: {ev.in_reject_comments} reject comments and {ev.in_questions}{" "}
            questions after acceptance.
          </Text>
          {ev.examples && ev.examples.length > 0 && (
            <List size="sm" spacing={2} aria-label="Examples">
              {ev.examples.map((x) => (
                <List.Item key={`${x.key}:${x.text}`}>
                  <Text span size="sm" fs="italic">
                    “{x.text}”
                  </Text>{" "}
                  <Anchor component={Link} to={`/items/${x.key}`} size="xs" ff="monospace">
                    {x.key}
                  </Anchor>
                </List.Item>
              ))}
            </List>
          )}
        </Stack>
      );
    case "longer_limit":
      return (
        <Text size="sm">
          Limbo p85 is {secs(ev.limbo_p85_s)} ({ev.measured_in}) against a limit of{" "}
          {ev.accept_within}, over {ev.decided} decided handoffs; {ev.sla_breached} breached it. The
          draft sets the limit to {String(s.change.accept_within)}.
        </Text>
      );
    case "require_meeting":
      return (
        <Text size="sm">
          {ev.bounces} bounces in {ev.accepted} acceptances.
        </Text>
      );
    case "drop_criterion":
      return (
        <Text size="sm">
          {ev.decided} handoffs decided, {ev.rejected} rejected, none of them for this criterion.
        </Text>
      );
  }
}

function SuggestionCard({
  s,
  workflow,
  period,
}: {
  s: Suggestion;
  workflow: string;
  period: { from: string; to: string };
}) {
  const q = new URLSearchParams({
    tab: "definition",
    suggestion: s.id,
    from: period.from,
    to: period.to,
  });
  return (
    <Paper
      withBorder
      p="sm"
      radius="md"
      role="article"
      style={{ borderLeft: "4px solid var(--mantine-color-yellow-6)" }}
    >
      <Group align="flex-start" wrap="nowrap" gap="sm">
        <IconBulb size={20} aria-hidden style={{ flexShrink: 0, marginTop: 2 }} />
        <Stack gap={6} style={{ flex: 1 }}>
          <Text fw={600} size="sm">
            {s.title}
          </Text>
          <Evidence s={s} />
          <Group>
            <Button
              size="xs"
              component={Link}
              to={`/workflows/${encodeURIComponent(workflow)}?${q}`}
              aria-label={`Draft the change: ${s.title}`}
            >
              Draft the change
            </Button>
          </Group>
        </Stack>
      </Group>
    </Paper>
  );
}

export function EdgeSection({
  edge: e,
  def,
  names,
  workflow,
  period,
  comparing,
}: {
  edge: ReviewEdge;
  def: WorkflowDef | undefined;
  names: Names;
  workflow: string;
  period: { from: string; to: string };
  comparing: boolean;
}) {
  const title = edgeTitle(def, e);
  const p85 = limboAsLimit(e, 85);
  const over = e.accept_within_s !== null && p85 !== null && p85 > e.accept_within_s;
  const now = edgeFigures(e, e.accept_within);
  const was = e.compare ? edgeFigures(e.compare, e.accept_within) : null;
  const before = (k: keyof typeof now) => (comparing ? (was?.[k] ?? "no handoffs") : undefined);
  const id = `edge-${e.from_step}-${e.to_step}`;
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby={id}>
      <Stack gap="md">
        <div>
          <Title order={2} size="h3" id={id}>
            {title}
          </Title>
          <Text size="sm" c="dimmed">
            {names.team(e.from_team)} → {names.team(e.to_team)} · {e.submitted} handoffs submitted
            {e.accept_within ? ` · accept within ${e.accept_within}` : " · no acceptance limit"}
          </Text>
        </div>
        <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="sm">
          <Figure
            testId="limbo"
            label="Limbo p50 / p85"
            value={now.limbo}
            alarm={over}
            detail={
              e.accept_within
                ? `${over ? "p85 over" : "within"} the ${e.accept_within} limit${/\bwall\b/.test(e.accept_within) ? "" : ` (business time of ${names.team(e.to_team)})`}`
                : "no limit set"
            }
            before={before("limbo")}
          />
          <Figure
            testId="rejected"
            label="Rejected"
            value={now.rejected}
            detail={
              e.top_reasons.length
                ? e.top_reasons.map((r) => `${REASONS[r.reason] ?? r.reason} ${r.count}`).join(", ")
                : "no rejections"
            }
            before={before("rejected")}
          />
          <Figure
            testId="rework"
            label="Rework"
            value={`${e.rejected + e.questions_after_accept + e.bounces}`}
            detail={now.rework}
            before={before("rework")}
          />
          <Figure
            testId="in-limbo"
            label="In limbo now"
            value={String(e.in_limbo_now)}
            alarm={e.stalled.some((s) => s.over_limit)}
            detail={
              e.oldest_in_limbo_s === null ? "none waiting" : `oldest ${secs(e.oldest_in_limbo_s)}`
            }
          />
          <Figure testId="sla" label="Accepted in time" value={now.sla} before={before("sla")} />
          <Figure
            testId="surveys"
            label="Survey scores"
            value={score(e.survey_receiver_avg, e.survey_receiver_count)}
            detail={`receiver; sender ${score(e.survey_sender_avg, e.survey_sender_count)}`}
            before={before("surveys")}
          />
        </SimpleGrid>

        {e.suggestions.length > 0 && (
          <Stack gap="xs">
            <Title order={3} size="h5">
              Suggestions
            </Title>
            {e.suggestions.map((s) => (
              <SuggestionCard key={s.id} s={s} workflow={workflow} period={period} />
            ))}
          </Stack>
        )}

        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          <Stack gap={6}>
            <Title order={3} size="h5">
              Why handoffs came back
            </Title>
            {e.reject_comments.length === 0 ? (
              <Text size="sm" c="dimmed">
                No rejections in this period.
              </Text>
            ) : (
              <List size="sm" spacing={4} aria-label={`Reject comments, ${title}`}>
                {e.reject_comments.slice(0, 8).map((c) => (
                  <List.Item key={`${c.key}:${c.at}`}>
                    <Anchor component={Link} to={`/items/${c.key}`} size="sm" ff="monospace">
                      {c.key}
                    </Anchor>{" "}
                    <Badge size="xs" variant="light" color="gray">
                      {REASONS[c.reason ?? ""] ?? c.reason ?? "—"}
                    </Badge>{" "}
                    {c.comment}
                  </List.Item>
                ))}
              </List>
            )}
          </Stack>
          <Stack gap={6}>
            <Title order={3} size="h5">
              Criteria most often failed
            </Title>
            {e.criteria_failed.length === 0 ? (
              <Text size="sm" c="dimmed">
                No criterion was named as failed.
              </Text>
            ) : (
              <List size="sm" spacing={2} aria-label={`Criteria failed, ${title}`}>
                {e.criteria_failed.map((c) => (
                  <List.Item key={c.criterion}>
                    {c.criterion}: {c.count} {c.count === 1 ? "time" : "times"}
                  </List.Item>
                ))}
              </List>
            )}
            {e.questions.length > 0 && (
              <>
                <Title order={3} size="h5" mt="sm">
                  Questions after acceptance
                </Title>
                <List size="sm" spacing={2} aria-label={`Questions after acceptance, ${title}`}>
                  {e.questions.slice(0, 5).map((q) => (
                    <List.Item key={`${q.key}:${q.at}`}>
                      <Anchor component={Link} to={`/items/${q.key}`} size="sm" ff="monospace">
                        {q.key}
                      </Anchor>{" "}
                      {q.body}
                    </List.Item>
                  ))}
                </List>
              </>
            )}
          </Stack>
        </SimpleGrid>

        <Stack gap={6}>
          <Title order={3} size="h5">
            What both sides said
          </Title>
          {e.survey_comments.length === 0 ? (
            <Text size="sm" c="dimmed">
              No survey comments in this period.
            </Text>
          ) : (
            <List size="sm" spacing={2} aria-label={`Survey comments, ${title}`}>
              {e.survey_comments.slice(0, 8).map((c) => (
                <List.Item key={`${c.key}:${c.role}:${c.at}`}>
                  <Text span size="sm" fw={600}>
                    {c.role === "receiver" ? names.team(e.to_team) : names.team(e.from_team)}{" "}
                    {c.score}/5:
                  </Text>{" "}
                  {c.comment}{" "}
                  <Anchor component={Link} to={`/items/${c.key}`} size="xs" ff="monospace">
                    {c.key}
                  </Anchor>
                </List.Item>
              ))}
            </List>
          )}
        </Stack>

        <Stack gap={6}>
          <Title order={3} size="h5">
            Stalled now
          </Title>
          {e.stalled.length === 0 ? (
            <Text size="sm" c="dimmed">
              Nothing is waiting for {names.team(e.to_team)} to accept.
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={420}>
              <Table fz="sm" aria-label={`Stalled handoffs, ${title}`}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Item</Table.Th>
                    <Table.Th>Submitted</Table.Th>
                    <Table.Th>In limbo</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {e.stalled.map((s) => (
                    <Table.Tr key={s.key}>
                      <Table.Td>
                        <Anchor component={Link} to={`/items/${s.key}`} ff="monospace">
                          {s.key}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{formatDateTime(s.submitted_at)}</Table.Td>
                      <Table.Td>
                        {secs(s.in_limbo_s)}{" "}
                        {s.over_limit && (
                          <Badge size="sm" color="red.9" variant="filled">
                            over the limit
                          </Badge>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Stack>
      </Stack>
    </Paper>
  );
}

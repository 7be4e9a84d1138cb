import {
  Alert,
  Anchor,
  Badge,
  Box,
  Button,
  Checkbox,
  Group,
  List,
  Paper,
  Stack,
  Text,
  ThemeIcon,
  Timeline,
  Title,
} from "@mantine/core";
import {
  IconAlertTriangle,
  IconArrowBackUp,
  IconArrowRight,
  IconCheck,
  IconCircleDashed,
  IconClockExclamation,
  IconInbox,
  IconPointFilled,
} from "@tabler/icons-react";
import { Fragment, type ReactNode, useState } from "react";
import { splitMentions } from "../../../../src/domain/mentions.ts";
import { describeEvent } from "../../../../src/domain/wording.ts";
import { useComments, useItemCommand, useItemEvents } from "../../api/queries.ts";
import type { FieldDef, Item, PathEntry } from "../../api/types.ts";
import { MentionTextarea } from "../../components/mention-textarea.tsx";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import {
  describeDeadline,
  duration,
  formatDateTime,
  reasonLabel,
  stateColor,
  stateLabel,
  timeAgo,
} from "../../lib/format.ts";
import { useNames } from "../../lib/names.ts";
import { FieldValue } from "./field-value.tsx";
import { labelOf } from "./fields.ts";

type TeamName = (k: string) => string;

/** A titled block of the item page. */
export function Section({
  title,
  children,
  id,
  right,
}: {
  title: string;
  children: ReactNode;
  id: string;
  right?: ReactNode;
}) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby={id}>
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id={id}>
          {title}
        </Title>
        {right}
      </Group>
      {children}
    </Paper>
  );
}

/** The banner's look per deadline level: breached and warning stand out in colour, icon and words. */
const bannerLook = {
  breached: { bg: "red", border: "red-7", heading: "var(--baton-red)", word: "Overdue" },
  warning: { bg: "orange", border: "orange-6", heading: "var(--baton-orange)", word: "Due soon" },
  normal: { bg: "blue", border: "blue-5", heading: "var(--baton-blue)", word: null },
  closed: { bg: "gray", border: "gray-5", heading: "var(--mantine-color-text)", word: null },
} as const;

/** Who moves next, what they must do, and how long it has waited — the first thing anyone reads. */
export function NextBanner({
  item,
  teamName,
  actions,
}: {
  item: Item;
  teamName: TeamName;
  actions: ReactNode;
}) {
  const names = useNames();
  const since = item.handoff?.submitted_at ?? item.step_since;
  const waited = duration(Date.now() - new Date(since).getTime());
  const closed = item.state === "done" || item.state === "cancelled";
  const deadline = closed ? null : describeDeadline(item.next_deadline);
  const look =
    bannerLook[
      closed
        ? "closed"
        : deadline?.level === "breached"
          ? "breached"
          : deadline?.level === "warning"
            ? "warning"
            : "normal"
    ];
  return (
    <Paper
      p="md"
      radius="md"
      withBorder
      // The -light tints follow the colour scheme (pale on light, deep on dark).
      bg={`var(--mantine-color-${look.bg}-light)`}
      style={{ borderColor: `var(--mantine-color-${look.border})` }}
      role="status"
      aria-label="Next action"
      data-level={deadline?.level ?? (closed ? "closed" : "none")}
    >
      <Group justify="space-between" align="center" gap="sm">
        <Stack gap={2} style={{ minWidth: 0, flex: "1 1 320px" }}>
          {item.next ? (
            <>
              <Group gap={6} wrap="nowrap">
                {deadline?.level === "breached" && (
                  <IconAlertTriangle size={16} color="var(--baton-red)" aria-hidden />
                )}
                {deadline?.level === "warning" && (
                  <IconClockExclamation size={16} color="var(--baton-orange)" aria-hidden />
                )}
                <Text size="xs" fw={700} tt="uppercase" c={look.heading}>
                  {look.word ? `${look.word} · ` : ""}Next: {item.next.team_name}
                </Text>
              </Group>
              <Text fw={600} size="lg" data-testid="next-action">
                {item.next.action}
              </Text>
              {deadline && (
                <Text size="sm" fw={700} c={deadline.color} data-testid="deadline">
                  {deadline.long}
                  {item.next_deadline?.due_at
                    ? ` · ${deadline.overdue ? "was due" : "due"} ${formatDateTime(item.next_deadline.due_at)}`
                    : ""}
                </Text>
              )}
              <Text size="sm" c="dimmed">
                Waiting {waited} · since {formatDateTime(since)}
                {item.assignee
                  ? ` · assigned to ${names.person(item.assignee)}`
                  : " · nobody assigned"}
              </Text>
            </>
          ) : (
            <>
              <Text fw={600} size="lg" data-testid="next-action">
                {item.state === "done" ? "Done — nobody needs to act" : "Cancelled"}
              </Text>
              {item.closed && (
                <Text size="sm" c="dimmed">
                  {item.state === "done" ? "Completed" : "Cancelled"} by{" "}
                  {names.person(item.closed.by)} {timeAgo(item.closed.at)}
                  {item.closed.reason ? `: ${item.closed.reason}` : ""}
                </Text>
              )}
              {item.next === null && !closed && <Text size="sm">{teamName(item.owner_team)}</Text>}
            </>
          )}
        </Stack>
        <Group gap="xs">{actions}</Group>
      </Group>
    </Paper>
  );
}

export function StateBadge({ item }: { item: Item }) {
  return (
    <Badge color={stateColor[item.state]} variant="filled" size="lg">
      {stateLabel[item.state]}
    </Badge>
  );
}

/** The rejection that sent the item back, until it is handed off again. */
export function ReturnedNotice({ item, teamName }: { item: Item; teamName: TeamName }) {
  const r = item.returned;
  if (!r) return null;
  return (
    <Alert
      color="orange"
      variant="light"
      icon={<IconArrowBackUp aria-hidden />}
      title={`Returned for rework by ${teamName(r.from_team)}: ${reasonLabel[r.reason]}`}
      data-testid="returned-notice"
    >
      <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
        “{r.comment}”
      </Text>
      {r.failed_criteria.length > 0 && (
        <Text size="sm" mt={4}>
          Criteria not met: {r.failed_criteria.join("; ")}
        </Text>
      )}
      <Text size="xs" c="dimmed" mt={4}>
        <PersonName email={r.by} /> · {formatDateTime(r.at)}. Fix what they ask and hand it off
        again.
      </Text>
    </Alert>
  );
}

/** The pending handoff as the receiver sees it: who sent it, the note, confirmed criteria. */
export function PendingHandoff({ item, teamName }: { item: Item; teamName: TeamName }) {
  const h = item.handoff;
  if (!h) return null;
  return (
    <Stack gap="xs">
      <Text size="sm">
        <b>{teamName(h.from_team)}</b> → <b>{teamName(h.to_team)}</b>, sent by{" "}
        <PersonName email={h.submitted_by} /> {timeAgo(h.submitted_at)}.
      </Text>
      {h.note && (
        <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
          Note: “{h.note}”
        </Text>
      )}
      {h.criteria.length > 0 && (
        <List size="sm" spacing={2} center aria-label="Criteria confirmed by the sender">
          {h.criteria.map((c) => (
            <List.Item
              key={c}
              icon={
                <ThemeIcon
                  size={18}
                  radius="xl"
                  color={h.confirmed.includes(c) ? "green.8" : "gray.6"}
                  aria-hidden
                >
                  <IconCheck size={12} />
                </ThemeIcon>
              }
            >
              {c}
            </List.Item>
          ))}
        </List>
      )}
    </Stack>
  );
}

function PathStep({
  p,
  teamName,
  status,
}: {
  p: PathEntry;
  teamName: TeamName;
  status: PathEntry["status"] | "sent" | "receiving";
}) {
  const isNow = status === "current";
  const look = {
    done: { bg: undefined, border: undefined, dash: false, word: "done" },
    current: {
      bg: "var(--mantine-color-blue-light)",
      border: "var(--mantine-color-blue-6)",
      dash: false,
      word: "now",
    },
    sent: { bg: undefined, border: undefined, dash: false, word: "handed off" },
    receiving: {
      bg: "var(--mantine-color-orange-light)",
      border: "var(--mantine-color-orange-6)",
      dash: true,
      word: "to accept",
    },
    upcoming: { bg: undefined, border: undefined, dash: true, word: "to come" },
  }[status];
  return (
    <Paper
      withBorder
      px="xs"
      py={4}
      radius="md"
      bg={look.bg}
      style={{ borderColor: look.border, borderStyle: look.dash ? "dashed" : undefined }}
    >
      <Group gap={6} wrap="nowrap">
        {status === "done" || status === "sent" ? (
          <IconCheck size={14} color="var(--baton-green)" aria-hidden />
        ) : isNow ? (
          <IconPointFilled size={14} color="var(--baton-blue)" aria-hidden />
        ) : status === "receiving" ? (
          <IconInbox size={14} color="var(--baton-orange)" aria-hidden />
        ) : (
          <IconCircleDashed size={14} color="var(--mantine-color-gray-6)" aria-hidden />
        )}
        <div>
          <Text size="sm" fw={isNow || status === "receiving" ? 700 : 500} lh={1.2}>
            {p.name}
          </Text>
          <Text size="xs" c="dimmed" lh={1.2}>
            {teamName(p.team)} · {look.word}
          </Text>
        </div>
      </Group>
    </Paper>
  );
}

/**
 * The steps across teams: done, the current one, and those expected next. While a handoff
 * awaits acceptance the item is drawn in transit between the sender's step (handed off) and
 * the receiver's (to accept): neither team holds it as "now".
 */
export function PathView({
  path,
  teamName,
  transitTo = null,
}: {
  path: PathEntry[];
  teamName: TeamName;
  /** The step a pending handoff goes to, while it awaits acceptance. */
  transitTo?: string | null;
}) {
  const sentAt = transitTo ? path.findIndex((p) => p.status === "current") : -1;
  const receivingAt = sentAt >= 0 && path[sentAt + 1]?.step === transitTo ? sentAt + 1 : -1;
  return (
    <Box
      component="ol"
      aria-label="Path across teams"
      p={0}
      m={0}
      style={{ listStyle: "none", display: "flex", flexWrap: "wrap", gap: 6, alignItems: "center" }}
    >
      {path.map((p, i) => {
        const status = i === sentAt ? "sent" : i === receivingAt ? "receiving" : p.status;
        const inTransit = sentAt >= 0 && i === sentAt + 1;
        return (
          <Group
            // A step can recur on the path (a workflow that loops), so its position is the key.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            key={`${p.step}-${i}`}
            component="li"
            gap={6}
            wrap="nowrap"
            aria-current={status === "current" ? "step" : undefined}
          >
            {inTransit ? (
              <Group gap={4} wrap="nowrap" aria-current="step" data-testid="in-transit">
                <IconArrowRight size={14} aria-hidden color="var(--baton-orange)" />
                <Badge color="orange.9" variant="light" size="sm">
                  in transit: awaiting acceptance
                </Badge>
                <IconArrowRight size={14} aria-hidden color="var(--baton-orange)" />
              </Group>
            ) : (
              i > 0 && <IconArrowRight size={14} aria-hidden color="var(--mantine-color-gray-6)" />
            )}
            <PathStep p={p} teamName={teamName} status={status} />
          </Group>
        );
      })}
    </Box>
  );
}

/** The DOM id of a checklist entry's checkbox, so the handoff panel can lead to it. */
export function checklistInputId(index: number): string {
  return `checklist-${index}`;
}

export function ChecklistView({ item, editable }: { item: Item; editable: boolean }) {
  const run = useItemCommand(item.key);
  // Ticks show at once; the server's answer replaces them (or an error reverts them).
  const [optimistic, setOptimistic] = useState<Record<number, boolean>>({});
  if (item.checklist.length === 0)
    return (
      <Text size="sm" c="dimmed">
        This step has no checklist.
      </Text>
    );
  const toggle = async (index: number, done: boolean) => {
    setOptimistic((o) => ({ ...o, [index]: done }));
    try {
      await run.mutateAsync({ command: "checklist", body: { index, done } });
    } catch {
      // shown by the alert below
    } finally {
      setOptimistic(({ [index]: _settled, ...rest }) => rest);
    }
  };
  return (
    <Stack gap={8}>
      {item.checklist.map((c) => (
        <Checkbox
          key={c.index}
          id={checklistInputId(c.index)}
          label={c.optional ? `${c.text} (optional)` : c.text}
          checked={optimistic[c.index] ?? c.done}
          disabled={!editable}
          onChange={(e) => void toggle(c.index, e.currentTarget.checked)}
        />
      ))}
      <ProblemAlert error={run.error} onClose={run.reset} />
    </Stack>
  );
}

export function CommentsView({ item }: { item: Item }) {
  const comments = useComments(item.key);
  const run = useItemCommand(item.key);
  const [body, setBody] = useState("");
  const closed = item.state === "done" || item.state === "cancelled";
  return (
    <Stack gap="sm">
      {comments.data?.length === 0 && (
        <Text size="sm" c="dimmed">
          No comments yet. Ask a question or leave context for the next team — anyone can comment.
        </Text>
      )}
      {comments.data?.map((c) => (
        <Paper
          key={c.seq}
          p="xs"
          bg="var(--mantine-color-default-hover)"
          radius="md"
          id={`comment-${c.seq}`}
        >
          <Text size="xs" c="dimmed">
            <PersonName email={c.author} /> · {formatDateTime(c.at)}
          </Text>
          <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
            <CommentBody body={c.body} />
          </Text>
        </Paper>
      ))}
      {!closed && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (!body.trim()) return;
            run.mutate(
              { command: "comments", body: { body: body.trim() } },
              { onSuccess: () => setBody("") },
            );
          }}
        >
          <Stack gap="xs">
            <MentionTextarea label="Add a comment" value={body} onChange={setBody} />
            <ProblemAlert error={run.error} onClose={run.reset} />
            <Group>
              <Button type="submit" variant="light" loading={run.isPending} disabled={!body.trim()}>
                Comment
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Stack>
  );
}

/**
 * A comment's text with its mentions shown by name ("@Ivy Implementer", the e-mail or key in
 * the tooltip): exactly those the server's rule finds, so what is highlighted is who was told.
 */
function CommentBody({ body }: { body: string }) {
  const names = useNames();
  return splitMentions(body).map((part, i) => {
    const key = `${i}:${part.text}`;
    if ("person" in part)
      return (
        <span key={key} className="mention" title={part.person}>
          @{names.person(part.person)}
        </span>
      );
    if ("team" in part)
      return (
        <span key={key} className="mention" title={`team ${part.team}`}>
          @{names.team(part.team)}
        </span>
      );
    return <Fragment key={key}>{part.text}</Fragment>;
  });
}

/** Every event of the item, oldest first, in sentences. Comments show in full under Comments. */
export function TimelineView({
  item,
  teamName,
  labels = {},
  stepName = (k) => k,
}: {
  item: Item;
  teamName: TeamName;
  labels?: Record<string, string>;
  stepName?: (key: string) => string;
}) {
  const events = useItemEvents(item.key);
  const names = useNames();
  if (events.isError) return <ProblemAlert error={events.error} />;
  if (!events.data)
    return (
      <Text size="sm" c="dimmed">
        Loading the timeline…
      </Text>
    );
  return (
    <Timeline bulletSize={14} lineWidth={2} active={events.data.length}>
      {events.data.map((e) => (
        <Timeline.Item
          key={e.seq}
          title={
            <Text size="sm">
              <b>{names.person(e.actor)}</b>{" "}
              {describeEvent(e, {
                style: "sentence",
                time: formatDateTime,
                team: teamName,
                field: (f) => labels[f] ?? f,
                step: stepName,
                person: names.person,
              })}
            </Text>
          }
        >
          {e.type === "comment.added" && (
            <Anchor href={`#comment-${e.seq}`} size="xs">
              Read the comment
            </Anchor>
          )}
          {e.type === "handoff.submitted" && e.data.note ? (
            <Text size="sm">Note: “{String(e.data.note)}”</Text>
          ) : null}
          <Text size="xs" c="dimmed">
            {formatDateTime(e.at)}
          </Text>
        </Timeline.Item>
      ))}
    </Timeline>
  );
}

/** A person by name, their e-mail in the tooltip. */
export function PersonName({ email }: { email: string | null | undefined }) {
  const names = useNames();
  if (!email) return null;
  return (
    <Text span inherit title={email}>
      {names.person(email)}
    </Text>
  );
}

/** The field values handed over with the pending handoff (the package). */
export function PackageView({ item, fields }: { item: Item; fields: FieldDef[] }) {
  const pkg = item.handoff?.package ?? {};
  const entries = Object.entries(pkg);
  if (entries.length === 0) return null;
  return (
    <Box component="dl" m={0} aria-label="Handoff package">
      {entries.map(([k, v]) => {
        const f = fields.find((x) => x.key === k);
        return (
          <Group key={k} gap="xs" wrap="nowrap" align="flex-start">
            <Text component="dt" size="sm" c="dimmed" w={160} style={{ flexShrink: 0 }}>
              {f ? labelOf(f) : k}
            </Text>
            <Text component="dd" size="sm" m={0} style={{ overflowWrap: "anywhere" }}>
              <FieldValue field={f} value={v} itemKey={item.key} />
            </Text>
          </Group>
        );
      })}
    </Box>
  );
}

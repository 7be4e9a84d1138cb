import { Anchor, Badge, Button, Group, Paper, Stack, Text, Title } from "@mantine/core";
import {
  IconAlertTriangle,
  IconArrowBackUp,
  IconClockExclamation,
  IconInbox,
  IconMessageQuestion,
  IconPlayerPause,
  IconUser,
} from "@tabler/icons-react";
import { useQueries } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { queueQuery, usePollInterval, useTeams } from "../../api/queries.ts";
import type { ItemSummary } from "../../api/types.ts";
import { Empty, PageError, PageLoading, useDocumentTitle } from "../../components/page-state.tsx";
import { describeDeadline, duration } from "../../lib/format.ts";
import { useNames } from "../../lib/names.ts";
import { useMe } from "../auth/session.ts";
import { useCanStartItems } from "../new-item/can-start.ts";

/*
 * Home: everything that waits on me or my teams, most urgent first — work returned to us,
 * handoffs to accept, my work in progress, my teams' unassigned work, paused work. Each line
 * says what to do next and how long it has waited.
 */

interface Section {
  id: string;
  title: string;
  icon: ReactNode;
  items: ItemSummary[];
  /** The open question to show instead of the next action, per item. */
  questionOf?: (i: ItemSummary) => string | undefined;
}

/** Most urgent first: overdue, then the nearest deadline, then what has waited longest. */
function byUrgency(a: ItemSummary, b: ItemSummary): number {
  const overdue = (i: ItemSummary) => (i.sla === "breached" ? 0 : 1);
  const due = (i: ItemSummary) => i.next_deadline?.due_at ?? "9999";
  return (
    overdue(a) - overdue(b) ||
    (due(a) < due(b) ? -1 : due(a) > due(b) ? 1 : 0) ||
    (a.updated_at < b.updated_at ? -1 : a.updated_at > b.updated_at ? 1 : 0)
  );
}

function ItemLine({
  item,
  teamName,
  question,
}: {
  item: ItemSummary;
  teamName: (k: string) => string;
  question?: string;
}) {
  const names = useNames();
  const waited = duration(Date.now() - new Date(item.updated_at).getTime());
  const deadline = describeDeadline(item.next_deadline);
  const level = deadline?.level;
  // An incoming handoff is named by the step the receiver takes on, in the receiver's team.
  const step = item.to_step_name ?? item.step_name;
  const team = item.to_step_name ? (item.next?.team ?? item.owner_team) : item.owner_team;
  return (
    <Paper
      withBorder
      p="sm"
      radius="md"
      component="li"
      data-key={item.key}
      data-level={level}
      style={{
        listStyle: "none",
        borderLeft:
          level === "breached"
            ? "4px solid var(--mantine-color-red-8)"
            : level === "warning"
              ? "4px solid var(--mantine-color-orange-6)"
              : undefined,
      }}
    >
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Group gap="xs" wrap="nowrap">
            <Anchor component={Link} to={`/items/${item.key}`} fw={600} ff="monospace">
              {item.key}
            </Anchor>
            <Text fw={500} truncate>
              {item.title}
            </Text>
          </Group>
          <Text size="sm">
            {question ? `Answer: “${question}”` : (item.next?.action ?? "Nothing to do")}
          </Text>
          <Text size="xs" c="dimmed">
            {step} · {teamName(team)}
            {item.to_step_name ? " · awaiting acceptance" : ""}
            {item.assignee ? ` · ${names.person(item.assignee)}` : " · unassigned"}
          </Text>
        </Stack>
        <Stack gap={4} align="flex-end" style={{ flexShrink: 0 }}>
          {item.rework > 0 && (
            <Badge color="orange.9" variant="filled">
              Rework {item.rework}
            </Badge>
          )}
          {level === "breached" && (
            <Badge
              color="red.9"
              variant="filled"
              leftSection={<IconAlertTriangle size={12} aria-hidden />}
            >
              Overdue
            </Badge>
          )}
          {level === "warning" && (
            <Badge
              color="orange.9"
              variant="light"
              leftSection={<IconClockExclamation size={12} aria-hidden />}
            >
              Due soon
            </Badge>
          )}
          {deadline ? (
            <Text
              size="xs"
              fw={700}
              c={deadline.color}
              title={deadline.long}
              style={{ whiteSpace: "nowrap" }}
            >
              {deadline.text}
            </Text>
          ) : (
            <Text size="xs" c="dimmed" title={`Last change ${item.updated_at}`}>
              waiting {waited}
            </Text>
          )}
        </Stack>
      </Group>
    </Paper>
  );
}

export function MyWorkPage() {
  useDocumentTitle("My work");
  const me = useMe();
  const teams = useTeams();
  const refetchInterval = usePollInterval();
  const myTeams = me.teams.map((t) => t.key);
  const queues = useQueries({
    queries: myTeams.map((t) => ({ ...queueQuery(t), refetchInterval })),
  });
  const teamName = (k: string) => teams.data?.find((t) => t.key === k)?.name ?? k;
  // Only offer to start items where the user may: a workflow whose first step is their team's.
  const canStart = useCanStartItems();

  if (myTeams.length === 0)
    return (
      <Stack>
        <Title order={1}>My work</Title>
        <Empty
          title="You are not in a team yet"
          action={
            <Button component={Link} to="/teams" variant="light">
              Browse all teams
            </Button>
          }
        >
          Work reaches people through their teams. Ask an admin to add you to a team (Admin →
          Users); until then you can look at every team's queue.
        </Empty>
      </Stack>
    );

  const failed = queues.find((q) => q.isError);
  if (failed) return <PageError error={failed.error} />;
  if (queues.some((q) => q.isPending)) return <PageLoading label="Loading your work" />;

  const all = queues.flatMap((q) => (q.data ? [q.data] : []));
  const seen = new Set<string>();
  /** Each item once, in the first (most urgent) section it belongs to. */
  const once = (items: ItemSummary[]) =>
    items
      .filter((i) => {
        if (seen.has(i.key)) return false;
        seen.add(i.key);
        return true;
      })
      .sort(byUrgency);
  const inProgress = all.flatMap((q) => q.in_progress);
  const returned = once(inProgress.filter((i) => i.next?.action.startsWith("Rework")));
  const incoming = once(all.flatMap((q) => q.incoming));
  const mine = once(inProgress.filter((i) => i.assignee === me.email));
  const unassigned = once(inProgress.filter((i) => !i.assignee));
  const paused = once(all.flatMap((q) => q.paused));
  // Questions are listed apart from the item's own next action: the item may sit anywhere.
  const questions = [
    ...new Map(all.flatMap((q) => q.questions ?? []).map((i) => [i.key, i])).values(),
  ].sort(byUrgency);
  const myTeamSet = new Set(myTeams);
  const questionOf = (i: ItemSummary) =>
    i.open_questions?.find((q) => myTeamSet.has(q.to_team))?.body;
  const waitingCount = new Set(all.flatMap((q) => q.waiting_on_others.map((i) => i.key))).size;

  const sections: Section[] = [
    {
      id: "returned",
      title: "Returned for rework",
      icon: <IconArrowBackUp size={18} aria-hidden />,
      items: returned,
    },
    {
      id: "incoming",
      title: "Handoffs to accept",
      icon: <IconInbox size={18} aria-hidden />,
      items: incoming,
    },
    {
      id: "questions",
      title: "Questions to answer",
      icon: <IconMessageQuestion size={18} aria-hidden />,
      items: questions,
      questionOf,
    },
    { id: "mine", title: "Assigned to you", icon: <IconUser size={18} aria-hidden />, items: mine },
    {
      id: "unassigned",
      title: "Unassigned in your teams",
      icon: <IconUser size={18} aria-hidden />,
      items: unassigned,
    },
    {
      id: "paused",
      title: "Paused",
      icon: <IconPlayerPause size={18} aria-hidden />,
      items: paused,
    },
  ];
  const total = sections.reduce((n, s) => n + s.items.length, 0);

  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <div>
          <Title order={1}>My work</Title>
          <Text c="dimmed" size="sm">
            {total === 0
              ? "Nothing waits on you."
              : `${total} ${total === 1 ? "item waits" : "items wait"} on you or your teams, most urgent first.`}
          </Text>
        </div>
        {canStart && (
          <Button component={Link} to="/new">
            New item
          </Button>
        )}
      </Group>
      {total === 0 ? (
        <Empty
          title="Nothing waits on you"
          action={
            canStart ? (
              <Button component={Link} to="/new" variant="light">
                Start an item
              </Button>
            ) : undefined
          }
        >
          Handoffs other teams send to yours, work returned to you and work assigned to you land
          here, oldest first.
          {canStart
            ? ""
            : " Your teams do not start work in any workflow: it reaches you as handoffs from other teams."}
        </Empty>
      ) : (
        sections
          .filter((s) => s.items.length > 0)
          .map((s) => (
            <section key={s.id} aria-labelledby={`sec-${s.id}`}>
              <Group gap="xs" mb="xs">
                {s.icon}
                <Title order={2} size="h4" id={`sec-${s.id}`}>
                  {s.title}
                </Title>
                <Badge variant="light" color="gray" aria-label={`${s.items.length} items`}>
                  {s.items.length}
                </Badge>
              </Group>
              <Stack gap="xs" component="ul" p={0} m={0}>
                {s.items.slice(0, 50).map((i) => (
                  <ItemLine key={i.key} item={i} teamName={teamName} question={s.questionOf?.(i)} />
                ))}
              </Stack>
              {s.items.length > 50 && (
                <Text size="sm" mt="xs">
                  And {s.items.length - 50} more — see the team queues.
                </Text>
              )}
            </section>
          ))
      )}
      {waitingCount > 0 && (
        <Text size="sm" c="dimmed">
          {waitingCount} of your teams' items wait on other teams; see them under “Waiting on
          others” in each team queue.
        </Text>
      )}
    </Stack>
  );
}

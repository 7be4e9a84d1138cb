import { Anchor, Button, Group, Paper, SegmentedControl, Stack, Text, Title } from "@mantine/core";
import { IconBellOff, IconChecks, IconSettings } from "@tabler/icons-react";
import { useState } from "react";
import { Link } from "react-router";
import {
  type InboxFilter,
  type Notification,
  useInbox,
  useMarkRead,
  useUnreadCount,
} from "../../api/notifications.ts";
import { Empty, PageError, PageLoading, useDocumentTitle } from "../../components/page-state.tsx";
import { formatDateTime, timeAgo } from "../../lib/format.ts";
import { type Names, useNames } from "../../lib/names.ts";

/*
 * The inbox: newest first, each line saying what happened (a link to the item), what the
 * reader must do, and why they are told. Opening a line's item marks it read; lines are marked
 * read one by one or all at once. New lines arrive live (see LiveProvider) and the list pages
 * backwards with the API's cursor.
 */

/** Why the reader is told, in their words. */
const because: Record<Notification["reason"], string> = {
  team: "for your team",
  submitter: "you handed it off",
  asker: "you asked",
  assignee: "assigned to you",
  mention: "you were mentioned",
  lead: "you lead the team",
  escalation: "escalated to you",
  watcher: "you watch it",
  owner: "you set it up",
};

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/** A deadline as the server writes it into a line ("by 2026-03-02 13:00 UTC"). */
const UTC_TIME = /(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}) UTC/g;

/**
 * The server writes people as e-mail addresses and times in UTC (the same words go out by
 * e-mail); the reader here sees names and their own clock.
 */
const readable = (text: string, names: Names) =>
  text
    .replace(EMAIL, (m) => names.person(m))
    .replace(UTC_TIME, (m, day: string, time: string) => {
      const at = new Date(`${day}T${time}:00Z`);
      return Number.isNaN(at.getTime()) ? m : formatDateTime(at.toISOString());
    });

function Line({
  n,
  names,
  onRead,
  busy,
}: {
  n: Notification;
  names: Names;
  onRead: () => void;
  busy: boolean;
}) {
  const title = readable(n.title, names);
  return (
    <Paper
      component="li"
      withBorder
      p="sm"
      data-notification={n.id}
      data-read={n.read}
      style={{
        listStyle: "none",
        borderLeft: n.read ? undefined : "4px solid var(--mantine-color-blue-8)",
      }}
    >
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Text size="sm" fw={n.read ? 500 : 700} style={{ overflowWrap: "anywhere" }}>
            {!n.read && <span className="visually-hidden">Unread: </span>}
            {n.url ? (
              <Anchor
                component={Link}
                to={n.url}
                inherit
                onClick={() => {
                  if (!n.read) onRead();
                }}
              >
                {title}
              </Anchor>
            ) : (
              title
            )}
          </Text>
          <Text size="sm">{readable(n.action, names)}</Text>
          <Text size="xs" c="dimmed">
            <span title={formatDateTime(n.created_at)}>{timeAgo(n.created_at)}</span>
            {n.actor ? ` · by ${names.person(n.actor)}` : ""} · {because[n.reason]}
          </Text>
        </Stack>
        {!n.read && (
          <Button
            size="compact-sm"
            variant="subtle"
            onClick={onRead}
            disabled={busy}
            aria-label={`Mark read: ${title}`}
          >
            Mark read
          </Button>
        )}
      </Group>
    </Paper>
  );
}

export default function InboxPage() {
  useDocumentTitle("Inbox");
  const [filter, setFilter] = useState<InboxFilter>("all");
  const inbox = useInbox(filter);
  const count = useUnreadCount();
  const mark = useMarkRead();
  const names = useNames();
  const unread = count.data?.unread ?? inbox.data?.pages[0]?.unread ?? 0;
  const lines = inbox.data?.pages.flatMap((p) => p.notifications) ?? [];

  return (
    <Stack gap="md" maw={860}>
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1}>Inbox</Title>
          <Text size="sm" c="dimmed" aria-live="polite" data-testid="inbox-unread">
            {unread === 0 ? "Nothing unread." : `${unread} unread`}
          </Text>
        </div>
        <Group gap="sm">
          <SegmentedControl
            size="xs"
            value={filter}
            onChange={(v) => setFilter(v as InboxFilter)}
            data={[
              { value: "all", label: "All" },
              { value: "unread", label: "Unread" },
            ]}
            aria-label="Show"
          />
          <Button
            size="xs"
            variant="light"
            leftSection={<IconChecks size={16} aria-hidden />}
            disabled={unread === 0}
            loading={mark.isPending}
            onClick={() => mark.mutate({ all: true })}
          >
            Mark all read
          </Button>
          <Button
            size="xs"
            variant="default"
            component={Link}
            to="/settings/notifications"
            leftSection={<IconSettings size={16} aria-hidden />}
          >
            Preferences
          </Button>
        </Group>
      </Group>
      {inbox.isPending ? (
        <PageLoading label="Loading your inbox" />
      ) : inbox.isError ? (
        <PageError error={inbox.error} />
      ) : lines.length === 0 ? (
        <Empty
          title={filter === "unread" ? "All read" : "No notifications yet"}
          icon={<IconBellOff aria-hidden />}
        >
          Handoffs to your teams, questions, assignments, mentions, items you watch and
          service-level alerts show here.
        </Empty>
      ) : (
        <Stack component="ul" gap="xs" p={0} m={0} aria-label="Notifications">
          {lines.map((n) => (
            <Line
              key={n.id}
              n={n}
              names={names}
              busy={mark.isPending}
              onRead={() => mark.mutate({ ids: [n.id] })}
            />
          ))}
        </Stack>
      )}
      {inbox.hasNextPage && (
        <Group>
          <Button
            variant="default"
            loading={inbox.isFetchingNextPage}
            onClick={() => void inbox.fetchNextPage()}
          >
            Older notifications
          </Button>
        </Group>
      )}
    </Stack>
  );
}

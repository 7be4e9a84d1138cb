import { ActionIcon, Button, Group, Select, Text, Title } from "@mantine/core";
import { IconCalendarTime } from "@tabler/icons-react";
import { Link, useNavigate } from "react-router";
import type { Team } from "../../api/types.ts";

/**
 * The team's name, the calendar link and the team picker. On a phone it is one line: the
 * picker names the team, the calendar is an icon.
 */
export function QueueHeader({
  team,
  teamName,
  teams,
  isMember,
  phone,
}: {
  team: string;
  teamName: string;
  teams: Team[];
  isMember: boolean;
  phone: boolean;
}) {
  const navigate = useNavigate();
  return (
    <Group justify="space-between" align={phone ? "center" : "flex-end"} wrap="nowrap" gap="xs">
      <div style={{ minWidth: 0 }} className={phone ? "visually-hidden" : undefined}>
        {/* On a phone the team picker below names the team; the heading stays for readers. */}
        <Title order={1}>{teamName}</Title>
        {/* On a phone the page leaves room for the queue: the hint is for keyboards anyway. */}
        <Text size="sm" c="dimmed" visibleFrom="sm">
          {isMember
            ? "Your team's queue. Press ? for keyboard shortcuts."
            : "You are not in this team: you can read its queue, not act on it."}
        </Text>
      </div>
      <Group
        gap="xs"
        align="flex-end"
        wrap="nowrap"
        style={phone ? { flex: 1, flexDirection: "row-reverse" } : undefined}
      >
        {phone ? (
          <ActionIcon
            component={Link}
            to={`/teams/${team}/calendar`}
            variant="default"
            size={36}
            aria-label="Calendar"
          >
            <IconCalendarTime size={18} aria-hidden />
          </ActionIcon>
        ) : (
          <Button
            component={Link}
            to={`/teams/${team}/calendar`}
            variant="default"
            leftSection={<IconCalendarTime size={16} aria-hidden />}
          >
            Calendar
          </Button>
        )}
        <Select
          label={phone ? undefined : "Team"}
          aria-label="Team"
          w={phone ? undefined : 220}
          style={phone ? { flex: 1 } : undefined}
          value={team}
          allowDeselect={false}
          data={teams.map((t) => ({ value: t.key, label: t.name }))}
          onChange={(v) => v && navigate(`/teams/${v}`)}
        />
      </Group>
    </Group>
  );
}

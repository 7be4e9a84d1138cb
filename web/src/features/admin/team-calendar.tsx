import { Button, Collapse, Group, Paper, Stack, Text } from "@mantine/core";
import { IconCalendarTime } from "@tabler/icons-react";
import { useState } from "react";
import type { Team } from "../../api/types.ts";
import { CalendarEditor } from "../calendar/calendar-editor.tsx";
import { CalendarSummary } from "../calendar/calendar-summary.tsx";

/** A team's calendar in its card: the week in a line, and the editor on demand. */
export function TeamCalendar({ team }: { team: Team }) {
  const [open, setOpen] = useState(false);
  const panel = `calendar-${team.key}`;
  return (
    <Stack gap="xs">
      <Group gap="xs" justify="space-between" wrap="wrap">
        <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
          <IconCalendarTime size={16} aria-hidden />
          <Text size="sm" fw={600}>
            Calendar:
          </Text>
          <CalendarSummary team={team.key} />
        </Group>
        <Button
          size="compact-sm"
          variant="light"
          aria-expanded={open}
          aria-controls={panel}
          aria-label={`${open ? "Close" : "Edit"} calendar of ${team.name}`}
          onClick={() => setOpen((o) => !o)}
        >
          {open ? "Close calendar" : "Edit calendar"}
        </Button>
      </Group>
      <Collapse expanded={open} id={panel}>
        {open && (
          <Paper withBorder p="md" radius="md" bg="var(--mantine-color-default-hover)">
            <CalendarEditor team={team.key} teamName={team.name} canEdit />
          </Paper>
        )}
      </Collapse>
    </Stack>
  );
}

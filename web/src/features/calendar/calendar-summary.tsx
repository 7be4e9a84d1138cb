import { Skeleton, Text } from "@mantine/core";
import { useCalendar } from "../../api/queries.ts";
import type { User } from "../../api/types.ts";
import { describeWeek } from "./calendar-form.ts";

/** Admins and the team's leads may change its calendar (as the server allows). */
export function canEditCalendar(me: User, team: string): boolean {
  return me.admin || me.teams.some((t) => t.key === team && t.role === "lead");
}

/** The calendar in a line: "Mon–Fri 09:00–17:00 · Europe/Berlin · 2 holidays · default". */
export function CalendarSummary({ team }: { team: string }) {
  const calendar = useCalendar(team);
  if (calendar.isError)
    return (
      <Text size="sm" c="dimmed">
        Calendar unavailable
      </Text>
    );
  const c = calendar.data;
  if (!c) return <Skeleton height={16} width={260} />;
  const holidays = c.holidays.length;
  return (
    <Text size="sm" data-testid={`calendar-summary-${team}`}>
      {describeWeek(c)} · {c.timezone}
      {holidays > 0 ? ` · ${holidays} ${holidays === 1 ? "holiday" : "holidays"}` : ""}
      {c.default ? (
        <Text span size="sm" c="dimmed">
          {" "}
          · default
        </Text>
      ) : null}
    </Text>
  );
}

import { Anchor, Breadcrumbs, Paper, Stack, Title } from "@mantine/core";
import { Link, useParams } from "react-router";
import { useTeams } from "../../api/queries.ts";
import { NotFound, PageLoading, useDocumentTitle } from "../../components/page-state.tsx";
import { useMe } from "../auth/session.ts";
import { CalendarEditor } from "./calendar-editor.tsx";
import { canEditCalendar } from "./calendar-summary.tsx";

/** A team's calendar on its own page, where its leads (who are not admins) can edit it too. */
export default function CalendarPage() {
  const { team = "" } = useParams();
  const me = useMe();
  const teams = useTeams();
  const info = teams.data?.find((t) => t.key === team);
  const teamName = info?.name ?? team;
  useDocumentTitle(`${teamName} calendar`);
  if (teams.isPending) return <PageLoading label="Loading the calendar" />;
  if (teams.data && !info) return <NotFound detail={`There is no team “${team}”.`} />;
  return (
    <Stack gap="md" maw={880}>
      <Breadcrumbs>
        <Anchor component={Link} to="/teams" size="sm">
          Teams
        </Anchor>
        <Anchor component={Link} to={`/teams/${team}`} size="sm">
          {teamName} queue
        </Anchor>
      </Breadcrumbs>
      <Title order={1}>{teamName} calendar</Title>
      <Paper withBorder p="md" radius="md">
        <CalendarEditor team={team} teamName={teamName} canEdit={canEditCalendar(me, team)} />
      </Paper>
    </Stack>
  );
}

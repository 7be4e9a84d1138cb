import { Alert, Stack, Tabs, Title } from "@mantine/core";
import { useSearchParams } from "react-router";
import { useTeams, useUsers } from "../../api/queries.ts";
import { PageError, PageLoading, useDocumentTitle } from "../../components/page-state.tsx";
import { useMe } from "../auth/session.ts";
import { TeamsTab } from "./teams-tab.tsx";
import { UsersTab } from "./users-tab.tsx";

/*
 * Admin: teams with their members, leads and calendars; people, their teams and roles; tokens
 * for others. Everything here calls the same API the CLI uses; non-admins get a page that says
 * so (a team's leads edit its calendar from the team's calendar page).
 */

export default function AdminPage() {
  useDocumentTitle("Admin");
  const me = useMe();
  const teams = useTeams();
  const users = useUsers();
  const [params, setParams] = useSearchParams();
  const tab = params.get("tab") ?? "teams";
  if (!me.admin)
    return (
      <Stack>
        <Title order={1}>Admin</Title>
        <Alert color="gray" title="For admins only">
          Teams, people and workflows are managed by admins. Ask one if something needs to change.
        </Alert>
      </Stack>
    );
  if (teams.isError) return <PageError error={teams.error} />;
  if (users.isError) return <PageError error={users.error} />;
  if (teams.isPending || users.isPending) return <PageLoading label="Loading teams and people" />;
  return (
    <Stack>
      <Title order={1}>Admin</Title>
      <Tabs
        value={tab}
        onChange={(v) => setParams(v && v !== "teams" ? { tab: v } : {}, { replace: true })}
      >
        <Tabs.List>
          <Tabs.Tab value="teams">Teams ({teams.data.length})</Tabs.Tab>
          <Tabs.Tab value="users">People ({users.data.length})</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="teams" pt="md">
          <TeamsTab teams={teams.data} users={users.data} />
        </Tabs.Panel>
        <Tabs.Panel value="users" pt="md">
          <UsersTab users={users.data} teams={teams.data} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

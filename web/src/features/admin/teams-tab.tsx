import {
  Button,
  Code,
  Divider,
  Group,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation } from "@tanstack/react-query";
import { Link } from "react-router";
import type { Role, Team, User } from "../../api/types.ts";
import { Empty } from "../../components/page-state.tsx";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { TableHead } from "../../components/table-head.tsx";
import { AddMember } from "./add-member.tsx";
import { roleOptions, setUserTeams, useRefresh } from "./admin-api.ts";
import { CreateTeam } from "./create-team.tsx";
import { TeamCalendar } from "./team-calendar.tsx";

/** The Teams tab: create a team; per team its members (role, remove, add) and its calendar. */
export function TeamsTab({ teams, users }: { teams: Team[]; users: User[] }) {
  const refresh = useRefresh();
  const change = useMutation({
    mutationFn: ({ email, teams }: { email: string; teams: { key: string; role: Role }[] }) =>
      setUserTeams(email, teams),
    onSuccess: refresh,
  });
  const teamsOf = (email: string) => users.find((u) => u.email === email)?.teams ?? [];
  const remove = (team: string, email: string) =>
    change.mutate({ email, teams: teamsOf(email).filter((t) => t.key !== team) });
  const setRole = (team: Team, member: Team["members"][number], role: Role) =>
    change.mutate(
      {
        email: member.email,
        teams: teamsOf(member.email).map((t) => (t.key === team.key ? { ...t, role } : t)),
      },
      {
        onSuccess: () =>
          notifications.show({
            message: `${member.name} is now ${role === "lead" ? "a lead" : "a member"} of ${team.name}.`,
            color: "green",
          }),
      },
    );
  return (
    <Stack>
      <CreateTeam />
      <ProblemAlert error={change.error} onClose={change.reset} />
      {teams.length === 0 ? (
        <Empty title="No teams yet">
          Teams own the steps of workflows. Create one above, then add people to it.
        </Empty>
      ) : (
        teams.map((t) => (
          <Paper key={t.key} withBorder p="md" radius="md" component="section" aria-label={t.name}>
            <Group justify="space-between" mb="xs">
              <Group gap="xs">
                <Title order={2} size="h4">
                  {t.name}
                </Title>
                <Code>{t.key}</Code>
              </Group>
              <Button component={Link} to={`/teams/${t.key}`} size="xs" variant="subtle">
                Open queue
              </Button>
            </Group>
            {t.members.length === 0 ? (
              <Text size="sm" c="dimmed" mb="xs">
                No members yet: nobody can act on this team's steps.
              </Text>
            ) : (
              <Table mb="xs" aria-label={`Members of ${t.name}`}>
                <TableHead columns={["Name", "E-mail", "Role"]} />
                <Table.Tbody>
                  {t.members.map((m) => (
                    <Table.Tr key={m.email}>
                      <Table.Td>{m.name}</Table.Td>
                      <Table.Td>{m.email}</Table.Td>
                      <Table.Td>
                        <Select
                          size="xs"
                          w={110}
                          aria-label={`Role of ${m.name} in ${t.name}`}
                          data={roleOptions}
                          value={m.role}
                          allowDeselect={false}
                          disabled={change.isPending}
                          onChange={(v) => v && v !== m.role && setRole(t, m, v as Role)}
                        />
                      </Table.Td>
                      <Table.Td>
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          color="red"
                          onClick={() => remove(t.key, m.email)}
                          aria-label={`Remove ${m.name} from ${t.name}`}
                        >
                          Remove
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
            <AddMember team={t} users={users} />
            <Divider my="sm" />
            <TeamCalendar team={t} />
          </Paper>
        ))
      )}
    </Stack>
  );
}

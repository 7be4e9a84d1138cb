import { Anchor, Badge, Group, Stack, Table, Text, Title } from "@mantine/core";
import { Link } from "react-router";
import { useTeams } from "../../api/queries.ts";
import { Empty, PageError, PageLoading, useDocumentTitle } from "../../components/page-state.tsx";
import { useMe } from "../auth/session.ts";

/** Every team, with a way into its queue. */
export default function TeamsPage() {
  useDocumentTitle("Teams");
  const me = useMe();
  const teams = useTeams();
  if (teams.isError) return <PageError error={teams.error} />;
  if (teams.isPending) return <PageLoading label="Loading teams" />;
  const mine = new Set(me.teams.map((t) => t.key));
  return (
    <Stack>
      <Title order={1}>Teams</Title>
      {teams.data.length === 0 ? (
        <Empty title="No teams yet">
          Teams own the steps of workflows. An admin creates them under Admin → Teams.
        </Empty>
      ) : (
        <Table.ScrollContainer minWidth={400}>
          <Table highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Team</Table.Th>
                <Table.Th>Key</Table.Th>
                <Table.Th>Members</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {teams.data.map((t) => (
                <Table.Tr key={t.key}>
                  <Table.Td>
                    <Group gap="xs">
                      <Anchor component={Link} to={`/teams/${t.key}`}>
                        {t.name}
                      </Anchor>
                      {mine.has(t.key) && (
                        <Badge size="sm" variant="light" color="blue">
                          your team
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Text ff="monospace" size="sm">
                      {t.key}
                    </Text>
                  </Table.Td>
                  <Table.Td>{t.members.map((m) => m.name).join(", ") || "—"}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

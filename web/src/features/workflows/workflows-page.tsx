import { Anchor, Button, Code, Group, Stack, Table, Text, Title } from "@mantine/core";
import { Link } from "react-router";
import { useWorkflows } from "../../api/queries.ts";
import { Empty, PageError, PageLoading, useDocumentTitle } from "../../components/page-state.tsx";
import { formatDateTime } from "../../lib/format.ts";
import { useMe } from "../auth/session.ts";

/** Every workflow, with its current version; admins start new ones here. */
export default function WorkflowsPage() {
  useDocumentTitle("Workflows");
  const me = useMe();
  const workflows = useWorkflows();
  if (workflows.isError) return <PageError error={workflows.error} />;
  if (workflows.isPending) return <PageLoading label="Loading workflows" />;
  return (
    <Stack>
      <Group justify="space-between">
        <div>
          <Title order={1}>Workflows</Title>
          <Text size="sm" c="dimmed">
            How work moves between teams: steps, handoffs and what each handoff requires.
          </Text>
        </div>
        {me.admin && (
          <Button component={Link} to="/workflows/new">
            New workflow
          </Button>
        )}
      </Group>
      {workflows.data.length === 0 ? (
        <Empty
          title="No workflows yet"
          action={
            me.admin ? (
              <Button component={Link} to="/workflows/new" variant="light">
                Write the first workflow
              </Button>
            ) : undefined
          }
        >
          A workflow lists the steps of a kind of work, the team that owns each, and what must hold
          before work passes from one team to the next.
        </Empty>
      ) : (
        <Table.ScrollContainer minWidth={520}>
          <Table highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Workflow</Table.Th>
                <Table.Th>Key</Table.Th>
                <Table.Th>Open items</Table.Th>
                <Table.Th>Version</Table.Th>
                <Table.Th>Updated</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {workflows.data.map((w) => (
                <Table.Tr key={w.key}>
                  <Table.Td>
                    <Anchor component={Link} to={`/workflows/${w.key}`}>
                      {w.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Code>{w.key}</Code>
                  </Table.Td>
                  <Table.Td data-testid="open-items">
                    {w.open_items ?? "—"}{" "}
                    <Text span size="xs" c="dimmed">
                      ({w.prefix}-…)
                    </Text>
                  </Table.Td>
                  <Table.Td>{w.version}</Table.Td>
                  <Table.Td>{formatDateTime(w.updated_at)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

import { Badge, Button, Code, Group, Modal, Stack, Table, Text } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client.ts";
import type { Team, User } from "../../api/types.ts";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { TableHead } from "../../components/table-head.tsx";
import { CreateUser } from "./create-user.tsx";
import { UserTeamsDialog } from "./user-teams-dialog.tsx";

/** The People tab: add a person; per person their teams (edited in a dialog) and a token. */
export function UsersTab({ users, teams }: { users: User[]; teams: Team[] }) {
  const [issued, setIssued] = useState<{ email: string; token: string } | null>(null);
  const [editing, setEditing] = useState<User | null>(null);
  const issue = useMutation({
    mutationFn: (email: string) =>
      api<{ token: string }>(`/users/${encodeURIComponent(email)}/tokens`, {
        method: "POST",
        body: { name: "issued by an admin" },
      }).then((r) => ({ email, token: r.token })),
    onSuccess: setIssued,
  });
  const teamName = (k: string) => teams.find((t) => t.key === k)?.name ?? k;
  return (
    <Stack>
      <CreateUser teams={teams} />
      <ProblemAlert error={issue.error} onClose={issue.reset} />
      <Table.ScrollContainer minWidth={560}>
        <Table highlightOnHover>
          <TableHead columns={["Name", "E-mail", "Teams"]} />
          <Table.Tbody>
            {users.map((u) => (
              <Table.Tr key={u.email}>
                <Table.Td>
                  {u.name}{" "}
                  {u.admin && (
                    <Badge size="sm" color="grape.9" variant="filled">
                      admin
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>{u.email}</Table.Td>
                <Table.Td>
                  {u.teams
                    .map((t) => `${teamName(t.key)}${t.role === "lead" ? " (lead)" : ""}`)
                    .join(", ") || "—"}
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      onClick={() => setEditing(u)}
                      aria-label={`Edit teams of ${u.name}`}
                    >
                      Teams…
                    </Button>
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      onClick={() => issue.mutate(u.email)}
                      aria-label={`Issue token for ${u.name}`}
                    >
                      Issue token
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {editing && <UserTeamsDialog user={editing} teams={teams} onClose={() => setEditing(null)} />}
      <Modal
        opened={!!issued}
        onClose={() => setIssued(null)}
        title={`Token for ${issued?.email ?? ""}`}
      >
        <Stack>
          <Text size="sm">Give it to them privately; it is shown only this once.</Text>
          <Code block style={{ overflowWrap: "anywhere", whiteSpace: "pre-wrap" }}>
            {issued?.token}
          </Code>
        </Stack>
      </Modal>
    </Stack>
  );
}

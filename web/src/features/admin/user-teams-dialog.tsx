import { Button, Checkbox, Group, Modal, Select, Stack, Table, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import type { Role, Team, User } from "../../api/types.ts";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { roleOptions, setUserTeams, useRefresh } from "./admin-api.ts";

/** A person's teams and role in each, changed together (`PUT /users/{email}/teams`). */
export function UserTeamsDialog({
  user,
  teams,
  onClose,
}: {
  user: User;
  teams: Team[];
  onClose: () => void;
}) {
  const refresh = useRefresh();
  const [roles, setRoles] = useState<Record<string, Role | null>>(() =>
    Object.fromEntries(
      teams.map((t) => [t.key, user.teams.find((m) => m.key === t.key)?.role ?? null]),
    ),
  );
  const save = useMutation({
    mutationFn: () =>
      setUserTeams(
        user.email,
        teams.flatMap((t) => {
          const role = roles[t.key];
          return role ? [{ key: t.key, role }] : [];
        }),
      ),
    onSuccess: () => {
      refresh();
      notifications.show({ message: `Teams of ${user.name} saved.`, color: "green" });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={`Teams of ${user.name}`} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <Text size="sm" c="dimmed">
            Members act on their teams' work; leads also change the team's calendar and receive its
            escalations.
          </Text>
          <Table verticalSpacing={4}>
            <Table.Tbody>
              {teams.map((t) => {
                const role = roles[t.key] ?? null;
                return (
                  <Table.Tr key={t.key}>
                    <Table.Td>
                      <Checkbox
                        label={t.name}
                        checked={role !== null}
                        onChange={(e) => {
                          const on = e.currentTarget.checked;
                          setRoles((r) => ({ ...r, [t.key]: on ? (r[t.key] ?? "member") : null }));
                        }}
                      />
                    </Table.Td>
                    <Table.Td w={130}>
                      {role !== null && (
                        <Select
                          size="xs"
                          aria-label={`Role in ${t.name}`}
                          data={roleOptions}
                          value={role}
                          allowDeselect={false}
                          onChange={(v) => v && setRoles((r) => ({ ...r, [t.key]: v as Role }))}
                        />
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
          <ProblemAlert error={save.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Back
            </Button>
            <Button type="submit" loading={save.isPending}>
              Save teams
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

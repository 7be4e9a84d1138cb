import { Button, Group, Select, Stack } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import type { Role, Team, User } from "../../api/types.ts";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { roleOptions, setUserTeams, useRefresh } from "./admin-api.ts";

/** Adds a person who is not yet in the team, with a role, under its members table. */
export function AddMember({ team, users }: { team: Team; users: User[] }) {
  const refresh = useRefresh();
  const [email, setEmail] = useState<string | null>(null);
  const [role, setRole] = useState<Role>("member");
  const candidates = users.filter((u) => !team.members.some((m) => m.email === u.email));
  const add = useMutation({
    mutationFn: () => {
      const user = users.find((u) => u.email === email);
      if (!user) throw new Error("Choose a person");
      return setUserTeams(user.email, [...user.teams, { key: team.key, role }]);
    },
    onSuccess: () => {
      setEmail(null);
      refresh();
    },
  });
  return (
    <Stack gap={4}>
      <Group gap="xs" wrap="wrap" align="flex-end">
        <Select
          size="xs"
          label={`Add to ${team.name}`}
          placeholder="Person…"
          data={candidates.map((u) => ({ value: u.email, label: u.name }))}
          value={email}
          onChange={setEmail}
          searchable
          w={180}
        />
        <Select
          size="xs"
          label="Role"
          data={roleOptions}
          value={role}
          onChange={(v) => setRole((v as Role) ?? "member")}
          allowDeselect={false}
          w={110}
        />
        <Button
          size="xs"
          variant="light"
          disabled={!email}
          loading={add.isPending}
          onClick={() => add.mutate()}
        >
          Add
        </Button>
      </Group>
      <ProblemAlert error={add.error} onClose={add.reset} />
    </Stack>
  );
}

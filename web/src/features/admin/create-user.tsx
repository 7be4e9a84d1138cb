import { Checkbox, Group, MultiSelect, PasswordInput, TextInput } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client.ts";
import type { Team, User } from "../../api/types.ts";
import { useRefresh } from "./admin-api.ts";
import { CreateForm } from "./create-form.tsx";

/** The form at the top of the People tab: name, e-mail, optional password, teams, admin. */
export function CreateUser({ teams }: { teams: Team[] }) {
  const refresh = useRefresh();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [memberOf, setMemberOf] = useState<string[]>([]);
  const [admin, setAdmin] = useState(false);
  const [password, setPassword] = useState("");
  const create = useMutation({
    mutationFn: () =>
      api<User>("/users", {
        method: "POST",
        body: {
          email: email.trim(),
          name: name.trim(),
          teams: memberOf,
          admin,
          ...(password ? { password } : {}),
        },
      }),
    onSuccess: () => {
      setEmail("");
      setName("");
      setMemberOf([]);
      setAdmin(false);
      setPassword("");
      refresh();
    },
  });
  const passwordError =
    password && password.length < 8 ? "At least 8 characters, or leave empty" : null;
  return (
    <CreateForm
      title="Add a person"
      submitLabel="Add person"
      canSubmit={!!email.trim() && !!name.trim() && !passwordError}
      pending={create.isPending}
      error={create.error}
      onSubmit={() => create.mutate()}
    >
      <Group align="flex-start" wrap="wrap">
        <TextInput
          label="Name"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          w={200}
        />
        <TextInput
          label="E-mail"
          type="email"
          required
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          w={240}
        />
        <PasswordInput
          label="Password"
          description="For web sign-in; optional"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={passwordError}
          autoComplete="new-password"
          w={220}
        />
        <MultiSelect
          label="Teams"
          data={teams.map((t) => ({ value: t.key, label: t.name }))}
          value={memberOf}
          onChange={setMemberOf}
          searchable
          w={260}
        />
      </Group>
      <Checkbox
        label="Admin (can manage teams, people and workflows)"
        checked={admin}
        onChange={(e) => setAdmin(e.currentTarget.checked)}
      />
    </CreateForm>
  );
}

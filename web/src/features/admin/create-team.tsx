import { Group, TextInput } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client.ts";
import type { Team } from "../../api/types.ts";
import { useRefresh } from "./admin-api.ts";
import { CreateForm } from "./create-form.tsx";

/** The form at the top of the Teams tab; the key follows the name until it is edited. */
export function CreateTeam() {
  const refresh = useRefresh();
  const [key, setKey] = useState("");
  const [name, setName] = useState("");
  const create = useMutation({
    mutationFn: () => api<Team>("/teams", { method: "POST", body: { key, name } }),
    onSuccess: () => {
      setKey("");
      setName("");
      refresh();
    },
  });
  const keyError =
    key && !/^[a-z][a-z0-9_-]{0,62}$/.test(key)
      ? "Lower case letters, digits, - or _, starting with a letter"
      : null;
  return (
    <CreateForm
      title="Create a team"
      submitLabel="Create team"
      canSubmit={!!key && !!name.trim() && !keyError}
      pending={create.isPending}
      error={create.error}
      onSubmit={() => create.mutate()}
    >
      <Group align="flex-start" wrap="wrap">
        <TextInput
          label="Name"
          value={name}
          onChange={(e) => {
            const v = e.currentTarget.value;
            setName(v);
            if (!key || key === slug(name)) setKey(slug(v));
          }}
          required
          w={220}
        />
        <TextInput
          label="Key"
          description="Used in workflows (team: key)"
          value={key}
          onChange={(e) => setKey(e.currentTarget.value)}
          error={keyError}
          required
          w={220}
        />
      </Group>
    </CreateForm>
  );
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .trim()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .replace(/-+$/, "")
    .slice(0, 63);

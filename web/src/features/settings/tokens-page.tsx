import {
  Alert,
  Button,
  Code,
  Group,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, isApiError } from "../../api/client.ts";
import { keys, useTokens } from "../../api/queries.ts";
import { CopyableSecret } from "../../components/copyable-secret.tsx";
import { Empty, useDocumentTitle } from "../../components/page-state.tsx";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { TableHead } from "../../components/table-head.tsx";
import { formatDateTime } from "../../lib/format.ts";
import { useMe } from "../auth/session.ts";

/** My API tokens, for the CLI and scripts: make one (shown once), see them, revoke them. */
export default function TokensPage() {
  useDocumentTitle("API tokens");
  const me = useMe();
  const qc = useQueryClient();
  const tokens = useTokens();
  const [name, setName] = useState("");
  const [fresh, setFresh] = useState<string | null>(null);
  // Servers without the token list still issue tokens through /users/{email}/tokens.
  const listMissing = isApiError(tokens.error, "not_found");

  const create = useMutation({
    mutationFn: (n: string) =>
      api<{ token: string }>(
        listMissing ? `/users/${encodeURIComponent(me.email)}/tokens` : "/users/me/tokens",
        { method: "POST", body: { name: n } },
      ),
    onSuccess: (r) => {
      setFresh(r.token);
      setName("");
      void qc.invalidateQueries({ queryKey: keys.tokens });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) =>
      api(`/users/me/tokens/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.tokens }),
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) create.mutate(name.trim());
  };

  return (
    <Stack maw={760}>
      <div>
        <Title order={1}>API tokens</Title>
        <Text size="sm" c="dimmed">
          A token lets the <Code>baton</Code> command and your scripts act as you. Send it as{" "}
          <Code>Authorization: Bearer …</Code>.
        </Text>
      </div>
      <Paper withBorder p="md" radius="md">
        <form onSubmit={submit}>
          <Group align="flex-end">
            <TextInput
              label="New token's name"
              description="Where you will use it, e.g. “laptop CLI”"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              maxLength={100}
              style={{ flex: 1, minWidth: 200 }}
            />
            <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
              Create token
            </Button>
          </Group>
        </form>
        <ProblemAlert error={create.error} />
        {fresh && (
          <Alert color="green" variant="light" title="Copy your token now" mt="md">
            <Text size="sm">It is shown only once; Baton keeps only a hash of it.</Text>
            <CopyableSecret value={fresh} testId="new-token" mt="xs" />
          </Alert>
        )}
      </Paper>
      {listMissing ? (
        <Text size="sm" c="dimmed">
          This Baton cannot list or revoke tokens yet; it can still issue new ones.
        </Text>
      ) : tokens.isError ? (
        <ProblemAlert error={tokens.error} />
      ) : tokens.data?.length === 0 ? (
        <Empty title="No tokens yet">
          Make one above to use Baton from the command line: <Code>export BATON_TOKEN=…</Code>
        </Empty>
      ) : (
        <Table.ScrollContainer minWidth={400}>
          <Table>
            <TableHead columns={["Name", "Created"]} />
            <Table.Tbody>
              {(tokens.data ?? []).map((t) => (
                <Table.Tr key={t.id}>
                  <Table.Td>{t.name || "(unnamed)"}</Table.Td>
                  <Table.Td>{formatDateTime(t.created_at)}</Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      loading={revoke.isPending && revoke.variables === t.id}
                      onClick={() => revoke.mutate(t.id)}
                      aria-label={`Revoke token ${t.name || t.id}`}
                    >
                      Revoke
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <ProblemAlert error={revoke.error} />
    </Stack>
  );
}

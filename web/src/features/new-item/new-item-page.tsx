import { Alert, Button, Group, Paper, Select, Stack, Text, TextInput, Title } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { api, isApiError } from "../../api/client.ts";
import {
  afterItemChange,
  useTeams,
  useUsers,
  useWorkflow,
  useWorkflows,
} from "../../api/queries.ts";
import type { Item } from "../../api/types.ts";
import { Empty, PageError, PageLoading, useDocumentTitle } from "../../components/page-state.tsx";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { isMemberOf, useMe } from "../auth/session.ts";
import { FieldInputs } from "../item/fields-form.tsx";
import { useFieldsForm } from "../item/use-fields-form.ts";

/** Starts an item in a workflow whose first step belongs to one of the user's teams. */
export default function NewItemPage() {
  useDocumentTitle("New item");
  const me = useMe();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const workflows = useWorkflows();
  const teams = useTeams();
  const users = useUsers();
  // By default the first workflow the user may start (a member of its first step's team).
  const startable = (workflows.data ?? []).filter(
    (w) => w.start_team === undefined || isMemberOf(me, w.start_team),
  );
  const chosen = params.get("workflow") ?? startable[0]?.key ?? workflows.data?.[0]?.key ?? "";
  const wf = useWorkflow(chosen || undefined);
  const fields = wf.data?.definition.fields ?? [];
  const form = useFieldsForm(fields, undefined);
  const [title, setTitle] = useState("");
  const [due, setDue] = useState("");
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const firstTeam = wf.data?.definition.steps[0]?.team;
  const mayStart = isMemberOf(me, firstTeam);
  const teamName = (k: string) => teams.data?.find((t) => t.key === k)?.name ?? k;
  const options = (workflows.data ?? []).map((w) => ({
    value: w.key,
    label:
      w.start_team && !isMemberOf(me, w.start_team)
        ? `${w.name} (${w.prefix}) — started by ${teamName(w.start_team)}`
        : `${w.name} (${w.prefix})`,
  }));

  if (workflows.isError) return <PageError error={workflows.error} />;
  if (workflows.isPending) return <PageLoading label="Loading workflows" />;
  if (workflows.data.length === 0)
    return (
      <Stack>
        <Title order={1}>New item</Title>
        <Empty
          title="No workflows yet"
          action={
            <Button component={Link} to="/workflows" variant="light">
              Go to workflows
            </Button>
          }
        >
          Items run through a workflow. An admin publishes one under Workflows; then you can start
          items here.
        </Empty>
      </Stack>
    );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    setError(null);
    if (!title.trim() || !form.isValid) return;
    setBusy(true);
    try {
      const changes = form.changes();
      const item = await api<Item>("/items", {
        method: "POST",
        body: {
          workflow: chosen,
          title: title.trim(),
          ...(due ? { due } : {}),
          fields: Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== null)),
        },
      });
      afterItemChange(qc, item);
      void navigate(`/items/${item.key}`);
    } catch (err) {
      if (isApiError(err)) form.showServerErrors(err.fieldErrors);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack maw={760}>
      <Title order={1}>New item</Title>
      <Paper withBorder p="md" radius="md">
        <form onSubmit={submit} noValidate aria-label="New item">
          <Stack>
            <Select
              label="Workflow"
              data={options}
              value={chosen}
              allowDeselect={false}
              onChange={(v) => v && setParams({ workflow: v }, { replace: true })}
            />
            {wf.data && (
              <Text size="sm" c="dimmed">
                Starts at “{wf.data.definition.steps[0]?.name ?? wf.data.definition.steps[0]?.key}”,
                owned by {teamName(firstTeam ?? "")}.
              </Text>
            )}
            {wf.data && !mayStart && (
              <Alert color="orange" variant="light" title="Not your team's workflow to start">
                Only members of {teamName(firstTeam ?? "")} can start {wf.data.definition.name}{" "}
                items. Pick another workflow, or ask them.
              </Alert>
            )}
            <TextInput
              label="Title"
              required
              maxLength={200}
              value={title}
              onChange={(e) => setTitle(e.currentTarget.value)}
              error={touched && !title.trim() ? "Give the item a title" : null}
              placeholder="ACME Corp"
            />
            <TextInput
              label="Due date"
              description="When the requester needs it done (optional); shown to every team on the way."
              type="date"
              value={due}
              onChange={(e) => setDue(e.currentTarget.value)}
              w={{ base: "100%", xs: 220 }}
            />
            {fields.length > 0 && (
              <Text size="sm" fw={600}>
                Fields (fill what you know; the rest can wait)
              </Text>
            )}
            <FieldInputs form={form} fields={fields} requires={[]} users={users.data ?? []} />
            <ProblemAlert error={error} />
            <Group>
              <Button type="submit" loading={busy} disabled={!mayStart}>
                Create item
              </Button>
            </Group>
          </Stack>
        </form>
      </Paper>
    </Stack>
  );
}

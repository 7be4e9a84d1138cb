import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  MultiSelect,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { IconPlugConnected } from "@tabler/icons-react";
import { useState } from "react";
import { Link } from "react-router";
import { isApiError } from "../../api/client.ts";
import { useTeams } from "../../api/queries.ts";
import { CopyableSecret } from "../../components/copyable-secret.tsx";
import { Empty, PageError, PageLoading, useDocumentTitle } from "../../components/page-state.tsx";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { formatDateTime, timeAgo } from "../../lib/format.ts";
import { useNames } from "../../lib/names.ts";
import { useMe } from "../auth/session.ts";
import {
  DELIVERIES_SHOWN,
  useCreateWebhook,
  useDeliveries,
  useWebhookAction,
  useWebhooks,
  type Webhook,
  type WebhookEvent,
  type WithSecret,
} from "./api.ts";

/*
 * Webhook subscriptions: admins for any item, team leads for their team's. Subscribe a URL to
 * item events, see the signing secret once (and again only by rotating it), send a test, read
 * each subscription's delivery log (every try: its status, error and duration), turn a
 * subscription disabled after repeated failures back on, delete one (asked twice).
 */

/** Every event a subscription may name, in words; the compiler checks it covers the server's list. */
const EVENT_LABELS: Record<WebhookEvent, string> = {
  "handoff.submitted": "Handoff submitted",
  "handoff.accepted": "Handoff accepted",
  "handoff.rejected": "Handoff returned",
  "handoff.withdrawn": "Handoff withdrawn",
  "question.asked": "Question asked",
  "question.answered": "Question answered",
  "item.assigned": "Item assigned",
  "comment.added": "Comment with an @mention",
  "item.paused": "Item paused",
  "item.resumed": "Item resumed",
  "item.completed": "Item completed",
  "item.cancelled": "Item cancelled",
  "sla.warning": "Service level about to run out",
  "sla.breached": "Service level breached",
  "item.stalled": "Item stalled",
  "item.changed": "Owner, state or due date changed",
};

const eventLabel = (e: string) =>
  e === "*" ? "Every event" : (EVENT_LABELS[e as WebhookEvent] ?? e);

const statusColor = { delivered: "green", pending: "blue", failed: "red" } as const;

function SecretShown({ secret, onClose }: { secret: WithSecret; onClose: () => void }) {
  return (
    <Alert
      color="green"
      title="Signing secret: shown this once"
      withCloseButton
      closeButtonLabel="Hide the secret"
      onClose={onClose}
      role="status"
    >
      <Stack gap="xs">
        <Text size="sm">
          Give it to the receiver of {secret.url}: it verifies each message with it (any Standard
          Webhooks library). Baton keeps it, but never shows it again.
        </Text>
        <CopyableSecret value={secret.secret} testId="webhook-secret" gap="sm" />
      </Stack>
    </Alert>
  );
}

function NewSubscription({ onCreated }: { onCreated: (w: WithSecret) => void }) {
  const me = useMe();
  const teams = useTeams();
  const create = useCreateWebhook();
  const led = me.teams.filter((t) => t.role === "lead").map((t) => t.key);
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<string[]>(["handoff.submitted"]);
  const [description, setDescription] = useState("");
  const [format, setFormat] = useState<"standard" | "slack">("standard");
  const [team, setTeam] = useState<string | null>(me.admin ? null : (led[0] ?? null));
  const teamChoices = (teams.data ?? [])
    .filter((t) => me.admin || led.includes(t.key))
    .map((t) => ({ value: t.key, label: t.name }));
  const urlError =
    isApiError(create.error) && create.error.problem.errors?.some((e) => e.path === "url")
      ? create.error.problem.detail
      : undefined;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="new-webhook">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(
            {
              url: url.trim(),
              events,
              format,
              ...(description.trim() ? { description: description.trim() } : {}),
              ...(team ? { team } : {}),
            },
            {
              onSuccess: (w) => {
                setUrl("");
                setDescription("");
                onCreated(w);
              },
            },
          );
        }}
      >
        <Stack gap="sm">
          <Title order={2} size="h4" id="new-webhook">
            New subscription
          </Title>
          <TextInput
            label="URL"
            description="Where Baton posts each event (https in production)"
            placeholder="https://hooks.example.com/baton"
            required
            type="url"
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
            error={urlError}
          />
          <MultiSelect
            label="Events"
            data={["*", ...Object.keys(EVENT_LABELS)].map((e) => ({
              value: e,
              label: eventLabel(e),
            }))}
            value={events}
            onChange={setEvents}
            searchable
            error={events.length === 0 ? "Choose at least one event" : undefined}
          />
          <Group grow align="flex-start">
            <Select
              label="Format"
              allowDeselect={false}
              data={[
                { value: "standard", label: "Standard Webhooks (signed JSON)" },
                { value: "slack", label: "Slack incoming webhook" },
              ]}
              value={format}
              onChange={(v) => setFormat(v === "slack" ? "slack" : "standard")}
            />
            <Select
              label="Items of"
              description={me.admin ? undefined : "A team you lead"}
              placeholder={me.admin ? "Every team" : undefined}
              clearable={me.admin}
              allowDeselect={me.admin}
              data={teamChoices}
              value={team}
              onChange={setTeam}
            />
          </Group>
          <TextInput
            label="Description"
            placeholder="What receives it, who to ask"
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
          />
          {create.isError && !urlError && (
            <ProblemAlert error={create.error} onClose={create.reset} />
          )}
          <Group>
            <Button type="submit" loading={create.isPending} disabled={events.length === 0}>
              Subscribe
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function DeliveryLog({ id }: { id: string }) {
  const log = useDeliveries(id);
  if (log.isPending) return <PageLoading label="Loading the delivery log" />;
  if (log.isError) return <ProblemAlert error={log.error} />;
  if (log.data.length === 0)
    return (
      <Text size="sm" c="dimmed">
        Nothing sent yet. Send a test to see how the receiver answers.
      </Text>
    );
  return (
    <div style={{ overflowX: "auto" }}>
      <Table fz="sm" miw={620} verticalSpacing={6}>
        <Table.Caption>
          Delivery log: the last {DELIVERIES_SHOWN} messages, newest first, each with every try
        </Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Queued</Table.Th>
            <Table.Th>Event</Table.Th>
            <Table.Th>Item</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Tries</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {log.data.map((d) => (
            <Table.Tr key={d.id} data-delivery={d.message_id} data-status={d.status}>
              <Table.Td>
                <span title={formatDateTime(d.created_at)}>{timeAgo(d.created_at)}</span>
              </Table.Td>
              <Table.Td>
                {d.kind === "webhook.test" ? "Test message" : eventLabel(d.kind)}
                <Text size="xs" c="dimmed" ff="monospace">
                  {d.message_id}
                </Text>
              </Table.Td>
              <Table.Td>
                {d.item_key ? (
                  <Anchor component={Link} to={`/items/${d.item_key}`} ff="monospace">
                    {d.item_key}
                  </Anchor>
                ) : (
                  "—"
                )}
              </Table.Td>
              <Table.Td>
                <Badge size="sm" variant="light" color={statusColor[d.status]}>
                  {d.status}
                </Badge>
              </Table.Td>
              <Table.Td>
                {d.attempts.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    not tried yet
                  </Text>
                ) : (
                  <Stack gap={2} component="ol" p={0} m={0} style={{ listStyle: "none" }}>
                    {d.attempts.map((a) => (
                      <li key={a.attempt}>
                        #{a.attempt} {a.status}, {a.duration_ms} ms,{" "}
                        <span title={formatDateTime(a.at)}>{timeAgo(a.at)}</span>
                        {a.error ? (
                          <Text span c="var(--baton-red)" size="sm">
                            {" "}
                            — {a.error}
                          </Text>
                        ) : null}
                      </li>
                    ))}
                  </Stack>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </div>
  );
}

function Subscription({ w, onSecret }: { w: Webhook; onSecret: (s: WithSecret) => void }) {
  const names = useNames();
  const act = useWebhookAction();
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const logId = `deliveries-${w.id}`;
  const run = (action: Parameters<typeof act.mutate>[0]["action"]) =>
    act.mutate(
      { id: w.id, action },
      {
        onSuccess: (r) => {
          if (action === "test") setOpen(true);
          if (action === "rotate-secret" && r && "secret" in r) onSecret(r);
        },
      },
    );
  return (
    <Paper
      component="li"
      withBorder
      p="sm"
      style={{ listStyle: "none" }}
      data-webhook={w.url}
      aria-label={w.description ? `${w.description} (${w.url})` : w.url}
    >
      <Group justify="space-between" wrap="wrap" align="flex-start" gap="sm">
        <Stack gap={4} style={{ minWidth: 0, flex: "1 1 320px" }}>
          <Group gap="xs">
            <Text fw={600} size="sm" ff="monospace" style={{ overflowWrap: "anywhere" }}>
              {w.url}
            </Text>
            <Badge size="sm" variant="light" color={w.enabled ? "green" : "red"}>
              {w.enabled ? "enabled" : "disabled"}
            </Badge>
            {w.format === "slack" && (
              <Badge size="sm" variant="light" color="gray">
                Slack
              </Badge>
            )}
          </Group>
          {w.description && <Text size="sm">{w.description}</Text>}
          <Text size="xs" c="dimmed">
            {w.events.map(eventLabel).join(", ")} ·{" "}
            {w.team ? `items of ${names.team(w.team)}` : "every item"} · set up by{" "}
            {names.person(w.created_by)}, {formatDateTime(w.created_at)}
            {w.previous_secret_until
              ? ` · the previous secret signs too until ${formatDateTime(w.previous_secret_until)}`
              : ""}
          </Text>
          {!w.enabled && (
            <Text size="sm" c="var(--baton-red)">
              Disabled{w.disabled_at ? ` ${formatDateTime(w.disabled_at)}` : ""}
              {w.disabled_reason ? `: ${w.disabled_reason}` : ""}
            </Text>
          )}
        </Stack>
        <Group gap={6}>
          <Button
            size="compact-sm"
            variant="light"
            onClick={() => setOpen((o) => !o)}
            aria-expanded={open}
            aria-controls={logId}
          >
            Delivery log
          </Button>
          <Button size="compact-sm" variant="light" onClick={() => run("test")}>
            Send test
          </Button>
          {!w.enabled && (
            <Button size="compact-sm" variant="light" color="green" onClick={() => run("enable")}>
              Enable
            </Button>
          )}
          <Button size="compact-sm" variant="default" onClick={() => run("rotate-secret")}>
            Rotate secret
          </Button>
          {confirming ? (
            <>
              <Button
                size="compact-sm"
                color="red"
                onClick={() => run("delete")}
                loading={act.isPending && act.variables?.action === "delete"}
                aria-label={`Delete the subscription of ${w.url} for good`}
              >
                Delete for good
              </Button>
              <Button size="compact-sm" variant="default" onClick={() => setConfirming(false)}>
                Keep it
              </Button>
            </>
          ) : (
            <Button
              size="compact-sm"
              variant="subtle"
              color="red"
              onClick={() => setConfirming(true)}
              aria-label={`Delete the subscription of ${w.url}…`}
            >
              Delete…
            </Button>
          )}
        </Group>
      </Group>
      {act.isError && <ProblemAlert error={act.error} onClose={act.reset} />}
      {open && (
        <Stack mt="sm" id={logId}>
          <DeliveryLog id={w.id} />
        </Stack>
      )}
    </Paper>
  );
}

export default function WebhooksPage() {
  useDocumentTitle("Webhooks");
  const me = useMe();
  const hooks = useWebhooks();
  const [secret, setSecret] = useState<WithSecret | null>(null);
  const mayManage = me.admin || me.teams.some((t) => t.role === "lead");
  return (
    <Stack gap="md" maw={1000}>
      <div>
        <Title order={1}>Webhooks</Title>
        <Text size="sm" c="dimmed" maw={720}>
          Baton posts item events to these URLs as Standard Webhooks 1.0 (signed with the
          subscription's secret in the webhook-signature header), retrying with backoff; a
          subscription that keeps failing is disabled and its creator told.{" "}
          {me.admin
            ? "As an admin you manage every subscription."
            : "You manage those of the teams you lead."}
        </Text>
      </div>
      {!mayManage ? (
        <Empty
          title="Only admins and team leads manage webhooks"
          icon={<IconPlugConnected aria-hidden />}
        >
          Ask a lead of your team to subscribe the URL for you.
        </Empty>
      ) : (
        <>
          {secret && <SecretShown secret={secret} onClose={() => setSecret(null)} />}
          <NewSubscription onCreated={setSecret} />
          <Title order={2} size="h4">
            Subscriptions
          </Title>
          {hooks.isPending ? (
            <PageLoading label="Loading webhooks" />
          ) : hooks.isError ? (
            <PageError error={hooks.error} />
          ) : hooks.data.length === 0 ? (
            <Empty title="No subscriptions yet" icon={<IconPlugConnected aria-hidden />}>
              Subscribe a URL above and Baton posts the events you choose to it.
            </Empty>
          ) : (
            <Stack component="ul" gap="sm" p={0} m={0} aria-label="Subscriptions">
              {hooks.data.map((w) => (
                <Subscription key={w.id} w={w} onSecret={setSecret} />
              ))}
            </Stack>
          )}
        </>
      )}
    </Stack>
  );
}

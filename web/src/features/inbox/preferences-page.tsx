import {
  Alert,
  Checkbox,
  Group,
  Loader,
  MultiSelect,
  Paper,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { IconCheck } from "@tabler/icons-react";
import { Fragment, useEffect, useState } from "react";
import {
  type PersonalChannel,
  type PreferencesDraft,
  usePreferences,
  useSavePreferences,
} from "../../api/notifications.ts";
import { useWorkflows } from "../../api/queries.ts";
import { PageError, PageLoading, useDocumentTitle } from "../../components/page-state.tsx";
import { ProblemAlert } from "../../components/problem-alert.tsx";

/*
 * Notification preferences: per kind of event, whether it reaches the inbox and e-mail;
 * workflows to hear nothing about; one daily digest instead of a mail per notification. Every
 * change is saved at once, like the item's fields (saves run one after another, each sending
 * the whole draft, so the last change always wins). `List-Unsubscribe` in every mail points here.
 */

const CHANNELS: { channel: PersonalChannel; label: string }[] = [
  { channel: "inbox", label: "Inbox" },
  { channel: "email", label: "E-mail" },
];

/** A kind left out of `channels` goes to both. */
const channelsOf = (p: PreferencesDraft, kind: string): PersonalChannel[] =>
  p.channels[kind] ?? ["inbox", "email"];

/** The kinds in groups a reader scans: what asks them to act first, what only informs last. */
const GROUPS: { title: string; has: (kind: string) => boolean }[] = [
  { title: "Handoffs", has: (k) => k.startsWith("handoff.") },
  { title: "Questions", has: (k) => k.startsWith("question.") },
  { title: "You in person", has: (k) => k === "item.assigned" || k === "comment.added" },
  { title: "Deadlines and stalled work", has: (k) => k.startsWith("sla.") || k === "item.stalled" },
  { title: "Reviews", has: (k) => k.startsWith("review.") },
  { title: "Items you watch", has: () => true },
];

function groupKinds<T extends { kind: string }>(kinds: readonly T[]) {
  const left = new Set(kinds);
  return GROUPS.map(({ title, has }) => {
    const mine = [...left].filter((k) => has(k.kind));
    for (const k of mine) left.delete(k);
    return { title, kinds: mine };
  }).filter((g) => g.kinds.length > 0);
}

/** "08:00 UTC (09:00 here)" for each hour of the day. */
function hourOptions(): { value: string; label: string }[] {
  return Array.from({ length: 24 }, (_, h) => {
    const at = new Date(Date.UTC(2026, 0, 15, h));
    const local = at.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
    const utc = `${String(h).padStart(2, "0")}:00 UTC`;
    return {
      value: String(h),
      label: at.getTimezoneOffset() === 0 ? utc : `${utc} (${local} here)`,
    };
  });
}

export default function PreferencesPage() {
  useDocumentTitle("Notification preferences");
  const prefs = usePreferences();
  const save = useSavePreferences();
  const workflows = useWorkflows();
  const [draft, setDraft] = useState<PreferencesDraft | null>(null);
  useEffect(() => {
    if (prefs.data && !draft) setDraft(prefs.data);
  }, [prefs.data, draft]);
  if (prefs.isError) return <PageError error={prefs.error} />;
  if (!prefs.data || !draft) return <PageLoading label="Loading your preferences" />;
  const { kinds, email_enabled } = prefs.data;

  const change = (next: PreferencesDraft) => {
    setDraft(next);
    save.mutate({
      channels: next.channels,
      muted_workflows: next.muted_workflows,
      email_digest: next.email_digest,
      digest_hour_utc: next.digest_hour_utc,
    });
  };
  const toggle = (kind: string, channel: PersonalChannel, on: boolean) => {
    const rest = channelsOf(draft, kind).filter((c) => c !== channel);
    change({ ...draft, channels: { ...draft.channels, [kind]: on ? [...rest, channel] : rest } });
  };

  return (
    <Stack gap="md" maw={860}>
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1}>Notification preferences</Title>
          <Text size="sm" c="dimmed">
            Baton never tells you about what you did yourself. Changes are saved as you make them.
          </Text>
        </div>
        <Group gap={6} aria-live="polite" data-testid="save-state" mih={24}>
          {save.isPending ? (
            <>
              <Loader size={14} aria-hidden />
              <Text size="sm">Saving…</Text>
            </>
          ) : save.isSuccess ? (
            <>
              <IconCheck size={16} aria-hidden color="var(--baton-green)" />
              <Text size="sm">Saved</Text>
            </>
          ) : null}
        </Group>
      </Group>
      <ProblemAlert error={save.error} onClose={save.reset} />
      {!email_enabled && (
        <Alert color="gray" title="E-mail is off on this Baton">
          No mail server is configured, so only the inbox is used. Your e-mail choices are kept for
          when it is.
        </Alert>
      )}
      <Paper withBorder style={{ overflowX: "auto" }}>
        <Table aria-label="Where each kind of notification goes" miw={420}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              {CHANNELS.map((c) => (
                <Table.Th key={c.channel} w={80} ta="center">
                  {c.label}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {groupKinds(kinds).map((group) => (
              <Fragment key={group.title}>
                <Table.Tr>
                  <Table.Th colSpan={3} scope="colgroup" pt="md">
                    <Text size="xs" fw={700} tt="uppercase" c="dimmed">
                      {group.title}
                    </Text>
                  </Table.Th>
                </Table.Tr>
                {group.kinds.map(({ kind, description }) => {
                  const on = channelsOf(draft, kind);
                  return (
                    <Table.Tr key={kind} data-kind={kind}>
                      <Table.Td>
                        <Text size="sm">
                          {description.charAt(0).toUpperCase() + description.slice(1)}
                        </Text>
                      </Table.Td>
                      {CHANNELS.map(({ channel, label }) => (
                        <Table.Td key={channel}>
                          <Checkbox
                            mx="auto"
                            w="fit-content"
                            aria-label={`${label}: ${description}`}
                            checked={on.includes(channel)}
                            onChange={(e) => toggle(kind, channel, e.currentTarget.checked)}
                          />
                        </Table.Td>
                      ))}
                    </Table.Tr>
                  );
                })}
              </Fragment>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      <MultiSelect
        label="Mute workflows"
        description="Items of these workflows tell you nothing, in any channel"
        placeholder={draft.muted_workflows.length === 0 ? "None muted" : undefined}
        data={(workflows.data ?? []).map((w) => ({ value: w.key, label: w.name }))}
        value={draft.muted_workflows}
        onChange={(v) => change({ ...draft, muted_workflows: v })}
        searchable
        clearable
        maw={480}
      />
      <Stack gap="xs">
        <Switch
          label="One e-mail a day instead of a mail per notification"
          description="The digest lists everything since the last one; the inbox still fills at once"
          checked={draft.email_digest}
          onChange={(e) => change({ ...draft, email_digest: e.currentTarget.checked })}
        />
        {draft.email_digest && (
          <Select
            label="Digest sent at"
            data={hourOptions()}
            value={String(draft.digest_hour_utc)}
            onChange={(v) => v !== null && change({ ...draft, digest_hour_utc: Number(v) })}
            allowDeselect={false}
            maw={260}
          />
        )}
      </Stack>
    </Stack>
  );
}

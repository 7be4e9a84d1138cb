import { Button, Group, Paper, Select, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useState } from "react";
import { ApiError } from "../../api/client.ts";
import { runItemCommand } from "../../api/queries.ts";
import { acceptBlock, type ItemSummary, type QueueTab, type Team } from "../../api/types.ts";

/** Runs one command on many items, four at a time; reports successes and failures in words. */
async function runMany(
  itemKeys: string[],
  run: (key: string) => Promise<unknown>,
): Promise<{ ok: string[]; failed: { key: string; message: string }[] }> {
  const ok: string[] = [];
  const failed: { key: string; message: string }[] = [];
  const queue = [...itemKeys];
  const worker = async () => {
    for (let key = queue.shift(); key; key = queue.shift()) {
      try {
        await run(key);
        ok.push(key);
      } catch (e) {
        failed.push({ key, message: e instanceof ApiError ? e.message : String(e) });
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return { ok, failed };
}

/**
 * The bar over the list while rows are selected: accept the selected incoming handoffs, assign
 * the selection to a member, clear it. Stays mounted with nothing selected (it renders nothing
 * then), so the chosen assignee is kept for the next selection.
 */
export function BulkActions({
  selected,
  setSelected,
  tab,
  isMember,
  incoming,
  members,
  refresh,
}: {
  selected: Set<string>;
  setSelected: (selected: Set<string>) => void;
  tab: QueueTab;
  isMember: boolean;
  /** The queue's incoming section, for what of the selection can be accepted. */
  incoming: ItemSummary[];
  members: Team["members"];
  /** Brings these items' rows up to date in the queues held. */
  refresh: (itemKeys: string[]) => void;
}) {
  const [assignTo, setAssignTo] = useState<string | null>(null);
  if (selected.size === 0) return null;

  const bulk = async (
    label: string,
    run: (key: string) => Promise<unknown>,
    keysToRun: string[] = [...selected],
  ) => {
    const chosen = keysToRun;
    const { ok, failed } = await runMany(chosen, run);
    // What was not run (waiting for a meeting) or failed stays selected.
    const done = new Set(ok);
    setSelected(new Set([...selected].filter((k) => !done.has(k))));
    refresh(chosen);
    notifications.show({
      title: `${label}: ${ok.length} of ${chosen.length} done`,
      message:
        failed.length === 0
          ? "All selected items were updated."
          : failed
              .slice(0, 5)
              .map((f) => `${f.key}: ${f.message}`)
              .join("\n"),
      color: failed.length === 0 ? "green" : "orange",
    });
  };

  // Bulk accept sends only what can be accepted now; the rest wait for their meetings.
  const selectedIncoming = incoming.filter((i) => selected.has(i.key));
  const acceptable = selectedIncoming.filter((i) => !acceptBlock(i.next)).map((i) => i.key);
  const waitingForMeeting = selectedIncoming.length - acceptable.length;

  return (
    <Paper
      withBorder
      p="xs"
      bg="var(--mantine-color-yellow-light)"
      role="region"
      aria-label="Bulk actions"
    >
      <Group gap="sm" wrap="wrap">
        <Text size="sm" fw={600}>
          {selected.size} selected
        </Text>
        {tab === "incoming" && isMember && acceptable.length > 0 && (
          <Button
            size="xs"
            onClick={() => void bulk("Accept", (k) => runItemCommand(k, "accept"), acceptable)}
          >
            Accept {acceptable.length}
          </Button>
        )}
        {tab === "incoming" && isMember && waitingForMeeting > 0 && (
          <Text size="sm" c="var(--baton-orange)" data-testid="bulk-accept-blocked">
            {waitingForMeeting === 1
              ? "1 selected item waits for its handoff meeting"
              : `${waitingForMeeting} selected items wait for their handoff meetings`}{" "}
            and cannot be accepted yet.
          </Text>
        )}
        {isMember && (
          <Group gap={6} wrap="nowrap">
            <Select
              size="xs"
              aria-label="Assign selected to"
              placeholder="Assign to…"
              data={members.map((m) => ({ value: m.email, label: m.name }))}
              value={assignTo}
              onChange={setAssignTo}
              w={170}
            />
            <Button
              size="xs"
              variant="light"
              disabled={!assignTo}
              onClick={() =>
                void bulk("Assign", (k) => runItemCommand(k, "assign", { email: assignTo }))
              }
            >
              Assign
            </Button>
          </Group>
        )}
        <Button size="xs" variant="subtle" color="gray" onClick={() => setSelected(new Set())}>
          Clear selection
        </Button>
      </Group>
    </Paper>
  );
}

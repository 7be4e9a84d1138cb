import { Button, Group, List, Modal, Stack, Text, ThemeIcon } from "@mantine/core";
import { IconCheck, IconMinus } from "@tabler/icons-react";
import { useItemCommand } from "../../api/queries.ts";
import type { Item } from "../../api/types.ts";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { HandoffGone, useHandoffGone } from "./handoff-gone.tsx";

/**
 * Accepting takes ownership. The dialog shows what the sender confirmed, so the receiver
 * checks it before saying yes; it accepts the version the receiver looked at (If-Match).
 */
export function AcceptDialog({
  item,
  teamName,
  opened,
  onClose,
}: {
  item: Item;
  teamName: (k: string) => string;
  opened: boolean;
  onClose: () => void;
}) {
  const run = useItemCommand(item.key);
  const h = item.handoff;
  const gone = useHandoffGone(item, opened);
  return (
    <Modal opened={opened} onClose={onClose} title={`Accept ${item.key}?`} size="lg">
      {gone ? (
        <HandoffGone message={gone} onClose={onClose} />
      ) : (
        <Stack>
          <Text size="sm">
            {teamName(h?.to_team ?? "")} takes over <b>{item.title}</b> from{" "}
            {teamName(h?.from_team ?? "")}. Check that the acceptance criteria really hold; if not,
            return it instead.
          </Text>
          {h && h.criteria.length > 0 && (
            <List spacing={4} size="sm" aria-label="Acceptance criteria" center>
              {h.criteria.map((c) => {
                const ok = h.confirmed.includes(c);
                return (
                  <List.Item
                    key={c}
                    icon={
                      <ThemeIcon
                        size={20}
                        radius="xl"
                        color={ok ? "green.8" : "gray.6"}
                        aria-hidden
                      >
                        {ok ? <IconCheck size={14} /> : <IconMinus size={14} />}
                      </ThemeIcon>
                    }
                  >
                    {c} — {ok ? "confirmed by the sender" : "not confirmed"}
                  </List.Item>
                );
              })}
            </List>
          )}
          <ProblemAlert error={run.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button
              color="green.9"
              loading={run.isPending}
              onClick={() =>
                run.mutate(
                  { command: "accept", ifMatch: item.version },
                  { onSuccess: () => onClose() },
                )
              }
              data-autofocus
            >
              Accept handoff
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

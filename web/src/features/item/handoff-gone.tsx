import { Alert, Button, Group, Stack } from "@mantine/core";
import { IconInfoCircle } from "@tabler/icons-react";
import { useEffect, useRef } from "react";
import type { Item } from "../../api/types.ts";
import { useNames } from "../../lib/names.ts";

/**
 * The pending handoff a decision dialog was opened for, and what became of it since: while the
 * dialog is open the sender may withdraw it or a teammate decide it. Null while it still waits.
 */
export function useHandoffGone(item: Item | undefined, opened: boolean): string | null {
  const names = useNames();
  const openedFor = useRef<number | null>(null);
  useEffect(() => {
    if (!opened) openedFor.current = null;
    else if (openedFor.current === null && item?.handoff) openedFor.current = item.handoff.id;
  }, [opened, item?.handoff]);
  const id = openedFor.current ?? (opened ? (item?.handoff?.id ?? null) : null);
  if (!opened || !item || id === null || item.handoff?.id === id) return null;
  const h = item.handoffs.find((x) => x.id === id);
  const by = h?.decided_by ? names.person(h.decided_by) : "Someone";
  switch (h?.outcome) {
    case "withdrawn":
      return `${names.team(h.from_team)} withdrew this handoff; there is nothing to decide now.`;
    case "accepted":
      return `${by} already accepted this handoff.`;
    case "rejected":
      return `${by} already returned this handoff to ${names.team(h.from_team)}.`;
    default:
      return "This handoff no longer waits for a decision.";
  }
}

/** Says in the dialog why there is nothing to decide any more, instead of vanishing. */
export function HandoffGone({ message, onClose }: { message: string; onClose: () => void }) {
  return (
    <Stack>
      <Alert
        color="blue"
        variant="light"
        icon={<IconInfoCircle aria-hidden />}
        title="The handoff changed"
        role="alert"
      >
        {message}
      </Alert>
      <Group justify="flex-end">
        <Button onClick={onClose} data-autofocus>
          Back to the item
        </Button>
      </Group>
    </Stack>
  );
}

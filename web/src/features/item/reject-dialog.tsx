import { Button, Checkbox, Group, Modal, Radio, Stack, Text, Textarea } from "@mantine/core";
import { type FormEvent, useEffect, useState } from "react";
import { useItem, useItemCommand } from "../../api/queries.ts";
import { type Item, type RejectReason, rejectReasons } from "../../api/types.ts";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { reasonHelp, reasonLabel } from "../../lib/format.ts";
import { useNames } from "../../lib/names.ts";
import { HandoffGone, useHandoffGone } from "./handoff-gone.tsx";

/**
 * Returns a handoff to its sender: a reason category, a comment saying what is wrong, and the
 * acceptance criteria that failed. Loads the item itself when opened from a queue row.
 */
export function RejectDialog({
  itemKey,
  opened,
  onClose,
  onDone,
}: {
  itemKey: string;
  opened: boolean;
  onClose: () => void;
  onDone?: (item: Item) => void;
}) {
  const item = useItem(itemKey);
  const run = useItemCommand(itemKey);
  const [reason, setReason] = useState<RejectReason | "">("");
  const [comment, setComment] = useState("");
  const [failed, setFailed] = useState<string[]>([]);
  const [touched, setTouched] = useState(false);

  // Reset only when the dialog opens; `run` changes identity on every render.
  // biome-ignore lint/correctness/useExhaustiveDependencies: see above
  useEffect(() => {
    if (opened) {
      setReason("");
      setComment("");
      setFailed([]);
      setTouched(false);
      run.reset();
    }
  }, [opened]);

  const names = useNames();
  const gone = useHandoffGone(item.data, opened);
  const criteria = item.data?.handoff?.criteria ?? [];
  const from = item.data?.handoff?.from_team;
  const reasonError = touched && !reason ? "Choose why you return it" : null;
  const commentError = touched && !comment.trim() ? "Say what the sender must fix" : null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!reason || !comment.trim()) return;
    run.mutate(
      {
        command: "reject",
        body: { reason, comment: comment.trim(), failed_criteria: failed },
      },
      {
        onSuccess: (it) => {
          onDone?.(it);
          onClose();
        },
      },
    );
  };

  return (
    <Modal opened={opened} onClose={onClose} title={`Return ${itemKey} to the sender`} size="lg">
      {gone ? (
        <HandoffGone message={gone} onClose={onClose} />
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            <Text size="sm">
              {item.data?.title ? <b>{item.data.title}</b> : null} goes back to{" "}
              {from ? names.team(from) : "the sending team"} with your reason; they see it on the
              item and in their queue.
            </Text>
            <Radio.Group
              label="Reason"
              required
              value={reason}
              onChange={(v) => setReason(v as RejectReason)}
              error={reasonError}
            >
              <Stack gap={6} mt={6}>
                {rejectReasons.map((r, i) => (
                  <Radio
                    key={r}
                    value={r}
                    label={reasonLabel[r]}
                    description={reasonHelp[r]}
                    // The reason is what the dialog asks first: focus starts there, not on ×.
                    data-autofocus={i === 0 ? true : undefined}
                  />
                ))}
              </Stack>
            </Radio.Group>
            <Textarea
              label="What must the sender fix?"
              required
              autosize
              minRows={3}
              value={comment}
              onChange={(e) => setComment(e.currentTarget.value)}
              error={commentError}
            />
            {criteria.length > 0 && (
              <Checkbox.Group
                label="Criteria that are not met"
                description="Tick each acceptance criterion this handoff fails."
                value={failed}
                onChange={setFailed}
              >
                <Stack gap={6} mt={6}>
                  {criteria.map((c) => (
                    <Checkbox key={c} value={c} label={c} />
                  ))}
                </Stack>
              </Checkbox.Group>
            )}
            <ProblemAlert error={run.error} />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" color="red.8" loading={run.isPending}>
                Return to sender
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

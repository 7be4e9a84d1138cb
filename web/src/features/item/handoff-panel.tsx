import {
  Alert,
  Button,
  Checkbox,
  Group,
  List,
  Stack,
  Text,
  Textarea,
  ThemeIcon,
} from "@mantine/core";
import { IconCheck, IconX } from "@tabler/icons-react";
import { useState } from "react";
import { describeMissing } from "../../api/client.ts";
import type { FieldDef, Item, MissingItem } from "../../api/types.ts";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { isEmptyValue, labelOf } from "./fields.ts";
import type { FieldsForm } from "./use-fields-form.ts";

/**
 * What the handoff needs, ticked off live as the sender works: required fields (from the form
 * as typed, saved or not), the step's checklist, and the acceptance criteria the sender must
 * confirm. Handing off saves unsaved field changes first.
 */
export function HandoffPanel({
  item,
  fields,
  form,
  toTeamName,
  editable,
  onSubmit,
  submitting,
  error,
}: {
  item: Item;
  fields: FieldDef[];
  form: FieldsForm;
  toTeamName: string;
  editable: boolean;
  onSubmit: (v: { note: string; confirm: string[] }) => void;
  submitting: boolean;
  error: unknown;
}) {
  const [confirmed, setConfirmed] = useState<string[]>([]);
  const [note, setNote] = useState("");
  const readiness = item.readiness;
  if (!readiness) return null;

  // Fields: judged on the form's current values, so typing a value ticks it off at once.
  const requirements: { label: string; met: boolean; kind: string }[] = readiness.requires.map(
    (key) => {
      const f = fields.find((x) => x.key === key);
      const met = f ? !isEmptyValue(f, form.values[key]) && !form.errors[key] : false;
      return { label: f ? labelOf(f) : key, met, kind: "Field" };
    },
  );
  for (const c of item.checklist)
    if (!c.optional) requirements.push({ label: c.text, met: c.done, kind: "Checklist" });
  const missing: MissingItem[] = [
    ...requirements
      .filter((r) => !r.met)
      .map((r) =>
        r.kind === "Field"
          ? ({ kind: "field", field: r.label, label: r.label } as const)
          : ({ kind: "checklist", index: 0, text: r.label } as const),
      ),
    ...readiness.criteria
      .filter((c) => !confirmed.includes(c))
      .map((c) => ({ kind: "criterion", criterion: c }) as const),
  ];

  return (
    <Stack gap="sm">
      <Text size="sm">
        Hands the item to <b>{toTeamName}</b>. They check the criteria below and accept it or return
        it with a reason.
      </Text>
      <List spacing={4} size="sm" aria-label="Requirements" center>
        {requirements.map((r) => (
          <List.Item
            key={`${r.kind}:${r.label}`}
            icon={
              <ThemeIcon size={20} radius="xl" color={r.met ? "green.8" : "gray.6"} aria-hidden>
                {r.met ? <IconCheck size={14} /> : <IconX size={14} />}
              </ThemeIcon>
            }
          >
            <Text span size="sm">
              {r.kind}: {r.label}
            </Text>{" "}
            <Text span size="xs" c={r.met ? "green.9" : "red.9"} fw={600}>
              {r.met ? "done" : "missing"}
            </Text>
          </List.Item>
        ))}
      </List>
      {readiness.criteria.length > 0 && (
        <Checkbox.Group
          label="Acceptance criteria"
          description="Confirm each one holds; the receiving team checks them."
          value={confirmed}
          onChange={setConfirmed}
        >
          <Stack gap={6} mt={6}>
            {readiness.criteria.map((c) => (
              <Checkbox key={c} value={c} label={c} disabled={!editable} />
            ))}
          </Stack>
        </Checkbox.Group>
      )}
      <Textarea
        label="Note to the receiving team"
        placeholder="Anything they should know (optional)"
        autosize
        minRows={2}
        value={note}
        onChange={(e) => setNote(e.currentTarget.value)}
        disabled={!editable}
      />
      {missing.length > 0 ? (
        <Alert
          color="orange"
          variant="light"
          title={`${missing.length} still missing`}
          aria-live="polite"
        >
          <List size="sm">
            {missing.map((m) => (
              <List.Item key={JSON.stringify(m)}>{describeMissing(m)}</List.Item>
            ))}
          </List>
        </Alert>
      ) : (
        <Text size="sm" c="green.9" fw={600} aria-live="polite">
          Everything is in place: ready to hand off.
        </Text>
      )}
      <ProblemAlert error={error} />
      <Group>
        <Button
          onClick={() => onSubmit({ note, confirm: confirmed })}
          loading={submitting}
          disabled={!editable}
        >
          Hand off to {toTeamName}
        </Button>
        {form.isDirty && (
          <Text size="xs" c="dimmed">
            Your unsaved field changes are saved first.
          </Text>
        )}
      </Group>
    </Stack>
  );
}

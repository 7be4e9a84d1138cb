import {
  Anchor,
  Box,
  Button,
  Checkbox,
  Group,
  List,
  Stack,
  Text,
  Textarea,
  ThemeIcon,
} from "@mantine/core";
import { IconAlertTriangle, IconCheck, IconX } from "@tabler/icons-react";
import { useEffect, useRef, useState } from "react";
import { describeMissing } from "../../../../src/domain/wording.ts";
import { isApiError } from "../../api/client.ts";
import type { FieldDef, Item } from "../../api/types.ts";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { isEmptyValue, labelOf } from "./fields.ts";
import { fieldInputId } from "./fields-form.tsx";
import { checklistInputId } from "./item-sections.tsx";
import type { FieldsForm } from "./use-fields-form.ts";

/** Moves focus to an input elsewhere on the page and brings it into view. */
function focusInput(id: string): void {
  const el = document.getElementById(id);
  if (!el) return;
  el.scrollIntoView({ block: "center", behavior: "smooth" });
  el.focus({ preventScroll: true });
}

interface Requirement {
  key: string;
  kind: "field" | "checklist";
  label: string;
  met: boolean;
  /** What to do, as a link to the place where it is done. */
  todo: string;
  target: string;
}

/**
 * What the handoff needs, as one live list ticked off while the sender works: required fields
 * (from the form as typed, saved or not), the step's checklist, and the acceptance criteria the
 * sender confirms here. Each missing entry links to where it is done. A refused handoff marks
 * the same list (no second copy) and the mark clears once nothing is missing any more.
 * Handing off saves unsaved field changes first.
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
  const refusalRef = useRef<HTMLDivElement>(null);
  const refused = isApiError(error, "criteria_not_met");
  useEffect(() => {
    if (refused) refusalRef.current?.focus({ preventScroll: true });
  }, [refused]);
  const readiness = item.readiness;
  if (!readiness) return null;

  // Fields: judged on the form's current values, so typing a value ticks it off at once.
  const requirements: Requirement[] = readiness.requires.map((key) => {
    const f = fields.find((x) => x.key === key);
    const label = f ? labelOf(f) : key;
    return {
      key: `field:${key}`,
      kind: "field",
      label,
      met: f ? !isEmptyValue(f, form.values[key]) && !form.errors[key] : false,
      todo: describeMissing({ kind: "field", field: key, label }, "todo"),
      target: fieldInputId(key),
    };
  });
  for (const c of item.checklist)
    if (!c.optional)
      requirements.push({
        key: `checklist:${c.index}`,
        kind: "checklist",
        label: c.text,
        met: c.done,
        todo: describeMissing({ kind: "checklist", index: c.index, text: c.text }, "todo"),
        target: checklistInputId(c.index),
      });
  const unconfirmed = readiness.criteria.filter((c) => !confirmed.includes(c));
  const missing = requirements.filter((r) => !r.met).length + unconfirmed.length;
  // The refusal holds only while something is still missing.
  const showRefusal = refused && missing > 0;

  return (
    <Stack gap="sm">
      <Text size="sm">
        Hands the item to <b>{toTeamName}</b>. They check the criteria below and accept it or return
        it with a reason.
      </Text>
      <Box
        ref={refusalRef}
        tabIndex={-1}
        role={showRefusal ? "alert" : undefined}
        data-testid="handoff-needs"
        p={showRefusal ? "sm" : 0}
        style={
          showRefusal
            ? {
                border: "1px solid var(--mantine-color-red-7)",
                borderRadius: "var(--mantine-radius-md)",
                background: "var(--mantine-color-red-light)",
                outline: "none",
              }
            : { outline: "none" }
        }
      >
        {showRefusal && (
          <Group gap={6} mb={6} wrap="nowrap">
            <IconAlertTriangle size={18} color="var(--baton-red)" aria-hidden />
            <Text size="sm" fw={700} c="var(--baton-red)">
              Acceptance criteria not met: not handed off yet.
            </Text>
          </Group>
        )}
        {requirements.length > 0 && (
          <List spacing={4} size="sm" aria-label="Requirements" center>
            {requirements.map((r) => (
              <List.Item
                key={r.key}
                icon={
                  <ThemeIcon size={20} radius="xl" color={r.met ? "green.8" : "gray.6"} aria-hidden>
                    {r.met ? <IconCheck size={14} /> : <IconX size={14} />}
                  </ThemeIcon>
                }
              >
                {r.met ? (
                  <Text span size="sm">
                    {r.label}{" "}
                    <Text span size="xs" c="var(--baton-green)" fw={600}>
                      done
                    </Text>
                  </Text>
                ) : (
                  <Anchor
                    component="button"
                    type="button"
                    size="sm"
                    fw={600}
                    onClick={() => focusInput(r.target)}
                    disabled={!editable}
                  >
                    {r.todo}
                  </Anchor>
                )}
              </List.Item>
            ))}
          </List>
        )}
        {readiness.criteria.length > 0 && (
          <Checkbox.Group
            label="Acceptance criteria"
            description="Confirm each one holds; the receiving team checks them."
            value={confirmed}
            onChange={setConfirmed}
            mt="xs"
          >
            <Stack gap={6} mt={6}>
              {readiness.criteria.map((c) => (
                <Checkbox key={c} value={c} label={c} disabled={!editable} />
              ))}
            </Stack>
          </Checkbox.Group>
        )}
        <Text
          size="sm"
          mt="xs"
          c={
            missing > 0
              ? showRefusal
                ? "var(--baton-red)"
                : "var(--baton-orange)"
              : "var(--baton-green)"
          }
          fw={600}
          aria-live="polite"
        >
          {missing > 0
            ? `${missing} still missing${unconfirmed.length > 0 ? ` (${unconfirmed.length} ${unconfirmed.length === 1 ? "criterion" : "criteria"} to confirm)` : ""}.`
            : "Everything is in place: ready to hand off."}
        </Text>
      </Box>
      <Textarea
        label="Note to the receiving team"
        placeholder="Anything they should know (optional)"
        autosize
        minRows={2}
        value={note}
        onChange={(e) => setNote(e.currentTarget.value)}
        disabled={!editable}
      />
      {!refused && <ProblemAlert error={error} />}
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

import {
  Button,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
} from "@mantine/core";
import { optionLabel } from "../../../../src/domain/choice-labels.ts";
import type { FieldDef, User } from "../../api/types.ts";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { FieldValue } from "./field-value.tsx";
import { labelOf } from "./fields.ts";
import { FileFieldInput } from "./file-field.tsx";
import type { FieldsForm as Form } from "./use-fields-form.ts";

/** The DOM id of a field's input, so other parts of the page can lead to it. */
export function fieldInputId(key: string): string {
  return `field-${key}`;
}

function FieldInput({
  field,
  form,
  required,
  users,
  itemKey,
  stored,
}: {
  field: FieldDef;
  form: Form;
  required: boolean;
  users: User[];
  itemKey: string | undefined;
  /** The item's stored values (a file field shows the file it holds). */
  stored: Record<string, unknown>;
}) {
  const value = form.values[field.key];
  const common = {
    label: labelOf(field),
    description: field.help ?? (required ? "Needed for the handoff" : undefined),
    withAsterisk: required,
    error: form.errors[field.key],
    name: field.key,
    // The handoff panel's "Fill in …" links focus the input by this id.
    id: fieldInputId(field.key),
  };
  const text = typeof value === "string" ? value : "";
  switch (field.type) {
    case "file":
      return (
        <FileFieldInput
          field={field}
          itemKey={itemKey}
          value={stored[field.key]}
          required={required}
        />
      );
    case "boolean":
      return (
        <Switch
          id={common.id}
          label={common.label}
          description={common.description}
          checked={value === true}
          onChange={(e) => form.setValue(field.key, e.currentTarget.checked)}
          mt="md"
        />
      );
    case "choice":
      return (
        <Select
          {...common}
          data={(field.options ?? []).map((o) => ({ value: o, label: optionLabel(field, o) }))}
          value={text || null}
          clearable
          placeholder="Choose…"
          onChange={(v) => form.setValue(field.key, v ?? "")}
        />
      );
    case "user":
      return (
        <Select
          {...common}
          data={users.map((u) => ({ value: u.email, label: `${u.name} (${u.email})` }))}
          value={text || null}
          searchable
          clearable
          placeholder="Choose a person…"
          nothingFoundMessage="Nobody by that name"
          onChange={(v) => form.setValue(field.key, v ?? "")}
        />
      );
    case "number":
      return (
        <NumberInput
          {...common}
          value={text}
          onChange={(v) => form.setValue(field.key, String(v))}
        />
      );
    case "date":
      return (
        <TextInput
          {...common}
          type="date"
          value={text}
          onChange={(e) => form.setValue(field.key, e.currentTarget.value)}
        />
      );
    case "url":
      return (
        <TextInput
          {...common}
          type="url"
          inputMode="url"
          placeholder="https://…"
          value={text}
          onChange={(e) => form.setValue(field.key, e.currentTarget.value)}
        />
      );
    default:
      return (
        <TextInput
          {...common}
          value={text}
          onChange={(e) => form.setValue(field.key, e.currentTarget.value)}
        />
      );
  }
}

/** The inputs of a workflow's fields, two columns on wide screens. */
export function FieldInputs({
  fields,
  form,
  requires,
  users,
  itemKey,
  stored = {},
}: {
  fields: FieldDef[];
  form: Form;
  requires: string[];
  users: User[];
  /** The item the inputs edit; none yet in the new-item form. */
  itemKey?: string;
  stored?: Record<string, unknown>;
}) {
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
      {fields.map((f) => (
        <FieldInput
          key={f.key}
          field={f}
          form={form}
          required={requires.includes(f.key)}
          users={users}
          itemKey={itemKey}
          stored={stored}
        />
      ))}
    </SimpleGrid>
  );
}

/**
 * The item's fields: a form for the team that owns the step, a read-only list for others.
 * Like the checklist, fields save as the user goes: a changed field is saved when focus leaves
 * it. A value the server would refuse stays unsaved, marked, until it is fixed or discarded.
 */
export function FieldsForm({
  fields,
  form,
  requires,
  editable,
  users,
  onSave,
  saving,
  error,
  readOnlyValues,
  itemKey,
  hidden = [],
}: {
  fields: FieldDef[];
  form: Form;
  requires: string[];
  editable: boolean;
  users: User[];
  /** Saves the changed fields (called when focus leaves a field). */
  onSave: () => void;
  saving: boolean;
  error: unknown;
  readOnlyValues: Record<string, unknown>;
  itemKey: string;
  /** Fields shown elsewhere on the page (the handoff package), left out of the read-only list. */
  hidden?: string[];
}) {
  if (fields.length === 0)
    return (
      <Text size="sm" c="dimmed">
        This workflow has no fields.
      </Text>
    );
  if (!editable)
    return (
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" component="dl" m={0}>
        {fields
          .filter((f) => !hidden.includes(f.key))
          .map((f) => (
            <div key={f.key}>
              <Text component="dt" size="xs" c="dimmed">
                {labelOf(f)}
              </Text>
              <Text component="dd" m={0} size="sm" style={{ overflowWrap: "anywhere" }}>
                <FieldValue field={f} value={readOnlyValues[f.key]} itemKey={itemKey} />
              </Text>
            </div>
          ))}
      </SimpleGrid>
    );
  const invalid = form.dirty.filter((k) => form.errors[k]).length;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSave();
      }}
      // Focus leaving a field saves it; a blur into another field of the form saves too, so
      // nothing waits for a button.
      onBlurCapture={() => onSave()}
      aria-label="Fields"
      noValidate
    >
      <Stack gap="sm">
        <FieldInputs
          fields={fields}
          form={form}
          requires={requires}
          users={users}
          itemKey={itemKey}
          stored={readOnlyValues}
        />
        <ProblemAlert error={error} />
        <Group gap="sm" mih={30}>
          <Text
            size="sm"
            c={invalid ? "var(--baton-red)" : "dimmed"}
            aria-live="polite"
            data-testid="save-state"
          >
            {saving
              ? "Saving…"
              : invalid
                ? `${invalid} ${invalid === 1 ? "change is" : "changes are"} not saved: fix the marked ${invalid === 1 ? "field" : "fields"}`
                : form.isDirty
                  ? `${form.dirty.length} unsaved ${form.dirty.length === 1 ? "change" : "changes"}`
                  : "Changes save as you go."}
          </Text>
          {form.isDirty && !saving && (
            <Button size="compact-sm" variant="default" onClick={form.reset}>
              Discard changes
            </Button>
          )}
        </Group>
      </Stack>
    </form>
  );
}

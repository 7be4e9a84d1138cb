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
import type { FieldDef, User } from "../../api/types.ts";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { formatValue } from "../../lib/format.ts";
import { labelOf } from "./fields.ts";
import { FileFieldInput, FileLink, type FileRef, isFileRef } from "./file-field.tsx";
import type { FieldsForm as Form } from "./use-fields-form.ts";

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
          data={field.options ?? []}
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

/** The item's fields: a form for the team that owns the step, a read-only list for others. */
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
}: {
  fields: FieldDef[];
  form: Form;
  requires: string[];
  editable: boolean;
  users: User[];
  onSave: () => void;
  saving: boolean;
  error: unknown;
  readOnlyValues: Record<string, unknown>;
  itemKey: string;
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
        {fields.map((f) => (
          <div key={f.key}>
            <Text component="dt" size="xs" c="dimmed">
              {labelOf(f)}
            </Text>
            <Text component="dd" m={0} size="sm" style={{ overflowWrap: "anywhere" }}>
              {isFileRef(readOnlyValues[f.key]) ? (
                <FileLink itemKey={itemKey} file={readOnlyValues[f.key] as FileRef} />
              ) : (
                formatValue(readOnlyValues[f.key])
              )}
            </Text>
          </div>
        ))}
      </SimpleGrid>
    );
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSave();
      }}
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
        <Group gap="sm">
          <Button type="submit" disabled={!form.isDirty || !form.isValid} loading={saving}>
            Save fields
          </Button>
          {form.isDirty && (
            <>
              <Button variant="default" onClick={form.reset}>
                Discard changes
              </Button>
              <Text size="sm" c="dimmed" aria-live="polite">
                {form.dirty.length} unsaved {form.dirty.length === 1 ? "change" : "changes"}
              </Text>
            </>
          )}
        </Group>
      </Stack>
    </form>
  );
}

import { Anchor } from "@mantine/core";
import { optionLabel } from "../../../../src/domain/choice-labels.ts";
import type { FieldDef } from "../../api/types.ts";
import { formatValue } from "../../lib/format.ts";
import { useNames } from "../../lib/names.ts";
import { FileLink, isFileRef } from "./file-field.tsx";

/** Only web addresses become links: a `javascript:` value must never be clickable. */
function isWebLink(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}

/**
 * A field value as people read it: files and links open, people by name, a choice by its
 * label, yes/no, a dash
 * for nothing. Without the field's definition the value shows as text.
 */
export function FieldValue({
  field,
  value,
  itemKey,
}: {
  field: FieldDef | undefined;
  value: unknown;
  /** The item the value belongs to: files download from it. */
  itemKey: string;
}) {
  const names = useNames();
  if (isFileRef(value)) return <FileLink itemKey={itemKey} file={value} />;
  if (field?.type === "url" && typeof value === "string" && isWebLink(value))
    return (
      <Anchor href={value} target="_blank" rel="noopener noreferrer" size="sm" inherit>
        {value}
      </Anchor>
    );
  if (field?.type === "user" && typeof value === "string" && value) return names.person(value);
  if (field?.type === "choice" && typeof value === "string" && value)
    return optionLabel(field, value);
  return formatValue(value);
}

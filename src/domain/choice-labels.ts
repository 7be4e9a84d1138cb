/*
 * What people read for a choice field's value. Import-free, so the web app shows the same words
 * as the server without bundling the workflow schema.
 */

/** A choice's label where the workflow gives one (`{value, label}`), else the value itself. */
export function optionLabel(
  field: { option_labels?: Readonly<Record<string, string>> | undefined } | undefined,
  value: string,
): string {
  return field?.option_labels?.[value] ?? value;
}

import { optionLabel } from "../../../../src/domain/choice-labels.ts";
import type { FieldDef } from "../../api/types.ts";

/*
 * Field values as the form holds them (strings and booleans) and as the API takes them, with
 * the same checks the server makes (src/domain/workflow.ts checkFieldValue), so most mistakes
 * are caught before a round trip. The server stays the judge.
 */

export type FormValue = string | boolean;
export type FormValues = Record<string, FormValue>;

const email = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function isCalendarDate(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === v;
}

function canParseUrl(v: string): boolean {
  try {
    new URL(v);
    return true;
  } catch {
    return false;
  }
}

export function toFormValue(f: FieldDef, v: unknown): FormValue {
  if (f.type === "boolean") return v === true;
  if (v === null || v === undefined) return "";
  // A file field is filled by uploading; the form holds its name (read-only) for the checks.
  if (f.type === "file") return typeof v === "object" && "name" in v ? String(v.name) : "";
  return String(v);
}

/** The API value for a form value: "" clears the field (null). */
export function fromFormValue(f: FieldDef, v: FormValue): unknown {
  if (f.type === "boolean") return v === true;
  const s = String(v).trim();
  if (s === "") return null;
  if (f.type === "number") return Number(s);
  return s;
}

/** A message for a bad value, or null. Empty values are fine here (requirements are separate). */
export function checkValue(f: FieldDef, v: FormValue): string | null {
  if (f.type === "boolean") return null;
  const s = String(v).trim();
  if (s === "") return null;
  switch (f.type) {
    case "text":
      return s.length <= 10_000 ? null : "Use at most 10,000 characters";
    case "number":
      return Number.isFinite(Number(s)) ? null : "Enter a number";
    case "date":
      return isCalendarDate(s) ? null : "Enter a date as YYYY-MM-DD";
    case "url":
      return /^https?:\/\/[^\s]+$/.test(s) && canParseUrl(s)
        ? null
        : "Enter a link starting with http:// or https://";
    case "choice":
      return f.options?.includes(s)
        ? null
        : `Choose one of ${(f.options ?? []).map((o) => optionLabel(f, o)).join(", ")}`;
    case "user":
      return email.test(s) ? null : "Enter the person's e-mail address";
    default:
      return null; // a file: checked by the server on upload
  }
}

/** True when the form value would leave a required field empty. */
export function isEmptyValue(f: FieldDef, v: FormValue | undefined): boolean {
  if (v === undefined) return true;
  if (f.type === "boolean") return false;
  return String(v).trim() === "";
}

export function labelOf(f: FieldDef): string {
  return f.label ?? f.key.replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase());
}

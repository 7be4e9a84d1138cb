import { textProblem } from "./text.ts";
import type { FieldDef } from "./workflow.ts";

/*
 * Files as deliverables: a signed contract, a requirements document. A file is uploaded to an
 * item (optionally into one of its `file` fields, which `requires` can then name); the bytes are
 * stored once and the item's history records what was attached, by whom and when.
 */

/** What an item's history and a `file` field hold about one uploaded file. */
export interface FileRef {
  /** The stored file's id (a UUID); the download path is /items/{key}/files/{file_id}. */
  file_id: string;
  /** The name the uploader's file had, without any directory. */
  name: string;
  /** Bytes. */
  size: number;
  /** The media type the upload declared (checked against the field's `accept`). */
  content_type: string;
  /** Hex SHA-256 of the bytes: what a reader can check a download against. */
  sha256: string;
}

/** A file as an item lists it: what it is, who uploaded it and when. */
export interface StoredFile extends FileRef {
  uploaded_by: string;
  /** ISO instant. */
  uploaded_at: string;
}

/** Limits of files on items (the largest file is the server's BATON_UPLOAD_MAX_BYTES). */
export const FILE_LIMITS = {
  /** Files one item may hold, attached or in fields. */
  perItem: 200,
  /** Characters of a file name. */
  nameLength: 255,
} as const;

const mediaType = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** An `accept` entry of a file field: a media type (`application/pdf`), a family (`image/*`), an extension (`.pdf`). */
export const acceptEntry =
  /^(\.[a-z0-9]{1,16}|[a-z0-9][a-z0-9.+-]{0,126}\/(\*|[a-z0-9][a-z0-9!#$&^_.+-]{0,126}))$/;

/**
 * The name to store for an uploaded file: its last path segment, as sent. Returns the name, or
 * what is wrong with it.
 */
export function cleanFileName(raw: string): { name: string } | { problem: string } {
  const name = raw.split(/[/\\]/).at(-1)?.trim() ?? "";
  if (name === "" || name === "." || name === "..") return { problem: "the file has no name" };
  const problem = textProblem(name);
  if (problem) return { problem: `the file name ${problem}` };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  if (/[\u0000-\u001f\u007f]/.test(name))
    return { problem: "the file name has control characters" };
  if (name.length > FILE_LIMITS.nameLength)
    return { problem: `the file name is longer than ${FILE_LIMITS.nameLength} characters` };
  return { name };
}

/** The media type to record for an upload: the declared one if well-formed, else octet-stream. */
export function cleanMediaType(declared: string | undefined): string {
  const type = (declared ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return mediaType.test(type) ? type : "application/octet-stream";
}

/** Whether a file of this name and media type is one the field accepts; undefined if it is. */
export function acceptProblem(
  field: FieldDef,
  file: Pick<FileRef, "name" | "content_type">,
): string | undefined {
  const accept = field.accept;
  if (!accept || accept.length === 0) return undefined;
  const name = file.name.toLowerCase();
  const type = file.content_type;
  const ok = accept.some((a) =>
    a.startsWith(".")
      ? name.endsWith(a)
      : a.endsWith("/*")
        ? type.startsWith(a.slice(0, -1))
        : type === a,
  );
  return ok ? undefined : `field "${field.key}" accepts only ${accept.join(", ")}`;
}

/** Whether a stored field value is a file reference (what a `file` field holds). */
export function isFileRef(v: unknown): v is FileRef {
  if (typeof v !== "object" || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.file_id === "string" &&
    typeof r.name === "string" &&
    typeof r.size === "number" &&
    typeof r.content_type === "string" &&
    typeof r.sha256 === "string"
  );
}

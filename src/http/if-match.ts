import { DomainError } from "../domain/errors.ts";

/** Parses `If-Match: "7"` (or 7, or W/"7"); `*` and absence mean "any version". */
export function expectedVersion(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const raw = (Array.isArray(header) ? header[0] : header)?.trim() ?? "";
  if (raw === "*") return undefined;
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(raw);
  if (!m?.[1])
    throw new DomainError(
      "invalid_input",
      `If-Match must be an item version such as "7", not ${JSON.stringify(raw)}.`,
      {
        errors: [{ path: "If-Match", message: "must be an item version" }],
      },
    );
  return Number(m[1]);
}

/*
 * CSV for exports (RFC 4180): every cell quoted when it holds a comma, a quote or a line break,
 * quotes doubled, lines ended by CRLF. A spreadsheet runs a cell that starts with = + - @ (or a
 * tab or carriage return) as a formula, so such a cell is prefixed with a single quote
 * (OWASP's guard against CSV injection): a title "=HYPERLINK(…)" shows as text. A negative
 * number written as text gets the quote too; the JSON export keeps values as they are.
 */

/** One cell: null and undefined are empty, objects and arrays their JSON. */
export function csvCell(value: unknown): string {
  let s =
    value === null || value === undefined
      ? ""
      : typeof value === "object"
        ? JSON.stringify(value)
        : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** A whole document: the header line, then one line per row. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((r) => `${r.map(csvCell).join(",")}\r\n`).join("");
}

import { Button } from "@mantine/core";
import { IconDownload } from "@tabler/icons-react";

/** One CSV cell (RFC 4180); text a spreadsheet would run as a formula is quoted, as the API does. */
function cell(v: unknown): string {
  let s = v === null || v === undefined ? "" : String(v);
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Rows as CSV, columns in first-seen order. */
export function toCsv(rows: readonly Record<string, unknown>[]): string {
  const columns: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  return `${[columns.map(cell).join(","), ...rows.map((r) => columns.map((c) => cell(r[c])).join(","))].join("\r\n")}\r\n`;
}

/**
 * A table the page built from several answers (before/after), saved as CSV in the browser: the
 * API's own CSV covers one answer at a time.
 */
export function DownloadCsv({
  name,
  label,
  rows,
}: {
  name: string;
  label: string;
  rows: () => Record<string, unknown>[];
}) {
  return (
    <Button
      variant="subtle"
      size="compact-sm"
      leftSection={<IconDownload size={14} aria-hidden />}
      onClick={() => {
        const url = URL.createObjectURL(new Blob([toCsv(rows())], { type: "text/csv" }));
        const a = document.createElement("a");
        a.href = url;
        a.download = name;
        a.click();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
      }}
    >
      {label}
    </Button>
  );
}

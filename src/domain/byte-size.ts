/*
 * A file's size in words. Import-free, so the CLI and the web app (which bundles this file) say
 * the same "14.2 KB" for the same file.
 */

/** A size in bytes as people read it: 812 B, 14.2 KB, 3.1 MB. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} KB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

import { Anchor, Group, Text } from "@mantine/core";
import { IconDownload } from "@tabler/icons-react";
import { useCsvDownload, usesToken } from "./api.ts";

/**
 * A link to a table as CSV. Signed in with a cookie, a plain link the browser downloads; signed
 * in with an API token (kept in this tab), the file is fetched with the token and saved.
 */
export function CsvLink({ path, name, label }: { path: string; name: string; label: string }) {
  const download = useCsvDownload();
  const href = `/api/v1${path}`;
  return (
    <Group gap={4} wrap="nowrap">
      <IconDownload size={14} aria-hidden />
      <Anchor
        size="sm"
        href={href}
        download={name}
        onClick={(e) => {
          if (!usesToken()) return;
          e.preventDefault();
          download.mutate({ href, name });
        }}
      >
        {label}
      </Anchor>
      {download.isError && (
        <Text size="xs" c="var(--baton-red)" role="alert">
          Could not download: {download.error.message}
        </Text>
      )}
    </Group>
  );
}

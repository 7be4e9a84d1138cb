import { Anchor, Button, FileButton, Group, Input, Stack, Text } from "@mantine/core";
import { IconPaperclip, IconUpload } from "@tabler/icons-react";
import { formatBytes } from "../../../../src/domain/byte-size.ts";
import { authHeaders } from "../../api/client.ts";
import { type ItemFile, useUploadFile } from "../../api/queries.ts";
import type { FieldDef } from "../../api/types.ts";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { labelOf } from "./fields.ts";

/** What a file field holds: the uploaded file's reference. */
export type FileRef = Pick<ItemFile, "file_id" | "name" | "size">;

export function isFileRef(v: unknown): v is FileRef {
  return typeof v === "object" && v !== null && "file_id" in v && "name" in v;
}

/**
 * Downloads one of an item's files. Fetched rather than linked, so it works with a bearer token
 * as well as with the session cookie; the browser saves it under its own name.
 */
async function download(itemKey: string, file: FileRef): Promise<void> {
  const res = await fetch(
    `/api/v1/items/${encodeURIComponent(itemKey)}/files/${encodeURIComponent(file.file_id)}`,
    { headers: authHeaders(), credentials: "same-origin" },
  );
  if (!res.ok) throw new Error(`download failed: ${res.status}`);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = file.name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file's name as a download link, with its size. */
export function FileLink({ itemKey, file }: { itemKey: string; file: FileRef }) {
  return (
    <Group gap={4} wrap="nowrap">
      <IconPaperclip size={14} aria-hidden />
      <Anchor
        component="button"
        type="button"
        size="sm"
        onClick={() => void download(itemKey, file)}
      >
        {file.name}
      </Anchor>
      <Text size="xs" c="dimmed">
        {formatBytes(file.size)}
      </Text>
    </Group>
  );
}

/**
 * A file field in the item's form: the file it holds (a download link) and a button to upload
 * one — at once, like a checklist tick, since a file is not part of "Save fields". Before the item
 * exists (the new-item form) there is nothing to upload to yet.
 */
export function FileFieldInput({
  field,
  itemKey,
  value,
  required,
}: {
  field: FieldDef;
  itemKey: string | undefined;
  value: unknown;
  required: boolean;
}) {
  const upload = useUploadFile(itemKey ?? "");
  const accept = field.accept?.join(",");
  return (
    <Input.Wrapper
      label={labelOf(field)}
      description={field.help ?? (required ? "Needed for the handoff" : undefined)}
      withAsterisk={required}
    >
      <Stack gap={4} mt={4}>
        {isFileRef(value) && itemKey ? (
          <FileLink itemKey={itemKey} file={value} />
        ) : (
          <Text size="sm" c="dimmed">
            {itemKey ? "No file yet" : "Attach the file once the item is created"}
          </Text>
        )}
        {itemKey && (
          <FileButton
            onChange={(file) => file && upload.mutate({ file, field: field.key })}
            {...(accept ? { accept } : {})}
          >
            {(props) => (
              <Button
                {...props}
                size="xs"
                variant="default"
                leftSection={<IconUpload size={14} aria-hidden />}
                loading={upload.isPending}
                aria-label={`${isFileRef(value) ? "Replace" : "Upload"} ${labelOf(field)}`}
                w="fit-content"
              >
                {isFileRef(value) ? "Replace…" : "Upload…"}
              </Button>
            )}
          </FileButton>
        )}
        <ProblemAlert error={upload.error} />
      </Stack>
    </Input.Wrapper>
  );
}

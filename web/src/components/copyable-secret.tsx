import { Button, Code, CopyButton, Group, type GroupProps } from "@mantine/core";

/** A secret shown once (a token, a signing secret): the value, wrapping anywhere, and Copy. */
export function CopyableSecret({
  value,
  testId,
  ...group
}: { value: string; testId: string } & Omit<GroupProps, "children">) {
  return (
    <Group wrap="nowrap" {...group}>
      <Code data-testid={testId} style={{ overflowWrap: "anywhere" }}>
        {value}
      </Code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Button size="compact-sm" variant="light" onClick={copy}>
            {copied ? "Copied" : "Copy"}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}

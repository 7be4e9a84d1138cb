import { Button, Group, Paper, Stack, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { ProblemAlert } from "../../components/problem-alert.tsx";

/**
 * The card a create form of the admin tabs sits in: its title (also the form's name), the
 * fields, what the server refused, and the submit button, which stays disabled until
 * `canSubmit` (so Enter does nothing either).
 */
export function CreateForm({
  title,
  submitLabel,
  canSubmit,
  pending,
  error,
  onSubmit,
  children,
}: {
  title: string;
  submitLabel: string;
  canSubmit: boolean;
  pending: boolean;
  error: unknown;
  onSubmit: () => void;
  children: ReactNode;
}) {
  return (
    <Paper withBorder p="md" radius="md">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (canSubmit) onSubmit();
        }}
        aria-label={title}
      >
        <Stack gap="sm">
          <Title order={2} size="h4">
            {title}
          </Title>
          {children}
          <ProblemAlert error={error} />
          <Group>
            <Button type="submit" loading={pending} disabled={!canSubmit}>
              {submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

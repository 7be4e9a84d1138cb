import { Alert, List, Text } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { describeMissing } from "../../../src/domain/wording.ts";
import { ApiError } from "../api/client.ts";

/**
 * An API error in words: the problem's title and detail, plus what is missing or which inputs
 * are wrong, one per line. Anything else (a bug) shows its message.
 */
export function ProblemAlert({
  error,
  title,
  onClose,
}: {
  error: unknown;
  title?: string;
  onClose?: () => void;
}) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : null;
  const heading = title ?? api?.title ?? "Something went wrong";
  const detail = api ? api.problem.detail : error instanceof Error ? error.message : String(error);
  const missing = api?.missing ?? [];
  const errors = api && missing.length === 0 ? api.fieldErrors : [];
  return (
    <Alert
      color="red"
      variant="light"
      title={heading}
      icon={<IconAlertTriangle aria-hidden />}
      role="alert"
      withCloseButton={!!onClose}
      closeButtonLabel="Dismiss"
      {...(onClose ? { onClose } : {})}
    >
      {missing.length > 0 ? (
        <>
          <Text size="sm">Still needed before this can happen:</Text>
          <List size="sm" mt={4}>
            {missing.map((m) => (
              <List.Item key={JSON.stringify(m)}>{describeMissing(m, "todo")}</List.Item>
            ))}
          </List>
        </>
      ) : (
        <Text size="sm">{detail}</Text>
      )}
      {errors.length > 1 && (
        <List size="sm" mt={4}>
          {errors.map((e) => (
            <List.Item key={`${e.path}:${e.message}`}>
              <Text span ff="monospace" size="sm">
                {e.path}
              </Text>{" "}
              {e.message}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}

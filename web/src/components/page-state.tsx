import { Button, Center, EmptyState, Loader, Skeleton, Stack, Text, Title } from "@mantine/core";
import { IconMoodEmpty } from "@tabler/icons-react";
import { type ReactNode, useEffect } from "react";
import { Link } from "react-router";
import { isApiError } from "../api/client.ts";
import { ProblemAlert } from "./problem-alert.tsx";

/** Sets the tab title: "ONB-12 · Baton". */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Baton` : "Baton";
  }, [title]);
}

/** A page's loading placeholder: the shape of what is coming, announced to screen readers. */
export function PageLoading({ label = "Loading" }: { label?: string }) {
  return (
    <Stack gap="sm" aria-busy="true" aria-label={label}>
      <Skeleton height={28} width="40%" />
      <Skeleton height={64} />
      <Skeleton height={200} />
    </Stack>
  );
}

export function CenteredLoader({ label = "Loading" }: { label?: string }) {
  return (
    <Center h="60vh" role="status" aria-label={label}>
      <Loader />
    </Center>
  );
}

/** An error that stops a page: 404s get the not-found page, the rest the problem in words. */
export function PageError({ error }: { error: unknown }) {
  if (isApiError(error, "not_found")) return <NotFound detail={error.problem.detail} />;
  return (
    <Stack>
      <Title order={1} size="h2">
        This page could not load
      </Title>
      <ProblemAlert error={error} />
    </Stack>
  );
}

/** An empty state that says what belongs here and how it gets here. */
export function Empty({
  title,
  children,
  action,
  icon,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
  icon?: ReactNode;
}) {
  return (
    <EmptyState
      py="xl"
      title={title}
      description={children}
      icon={icon ?? <IconMoodEmpty aria-hidden />}
      withIndicatorBackground
    >
      {action ? <EmptyState.Actions>{action}</EmptyState.Actions> : null}
    </EmptyState>
  );
}

export function NotFound({ detail }: { detail?: string }) {
  useDocumentTitle("Not found");
  return (
    <Stack align="center" py="xl" gap="sm" ta="center">
      <Title order={1}>Nothing here</Title>
      <Text maw={520}>
        {detail ?? "This page does not exist. The link may be old, or the item may have a new key."}
      </Text>
      <Button component={Link} to="/">
        Go to my work
      </Button>
    </Stack>
  );
}

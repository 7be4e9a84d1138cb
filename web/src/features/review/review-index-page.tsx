import { Anchor, List, Stack, Text, Title } from "@mantine/core";
import { Link } from "react-router";
import { useWorkflows } from "../../api/queries.ts";
import { Empty, PageError, PageLoading, useDocumentTitle } from "../../components/page-state.tsx";

/** The review's way in from the navigation: one review page per workflow. */
export default function ReviewIndexPage() {
  useDocumentTitle("Review");
  const workflows = useWorkflows();
  if (workflows.isError) return <PageError error={workflows.error} />;
  if (workflows.isPending) return <PageLoading label="Loading workflows" />;
  return (
    <Stack>
      <div>
        <Title order={1}>Review</Title>
        <Text size="sm" c="dimmed">
          How handoffs go in each workflow: time in limbo, rejections, rework, what both sides say,
          and what to change.
        </Text>
      </div>
      {workflows.data.length === 0 ? (
        <Empty title="No workflows yet">A workflow's review appears once it is published.</Empty>
      ) : (
        <List spacing="xs">
          {workflows.data.map((w) => (
            <List.Item key={w.key}>
              <Anchor component={Link} to={`/workflows/${w.key}/review`}>
                Review of {w.name}
              </Anchor>
            </List.Item>
          ))}
        </List>
      )}
    </Stack>
  );
}

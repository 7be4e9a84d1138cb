import { Button, Group, Paper, Stack, Text, Textarea } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconMessageQuestion } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { z } from "zod";
import type { pendingSurveySchema } from "../../../../src/http/responses.ts";
import { api } from "../../api/client.ts";
import { keys } from "../../api/queries.ts";
import type { Item } from "../../api/types.ts";
import { ProblemAlert } from "../../components/problem-alert.tsx";

/*
 * The two-sided handoff survey, asked on the item page only when the server says this person is
 * due one (GET /items/{key}/survey): the receiver after accepting, the sender once the receiver
 * has finished its step. One click on a score answers (with the comment, if one was typed);
 * Skip means not asked again. Read again whenever the item's version moves, since a command's
 * answer does not say which survey became due.
 */

/** The survey GET /items/{key}/survey says the reader is due, as the server's schema has it. */
type PendingSurvey = NonNullable<z.infer<typeof pendingSurveySchema>["survey"]>;

const SCORE_WORDS = ["", "not at all", "barely", "partly", "mostly", "fully"];

export function SurveyPrompt({
  item,
  teamName,
}: {
  item: Item;
  teamName: (key: string) => string;
}) {
  const qc = useQueryClient();
  const queryKey = [...keys.item(item.key), "survey", item.version];
  const due = useQuery({
    queryKey,
    queryFn: ({ signal }) =>
      api<{ survey: PendingSurvey | null }>(`/items/${encodeURIComponent(item.key)}/survey`, {
        signal,
      }).then((r) => r.survey),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const [comment, setComment] = useState("");
  const survey = due.data ?? null;
  const done = () => {
    setComment("");
    void qc.invalidateQueries({ queryKey: [...keys.item(item.key), "survey"] });
  };
  const answer = useMutation({
    mutationFn: (score: number) =>
      api(`/items/${encodeURIComponent(item.key)}/survey`, {
        method: "POST",
        body: {
          role: survey?.role,
          handoff: survey?.handoff,
          score,
          ...(comment.trim() ? { comment: comment.trim() } : {}),
        },
      }),
    onSuccess: (_, score) => {
      notifications.show({ color: "green", message: `Thanks: your ${score}/5 is recorded.` });
      done();
    },
  });
  const skip = useMutation({
    mutationFn: () =>
      api(`/items/${encodeURIComponent(item.key)}/survey/skip`, {
        method: "POST",
        body: { role: survey?.role, handoff: survey?.handoff },
      }),
    onSuccess: done,
  });
  if (!survey) return null;

  const other = survey.role === "receiver" ? survey.from_team : survey.to_team;
  const intro =
    survey.role === "receiver"
      ? `You accepted this from ${teamName(other)}.`
      : `${teamName(other)} has finished the step you handed this to.`;
  const busy = answer.isPending || skip.isPending;
  return (
    <Paper
      withBorder
      p="md"
      radius="md"
      component="section"
      aria-label="Handoff survey"
      data-testid="survey"
      style={{ borderLeft: "4px solid var(--mantine-color-blue-7)" }}
    >
      <Stack gap="sm">
        <Group gap="xs" wrap="nowrap" align="flex-start">
          <IconMessageQuestion size={20} aria-hidden style={{ flexShrink: 0, marginTop: 2 }} />
          <div>
            <Text size="sm">{intro}</Text>
            <Text fw={600} id={`survey-q-${survey.handoff}`}>
              {survey.question}
            </Text>
          </div>
        </Group>
        <Textarea
          label={survey.comment_question}
          description="Optional; sent with your score."
          value={comment}
          onChange={(e) => setComment(e.currentTarget.value)}
          autosize
          minRows={1}
          maxRows={5}
          maxLength={2000}
        />
        <Group gap="xs" role="group" aria-labelledby={`survey-q-${survey.handoff}`}>
          {[1, 2, 3, 4, 5].map((n) => (
            <Button
              key={n}
              variant="default"
              onClick={() => answer.mutate(n)}
              disabled={busy}
              aria-label={`${n} of 5: ${SCORE_WORDS[n]}`}
              miw={44}
            >
              {n}
            </Button>
          ))}
          <Text size="xs" c="dimmed">
            1 = not at all, 5 = fully
          </Text>
          <Button variant="subtle" onClick={() => skip.mutate()} disabled={busy} ml="auto">
            Skip
          </Button>
        </Group>
        <ProblemAlert error={answer.error ?? skip.error} />
      </Stack>
    </Paper>
  );
}

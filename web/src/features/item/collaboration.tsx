import {
  Badge,
  Button,
  Group,
  Paper,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client.ts";
import { afterItemChange, itemQuery } from "../../api/queries.ts";
import type { Item, Team } from "../../api/types.ts";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { timeAgo } from "../../lib/format.ts";
import { isMemberOf, useMe } from "../auth/session.ts";
import { PersonName } from "./item-sections.tsx";

/*
 * Questions across the boundary: a team asks another without handing the item over. (Handoff
 * meetings live in the handoff record, handoff-record.tsx.)
 */

/** Runs a collaboration call, then refetches the item (these calls answer with the question or
 * meeting, not the item). */
export function useItemCall(item: Item) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({
      path,
      body,
      method = "POST",
    }: {
      path: string;
      body: unknown;
      method?: "POST" | "PUT";
    }) => api(`/items/${encodeURIComponent(item.key)}/${path}`, { method, body }),
    onSuccess: async () => {
      const fresh = await qc.fetchQuery({ ...itemQuery(item.key), staleTime: 0 });
      afterItemChange(qc, fresh);
    },
  });
}

export function QuestionsView({
  item,
  teams,
  teamName,
}: {
  item: Item;
  teams: Team[];
  teamName: (k: string) => string;
}) {
  const me = useMe();
  const call = useItemCall(item);
  const [toTeam, setToTeam] = useState<string | null>(null);
  const [body, setBody] = useState("");
  const [answers, setAnswers] = useState<Record<number, string>>({});
  const questions = item.questions ?? [];
  const closed = item.state === "done" || item.state === "cancelled";
  const mine = new Set(me.teams.map((t) => t.key));
  // Only teams on the item's path ask and are asked (admins may ask any team).
  const onPath = (key: string) =>
    me.admin || !item.question_teams || item.question_teams.includes(key);
  const fromTeam = me.teams.find((t) => item.question_teams?.includes(t.key))?.key;
  const options = teams
    .filter((t) => !mine.has(t.key) && onPath(t.key))
    .map((t) => ({ value: t.key, label: t.name }));
  // A viewer none of whose teams is on the path cannot ask (the server answers not_on_path).
  const canAsk = me.admin || !item.question_teams || fromTeam !== undefined;
  return (
    <Stack gap="sm">
      {questions.length === 0 && (
        <Text size="sm" c="dimmed">
          No questions. Ask another team something here without handing the item over; they see it
          in their work and answer on the item.
        </Text>
      )}
      {questions.map((q) => (
        <Paper key={q.id} withBorder p="sm" radius="md">
          <Group justify="space-between" gap="xs">
            <Text size="xs" c="dimmed">
              {teamName(q.from_team)} asked {teamName(q.to_team)} ·{" "}
              <PersonName email={q.asked_by} /> · {timeAgo(q.asked_at)}
            </Text>
            <Badge size="sm" variant="light" color={q.answer ? "green" : "orange"}>
              {q.answer ? "answered" : "open"}
            </Badge>
          </Group>
          <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
            {q.body}
          </Text>
          {q.answer ? (
            <Text size="sm" mt={4} style={{ whiteSpace: "pre-wrap" }}>
              <b>
                <PersonName email={q.answer.by} />:
              </b>{" "}
              {q.answer.body}
            </Text>
          ) : (
            isMemberOf(me, q.to_team) &&
            !closed && (
              <Group mt="xs" align="flex-end" wrap="nowrap">
                <Textarea
                  label={`Answer for ${teamName(q.to_team)}`}
                  autosize
                  minRows={1}
                  style={{ flex: 1 }}
                  value={answers[q.id] ?? ""}
                  onChange={(e) => {
                    const v = e.currentTarget.value;
                    setAnswers((a) => ({ ...a, [q.id]: v }));
                  }}
                />
                <Button
                  variant="light"
                  disabled={!answers[q.id]?.trim()}
                  loading={call.isPending && call.variables?.path.includes(`/${q.id}/`)}
                  onClick={() =>
                    call.mutate(
                      { path: `questions/${q.id}/answer`, body: { body: answers[q.id]?.trim() } },
                      { onSuccess: () => setAnswers((a) => ({ ...a, [q.id]: "" })) },
                    )
                  }
                >
                  Answer
                </Button>
              </Group>
            )
          )}
        </Paper>
      ))}
      {!closed && !canAsk && (
        <Text size="sm" c="dimmed" data-testid="ask-not-on-path">
          Only teams on this item's path can ask questions about it:{" "}
          {(item.question_teams ?? []).map(teamName).join(", ")}.
        </Text>
      )}
      {!closed && canAsk && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (toTeam && body.trim())
              call.mutate(
                {
                  path: "questions",
                  body: {
                    to_team: toTeam,
                    body: body.trim(),
                    ...(fromTeam ? { from_team: fromTeam } : {}),
                  },
                },
                { onSuccess: () => setBody("") },
              );
          }}
        >
          <Group align="flex-end" wrap="wrap">
            <Select
              label="Ask team"
              data={options}
              value={toTeam}
              onChange={setToTeam}
              placeholder="Team…"
              w={180}
            />
            <TextInput
              label="Question"
              value={body}
              onChange={(e) => setBody(e.currentTarget.value)}
              style={{ flex: 1, minWidth: 200 }}
            />
            <Button type="submit" variant="light" disabled={!toTeam || !body.trim()}>
              Ask
            </Button>
          </Group>
        </form>
      )}
      <ProblemAlert error={call.error} onClose={call.reset} />
    </Stack>
  );
}

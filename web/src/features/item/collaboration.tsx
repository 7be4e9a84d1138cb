import {
  Anchor,
  Badge,
  Button,
  Group,
  NumberInput,
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
import { formatDateTime, timeAgo } from "../../lib/format.ts";
import { isMemberOf, useMe } from "../auth/session.ts";

/*
 * Questions across the boundary (a team asks another without handing the item over) and the
 * handoff meetings some handoffs require before they can be accepted.
 */

/** Runs a collaboration call, then refetches the item (these calls answer with the question or
 * meeting, not the item). */
function useItemCall(item: Item) {
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
  const options = teams
    .filter((t) => !mine.has(t.key))
    .map((t) => ({ value: t.key, label: t.name }));
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
              {teamName(q.from_team)} asked {teamName(q.to_team)} · {q.asked_by} ·{" "}
              {timeAgo(q.asked_at)}
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
              <b>{q.answer.by}:</b> {q.answer.body}
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
      {!closed && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (toTeam && body.trim())
              call.mutate(
                { path: "questions", body: { to_team: toTeam, body: body.trim() } },
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

/** Meetings for the item's handoffs: schedule one, download the invite, record it as held. */
export function MeetingsView({ item }: { item: Item }) {
  const call = useItemCall(item);
  const meetings = item.meetings ?? [];
  const [startsAt, setStartsAt] = useState("");
  const [minutes, setMinutes] = useState<number>(30);
  const [location, setLocation] = useState("");
  const [notes, setNotes] = useState<Record<number, string>>({});
  const closed = item.state === "done" || item.state === "cancelled";
  return (
    <Stack gap="sm">
      {item.handoff?.meeting_required && (
        <Text size="sm" c="orange.9" fw={600}>
          Acceptance waits for the handoff meeting: {item.handoff.meeting_required}.
        </Text>
      )}
      {meetings.map((m) => (
        <Paper key={m.id} withBorder p="sm" radius="md">
          <Group justify="space-between" gap="xs">
            <Text size="sm" fw={600}>
              {formatDateTime(m.starts_at)} · {m.duration_minutes} min
              {m.location ? ` · ${m.location}` : ""}
            </Text>
            <Anchor href={m.ics} size="sm">
              Calendar invite (.ics)
            </Anchor>
          </Group>
          {m.agenda.length > 0 && <Text size="sm">Agenda: {m.agenda.join("; ")}</Text>}
          {m.held ? (
            <Text size="sm" mt={4} style={{ whiteSpace: "pre-wrap" }}>
              <b>Held</b> ({m.held.by}, {formatDateTime(m.held.at)}): {m.held.notes}
            </Text>
          ) : (
            !closed && (
              <Group mt="xs" align="flex-end" wrap="nowrap">
                <Textarea
                  label="Meeting notes"
                  autosize
                  minRows={1}
                  style={{ flex: 1 }}
                  value={notes[m.id] ?? ""}
                  onChange={(e) => {
                    const v = e.currentTarget.value;
                    setNotes((n) => ({ ...n, [m.id]: v }));
                  }}
                />
                <Button
                  variant="light"
                  disabled={!notes[m.id]?.trim()}
                  onClick={() =>
                    call.mutate({
                      path: `meetings/${m.id}/held`,
                      body: { notes: notes[m.id]?.trim() },
                    })
                  }
                >
                  Record as held
                </Button>
              </Group>
            )
          )}
        </Paper>
      ))}
      {!closed && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (!startsAt) return;
            call.mutate({
              path: "meetings",
              body: {
                starts_at: new Date(startsAt).toISOString(),
                duration_minutes: minutes,
                location: location.trim() || null,
              },
            });
          }}
        >
          <Group align="flex-end" wrap="wrap">
            <TextInput
              type="datetime-local"
              label="Meeting at"
              value={startsAt}
              onChange={(e) => setStartsAt(e.currentTarget.value)}
              w={220}
            />
            <NumberInput
              label="Minutes"
              min={5}
              max={480}
              value={minutes}
              onChange={(v) => setMinutes(Number(v) || 30)}
              w={110}
            />
            <TextInput
              label="Where"
              placeholder="Room or video link"
              value={location}
              onChange={(e) => setLocation(e.currentTarget.value)}
              style={{ flex: 1, minWidth: 160 }}
            />
            <Button type="submit" variant="light" disabled={!startsAt}>
              Schedule meeting
            </Button>
          </Group>
        </form>
      )}
      <ProblemAlert error={call.error} onClose={call.reset} />
    </Stack>
  );
}

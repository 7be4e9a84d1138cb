import {
  Anchor,
  Badge,
  Button,
  Group,
  List,
  Modal,
  MultiSelect,
  NumberInput,
  Paper,
  Stack,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconCalendarEvent } from "@tabler/icons-react";
import { type FormEvent, useState } from "react";
import type { HandoffJson, Item, Meeting, Team } from "../../api/types.ts";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { formatDateTime, reasonLabel, toLocalInput } from "../../lib/format.ts";
import { isMemberOf, useMe } from "../auth/session.ts";
import { useItemCall } from "./collaboration.tsx";
import { PersonName } from "./item-sections.tsx";

/*
 * The handoff record: every handoff of the item, oldest first, with what was sent, what the
 * receiving team decided, and the meetings held or planned for it (a meeting belongs to the
 * handoff whose id it carries). Both teams read the same record. Meetings not yet held can be
 * moved or recorded as held with notes and attendance; a new one can be scheduled for the
 * pending handoff or for the one the current step will send.
 */

type TeamName = (k: string) => string;

const outcomeBadge: Record<HandoffJson["outcome"], { label: string; color: string }> = {
  pending: { label: "awaiting decision", color: "orange.9" },
  accepted: { label: "accepted", color: "green.9" },
  rejected: { label: "returned", color: "red.9" },
  withdrawn: { label: "withdrawn", color: "gray.7" },
  cancelled: { label: "cancelled", color: "gray.7" },
};

/** The people a meeting invited: its attendee teams' members and any people named directly. */
function inviteesOf(m: Meeting, teams: Team[]): { value: string; label: string }[] {
  const people = new Map<string, string>();
  for (const a of m.attendees) {
    const team = teams.find((t) => t.key === a);
    if (team) for (const p of team.members) people.set(p.email, p.name);
    else people.set(a, teams.flatMap((t) => t.members).find((p) => p.email === a)?.name ?? a);
  }
  return [...people].map(([value, label]) => ({ value, label }));
}

/** "Sales, Implementation and jo@example.com". */
function listWords(words: string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

function RescheduleDialog({
  item,
  meeting,
  onClose,
}: {
  item: Item;
  meeting: Meeting;
  onClose: () => void;
}) {
  const call = useItemCall(item);
  const [startsAt, setStartsAt] = useState(toLocalInput(meeting.starts_at));
  const [minutes, setMinutes] = useState<number>(meeting.duration_minutes);
  const [location, setLocation] = useState(meeting.location ?? "");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!startsAt) return;
    const at = new Date(startsAt).toISOString();
    call.mutate(
      {
        path: `meetings/${meeting.id}`,
        method: "PUT",
        body: {
          starts_at: at,
          duration_minutes: minutes,
          location: location.trim() || null,
        },
      },
      {
        onSuccess: () => {
          notifications.show({
            message: `Meeting moved to ${formatDateTime(at)}. The calendar invite is updated.`,
            color: "green",
          });
          onClose();
        },
      },
    );
  };
  return (
    <Modal opened onClose={onClose} title="Reschedule the handoff meeting">
      <form onSubmit={submit}>
        <Stack>
          <Text size="sm">
            Now {formatDateTime(meeting.starts_at)}, {meeting.duration_minutes} min. Everyone
            invited gets the same invite with the new time when they download it again.
          </Text>
          <TextInput
            type="datetime-local"
            label="New time"
            required
            value={startsAt}
            onChange={(e) => setStartsAt(e.currentTarget.value)}
            data-autofocus
          />
          <NumberInput
            label="Minutes"
            min={5}
            max={480}
            value={minutes}
            onChange={(v) => setMinutes(Number(v) || meeting.duration_minutes)}
          />
          <TextInput
            label="Where"
            placeholder="Room or video link"
            value={location}
            maxLength={500}
            onChange={(e) => setLocation(e.currentTarget.value)}
          />
          <ProblemAlert error={call.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Back
            </Button>
            <Button type="submit" loading={call.isPending} disabled={!startsAt}>
              Move meeting
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Notes of a held meeting need this many characters besides spaces (as the server checks). */
const MIN_NOTES = 20;

function MeetingCard({
  item,
  meeting: m,
  teams,
  teamName,
  canAct,
  receivingTeam,
}: {
  item: Item;
  meeting: Meeting;
  teams: Team[];
  teamName: TeamName;
  /** Open item and the viewer is on one side of the handoff. */
  canAct: boolean;
  /** The team receiving the handoff: one of its members records the meeting or attends it. */
  receivingTeam: string | null;
}) {
  const me = useMe();
  const call = useItemCall(item);
  const [notes, setNotes] = useState("");
  const [attended, setAttended] = useState<string[]>([]);
  const [moving, setMoving] = useState(false);
  const invitees = inviteesOf(m, teams);
  const nameOf = (email: string) =>
    invitees.find((p) => p.value === email)?.label ??
    teams.flatMap((t) => t.members).find((p) => p.email === email)?.name ??
    email;
  const isTeam = (a: string) => teams.some((t) => t.key === a);
  // The server's rules for a held meeting, said before the click rather than after it.
  const started = Date.parse(m.starts_at) <= Date.now();
  const notesShort = notes.replace(/\s+/gu, "").length < MIN_NOTES;
  const receiverMembers = new Set(
    teams.find((t) => t.key === receivingTeam)?.members.map((p) => p.email) ?? [],
  );
  const needsReceiver =
    !!receivingTeam &&
    !me.teams.some((t) => t.key === receivingTeam) &&
    !attended.some((e) => receiverMembers.has(e));
  const holdProblem = !started
    ? `It can be recorded as held once it has started (${formatDateTime(m.starts_at)}).`
    : needsReceiver
      ? `Name a member of ${teamName(receivingTeam ?? "")} among those who attended, or let one of them record it.`
      : null;
  return (
    <Paper
      withBorder
      p="sm"
      radius="md"
      component="article"
      aria-label={`Meeting ${formatDateTime(m.starts_at)}`}
      data-meeting={m.id}
    >
      <Group justify="space-between" gap="xs" wrap="wrap">
        <Group gap={6} wrap="nowrap" align="flex-start">
          <IconCalendarEvent size={16} aria-hidden style={{ flexShrink: 0, marginTop: 2 }} />
          <Text size="sm" fw={600}>
            {formatDateTime(m.starts_at)} · {m.duration_minutes} min
            {m.location ? ` · ${m.location}` : ""}
          </Text>
          <Badge
            size="sm"
            variant="light"
            color={m.held ? "green" : "blue"}
            style={{ flexShrink: 0 }}
          >
            {m.held ? "held" : "planned"}
          </Badge>
        </Group>
        <Anchor href={m.ics} size="sm">
          Calendar invite (.ics)
        </Anchor>
      </Group>
      <Text size="xs" c="dimmed">
        Scheduled by <PersonName email={m.scheduled_by} />
        {m.sequence > 0 ? ` · moved ${m.sequence === 1 ? "once" : `${m.sequence} times`}` : ""}
        {m.attendees.length > 0
          ? ` · invited: ${listWords(m.attendees.map((a) => (isTeam(a) ? teamName(a) : a)))}`
          : ""}
      </Text>
      {m.agenda.length > 0 && (
        <>
          <Text size="sm" mt={4}>
            Agenda:
          </Text>
          <List size="sm">
            {m.agenda.map((a) => (
              <List.Item key={a}>{a}</List.Item>
            ))}
          </List>
        </>
      )}
      {m.held ? (
        <Stack gap={2} mt="xs">
          <Text size="sm" style={{ whiteSpace: "pre-wrap" }} data-testid="meeting-notes">
            <b>Notes:</b> {m.held.notes}
          </Text>
          <Text size="sm" data-testid="meeting-attendance">
            <b>Attended:</b>{" "}
            {m.held.attended.length > 0 ? listWords(m.held.attended.map(nameOf)) : "not recorded"}
          </Text>
          <Text size="xs" c="dimmed">
            Recorded by <PersonName email={m.held.by} /> · {formatDateTime(m.held.at)}
          </Text>
        </Stack>
      ) : (
        canAct && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (notesShort || holdProblem) return;
              call.mutate(
                {
                  path: `meetings/${m.id}/held`,
                  body: { notes: notes.trim(), attended },
                },
                {
                  onSuccess: () => {
                    setNotes("");
                    setAttended([]);
                  },
                },
              );
            }}
          >
            <Stack gap="xs" mt="xs">
              <Textarea
                label="Meeting notes"
                description={`What was agreed (at least ${MIN_NOTES} characters); both teams see it with the handoff.`}
                autosize
                minRows={2}
                value={notes}
                onChange={(e) => setNotes(e.currentTarget.value)}
              />
              <MultiSelect
                label="Who attended"
                placeholder={attended.length === 0 ? "Choose people…" : undefined}
                data={invitees}
                value={attended}
                onChange={setAttended}
                searchable
              />
              {holdProblem && (
                <Text size="sm" c="var(--baton-orange)" data-testid="hold-problem">
                  {holdProblem}
                </Text>
              )}
              <Group gap="xs">
                <Button
                  type="submit"
                  variant="light"
                  disabled={notesShort || !!holdProblem}
                  loading={call.isPending}
                >
                  Record as held
                </Button>
                <Button variant="default" onClick={() => setMoving(true)}>
                  Reschedule…
                </Button>
              </Group>
            </Stack>
          </form>
        )
      )}
      <ProblemAlert error={call.error} onClose={call.reset} />
      {moving && <RescheduleDialog item={item} meeting={m} onClose={() => setMoving(false)} />}
    </Paper>
  );
}

function ScheduleMeeting({
  item,
  open,
  label,
}: {
  item: Item;
  /** Shown open (acceptance waits for a meeting) rather than behind a button. */
  open: boolean;
  label: string;
}) {
  const call = useItemCall(item);
  const [shown, setShown] = useState(open);
  const [startsAt, setStartsAt] = useState("");
  const [minutes, setMinutes] = useState<number>(30);
  const [location, setLocation] = useState("");
  if (!shown)
    return (
      <Group>
        <Button
          variant="light"
          leftSection={<IconCalendarEvent size={16} aria-hidden />}
          onClick={() => setShown(true)}
          // Long team names wrap on a phone rather than run out of the button.
          h="auto"
          mih={36}
          py={6}
          styles={{ label: { whiteSpace: "normal", textAlign: "left" } }}
        >
          {label}
        </Button>
      </Group>
    );
  return (
    <form
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        if (!startsAt) return;
        call.mutate(
          {
            path: "meetings",
            body: {
              starts_at: new Date(startsAt).toISOString(),
              duration_minutes: minutes,
              location: location.trim() || null,
            },
          },
          {
            onSuccess: () => {
              setStartsAt("");
              setLocation("");
            },
          },
        );
      }}
    >
      <Stack gap="xs">
        <Group align="flex-end" wrap="wrap">
          <TextInput
            type="datetime-local"
            label="Meeting at"
            description="From now to a year ahead"
            value={startsAt}
            min={toLocalInput(new Date().toISOString())}
            max={toLocalInput(new Date(Date.now() + 365 * 86_400_000).toISOString())}
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
            maxLength={500}
            onChange={(e) => setLocation(e.currentTarget.value)}
            style={{ flex: 1, minWidth: 160 }}
          />
          <Button type="submit" variant="light" disabled={!startsAt} loading={call.isPending}>
            Schedule meeting
          </Button>
        </Group>
        <ProblemAlert error={call.error} onClose={call.reset} />
      </Stack>
    </form>
  );
}

/** What the receiving team did with a handoff, in a sentence or two. */
function Decision({ h, teamName }: { h: HandoffJson; teamName: TeamName }) {
  const when = h.decided_at ? ` · ${formatDateTime(h.decided_at)}` : "";
  const by = h.decided_by ?? "";
  switch (h.outcome) {
    case "pending":
      return (
        <Text size="sm">
          Waiting for {teamName(h.to_team)} to accept it or return it with a reason.
        </Text>
      );
    case "accepted":
      return (
        <Text size="sm">
          Accepted by <PersonName email={by} />
          {when}
        </Text>
      );
    case "rejected":
      return (
        <Stack gap={2}>
          <Text size="sm">
            Returned by <PersonName email={by} />
            {when}: {h.reason ? reasonLabel[h.reason] : "no reason given"}
            {h.comment ? ` — “${h.comment}”` : ""}
          </Text>
          {h.failed_criteria.length > 0 && (
            <Text size="sm">Criteria not met: {h.failed_criteria.join("; ")}</Text>
          )}
        </Stack>
      );
    case "withdrawn":
      return (
        <Text size="sm">
          Withdrawn by {by || "the sender"}
          {when}
        </Text>
      );
    case "cancelled":
      return <Text size="sm">Cancelled with the item{when}</Text>;
  }
}

export function HandoffRecord({
  item,
  teams,
  teamName,
  nextHandoff,
}: {
  item: Item;
  teams: Team[];
  teamName: TeamName;
  /** The handoff the current step will send, when it has one (from, to). */
  nextHandoff: { fromTeam: string; toTeam: string } | null;
}) {
  const me = useMe();
  const meetings = item.meetings ?? [];
  const closed = item.state === "done" || item.state === "cancelled";
  const sentIds = new Set(item.handoffs.map((h) => h.id));
  // Meetings scheduled before their handoff was sent carry the id it will have.
  const upcoming = meetings.filter((m) => !sentIds.has(m.handoff));
  const pending = item.handoff;
  const schedulingFor = closed
    ? null
    : pending
      ? { fromTeam: pending.from_team, toTeam: pending.to_team }
      : item.state === "in_progress"
        ? nextHandoff
        : null;
  const onEitherSide = (sides: string[]) => sides.some((t) => isMemberOf(me, t));
  const meetingRequired = pending?.meeting_required ?? null;
  const pendingHasMeeting = !!pending && meetings.some((m) => m.handoff === pending.id);

  return (
    <Stack gap="sm">
      {meetingRequired && (
        <Text size="sm" c="var(--baton-orange)" fw={600}>
          Acceptance waits for the handoff meeting: {meetingRequired}.
        </Text>
      )}
      {item.handoffs.length === 0 && upcoming.length === 0 && (
        <Text size="sm" c="dimmed">
          No handoffs yet. When this item moves to another team, what was sent, the decision and any
          handoff meeting are kept here for both teams.
        </Text>
      )}
      {item.handoffs.map((h, i) => {
        const badge = outcomeBadge[h.outcome];
        const own = meetings.filter((m) => m.handoff === h.id);
        return (
          <Paper
            key={h.id}
            withBorder
            p="sm"
            radius="md"
            component="article"
            aria-labelledby={`handoff-${h.id}`}
            data-handoff={h.id}
          >
            <Group justify="space-between" gap="xs" wrap="wrap">
              <Text size="sm" fw={700} id={`handoff-${h.id}`}>
                Handoff {i + 1}: {teamName(h.from_team)} → {teamName(h.to_team)}
              </Text>
              <Badge size="sm" variant="filled" color={badge.color}>
                {badge.label}
              </Badge>
            </Group>
            <Text size="xs" c="dimmed">
              Sent by <PersonName email={h.submitted_by} /> · {formatDateTime(h.submitted_at)}
            </Text>
            {h.note && (
              <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
                Note: “{h.note}”
              </Text>
            )}
            <Decision h={h} teamName={teamName} />
            {own.length > 0 && (
              <Stack gap="xs" mt="xs">
                {own.map((m) => (
                  <MeetingCard
                    key={m.id}
                    item={item}
                    meeting={m}
                    teams={teams}
                    teamName={teamName}
                    canAct={!closed && onEitherSide([h.from_team, h.to_team])}
                    receivingTeam={h.to_team}
                  />
                ))}
              </Stack>
            )}
          </Paper>
        );
      })}
      {upcoming.length > 0 && (
        <Paper withBorder p="sm" radius="md" component="article" aria-labelledby="handoff-next">
          <Text size="sm" fw={700} id="handoff-next">
            Next handoff
            {nextHandoff
              ? `: ${teamName(nextHandoff.fromTeam)} → ${teamName(nextHandoff.toTeam)}`
              : ""}{" "}
            (not sent yet)
          </Text>
          <Stack gap="xs" mt="xs">
            {upcoming.map((m) => (
              <MeetingCard
                key={m.id}
                item={item}
                meeting={m}
                teams={teams}
                teamName={teamName}
                canAct={
                  !closed &&
                  onEitherSide(
                    nextHandoff ? [nextHandoff.fromTeam, nextHandoff.toTeam] : [item.owner_team],
                  )
                }
                receivingTeam={nextHandoff?.toTeam ?? null}
              />
            ))}
          </Stack>
        </Paper>
      )}
      {schedulingFor && onEitherSide([schedulingFor.fromTeam, schedulingFor.toTeam]) && (
        <ScheduleMeeting
          // A new pending handoff starts a fresh form.
          key={pending?.id ?? "next"}
          item={item}
          open={!!meetingRequired && !pendingHasMeeting}
          label={
            pending
              ? "Schedule a handoff meeting"
              : `Schedule a meeting with ${teamName(schedulingFor.toTeam)}`
          }
        />
      )}
    </Stack>
  );
}

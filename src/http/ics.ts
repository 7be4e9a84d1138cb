import { createEvent } from "ics";
import type { Item, Meeting } from "../domain/item.ts";

/**
 * The iCalendar invite for a handoff meeting. The UID stays the same across reschedules and
 * SEQUENCE counts them, so calendar programs update the event instead of adding another.
 */
export function meetingInvite({
  item,
  meeting,
  attendees,
  baseUrl,
  teamName,
}: {
  item: Item;
  meeting: Meeting;
  attendees: { name: string; email: string }[];
  baseUrl: string;
  teamName: (key: string) => string;
}): string {
  const h = item.handoffs.find((x) => x.id === meeting.handoff);
  const sides = h ? `${teamName(h.fromTeam)} → ${teamName(h.toTeam)}` : teamName(item.ownerTeam);
  const agenda =
    meeting.agenda.length > 0
      ? `\n\nAgenda:\n${meeting.agenda.map((a) => `- ${a}`).join("\n")}`
      : "";
  const { error, value } = createEvent({
    uid: `${item.key.toLowerCase()}-meeting-${meeting.id}@baton`,
    sequence: meeting.sequence,
    productId: "baton/handoff-meetings",
    method: "REQUEST",
    title: `Handoff meeting: ${item.key} ${item.title} (${sides})`,
    description: `Handoff meeting for ${item.key} "${item.title}".${agenda}\n\n${baseUrl}/items/${item.key}`,
    url: `${baseUrl}/items/${item.key}`,
    start: Date.parse(meeting.startsAt),
    startInputType: "utc",
    startOutputType: "utc",
    duration: { minutes: meeting.durationMinutes },
    status: "CONFIRMED",
    ...(meeting.location ? { location: meeting.location } : {}),
    attendees: attendees.map((a) => ({
      name: a.name,
      email: a.email,
      rsvp: true,
      role: "REQ-PARTICIPANT" as const,
    })),
  });
  if (error || !value) throw error ?? new Error("could not build the invite");
  return value;
}

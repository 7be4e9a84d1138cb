import { INSTANT_MESSAGE, parseInstant } from "../dates.ts";
import type { Command, KnownPeople, OpenItemContext } from "../decide.ts";
import { assertNever, DomainError } from "../errors.ts";
import {
  type Handoff,
  type Item,
  type ItemEventBody,
  type Meeting,
  pendingHandoff,
} from "../item.ts";
import { matches, routeHandoff, stepOf, type WorkflowDef } from "../workflow.ts";
import { isMember, requireTeam, requireText, wrongState } from "./rules.ts";

/**
 * The handoff a meeting now would prepare: the pending one, or the one the current step would
 * submit next. Null at a final step or on a closed item.
 */
export function meetingHandoff(
  item: Item,
  def: WorkflowDef,
): { id: number; fromTeam: string; toTeam: string; fromStep: string } | null {
  const pending = pendingHandoff(item);
  if (pending)
    return {
      id: pending.id,
      fromTeam: pending.fromTeam,
      toTeam: pending.toTeam,
      fromStep: pending.fromStep,
    };
  if (item.status !== "in_progress" && item.status !== "paused") return null;
  const step = stepOf(def, item.step);
  const to = routeHandoff(step, item.fields);
  if (!to) return null;
  return {
    id: item.handoffs.length + 1,
    fromTeam: item.ownerTeam,
    toTeam: stepOf(def, to).team,
    fromStep: step.key,
  };
}

/*
 * The meeting gate. A required meeting counts as held only when it had started before it was
 * recorded, its notes say something (MIN_MEETING_NOTES), and the receiving team took part: one of
 * its members recorded it or is among those who attended. Either side may schedule; a meeting
 * cannot be put in the past (beyond clock skew) or more than a year ahead, and it invites only
 * teams and people Baton knows (an invite carries the item's title and agenda: it must not go to
 * a mistyped or outside address).
 *
 * A meeting belongs to the handoff attempt it was scheduled for. A rejection ends that attempt:
 * the receiver refused the package the meeting discussed, so the reworked one needs a meeting of
 * its own. A withdrawal does not: the receiver never decided, so the meetings of an unbroken run
 * of withdrawn attempts over the same edge (same steps) carry over to the next submission.
 */

/** Notes of a held meeting need this many characters besides white space. */
export const MIN_MEETING_NOTES = 20;
/** How far in the past a meeting may be scheduled: clock skew between machines, and "now". */
export const MEETING_PAST_SKEW_MS = 5 * 60_000;
/** How far ahead a meeting may be scheduled. */
export const MEETING_MAX_AHEAD_MS = 365 * 86_400_000;

/** Characters of a text that are not white space. */
function contentLength(text: string): number {
  return text.replace(/\s+/gu, "").length;
}

/**
 * The first handoff attempt whose meetings count for handoff `h`: `h` itself, or the earliest of
 * the withdrawn attempts over the same steps right before it. Attempts are numbered in order,
 * so the meetings that count are those whose handoff id lies in [first, h.id].
 */
function firstAttemptOf(item: Item, h: Handoff): number {
  let first = h.id;
  for (let i = item.handoffs.length - 2; i >= 0; i--) {
    const prev = item.handoffs[i] as Handoff;
    if (prev.outcome !== "withdrawn" || prev.fromStep !== h.fromStep || prev.toStep !== h.toStep)
      break;
    first = prev.id;
  }
  return first;
}

/** Whether a held meeting satisfies the gate for handoff `h` (records of older versions included). */
function countsAsHeld(m: Meeting, h: Handoff): boolean {
  if (!m.held) return false;
  // Records made before the rule was enforced carry no receiving team; their time and notes
  // are still checked, so a meeting "held" before it started never counts.
  return (
    (m.held.receivingTeam === undefined || m.held.receivingTeam === h.toTeam) &&
    m.held.at >= m.startsAt &&
    contentLength(m.held.notes) >= MIN_MEETING_NOTES
  );
}

/** Whether the pending handoff's definition requires a meeting (always, or by its rule). */
function meetingRequired(h: Handoff, def: WorkflowDef): boolean {
  const m = stepOf(def, h.fromStep).handoff?.meeting;
  if (!m) return false;
  return (
    m.required === true || (m.required_when !== undefined && matches(m.required_when, h.package))
  );
}

/** Why the pending handoff cannot be accepted yet for want of a meeting, or null if it can. */
export function meetingBlock(item: Item, def: WorkflowDef): string | null {
  const h = pendingHandoff(item);
  if (!h || !meetingRequired(h, def)) return null;
  const first = firstAttemptOf(item, h);
  let scheduled = false;
  for (const m of item.meetings)
    if (m.handoff >= first && m.handoff <= h.id) {
      if (countsAsHeld(m, h)) return null;
      scheduled = true;
    }
  return scheduled
    ? "the handoff meeting has not been recorded as held with notes"
    : "a handoff meeting is required and none is scheduled";
}

/** The team that receives the handoff meeting `m` prepares (sent or still to be sent). */
function receivingTeamOf(item: Item, def: WorkflowDef, m: Meeting): string | null {
  const sent = item.handoffs.find((x) => x.id === m.handoff);
  if (sent) return sent.toTeam;
  const upcoming = meetingHandoff(item, def);
  return upcoming && upcoming.id === m.handoff ? upcoming.toTeam : null;
}

function checkMeetingTime(value: string, now: Date): string {
  const at = checkInstant(value);
  const t = Date.parse(at);
  const bad = (message: string) =>
    new DomainError("invalid_input", `starts_at ${message}.`, {
      errors: [{ path: "starts_at", message }],
    });
  if (t < now.getTime() - MEETING_PAST_SKEW_MS)
    throw bad("must not be in the past (a meeting is scheduled before it happens)");
  if (t > now.getTime() + MEETING_MAX_AHEAD_MS) throw bad("must be within a year from now");
  return at;
}

/** Each attendee once, e-mails in lower case; every one must be a known team or user. */
function checkAttendees(
  entries: readonly string[],
  known: KnownPeople | undefined,
  path: string,
  { teamsAllowed }: { teamsAllowed: boolean },
): string[] {
  const list = [...new Set(entries.map((e) => (e.includes("@") ? e.trim().toLowerCase() : e)))];
  const errors = list.flatMap((e, i) => {
    if (e.includes("@"))
      return known?.users.has(e) ? [] : [{ path: `${path}[${i}]`, message: `no user ${e}` }];
    if (teamsAllowed && known?.teams.has(e)) return [];
    return [
      {
        path: `${path}[${i}]`,
        message: teamsAllowed ? `no team or user "${e}"` : `"${e}" is not an e-mail of a user`,
      },
    ];
  });
  if (errors.length > 0)
    throw new DomainError(
      "invalid_input",
      `Unknown ${path === "attended" ? "attendee" : "invitee"}: ${errors.map((x) => x.message).join("; ")}.`,
      { errors },
    );
  return list;
}

function checkInstant(value: string): string {
  const t = parseInstant(value);
  if (t === undefined)
    throw new DomainError(
      "invalid_input",
      `"${value}" is not a date and time (ISO 8601, e.g. 2026-03-02T14:00:00Z).`,
      {
        errors: [{ path: "starts_at", message: INSTANT_MESSAGE }],
      },
    );
  return new Date(t).toISOString();
}

function checkDuration(minutes: number): number {
  if (!Number.isInteger(minutes) || minutes < 5 || minutes > 8 * 60)
    throw new DomainError("invalid_input", "A meeting lasts 5 to 480 minutes.", {
      errors: [{ path: "duration_minutes", message: "must be a whole number from 5 to 480" }],
    });
  return minutes;
}

/** Handoff meetings: scheduled by either side, rescheduled, recorded as held (the gate above). */
export function decideMeeting(
  item: Item,
  cmd: Extract<Command, { type: "schedule_meeting" | "reschedule_meeting" | "meeting_held" }>,
  ctx: OpenItemContext,
): ItemEventBody[] {
  const { actor, def, next } = ctx;
  switch (cmd.type) {
    case "schedule_meeting": {
      const h = meetingHandoff(item, def);
      if (!h) throw wrongState(item, `${item.key} has no handoff to meet about.`);
      if (!isMember(actor, h.fromTeam) && !isMember(actor, h.toTeam))
        requireTeam(actor, h.toTeam, item);
      const m = stepOf(def, h.fromStep).handoff?.meeting;
      const startsAt = checkMeetingTime(cmd.startsAt, ctx.now);
      const durationMinutes = checkDuration(cmd.durationMinutes);
      const attendees =
        cmd.attendees === undefined
          ? (m?.attendees ?? [h.fromTeam, h.toTeam])
          : checkAttendees(cmd.attendees, cmd.known, "attendees", { teamsAllowed: true });
      return [
        {
          type: "meeting.scheduled",
          data: {
            meeting: item.meetings.length + 1,
            handoff: h.id,
            startsAt,
            durationMinutes,
            location: cmd.location?.trim() || null,
            attendees,
            agenda: m?.agenda ?? [],
          },
        },
      ];
    }
    case "reschedule_meeting":
    case "meeting_held": {
      const m = item.meetings.find((x) => x.id === cmd.meeting);
      if (!m) throw new DomainError("not_found", `${item.key} has no meeting #${cmd.meeting}.`);
      const h = item.handoffs.find((x) => x.id === m.handoff);
      const receiving = receivingTeamOf(item, def, m) ?? next;
      // Both sides of the handoff it prepares, sent or not (the receiver may book it early).
      const sides = h ? [h.fromTeam, h.toTeam] : [item.ownerTeam, receiving];
      if (!sides.some((t) => isMember(actor, t))) requireTeam(actor, receiving, item);
      if (m.held) throw wrongState(item, `Meeting #${m.id} has already been held.`);
      if (cmd.type === "meeting_held") {
        if (ctx.now.getTime() < Date.parse(m.startsAt))
          throw wrongState(
            item,
            `Meeting #${m.id} starts at ${m.startsAt}; record it as held once it has taken place.`,
          );
        const notes = requireText(cmd.notes, "notes", 20_000);
        if (contentLength(notes) < MIN_MEETING_NOTES)
          throw new DomainError(
            "invalid_input",
            `The notes of a handoff meeting must say what was agreed: at least ${MIN_MEETING_NOTES} characters besides spaces.`,
            {
              errors: [
                {
                  path: "notes",
                  message: `must have at least ${MIN_MEETING_NOTES} characters besides spaces`,
                },
              ],
            },
          );
        const attended = checkAttendees(cmd.attended ?? [], cmd.known, "attended", {
          teamsAllowed: false,
        });
        // The receiving team must have taken part: it is the side a meeting protects. An admin
        // may record it too, but the rule of evidence still holds.
        if (
          !actor.teams.includes(receiving) &&
          !attended.some((e) => cmd.known?.users.get(e)?.includes(receiving))
        )
          throw new DomainError(
            "not_your_team",
            `Only a member of ${receiving} can record this meeting as held, or name one of them among those who attended.`,
            {
              team: receiving,
              errors: [{ path: "attended", message: `must include a member of ${receiving}` }],
            },
          );
        return [
          {
            type: "meeting.held",
            data: { meeting: m.id, notes, attended, receivingTeam: receiving },
          },
        ];
      }
      return [
        {
          type: "meeting.rescheduled",
          data: {
            meeting: m.id,
            startsAt: checkMeetingTime(cmd.startsAt, ctx.now),
            durationMinutes: checkDuration(cmd.durationMinutes ?? m.durationMinutes),
            location: cmd.location === undefined ? m.location : cmd.location?.trim() || null,
          },
        },
      ];
    }
    default:
      return assertNever(cmd, "command");
  }
}

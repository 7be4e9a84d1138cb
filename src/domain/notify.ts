import type { Item, ItemEvent } from "./item.ts";
import { isClosed } from "./item.ts";
import { mentionsIn } from "./mentions.ts";

/*
 * Who is told what. Pure: the worker hands in the event, the item as it is now, the teams and
 * the item's watchers, and gets back each person to tell with the reason (which decides what
 * the line asks of them). One rule holds over all of it: the person who did the thing is never
 * told of it.
 */

/** The item events that tell someone (they reach the outbox): what a webhook may subscribe to. */
export const itemNotificationKinds = [
  "handoff.submitted",
  "handoff.accepted",
  "handoff.rejected",
  "handoff.withdrawn",
  "question.asked",
  "question.answered",
  "item.assigned",
  "comment.added",
  "item.paused",
  "item.resumed",
  "item.completed",
  "item.cancelled",
  "sla.warning",
  "sla.breached",
  "item.stalled",
  "item.changed",
] as const;

/** The kinds of notification a person can choose channels for: those and the weekly review digest. */
export const notificationKinds = [...itemNotificationKinds, "review.digest"] as const;
export type NotificationKind = (typeof notificationKinds)[number];

const kindSet = new Set<string>(notificationKinds);

/** What each kind is, for the preference page. */
export const kindDescriptions: Record<NotificationKind, string> = {
  "handoff.submitted": "work was handed off to a team of yours",
  "handoff.accepted": "a team accepted work you or your team handed off",
  "handoff.rejected": "a team returned work you or your team handed off",
  "handoff.withdrawn": "a handoff to your team was withdrawn",
  "question.asked": "your team was asked a question",
  "question.answered": "your question was answered",
  "item.assigned": "an item was assigned to you",
  "comment.added": "you or your team were @mentioned in a comment",
  "item.paused": "an item you watch was paused",
  "item.resumed": "an item you watch was resumed",
  "item.completed": "an item you watch was completed",
  "item.cancelled": "an item you watch was cancelled",
  "sla.warning": "a service level of your team is about to run out",
  "sla.breached": "a service level was breached (your team, as its lead, or escalated to you)",
  "item.stalled": "work of your team has had no activity for too long (leads)",
  "item.changed": "an item you watch changed owner, state or due date",
  "review.digest":
    "the weekly review of the handoffs in and out of your team: limbo, rejections, bounces, suggestions (leads)",
};

/** Why a person is told; decides what the line asks of them. */
export type Reason =
  | "team"
  | "submitter"
  | "asker"
  | "assignee"
  | "mention"
  | "lead"
  | "escalation"
  | "watcher"
  /** Baton's own notice to the owner of something (a webhook subscription). */
  | "owner";

/** A team as the rules see it. */
export interface NotifyTeam {
  key: string;
  name: string;
  members: readonly { email: string; role: "member" | "lead" }[];
}

// The mention rule lives in its own module, which the web app shares.
export { MENTIONS_MAX, mentionsIn } from "./mentions.ts";

/** Whether an event (with the item before and after it) goes into the outbox, and if watchers hear of it. */
export function notifiable(
  event: ItemEvent,
  before: Item | null,
  after: Item,
): { kind: NotificationKind; watch: boolean } | null {
  const watch =
    before !== null &&
    (before.ownerTeam !== after.ownerTeam ||
      before.status !== after.status ||
      before.due !== after.due);
  if (event.type === "comment.added") {
    const m = mentionsIn(event.data.body);
    return m.people.length + m.teams.length > 0 ? { kind: "comment.added", watch } : null;
  }
  if (kindSet.has(event.type)) return { kind: event.type as NotificationKind, watch };
  // Any other change of owner, state or due date (a field edit that moves the due date) is
  // still news to the watchers.
  return watch ? { kind: "item.changed", watch } : null;
}

/** The people who watch an item: those who asked to, and its creator unless they stopped. */
export function watchersOf(
  item: Pick<Item, "createdBy">,
  rows: readonly { email: string; watching: boolean }[],
): string[] {
  const out = new Set<string>();
  const stopped = new Set(rows.filter((r) => !r.watching).map((r) => r.email));
  if (!stopped.has(item.createdBy)) out.add(item.createdBy);
  for (const r of rows) if (r.watching) out.add(r.email);
  return [...out];
}

/** What the outbox row says beyond the event itself. */
export interface OutboxExtra {
  /** A breach's escalation target: a person's e-mail or a team key. */
  escalate_to?: string | null;
}

/**
 * Who is told of `event`, each once with the most personal reason, never the actor. `teams`
 * resolves team keys; `watchers` are the item's (see watchersOf), told when `watch` is set.
 */
export function recipientsOf({
  event,
  item,
  teams,
  watchers,
  watch,
  extra = {},
}: {
  event: ItemEvent;
  item: Item;
  teams: readonly NotifyTeam[];
  watchers: readonly string[];
  watch: boolean;
  extra?: OutboxExtra | null;
}): { email: string; reason: Reason }[] {
  const teamOf = (key: string | null | undefined) => teams.find((t) => t.key === key);
  const out = new Map<string, Reason>();
  const add = (email: string | null | undefined, reason: Reason) => {
    if (!email) return;
    const e = email.toLowerCase();
    if (!out.has(e)) out.set(e, reason);
  };
  const addTeam = (key: string | null | undefined, reason: Reason) => {
    for (const m of teamOf(key)?.members ?? []) add(m.email, reason);
  };
  const addLeads = (key: string | null | undefined) => {
    for (const m of teamOf(key)?.members ?? []) if (m.role === "lead") add(m.email, "lead");
  };
  const handoff = (id: number) => item.handoffs.find((h) => h.id === id);
  switch (event.type) {
    case "handoff.submitted":
      addTeam(event.data.toTeam, "team");
      break;
    case "handoff.accepted":
    case "handoff.rejected": {
      const h = handoff(event.data.handoff);
      add(h?.submittedBy, "submitter");
      addTeam(h?.fromTeam, "team");
      break;
    }
    case "handoff.withdrawn":
      addTeam(handoff(event.data.handoff)?.toTeam, "team");
      break;
    case "question.asked":
      addTeam(event.data.toTeam, "team");
      break;
    case "question.answered":
      add(item.questions.find((q) => q.id === event.data.question)?.askedBy, "asker");
      break;
    case "item.assigned":
      add(event.data.assignee, "assignee");
      break;
    case "comment.added": {
      const m = mentionsIn(event.data.body);
      for (const p of m.people) add(p, "mention");
      for (const t of m.teams) addTeam(t, "mention");
      break;
    }
    case "sla.warning":
      add(item.assignee, "assignee");
      addTeam(event.data.team, "team");
      break;
    case "sla.breached": {
      const target = extra?.escalate_to;
      if (target?.includes("@")) add(target, "escalation");
      else addTeam(target, "escalation");
      addLeads(event.data.team);
      addTeam(event.data.team, "team");
      break;
    }
    case "item.stalled":
      // The team that must move (the receiver of a handoff awaiting acceptance), not the owner.
      addLeads(event.data.team);
      break;
  }
  if (watch) for (const w of watchers) add(w, "watcher");
  out.delete(event.actor.toLowerCase());
  return [...out].map(([email, reason]) => ({ email, reason }));
}

/** One line of someone's inbox: what happened and what they must do. */
export interface NotificationText {
  title: string;
  action: string;
}

function quote(s: string, max = 140): string {
  const one = s.replace(/\s+/g, " ").trim();
  return `“${one.length > max ? `${one.slice(0, max - 1)}…` : one}”`;
}

/**
 * What a line says to a reader told for `reason`: what happened (`title`) and what they must do
 * (`action`), with `by` (an ISO instant, the item's nearest deadline) when there is one.
 */
export function describe({
  event,
  item,
  reason,
  teamName,
  by,
}: {
  event: ItemEvent;
  item: Item;
  reason: Reason;
  teamName: (key: string) => string;
  by: string | null;
}): NotificationText {
  const what = `${item.key} “${item.title}”`;
  const until = by ? ` by ${by.slice(0, 16).replace("T", " ")} UTC` : "";
  const handoff = (id: number) => item.handoffs.find((h) => h.id === id);
  const watching = "Nothing to do: you watch this item.";
  const forWatcher = (title: string, action: string) => ({
    title,
    action: reason === "watcher" ? watching : action,
  });
  switch (event.type) {
    case "handoff.submitted":
      return forWatcher(
        `${teamName(event.data.fromTeam)} handed off ${what} to ${teamName(event.data.toTeam)}`,
        `Accept or reject it${until}.`,
      );
    case "handoff.accepted": {
      const h = handoff(event.data.handoff);
      return forWatcher(
        `${teamName(h?.toTeam ?? item.ownerTeam)} accepted ${what}`,
        "Nothing to do: it is in their hands now.",
      );
    }
    case "handoff.rejected": {
      const h = handoff(event.data.handoff);
      return forWatcher(
        `${teamName(h?.toTeam ?? "")} returned ${what} (${event.data.reason.replace("_", " ")}): ${quote(event.data.comment)}`,
        `Fix what is missing and hand it off again${until}.`,
      );
    }
    case "handoff.withdrawn": {
      const h = handoff(event.data.handoff);
      return forWatcher(
        `${teamName(h?.fromTeam ?? item.ownerTeam)} withdrew the handoff of ${what}`,
        "Nothing to accept any more.",
      );
    }
    case "question.asked":
      return forWatcher(
        `${teamName(event.data.fromTeam)} asked ${teamName(event.data.toTeam)} about ${what}: ${quote(event.data.body)}`,
        `Answer the question${until}.`,
      );
    case "question.answered":
      return forWatcher(
        `Your question on ${what} was answered: ${quote(event.data.body)}`,
        "Read the answer and carry on.",
      );
    case "item.assigned":
      return forWatcher(
        `${event.actor} assigned ${what} to ${event.data.assignee ?? "nobody"}`,
        `It is yours: work on it${until}.`,
      );
    case "comment.added":
      return forWatcher(
        `${event.actor} mentioned ${reason === "mention" ? "you" : "someone"} on ${what}: ${quote(event.data.body)}`,
        "Read the comment and reply if needed.",
      );
    case "item.paused":
      return { title: `${what} was paused: ${quote(event.data.reason)}`, action: watching };
    case "item.resumed":
      return { title: `${what} was resumed`, action: watching };
    case "item.completed":
      return { title: `${what} is done`, action: watching };
    case "item.cancelled":
      return { title: `${what} was cancelled: ${quote(event.data.reason)}`, action: watching };
    case "sla.warning":
      return forWatcher(
        `${item.key}: ${teamName(event.data.team)} must ${clockWords(event.data.kind)} by ${event.data.dueAt?.slice(0, 16).replace("T", " ") ?? "soon"} UTC (“${item.title}”)`,
        `Act before the deadline${until}.`,
      );
    case "sla.breached":
      return forWatcher(
        `${item.key} breached: ${teamName(event.data.team)} did not ${clockWords(event.data.kind)} in time (“${item.title}”)`,
        reason === "escalation" || reason === "lead"
          ? "Escalated to you: see that it moves now."
          : "Overdue: act now.",
      );
    case "item.stalled":
      return {
        title: `${what} has stalled with ${teamName(event.data.team)}: no activity for ${event.data.stallAfter} of business time`,
        action: "Find out why it is stuck and unblock it.",
      };
    default: {
      return {
        title: `${what} changed: ${isClosed(item.status) ? item.status : `now with ${teamName(item.ownerTeam)}`}`,
        action: watching,
      };
    }
  }
}

const clockWords = (kind: string): string =>
  ({
    complete: "finish its step",
    accept: "accept or reject the handoff",
    answer: "answer the question",
    due: "finish the item by its due date",
  })[kind] ?? "act";

/** The channels a person may choose per kind. */
export const personalChannels = ["inbox", "email"] as const;
export type PersonalChannel = (typeof personalChannels)[number];

/** A person's notification preferences. */
export interface NotificationPreferences {
  /** Where each kind goes; a kind left out goes to both. */
  channels: Partial<Record<NotificationKind, PersonalChannel[]>>;
  /** Workflows (keys) whose items tell this person nothing. */
  muted_workflows: string[];
  /** Collect e-mail into one daily digest instead of a mail per notification. */
  email_digest: boolean;
  /** The hour (UTC, 0–23) the daily digest goes out. */
  digest_hour_utc: number;
}

export const defaultPreferences: NotificationPreferences = {
  channels: {},
  muted_workflows: [],
  email_digest: false,
  digest_hour_utc: 8,
};

/** How one notification reaches one person under their preferences. */
export function routeFor(
  prefs: NotificationPreferences,
  { kind, workflow }: { kind: string; workflow: string },
): { inbox: boolean; email: "now" | "digest" | "no" } {
  if (prefs.muted_workflows.includes(workflow)) return { inbox: false, email: "no" };
  const chosen = prefs.channels[kind as NotificationKind] ?? personalChannels;
  const email = chosen.includes("email") ? (prefs.email_digest ? "digest" : "now") : "no";
  return { inbox: chosen.includes("inbox"), email };
}

import type { ItemEventBody, RejectReason } from "./item.ts";

/*
 * The words Baton uses for what a handoff still needs and for what happened to an item, in one
 * module that the server, the CLI and the web app all use. No runtime imports (the one import
 * above is of types and is erased), so the web app bundles this file alone, as it does
 * mentions.ts: a new kind of gap or a new event type is worded here once, for every client.
 *
 * Each client keeps its own register where they differ on purpose:
 * - the server's error detail says gaps inline (`field "Contract"; checklist item "…"`);
 * - the CLI lists them one per line (`field: Contract`) and logs events tersely with keys and
 *   ids (`handed off #1: sell (sales) → implement (implementation)`);
 * - the web app asks for what to do (`Fill in “Contract”`) and tells events in sentences with
 *   display names (`handed it off from Sales to Implementation`).
 */

/** One gap that blocks a handoff. */
export type MissingItem =
  | { kind: "field"; field: string; label: string }
  | { kind: "checklist"; index: number; text: string }
  | { kind: "criterion"; criterion: string };

/**
 * How a gap is worded: `inline` in the server's error detail (joined with "; "), `line` as the
 * CLI's list entry, `todo` as the web app's instruction.
 */
export type MissingStyle = "inline" | "line" | "todo";

/** One gap that blocks a handoff, in words: `field "Signed contract"`, `field: Signed contract`, `Fill in “Signed contract”`. */
export function describeMissing(m: MissingItem, style: MissingStyle): string {
  switch (m.kind) {
    case "field":
      return style === "inline"
        ? `field "${m.label}"`
        : style === "line"
          ? `field: ${m.label}`
          : `Fill in “${m.label}”`;
    case "checklist":
      return style === "inline"
        ? `checklist item "${m.text}"`
        : style === "line"
          ? `checklist: ${m.text}`
          : `Tick “${m.text}”`;
    case "criterion":
      return style === "inline"
        ? `criterion "${m.criterion}" not confirmed`
        : style === "line"
          ? `criterion not confirmed: ${m.criterion}`
          : `Confirm “${m.criterion}”`;
    default: {
      // A newer server may report kinds an older client does not know; show them rather than fail.
      const unknown: never = m;
      return JSON.stringify(unknown);
    }
  }
}

/** A rejection's reason as people read it. */
export const rejectReasonLabel: Record<RejectReason, string> = {
  incomplete: "Incomplete",
  incorrect: "Incorrect",
  wrong_team: "Wrong team",
  other: "Other",
};

/** What a team's clock asks of it, to end a sentence: "2 h left to accept or reject". */
export const clockPurpose: Record<"complete" | "accept" | "answer" | "due", string> = {
  complete: "to finish the step",
  accept: "to accept or reject",
  answer: "to answer",
  // Only read for the clocks of teams; the item's own due date is worded apart.
  due: "for the due date",
};

/** An event as the API lists it (GET /items/{key}/events). */
export type EventEntry = ItemEventBody & { seq: number };

/**
 * How a client tells events. `log` is the CLI's timeline: keys, ids, values and every detail.
 * `sentence` is the web app's: what someone did, with the names the reader knows (each name
 * function defaults to showing the key).
 */
export interface EventWording {
  style: "log" | "sentence";
  /** An instant as this client shows it. */
  time: (iso: string) => string;
  /** A field value as this client shows it (`log` only; plain `String` if not given). */
  value?: (v: unknown) => string;
  /** A size in bytes (`log` only; `812 B` if not given). */
  bytes?: (n: number) => string;
  team?: (key: string) => string;
  step?: (key: string) => string;
  /** A field's label. */
  field?: (key: string) => string;
  /** A person's name, by e-mail. */
  person?: (email: string) => string;
}

const same = (s: string) => s;

/** One event of an item's timeline in words, without who did it and when (the client shows those). */
export function describeEvent(e: EventEntry, w: EventWording): string {
  const log = w.style === "log";
  const team = w.team ?? same;
  const step = w.step ?? same;
  const label = w.field ?? same;
  const person = w.person ?? same;
  const value = w.value ?? String;
  const bytes = w.bytes ?? ((n: number) => `${n} B`);
  switch (e.type) {
    case "item.created": {
      const d = e.data;
      return log
        ? `created "${d.title}" (${d.workflow} v${d.workflowVersion}) at ${d.step}, team ${d.team}`
        : `created the item at “${step(d.step)}” for ${team(d.team)}`;
    }
    case "item.fields_updated": {
      const changes = Object.entries(e.data.changes ?? {});
      return log
        ? `set ${changes.map(([k, v]) => (v === null ? `${k} (cleared)` : `${k} = ${value(v)}`)).join(", ")}`
        : `changed ${changes.map(([k]) => label(k)).join(", ")}`;
    }
    case "checklist.updated": {
      const ticked = e.data.done ? "ticked" : "unticked";
      return log ? `${ticked} "${e.data.text}" (${e.data.step})` : `${ticked} “${e.data.text}”`;
    }
    case "item.assigned":
      if (log) return e.data.assignee ? `assigned to ${e.data.assignee}` : "unassigned";
      return e.data.assignee ? `assigned it to ${person(e.data.assignee)}` : "unassigned it";
    case "comment.added":
      return log ? `commented (#${e.seq}): ${e.data.body}` : "commented";
    case "comment.edited":
      return log ? `edited comment #${e.data.comment}: ${e.data.body}` : "comment edited";
    case "comment.deleted":
      return log ? `deleted comment #${e.data.comment}` : "comment deleted";
    case "item.edited": {
      if (!log) return "item edited";
      const { title, due } = e.data.changes;
      const parts = [
        ...(title === undefined ? [] : [`the title to "${title}"`]),
        ...(due === undefined
          ? []
          : [due === null ? "the due date (cleared)" : `the due date to ${w.time(due)}`]),
      ];
      return `changed ${parts.join(" and ")}`;
    }
    case "item.reopened":
      return log
        ? `reopened at ${e.data.step} (${e.data.team}): ${e.data.reason}`
        : "item reopened";
    case "item.migrated":
      return log
        ? `moved to workflow version ${e.data.toVersion} (from ${e.data.fromVersion})`
        : "item migrated";
    case "file.attached": {
      const d = e.data;
      if (log) return `attached ${d.name} (${bytes(d.size)})${d.field ? ` as ${d.field}` : ""}`;
      return d.field ? `attached “${d.name}” as ${label(d.field)}` : `attached “${d.name}”`;
    }
    case "handoff.submitted": {
      const d = e.data;
      if (!log) return `handed it off from ${team(d.fromTeam)} to ${team(d.toTeam)}`;
      const note = d.note ? `; note: ${d.note}` : "";
      return `handed off #${d.handoff}: ${d.fromStep} (${d.fromTeam}) → ${d.toStep} (${d.toTeam})${note}`;
    }
    case "handoff.withdrawn":
      return log ? `withdrew handoff #${e.data.handoff}` : "withdrew the handoff";
    case "handoff.accepted": {
      const a = e.data.assignee;
      if (log) return `accepted handoff #${e.data.handoff}${a ? `, assigned to ${a}` : ""}`;
      return a ? `accepted the handoff, assigned to ${person(a)}` : "accepted the handoff";
    }
    case "handoff.rejected": {
      const d = e.data;
      if (!log) return `returned it: ${rejectReasonLabel[d.reason] ?? d.reason} — “${d.comment}”`;
      const failed =
        d.failedCriteria.length > 0 ? ` (failed: ${d.failedCriteria.join(" · ")})` : "";
      return `rejected handoff #${d.handoff}: ${d.reason}, "${d.comment}"${failed}`;
    }
    case "item.completed":
      return "completed the item";
    case "item.cancelled":
      return log ? `cancelled: ${e.data.reason}` : `cancelled it: ${e.data.reason}`;
    case "item.paused":
      return log ? `paused: ${e.data.reason}` : `paused it: ${e.data.reason}`;
    case "item.resumed":
      return log ? "resumed" : "resumed work";
    case "question.asked":
      return log
        ? `asked ${e.data.toTeam} (question #${e.data.question}): ${e.data.body}`
        : `asked ${team(e.data.toTeam)}: “${e.data.body}”`;
    case "question.answered":
      return log
        ? `answered question #${e.data.question}: ${e.data.body}`
        : `answered: “${e.data.body}”`;
    case "meeting.scheduled": {
      const d = e.data;
      if (!log) return `scheduled a handoff meeting for ${w.time(d.startsAt)}`;
      return `scheduled handoff meeting #${d.meeting} for ${w.time(d.startsAt)} (${d.durationMinutes} min)${d.location ? ` at ${d.location}` : ""}`;
    }
    case "meeting.rescheduled":
      return log
        ? `moved meeting #${e.data.meeting} to ${w.time(e.data.startsAt)}`
        : `moved the handoff meeting to ${w.time(e.data.startsAt)}`;
    case "meeting.held":
      return log
        ? `held meeting #${e.data.meeting}: ${e.data.notes}`
        : "recorded the handoff meeting as held";
    case "sla.warning":
    case "sla.breached": {
      const d = e.data;
      const warning = e.type === "sla.warning";
      if (log)
        return warning
          ? `warning: the ${d.clock} clock of ${d.team} (${d.step}) is due ${w.time(d.dueAt ?? "")}`
          : `BREACHED: the ${d.clock} clock of ${d.team} (${d.step}) was due ${w.time(d.dueAt ?? "")}`;
      if (d.kind === "due")
        return warning
          ? "warned that the item is nearly due"
          : "recorded that the item passed its due date";
      const purpose = clockPurpose[d.kind as keyof typeof clockPurpose] ?? "";
      return (
        warning
          ? `warned that ${team(d.team)} is close to its deadline ${purpose}`
          : `recorded that ${team(d.team)} missed its deadline ${purpose}`
      ).trimEnd();
    }
    case "item.stalled":
      return log
        ? `STALLED: nothing happened since ${w.time(e.data.since)} (${e.data.team}, ${e.data.step}; stall_after ${e.data.stallAfter})`
        : `recorded that nothing had happened with ${team(e.data.team)} for ${e.data.stallAfter} of its working time`;
    default: {
      // A newer server may log event types an older client does not know; show them rather than fail.
      const unknown: never = e;
      const { type, data } = unknown as { type: string; data: unknown };
      return log ? `${type} ${JSON.stringify(data)}` : type.replace(/[._]/g, " ");
    }
  }
}

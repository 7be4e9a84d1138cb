import type { Clock } from "../domain/clocks.ts";
import type { CurrentComment } from "../domain/comments.ts";
import { meetingBlock } from "../domain/decide/meetings.ts";
import { pathTeams } from "../domain/decide/questions.ts";
import { missingForHandoff } from "../domain/decide/rules.ts";
import type { Handoff, Item, ItemEvent, Meeting, Question } from "../domain/item.ts";
import { activeAt, pendingHandoff } from "../domain/item.ts";
import { describeNext, type NextAction, stepPath } from "../domain/next-action.ts";
import type { Reason } from "../domain/notify.ts";
import { routeHandoff, stepOf, type WorkflowDef } from "../domain/workflow.ts";
import type { Team, User } from "../engine/directory.ts";
import type { ItemView } from "../engine/items.ts";
import type { MiningJob } from "../engine/mining-jobs.ts";
import type { View } from "../engine/views.ts";
import type { DeliveryRow, NotificationRow } from "../store/notifications.ts";

/*
 * The one place that turns domain objects into the JSON the API promises (snake_case).
 */

type TeamName = (key: string) => string;

function presentHandoff(h: Handoff, def: WorkflowDef) {
  return {
    id: h.id,
    from_step: h.fromStep,
    from_team: h.fromTeam,
    to_step: h.toStep,
    to_team: h.toTeam,
    submitted_by: h.submittedBy,
    submitted_at: h.submittedAt,
    note: h.note,
    criteria: stepOf(def, h.fromStep).handoff?.criteria ?? [],
    confirmed: h.confirmed,
    package: h.package,
    outcome: h.outcome,
    decided_by: h.decidedBy,
    decided_at: h.decidedAt,
    reason: h.reason,
    comment: h.comment,
    failed_criteria: h.failedCriteria,
  };
}

/**
 * Who moves next and what they must do. `can_accept` says whether accepting would succeed now;
 * `blocked_by` says why not while a required handoff meeting is not held (clients show it
 * instead of offering an accept that fails).
 */
function presentNext(next: NextAction | null, teamName: TeamName) {
  return next
    ? {
        team: next.team,
        team_name: teamName(next.team),
        action: next.action,
        can_accept: next.canAccept,
        blocked_by: next.blockedBy,
      }
    : null;
}

/** One service-level clock as item JSON carries it (the fields in the API's order). */
export function presentClock(c: Clock) {
  return {
    id: c.id,
    kind: c.kind,
    step: c.step,
    team: c.team,
    handoff: c.handoff,
    limit: c.limit,
    limit_s: c.limitSeconds,
    wall: c.wall,
    elapsed_s: c.elapsedSeconds,
    remaining_s: c.remainingSeconds,
    state: c.state,
    started_at: c.startedAt,
    due_at: c.dueAt,
    warn_at_s: c.warnSeconds,
    ended_at: c.endedAt,
    ended_by: c.endedBy,
    escalate_to: c.escalateTo,
  };
}

/** The nearest deadline among the clocks still counting, and the worst state among them. */
function deadlineOf(clocks: readonly Clock[]) {
  const open = clocks.filter((c) => c.endedAt === null);
  const next = open
    .filter((c) => c.dueAt !== null)
    .sort((a, b) => (a.dueAt as string).localeCompare(b.dueAt as string))[0];
  const worst = open.some((c) => c.state === "breached")
    ? "breached"
    : open.some((c) => c.state === "warning")
      ? "warning"
      : open.length > 0
        ? "ok"
        : null;
  return {
    next_deadline: next
      ? { kind: next.kind, team: next.team, due_at: next.dueAt, state: next.state }
      : null,
    sla: worst,
  };
}

export function presentItem(
  { item, def }: ItemView,
  teamName: TeamName,
  clocks: readonly Clock[] = [],
) {
  const step = stepOf(def, item.step);
  const ticks = item.checklists[item.step] ?? [];
  const next = describeNext(item, def, teamName);
  const pending = pendingHandoff(item);
  const readiness =
    item.status === "in_progress" && step.handoff
      ? {
          to_step: routeHandoff(step, item.fields) ?? null,
          criteria: step.handoff.criteria ?? [],
          requires: step.handoff.requires ?? [],
          missing: missingForHandoff(item, step, def, step.handoff.criteria ?? []),
        }
      : null;
  return {
    key: item.key,
    title: item.title,
    workflow: item.workflow,
    workflow_version: item.workflowVersion,
    state: item.status,
    step: item.step,
    step_name: step.name ?? step.key,
    is_final_step: !step.handoff,
    step_since: item.stepSince,
    owner_team: item.ownerTeam,
    next: presentNext(next, teamName),
    assignee: item.assignee,
    fields: item.fields,
    checklist: step.checklist.map((c, index) => ({
      index,
      text: c.text,
      optional: c.optional,
      done: ticks[index] ?? false,
    })),
    handoff: pending
      ? { ...presentHandoff(pending, def), meeting_required: meetingBlock(item, def) }
      : null,
    readiness,
    returned: item.returned
      ? {
          handoff: item.returned.handoff,
          reason: item.returned.reason,
          comment: item.returned.comment,
          by: item.returned.by,
          at: item.returned.at,
          from_team: item.returned.fromTeam,
          failed_criteria: item.returned.failedCriteria,
        }
      : null,
    rework: item.rework,
    paused: item.paused,
    closed: item.closed,
    // Each handoff's record carries its meetings (notes, attendance), which both teams see.
    handoffs: item.handoffs.map((h) => ({
      ...presentHandoff(h, def),
      meetings: item.meetings.filter((m) => m.handoff === h.id).map((m) => presentMeeting(item, m)),
    })),
    path: stepPath(item, def),
    teams: item.teams,
    // The teams that may ask or be asked questions about the item (admins may ask any).
    question_teams: pathTeams(item, def),
    comments: item.comments,
    due: item.due,
    clocks: clocks.map(presentClock),
    ...deadlineOf(clocks),
    alerts: item.alerts,
    questions: item.questions.map((q) => presentQuestionOf(q, clocks)),
    meetings: item.meetings.map((m) => presentMeeting(item, m)),
    version: item.version,
    created_at: item.createdAt,
    created_by: item.createdBy,
    updated_at: item.updatedAt,
    active_at: activeAt(item),
    stalled: item.stalled
      ? {
          at: item.stalled.at,
          since: item.stalled.since,
          step: item.stalled.step,
          team: item.stalled.team,
          stall_after: item.stalled.stallAfter,
        }
      : null,
  };
}

export type ItemJson = ReturnType<typeof presentItem>;
/** One line of GET /items and of a team queue (the routes add `risk`; a lean read leaves out `clocks`). */
export type ItemSummaryJson = ReturnType<typeof presentItemSummary>;

export function presentQuestion(q: Question) {
  return {
    id: q.id,
    from_team: q.fromTeam,
    to_team: q.toTeam,
    body: q.body,
    asked_by: q.askedBy,
    asked_at: q.askedAt,
    answer: q.answer,
    state: q.answer ? ("answered" as const) : ("open" as const),
  };
}

/** A question with its answer-by time, from the item's clocks. */
export function presentQuestionOf(q: Question, clocks: readonly Clock[]) {
  return {
    ...presentQuestion(q),
    due_at: clocks.find((c) => c.id === `answer:${q.id}`)?.dueAt ?? null,
  };
}

export function presentMeeting(item: Item, m: Meeting) {
  return {
    id: m.id,
    handoff: m.handoff,
    starts_at: m.startsAt,
    duration_minutes: m.durationMinutes,
    location: m.location,
    attendees: m.attendees,
    agenda: m.agenda,
    scheduled_by: m.scheduledBy,
    sequence: m.sequence,
    held: m.held,
    ics: `/api/v1/items/${item.key}/meetings/${m.id}.ics`,
  };
}

/** A compact line for lists and queues. */
export function presentItemSummary(
  view: ItemView,
  teamName: TeamName,
  clocks: readonly Clock[] = [],
) {
  const { item, def } = view;
  const next = describeNext(item, def, teamName);
  const pending = pendingHandoff(item);
  return {
    key: item.key,
    title: item.title,
    workflow: item.workflow,
    state: item.status,
    step: item.step,
    step_name: stepOf(def, item.step).name ?? item.step,
    // The receiver's queue names the step it will take on, not the sender's.
    to_step_name: pending ? (stepOf(def, pending.toStep).name ?? pending.toStep) : null,
    owner_team: item.ownerTeam,
    next: presentNext(next, teamName),
    assignee: item.assignee,
    rework: Object.values(item.rework).reduce((a, b) => a + b, 0),
    due: item.due,
    clocks: clocks.map(presentClock),
    ...deadlineOf(clocks),
    open_questions: item.questions
      .filter((q) => !q.answer)
      .map((q) => ({ id: q.id, from_team: q.fromTeam, to_team: q.toTeam, body: q.body })),
    version: item.version,
    created_at: item.createdAt,
    updated_at: item.updatedAt,
  };
}

/** Where a stalled item sits and for how long (see stallOf). */
export function presentStall(
  item: Item,
  def: WorkflowDef,
  stalledAt: string,
  teamName: TeamName,
  now: number,
) {
  const stall = item.stalled;
  const since = stall?.since ?? item.updatedAt;
  const step = stall?.step ?? item.step;
  const team = stall?.team ?? item.ownerTeam;
  return {
    since,
    at: stall?.at ?? stalledAt,
    step,
    step_name: def.steps.find((s) => s.key === step)?.name ?? step,
    team,
    team_name: teamName(team),
    stall_after: stall?.stallAfter ?? "",
    idle_s: Math.max(0, Math.floor((now - Date.parse(since)) / 1000)),
  };
}

/**
 * One event as GET /items/{key}/events lists it: the stored event and its seq, each type with
 * its own data (presentEvent passes it on unchanged). The CLI and the web app read this type.
 */
export type EventJson = ItemEvent & { seq: number };

export function presentEvent(e: EventJson) {
  return { seq: e.seq, type: e.type, actor: e.actor, at: e.at, data: e.data };
}

/** A comment with its latest text (see domain/comments.ts). */
export function presentComment(c: CurrentComment) {
  return { seq: c.seq, author: c.author, at: c.at, body: c.body, edited_at: c.editedAt };
}

/** A saved view: its filters are a query string of GET /items. */
export function presentView(v: View) {
  return {
    id: v.id,
    name: v.name,
    owner: v.ownerEmail,
    team: v.team,
    query: v.query,
    created_at: v.createdAt,
  };
}

export function presentUser(u: User) {
  return { email: u.email, name: u.name, admin: u.isAdmin, teams: u.teams };
}

export function presentTeam(t: Team) {
  return { key: t.key, name: t.name, members: t.members };
}

/** A mining job: progress, and the report or the error once it ends. */
export function presentMiningJob(job: MiningJob) {
  return {
    id: job.id,
    state: job.state,
    name: job.name,
    progress: {
      bytes_read: job.bytesRead,
      bytes_total: job.bytesTotal,
      share: job.bytesTotal === 0 ? 0 : Math.round((job.bytesRead / job.bytesTotal) * 1000) / 1000,
    },
    created_at: job.createdAt.toISOString(),
    finished_at: job.finishedAt?.toISOString() ?? null,
    result: job.result as Record<string, unknown> | null,
    import: job.import && {
      workflow: job.import.workflow,
      version: job.import.version,
      import_id: job.import.importId,
      phase: job.import.phase,
      cases_total: job.import.casesTotal,
      cases_done: job.import.casesDone,
      cases_imported: job.import.casesImported,
      cases_present: job.import.casesPresent,
      cases_without_step: job.import.casesWithoutStep,
      events: job.import.events,
      teams: job.import.teams,
      period: job.import.period,
    },
    error: job.error,
    href: `/api/v1/mining/jobs/${job.id}`,
  };
}

/** One inbox line. */
export function presentNotification(n: NotificationRow) {
  return {
    id: n.id,
    kind: n.kind,
    reason: n.reason as Reason,
    item: n.itemKey,
    title: n.title,
    action: n.action,
    due_at: n.dueAt,
    actor: n.actor,
    created_at: n.createdAt,
    read: n.readAt !== null,
    read_at: n.readAt,
    url: n.itemKey
      ? `/items/${encodeURIComponent(n.itemKey)}`
      : n.kind === "review.digest"
        ? "/review"
        : null,
  };
}

/** One delivery with its log. */
export function presentDelivery(d: DeliveryRow) {
  return {
    id: d.id,
    idempotency_id: d.idempotencyId,
    channel: d.channel,
    target: d.target,
    kind: d.kind,
    item: d.itemKey,
    status: d.status,
    attempts: d.attempts,
    created_at: d.createdAt,
    next_attempt_at: d.nextAttemptAt,
    delivered_at: d.deliveredAt,
    last_error: d.lastError,
    log: d.log.map((l) => ({
      attempt: l.attempt,
      at: l.at,
      status: l.status as "delivered" | "retry" | "failed",
      error: l.error,
      duration_ms: l.durationMs,
    })),
  };
}

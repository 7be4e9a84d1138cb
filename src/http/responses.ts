import type { FastifySerializerCompiler } from "fastify";
import { z } from "zod";
import type { BusinessCalendar } from "../domain/calendar.ts";
import type { MissingItem } from "../domain/errors.ts";
import type { WorkflowDef } from "../domain/workflow.ts";

/*
 * The answers of the API as zod schemas: they go into the OpenAPI document (so a client
 * generator gets real types) and type-check each route's handler. They describe what the
 * presenters (presenters.ts) produce; objects accept keys they do not list, so a field added to
 * a presenter is not an error, only undocumented until listed here.
 *
 * Serialising an answer does not parse it with zod: fastify-type-provider-zod's serializer took
 * 19.5 µs of CPU for an item answer against 7.8 µs for JSON.stringify, on every command.
 * `plainSerializer` is plain JSON.stringify; the tests use `checkingSerializer`, which checks
 * every answer against its schema first.
 */

const at = z.string().describe("ISO 8601 instant");
const email = z.string().describe("e-mail address");

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().describe("stable error code, e.g. invalid_input, not_your_team, rate_limited"),
    detail: z.string().describe("what went wrong, in plain words"),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    missing: z.array(z.record(z.string(), z.unknown())).optional(),
    error_id: z.string().optional(),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details with a stable `code`" });

/**
 * A problem+json body as the CLI and the web app read it: the schema's fields, `missing` typed,
 * and whatever else an error carries (`steps`, `reason`, `current_version`, …).
 */
export type ProblemJson = Omit<z.output<typeof problemSchema>, "type" | "missing"> & {
  type?: string;
  /** What still blocks a handoff or completion. */
  missing?: MissingItem[];
  [extra: string]: unknown;
};

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: problemSchema } },
});

/** The errors any operation may answer, all problem+json. */
export const errorResponses = {
  400: problem("invalid_input: the body, query or path is malformed (`errors` lists each)"),
  401: problem("unauthenticated: no valid token or session"),
  403: problem("not allowed: admin_only, not_your_team, not_your_comment, csrf_failed"),
  404: problem("not_found"),
  409: problem(
    "version_conflict, wrong_state, item_closed, meeting_required, already_exists, steps_differ",
  ),
  422: problem("a rule refused it: criteria_not_met, invalid_workflow, no_route, …"),
  429: problem("rate_limited: try again after `Retry-After` seconds"),
  503: problem("unavailable: the database cannot be reached; retry after `Retry-After`"),
} as const;

/** `schema` under `status` (200 unless said), plus the shared error answers. */
export function answers<S extends z.ZodType, C extends number = 200>(schema: S, status?: C) {
  return { [status ?? 200]: schema, ...errorResponses } as { [K in C]: S } & typeof errorResponses;
}

/** An answer without a body (204), plus the shared error answers. */
export function noContent() {
  // `null` in the document (no body); `undefined` to the types, so handlers call send().
  return {
    204: z.null().describe("No content") as unknown as z.ZodType<undefined>,
    ...errorResponses,
  };
}

export const userSchema = z
  .object({
    email,
    name: z.string(),
    admin: z.boolean(),
    teams: z.array(z.object({ key: z.string(), role: z.enum(["member", "lead"]) })),
  })
  .meta({ id: "User" });

export const teamSchema = z
  .object({
    key: z.string(),
    name: z.string(),
    members: z.array(z.object({ email, name: z.string(), role: z.enum(["member", "lead"]) })),
  })
  .meta({ id: "Team" });

export const clockSchema = z
  .object({
    id: z.string(),
    kind: z.enum(["complete", "accept", "answer", "due"]),
    step: z.string(),
    team: z.string(),
    handoff: z.number().int().nullable(),
    limit: z.string().describe("as written in the workflow: 4h, 2d, 48h wall"),
    limit_s: z.number(),
    wall: z.boolean(),
    elapsed_s: z.number(),
    remaining_s: z.number(),
    state: z.enum(["running", "paused", "met", "warning", "breached"]),
    started_at: at,
    due_at: at.nullable(),
    warn_at_s: z.number(),
    ended_at: at.nullable(),
    ended_by: z.string().nullable(),
    escalate_to: z.string().nullable(),
  })
  .meta({ id: "Clock" });

const nextSchema = z
  .object({
    team: z.string(),
    team_name: z.string(),
    action: z.string().describe("what the team must do now, in words"),
    can_accept: z.boolean().optional(),
    blocked_by: z.object({ code: z.string(), detail: z.string() }).nullable().optional(),
  })
  .nullable();

const deadline = {
  next_deadline: z
    .object({
      kind: z.string(),
      team: z.string(),
      due_at: at.nullable(),
      state: z.string(),
    })
    .nullable(),
  sla: z
    .string()
    .nullable()
    .describe("the worst state of the clocks still counting: ok, warning, breached"),
};

const handoffSchema = z.object({
  id: z.number().int(),
  from_step: z.string(),
  from_team: z.string(),
  to_step: z.string(),
  to_team: z.string(),
  submitted_by: email,
  submitted_at: at,
  note: z.string().nullable(),
  criteria: z.array(z.string()),
  confirmed: z.array(z.string()),
  package: z.record(z.string(), z.unknown()).describe("the field values at submission"),
  outcome: z.enum(["pending", "accepted", "rejected", "withdrawn", "cancelled"]),
  decided_by: z.string().nullable(),
  decided_at: at.nullable(),
  reason: z.string().nullable(),
  comment: z.string().nullable(),
  failed_criteria: z.array(z.string()),
});

export const questionSchema = z
  .object({
    id: z.number().int(),
    from_team: z.string(),
    to_team: z.string(),
    body: z.string(),
    asked_by: email,
    asked_at: at,
    answer: z.object({ body: z.string(), by: email, at }).nullable(),
    state: z.string().describe("open or answered"),
  })
  .meta({ id: "Question" });

/** A question with its answer-by time (null once answered, or without a service level). */
export const questionWithDueSchema = questionSchema.extend({ due_at: at.nullable() });

export const meetingSchema = z
  .object({
    id: z.number().int(),
    handoff: z.number().int(),
    starts_at: at,
    duration_minutes: z.number().int(),
    location: z.string().nullable(),
    attendees: z.array(z.string()),
    agenda: z.array(z.string()),
    scheduled_by: email,
    sequence: z.number().int(),
    held: z.object({ notes: z.string(), attended: z.array(z.string()), by: email, at }).nullable(),
    ics: z.string().describe("path of the iCalendar invitation"),
  })
  .meta({ id: "Meeting" });

export const itemSchema = z
  .object({
    survey: z
      .object({
        role: z.enum(["receiver", "sender"]),
        handoff: z.number(),
        from_team: z.string(),
        to_team: z.string(),
        from_step: z.string(),
        to_step: z.string(),
        question: z.string().describe("the 1–5 question"),
        comment_question: z.string(),
      })
      .nullable()
      .optional()
      .describe(
        "GET /items/{key} only: the handoff survey this item asks of the caller now (answer with POST /items/{key}/survey), or null",
      ),
    key: z.string(),
    title: z.string(),
    workflow: z.string(),
    workflow_version: z.number().int(),
    state: z.enum(["in_progress", "awaiting_acceptance", "paused", "done", "cancelled"]),
    step: z.string(),
    step_name: z.string(),
    is_final_step: z.boolean(),
    step_since: at,
    owner_team: z.string(),
    next: nextSchema,
    assignee: z.string().nullable(),
    fields: z.record(z.string(), z.unknown()),
    checklist: z.array(
      z.object({
        index: z.number().int(),
        text: z.string(),
        optional: z.boolean().optional(),
        done: z.boolean(),
      }),
    ),
    handoff: handoffSchema
      .extend({ meeting_required: z.unknown() })
      .nullable()
      .describe("the pending handoff"),
    readiness: z
      .object({
        to_step: z.string().nullable(),
        criteria: z.array(z.string()),
        requires: z.array(z.string()),
        missing: z.array(z.record(z.string(), z.unknown())),
      })
      .nullable()
      .describe("what the current step still needs before its handoff"),
    returned: z
      .object({
        handoff: z.number().int(),
        reason: z.string(),
        comment: z.string(),
        by: z.string(),
        at,
        from_team: z.string(),
        failed_criteria: z.array(z.string()),
      })
      .nullable(),
    rework: z.record(z.string(), z.number()),
    paused: z.object({ reason: z.string(), by: z.string(), at, team: z.string() }).nullable(),
    closed: z.object({ reason: z.string().nullable(), by: z.string(), at }).nullable(),
    handoffs: z.array(handoffSchema.extend({ meetings: z.array(meetingSchema) })),
    path: z.array(
      z.object({
        step: z.string(),
        name: z.string(),
        team: z.string(),
        status: z.enum(["done", "current", "upcoming"]),
      }),
    ),
    teams: z.array(z.string()),
    comments: z.number().int(),
    due: z.string().nullable(),
    clocks: z.array(clockSchema).readonly(),
    ...deadline,
    alerts: z.array(z.string()),
    questions: z.array(questionWithDueSchema),
    meetings: z.array(meetingSchema),
    version: z.number().int().describe("send as If-Match to refuse a stale write"),
    created_at: at,
    created_by: z.string(),
    updated_at: at,
    active_at: at.describe("the last activity (alerts Baton raises itself do not count)"),
    stalled: z
      .object({
        at,
        since: at,
        step: z.string(),
        team: z.string(),
        stall_after: z.string(),
      })
      .nullable()
      .describe(
        "set while the item is stalled (no activity for its stall_after); activity clears it",
      ),
  })
  .meta({ id: "Item" });

export const itemSummarySchema = z
  .object({
    key: z.string(),
    title: z.string(),
    risk: z
      .number()
      .nullable()
      .optional()
      .describe(
        "the highest chance (0..1) that a running clock breaches, from the workflow's history; null without enough history (GET /items/{key}/forecast says more)",
      ),
    workflow: z.string(),
    state: z.string(),
    step: z.string(),
    step_name: z.string(),
    to_step_name: z
      .string()
      .nullable()
      .describe("while a handoff awaits acceptance, the step the receiving team takes on"),
    owner_team: z.string(),
    next: nextSchema,
    assignee: z.string().nullable(),
    rework: z.number().int(),
    due: z.string().nullable(),
    clocks: z
      .array(clockSchema)
      .readonly()
      .optional()
      .describe("left out of a queue read with clocks=false"),
    ...deadline,
    open_questions: z.array(
      z.object({
        id: z.number().int(),
        from_team: z.string(),
        to_team: z.string(),
        body: z.string(),
      }),
    ),
    version: z.number().int(),
    created_at: at,
    updated_at: at,
  })
  .meta({ id: "ItemSummary" });

export const forecastSchema = z
  .object({
    key: z.string(),
    breach: z.array(
      z.object({
        clock: z.string().describe("the clock's id, as in `clocks`"),
        kind: z.enum(["complete", "accept", "answer", "due"]),
        probability: z.number().nullable().describe("0..1; null with too little history"),
        sample_size: z.number().int().describe("past clocks the estimate rests on"),
      }),
    ),
    completion: z.object({
      p50: at.nullable().describe("expected done (half of the simulated futures finish by then)"),
      p85: at.nullable(),
      p95: at.nullable(),
      late_probability: z.number().nullable().describe("chance of finishing after `due`"),
      sample_size: z.number().int(),
      reason: z.string().nullable().describe("why there is no forecast, when there is none"),
    }),
    queue_depth: z
      .number()
      .int()
      .nullable()
      .describe("items waiting for the same team's acceptance"),
  })
  .meta({ id: "Forecast" });

export const fileSchema = z
  .object({
    file_id: z.string().describe("download: /api/v1/items/{key}/files/{file_id}"),
    name: z.string(),
    size: z.number().int().describe("bytes"),
    content_type: z.string(),
    sha256: z.string().describe("hex SHA-256 of the bytes"),
    uploaded_by: z.string(),
    uploaded_at: at,
  })
  .meta({ id: "File" });

export const eventSchema = z
  .object({
    seq: z.number().int(),
    type: z.string().describe("dotted: item.created, handoff.submitted, sla.breached, …"),
    actor: z.string(),
    at,
    data: z.unknown(),
  })
  .meta({ id: "Event" });

/**
 * What Baton POSTs to a webhook subscription (Standard Webhooks format): the event's type, when
 * it was sent, the item as it is after the event and the event itself. A `webhook.test` message
 * carries neither (nulls). Its shape is domain/webhooks.ts's webhookBody.
 */
export const webhookMessageSchema = z
  .object({
    type: z.string().describe("the event type: handoff.submitted, sla.breached, … or webhook.test"),
    timestamp: at,
    data: z.object({
      item: z
        .object({
          key: z.string(),
          title: z.string(),
          workflow: z.string(),
          workflow_version: z.number().int(),
          state: z.string(),
          step: z.string(),
          owner_team: z.string(),
          assignee: z.string().nullable(),
          due: z.string().nullable(),
          fields: z.record(z.string(), z.unknown()),
          version: z.number().int(),
          created_at: at,
          updated_at: at,
        })
        .nullable(),
      event: z
        .object({
          seq: z.number().int().optional(),
          type: z.string(),
          actor: z.string(),
          at,
          data: z.unknown(),
        })
        .nullable(),
    }),
  })
  .describe("a message Baton sends to a webhook subscription");

export const calendarSchema = z
  .object({
    team: z.string(),
    timezone: z.string(),
    hours: z.record(z.string(), z.array(z.array(z.string()))),
    holidays: z.array(z.unknown()),
    default: z.boolean().describe("true while the team uses the default calendar"),
  })
  .meta({ id: "Calendar" });

/** A team's business calendar as GET/PUT/DELETE /teams/{key}/calendar answer it. */
export type CalendarJson = BusinessCalendar & {
  team: string;
  /** True while the team has no calendar of its own and the default applies. */
  default: boolean;
};

export const tokenSchema = z
  .object({ id: z.string(), name: z.string(), created_at: at })
  .meta({ id: "Token" });

export const newTokenSchema = z
  .object({ token: z.string().describe("bt_…; shown once, send as Authorization: Bearer") })
  .meta({ id: "NewToken" });

export const commentSchema = z
  .object({
    seq: z.number().int().describe("the comment's id: the seq of its comment.added event"),
    author: z.string(),
    at,
    body: z.string().describe("the latest text"),
    edited_at: at.nullable().describe("when the text last changed; null if never edited"),
  })
  .meta({ id: "Comment" });

export const itemListEntrySchema = itemSummarySchema
  .extend({ fields: z.record(z.string(), z.unknown()) })
  .meta({ id: "ItemListEntry" });

export const viewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    owner: email,
    team: z.string().nullable().describe("the team it is shared with; null: only its owner's"),
    query: z
      .record(z.string(), z.union([z.string(), z.array(z.string())]))
      .describe("GET /items query parameters: open /items?<these> to see the view"),
    created_at: at,
  })
  .meta({ id: "SavedView" });

const items = z.array(itemSummarySchema);
export const queueSchema = z
  .object({
    team: z.string(),
    incoming: items,
    in_progress: items,
    waiting_on_others: items,
    paused: items,
    questions: items,
    stalled: items,
  })
  .meta({ id: "Queue" });

export const webhookSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().nullable(),
    format: z.enum(["standard", "slack"]),
    team: z.string().nullable().describe("null: every item (admins only)"),
    created_by: z.string(),
    created_at: at,
    enabled: z.boolean(),
    disabled_at: at.nullable(),
    disabled_reason: z.string().nullable(),
    consecutive_failures: z.number().int(),
    previous_secret_until: at
      .nullable()
      .describe("until then the previous secret signs too (after a rotation)"),
  })
  .meta({ id: "Webhook" });

export const webhookDeliveriesSchema = z
  .object({
    deliveries: z.array(
      z.object({
        id: z.string(),
        message_id: z.string().describe("the webhook-id header: the same on every try"),
        kind: z.string(),
        item_key: z.string().nullable(),
        status: z.enum(["pending", "delivered", "failed"]),
        attempts: z.array(
          z.object({
            attempt: z.number().int(),
            at,
            status: z.string(),
            error: z.string().nullable(),
            duration_ms: z.number().int(),
          }),
        ),
        created_at: at,
      }),
    ),
  })
  .meta({ id: "WebhookDeliveries" });

export const shareSchema = z
  .object({
    url: z.string().describe("the page to send the requester; it works without an account"),
    token: z.string().describe("shown once; only its SHA-256 is kept"),
    expires_at: at.nullable(),
  })
  .meta({ id: "Share" });

export const stallSchema = z
  .object({
    since: at.describe("the last activity"),
    at: at.describe("when the item was found stalled"),
    step: z.string(),
    step_name: z.string(),
    team: z.string().describe("the team that must move"),
    team_name: z.string(),
    stall_after: z.string().describe("the rule that applied: business time of the team"),
    idle_s: z.number().int().describe("wall-clock seconds since the last activity"),
  })
  .meta({ id: "Stall" });

export const stalledSchema = z
  .object({ items: z.array(itemSummarySchema.extend({ stalled: stallSchema })) })
  .meta({ id: "StalledList" });

export const outboxSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    recipient: z.string(),
    subject: z.string(),
    body: z.string(),
    item: z.string().nullable(),
    reason: z.string().optional().describe("why they were told (see Notification.reason)"),
    created_at: at,
    delivered_at: at.nullable(),
    read_at: at.nullable().optional(),
  })
  .meta({ id: "OutboxMessage" });

export const notificationSchema = z
  .object({
    id: z.string().describe("increasing; pass the last one as `before` for the next page"),
    kind: z
      .string()
      .describe("the event: handoff.submitted, question.asked, sla.breached, item.stalled, …"),
    reason: z
      .enum([
        "team",
        "submitter",
        "asker",
        "assignee",
        "mention",
        "lead",
        "escalation",
        "watcher",
        "owner",
      ])
      .describe("why the reader is told"),
    item: z.string().nullable().describe("the item's key"),
    title: z.string().describe("what happened, in plain words"),
    action: z.string().describe("what the reader must do"),
    due_at: at.nullable().describe("the item's nearest deadline when the line was written"),
    actor: email.nullable().describe("who did it (never the reader)"),
    created_at: at,
    read: z.boolean(),
    read_at: at.nullable(),
    url: z.string().nullable().describe("the item's page in the web app (a path)"),
  })
  .meta({ id: "Notification", description: "One line of a person's inbox" });

export const inboxSchema = z
  .object({
    notifications: z.array(notificationSchema).describe("newest first"),
    unread: z.number().int().describe("unread lines in all (counted up to 10,000)"),
    next_before: z
      .string()
      .nullable()
      .describe("pass as `before` for the next (older) page; null on the last page"),
  })
  .meta({ id: "Inbox" });

const channelList = z.array(z.enum(["inbox", "email"]));

export const preferencesSchema = z
  .object({
    channels: z
      .record(z.string(), channelList)
      .describe(
        "per kind, where it goes: inbox, email, both or neither ([]); a kind left out goes to both",
      ),
    muted_workflows: z.array(z.string()).describe("workflow keys whose items tell you nothing"),
    email_digest: z
      .boolean()
      .describe("one e-mail a day listing everything instead of a mail per notification"),
    digest_hour_utc: z.number().int().min(0).max(23).describe("the hour (UTC) the digest is sent"),
    kinds: z
      .array(z.object({ kind: z.string(), description: z.string() }))
      .describe("every kind, with what it means"),
    email_enabled: z.boolean().describe("false when this Baton has no SMTP server configured"),
  })
  .meta({ id: "NotificationPreferences" });

export const watchSchema = z
  .object({
    watching: z.boolean().describe("whether the caller watches the item"),
    watchers: z.array(email).describe("everyone who watches it (its creator unless they stopped)"),
  })
  .meta({ id: "Watch" });

export const deliverySchema = z
  .object({
    id: z.string(),
    idempotency_id: z.string().describe("the same on every try; receivers drop duplicates by it"),
    channel: z.string(),
    target: z.string(),
    kind: z.string(),
    item: z.string().nullable(),
    status: z.enum(["pending", "delivered", "failed"]),
    attempts: z.number().int(),
    created_at: at,
    next_attempt_at: at.nullable(),
    delivered_at: at.nullable(),
    last_error: z.string().nullable(),
    log: z.array(
      z.object({
        attempt: z.number().int(),
        at,
        status: z.enum(["delivered", "retry", "failed"]),
        error: z.string().nullable(),
        duration_ms: z.number().int(),
      }),
    ),
  })
  .meta({ id: "Delivery", description: "One message over one channel, with every try" });

export const publishedSchema = z
  .object({
    key: z.string(),
    version: z.number().int(),
    changed: z.boolean().describe("false when the definition equals the current version"),
  })
  .meta({ id: "Published" });

export const workflowSummarySchema = z
  .object({
    key: z.string(),
    name: z.string(),
    prefix: z.string(),
    version: z.number().int(),
    updated_at: at,
    start_team: z
      .string()
      .nullable()
      .describe("the team of the first step: its members may start items"),
    open_items: z.number().int().describe("items not yet done or cancelled"),
  })
  .meta({ id: "WorkflowSummary" });

const definition = z
  .record(z.string(), z.unknown())
  .describe("the definition, parsed (see /api/v1/schemas/workflow.json)");

export const workflowVersionSchema = z
  .object({
    key: z.string(),
    version: z.number().int(),
    definition,
    source: z.string().describe("as published, YAML or JSON text"),
    source_format: z.enum(["yaml", "json"]),
    published_by: z.string(),
    published_at: at,
  })
  .meta({ id: "WorkflowVersion" });

/** A workflow version as GET /workflows/{key} answers it: the definition as the domain validated it. */
export type WorkflowVersionJson = Omit<z.output<typeof workflowVersionSchema>, "definition"> & {
  definition: WorkflowDef;
};

/** One line of GET /workflows/{key}/versions: a version without its definition and source. */
export const workflowVersionSummarySchema = workflowVersionSchema.pick({
  version: true,
  source_format: true,
  published_by: true,
  published_at: true,
});

export const validatedSchema = z.object({
  valid: z.boolean().describe("always true: an invalid one is a 422"),
  definition,
});

// ---------------------------------------------------------------------------------------------
// Metrics (docs/metrics.md defines every figure). Durations are seconds; null where nothing
// was measured; ratios are 0..1 rounded to 4 decimals.

// Counts are plain numbers here: z.number().int() adds ±2^53 bounds to every one of them in the
// OpenAPI document, which the docs page must then render.
const count = z.number();
const seconds = z.number().nullable();
const share = z.number().nullable();
const counts = z.record(z.string(), count);
const percentiles = { p50_s: seconds, p85_s: seconds, p95_s: seconds };

const periodSchema = z
  .object({
    from: at,
    to: at.describe("exclusive"),
    version: count.nullable(),
    team: z.string().nullable(),
    edge: z.string().nullable().describe("FROM_STEP:TO_STEP"),
  })
  .meta({ id: "MetricsPeriod" });

export const edgeMetricsSchema = z
  .object({
    from_step: z.string(),
    to_step: z.string(),
    from_team: z.string(),
    to_team: z.string(),
    submitted: count.describe("handoffs submitted in the period"),
    accepted: count,
    rejected: count,
    withdrawn: count,
    rejection_rate: share.describe("rejected / submitted"),
    rejections_by_reason: counts,
    failed_criteria: counts.describe("criterion → times named as failed in a rejection"),
    limbo_p50_s: seconds,
    limbo_p85_s: seconds,
    limbo_p95_s: seconds,
    limbo_business_p50_s: seconds,
    limbo_business_p85_s: seconds,
    limbo_business_p95_s: seconds,
    in_limbo_now: count.describe("awaiting acceptance now, whatever the period"),
    oldest_in_limbo_s: seconds,
    bounces: count,
    questions_after_accept: count,
    sla_met: count,
    sla_breached: count,
    sla_attainment: share,
    survey_receiver_avg: z.number().nullable(),
    survey_receiver_count: count,
    survey_sender_avg: z.number().nullable(),
    survey_sender_count: count,
  })
  .meta({ id: "EdgeMetrics" });

export const edgesAnswerSchema = z.object({
  period: periodSchema,
  edges: z.array(edgeMetricsSchema),
  compare: z
    .object({ period: periodSchema, edges: z.array(edgeMetricsSchema) })
    .optional()
    .describe(
      "the same for the version or period compared with (compare=version:N or compare_from/compare_to)",
    ),
});

const attainmentSchema = z.object({
  met: count,
  breached: count,
  attainment: share,
});

const teamsBody = {
  period: periodSchema,
  teams: z.array(
    z
      .object({
        team: z.string(),
        wip: count.describe("open items the team must move next, now"),
        finished: count.describe("step visits of the team that ended in the period"),
        throughput_per_week: z.number(),
        step_time: z.object(percentiles),
        received: count,
        rejected_by_team: count,
        sent: count,
        sent_rejected: count,
        sent_rejection_rate: share,
        bounces_received: count,
        limbo_as_receiver_business: z.object(percentiles),
        sla: z.record(z.string(), attainmentSchema).describe("per clock kind"),
        attainment: share,
      })
      .meta({ id: "TeamMetrics" }),
  ),
};

export const teamsAnswerSchema = z.object({
  ...teamsBody,
  compare: z
    .object(teamsBody)
    .optional()
    .describe("the same for the version or period compared with"),
});

const flowBody = {
  period: periodSchema,
  cycle_time: z.object({ count: count, ...percentiles }),
  cycle_points: z.array(z.object({ key: z.string(), done_at: at, cycle_s: z.number() })),
  steps: z.array(
    z.object({
      step: z.string(),
      visits: count,
      ...percentiles,
      active_s: z.number(),
      waiting_s: z.number(),
      flow_efficiency: share,
    }),
  ),
  flow_efficiency: share,
  throughput: z.array(z.object({ week: z.string().describe("Monday, YYYY-MM-DD"), done: count })),
  wip: z.array(z.object({ step: z.string(), items: count })),
  cfd: z.array(
    z.object({
      day: z.string().describe("YYYY-MM-DD (UTC)"),
      steps: counts.describe("items in each step at the end of the day"),
      done: count.describe("done since the period began"),
    }),
  ),
  ageing: z.array(
    z.object({
      key: z.string(),
      step: z.string(),
      team: z.string(),
      age_s: z.number(),
      in_step_s: z.number(),
      step_p50_s: seconds,
      step_p85_s: seconds,
    }),
  ),
};

export const flowAnswerSchema = z.object({
  ...flowBody,
  compare: z
    .object(flowBody)
    .optional()
    .describe("the same for the version or period compared with"),
});

export const limboSeriesSchema = z.object({
  period: periodSchema,
  series: z.array(
    z
      .object({
        from_step: z.string(),
        to_step: z.string(),
        from_team: z.string(),
        to_team: z.string(),
        week: z.string().describe("Monday of the ISO week of submission, YYYY-MM-DD (UTC)"),
        submitted: count,
        rejected: count,
        decided: count.describe("accepted or rejected: the handoffs with a limbo time"),
        limbo_p50_s: seconds,
        limbo_p85_s: seconds,
        limbo_business_p50_s: seconds,
        limbo_business_p85_s: seconds,
      })
      .meta({ id: "EdgeWeek" }),
  ),
});

export const suggestionSchema = z
  .object({
    id: z.string().describe("kind:FROM:TO[:detail]; POST it to /review/{workflow}/drafts"),
    kind: z.enum(["add_required_field", "longer_limit", "require_meeting", "drop_criterion"]),
    from_step: z.string(),
    to_step: z.string(),
    title: z.string(),
    evidence: z.record(z.string(), z.unknown()),
    change: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "Suggestion" });

export const reviewAnswerSchema = z.object({
  workflow: z.string(),
  version: count,
  period: periodSchema,
  compare: periodSchema.optional(),
  edges: z.array(
    edgeMetricsSchema.extend({
      accept_within: z.string().nullable(),
      accept_within_s: z.number().nullable(),
      top_reasons: z.array(z.object({ reason: z.string(), count: count })),
      criteria_failed: z.array(z.object({ criterion: z.string(), count: count })),
      reject_comments: z.array(
        z.object({ key: z.string(), reason: z.string().nullable(), comment: z.string(), at }),
      ),
      questions: z.array(z.object({ key: z.string(), body: z.string(), at })),
      survey_comments: z.array(
        z.object({ key: z.string(), role: z.string(), score: z.number(), comment: z.string(), at }),
      ),
      stalled: z.array(
        z.object({
          key: z.string(),
          to_team: z.string(),
          submitted_at: at,
          in_limbo_s: z.number(),
          over_limit: z.boolean(),
        }),
      ),
      suggestions: z.array(suggestionSchema),
      compare: edgeMetricsSchema.nullable(),
    }),
  ),
});

export const surveyAnswerSchema = z
  .object({
    item: z.string(),
    handoff: z.number(),
    role: z.enum(["receiver", "sender"]),
    score: z.number(),
    comment: z.string().nullable(),
    answered_at: at,
  })
  .meta({ id: "SurveyAnswer" });

export const surveySkipSchema = z
  .object({
    item: z.string(),
    handoff: z.number(),
    role: z.enum(["receiver", "sender"]),
    skipped_at: at,
  })
  .meta({ id: "SurveySkip" });

/** The survey an item asks of the caller now (GET /items/{key}/survey). */
export const pendingSurveySchema = z.object({
  survey: itemSchema.shape.survey.unwrap(),
});

export const draftSchema = z
  .object({
    workflow: z.string(),
    base_version: count,
    suggestion: suggestionSchema,
    source: z.string().describe("the proposed definition; publish it with PUT /workflows/{key}"),
    source_format: z.enum(["yaml", "json"]),
    diff: z.string().describe("unified diff against the current version"),
    definition,
  })
  .meta({ id: "WorkflowDraft" });

/** Answers as Fastify serialises them without a schema: no parsing on the way out. */
export const plainSerializer: FastifySerializerCompiler<unknown> = () => (data) =>
  JSON.stringify(data);

/** Checks every answer against its schema before sending it as it is (tests). */
export const checkingSerializer: FastifySerializerCompiler<unknown> =
  ({ schema, method, url }) =>
  (data) => {
    const zod =
      schema instanceof z.ZodType ? schema : (schema as { properties?: unknown }).properties;
    if (zod instanceof z.ZodType) {
      const r = zod.safeParse(data);
      if (!r.success)
        throw new Error(
          `${method} ${url}: the answer does not match its schema: ${z.prettifyError(r.error)}`,
        );
    }
    return JSON.stringify(data);
  };

/** A mining job as POST and GET /mining/jobs answer it (presenters.ts presentMiningJob). */
export const miningJobSchema = z
  .object({
    id: z.string(),
    state: z.enum(["running", "done", "failed"]),
    name: z.string().describe("the file name given in `name`, else `upload`"),
    progress: z.object({
      bytes_read: z.number().int(),
      bytes_total: z.number().int(),
      share: z.number().describe("0 to 1"),
    }),
    created_at: at,
    finished_at: at.nullable(),
    result: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe("when done: the report `baton mine --json` prints (docs/mining.md)"),
    import: z
      .object({
        workflow: z.string(),
        version: z.number().int().describe("0: imported items run on the workflow's version 0"),
        import_id: z.string().nullable(),
        phase: z.enum(["checking", "importing", "done"]),
        cases_total: z.number().int(),
        cases_done: z.number().int(),
        cases_imported: z.number().int().describe("new closed items"),
        cases_present: z
          .number()
          .int()
          .describe("imported before (skipped: importing is idempotent)"),
        cases_without_step: z.number().int().describe("no event of a team that owns a step"),
        events: z.number().int().describe("events written"),
        teams: z
          .record(z.string(), z.string().nullable())
          .describe("log team → Baton team (null: left out)"),
        period: z.object({ first: z.string().nullable(), last: z.string().nullable() }),
      })
      .nullable()
      .describe("with import=WORKFLOW: the import's progress and counts"),
    error: z
      .object({ code: z.string(), detail: z.string() })
      .nullable()
      .describe("when failed: why, e.g. invalid_log with the line"),
    href: z.string().describe("where to poll"),
  })
  .meta({ id: "MiningJob" });

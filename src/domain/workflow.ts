import { z } from "zod";
import { FIELD_DATE_MESSAGE, isCalendarDate } from "./dates.ts";
import { durationLimitProblem } from "./duration.ts";
import { DomainError } from "./errors.ts";
import { acceptEntry } from "./files.ts";
import { text, textProblem } from "./text.ts";
import { assertWithinLimits } from "./workflow-limits.ts";

export { optionLabel } from "./choice-labels.ts";

/*
 * Workflow definitions: the schema users write (YAML or JSON), the checks that need the whole
 * definition (reachability, routes, known teams), and the pure helpers the item rules use.
 */

/*
 * Every string of a definition is storable text (no NUL, no lone surrogate) with a length
 * limit: the definition is stored as jsonb, which refuses both.
 */
/** A short name people read: a workflow's, a step's, a field's label, a choice. */
const label = text({ max: 200, min: 1 });
/** A line of a checklist, a criterion, an agenda point. */
const line = text({ max: 1000, min: 1 });
/** Free text: descriptions and help. */
const prose = text({ max: 10_000 });
/** A reference to a step, field or team, checked against the definition and the teams. */
const ref = text({ max: 200 });
/** A team key or an e-mail address to escalate to. */
const escalation = text({ max: 320, min: 1 });

const key = z
  .string()
  .regex(
    /^[a-z][a-z0-9_-]{0,62}$/,
    "must be lower case letters, digits, '-' or '_', starting with a letter",
  );

/**
 * Business time (`4h`, `2d`, `90m`, `1w`) or wall-clock time (`48h wall`), at most five years
 * (`260w`; see duration.ts). Checked here, used by service levels.
 */
const duration = z
  .string()
  .regex(
    /^\d+(\.\d+)?\s*(m|h|d|w)(\s+wall)?$/,
    'must be a duration such as "90m", "4h", "2d" or "48h wall"',
  )
  .superRefine((text, ctx) => {
    const problem = durationLimitProblem(text);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const percent = z.string().regex(/^(100|[1-9]?\d)%$/, 'must be a percentage such as "75%"');

export const fieldTypes = [
  "text",
  "number",
  "date",
  "url",
  "choice",
  "boolean",
  "user",
  "file",
] as const;
export type FieldType = (typeof fieldTypes)[number];

const fieldSchema = z
  .object({
    key,
    type: z.enum(fieldTypes),
    label: label.optional(),
    /** A choice field's options: a value, or a value with the label people read (`{value, label}`). */
    options: z
      .array(z.union([label, z.object({ value: label, label }).strict()]))
      .min(1)
      .optional(),
    /** File fields: the media types (`application/pdf`, `image/*`) or extensions (`.pdf`) allowed. */
    accept: z
      .array(
        z
          .string()
          .regex(
            acceptEntry,
            'must be a media type such as "application/pdf", "image/*" or ".pdf"',
          ),
      )
      .min(1)
      .max(50)
      .optional(),
    help: prose.optional(),
    /** Shown on the requester's status page (every other field stays hidden there). */
    public: z.boolean().optional(),
  })
  .strict();

/** A value a condition compares with. */
const operand = text({ max: 1000 });
const scalar = z.union([operand, z.number(), z.boolean()]);

/** A structured route condition: no code is evaluated, only these comparisons. */
export type Condition =
  | {
      field: string;
      equals?: string | number | boolean;
      not_equals?: string | number | boolean;
      in?: (string | number)[];
      gt?: number | string;
      gte?: number | string;
      lt?: number | string;
      lte?: number | string;
      set?: boolean;
    }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

const comparison = z
  .object({
    field: ref,
    equals: scalar.optional(),
    not_equals: scalar.optional(),
    in: z.array(z.union([operand, z.number()])).optional(),
    gt: z.union([z.number(), operand]).optional(),
    gte: z.union([z.number(), operand]).optional(),
    lt: z.union([z.number(), operand]).optional(),
    lte: z.union([z.number(), operand]).optional(),
    set: z.boolean().optional(),
  })
  .strict();

const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    comparison,
    z.object({ all: z.array(conditionSchema).min(1) }).strict(),
    z.object({ any: z.array(conditionSchema).min(1) }).strict(),
    z.object({ not: conditionSchema }).strict(),
  ]),
);

const checklistItem = z.union([
  line,
  z.object({ text: line, optional: z.boolean().optional() }).strict(),
]);

const meetingSchema = z
  .object({
    required: z.boolean().optional(),
    required_when: conditionSchema.optional(),
    attendees: z.array(key).optional(),
    agenda: z.array(line).optional(),
  })
  .strict();

const routeSchema = z.object({ when: conditionSchema.optional(), to: ref }).strict();

const handoffSchema = z
  .object({
    to: ref.optional(),
    routes: z.array(routeSchema).min(1).optional(),
    requires: z.array(ref).optional(),
    criteria: z.array(line).optional(),
    accept_within: duration.optional(),
    warn_at: percent.optional(),
    escalate_to: escalation.optional(),
    meeting: meetingSchema.optional(),
  })
  .strict();

const stepSchema = z
  .object({
    key,
    name: label.optional(),
    team: ref,
    description: prose.optional(),
    checklist: z.array(checklistItem).optional(),
    complete_within: duration.optional(),
    warn_at: percent.optional(),
    escalate_to: escalation.optional(),
    /** Work in this step with no activity this long is stalled (default: the workflow's). */
    stall_after: duration.optional(),
    handoff: handoffSchema.optional(),
  })
  .strict();

/** The shape of a workflow definition as users write it. */
export const workflowSchema = z
  .object({
    $schema: text({ max: 2000 }).optional(),
    key,
    name: label,
    prefix: z
      .string()
      .regex(
        /^[A-Z][A-Z0-9]{0,9}$/,
        "must be 1 to 10 upper case letters or digits, starting with a letter",
      ),
    description: prose.optional(),
    fields: z.array(fieldSchema).optional(),
    steps: z.array(stepSchema).min(1, "a workflow needs at least one step"),
    questions: z.object({ answer_within: duration.optional() }).strict().optional(),
    /**
     * Two-sided handoff surveys (docs/metrics.md): on unless `enabled: false`; `sample` is the
     * share of handoffs surveyed (1 = every one).
     */
    surveys: z
      .object({
        enabled: z.boolean().optional(),
        sample: z.number().min(0).max(1).optional(),
      })
      .strict()
      .optional(),
    /** Default `stall_after` of every step (3 business days when absent). */
    stall_after: duration.optional(),
  })
  .strict();

export type WorkflowInput = z.infer<typeof workflowSchema>;
/**
 * A validated field: a choice field's `options` are the values items store, and `option_labels`
 * what people read for the values given one.
 */
export type FieldDef = Omit<z.infer<typeof fieldSchema>, "options"> & {
  options?: string[];
  option_labels?: Record<string, string>;
};
export type HandoffDef = z.infer<typeof handoffSchema>;
export type ChecklistEntry = { text: string; optional: boolean };

/** A validated definition, with checklists normalised to `{text, optional}`. */
export type StepDef = Omit<z.infer<typeof stepSchema>, "checklist"> & {
  checklist: ChecklistEntry[];
};
export type WorkflowDef = Omit<WorkflowInput, "steps" | "fields" | "$schema"> & {
  fields: FieldDef[];
  steps: StepDef[];
};

/** A field with its choice options split into the values and, where given, their labels. */
function normalizeField(f: z.infer<typeof fieldSchema>): FieldDef {
  const { options, ...rest } = f;
  if (!options) return rest;
  const labels = Object.fromEntries(
    options.flatMap((o) => (typeof o === "string" ? [] : [[o.value, o.label] as const])),
  );
  return {
    ...rest,
    options: options.map((o) => (typeof o === "string" ? o : o.value)),
    ...(Object.keys(labels).length > 0 ? { option_labels: labels } : {}),
  };
}

/** The JSON Schema editors use to complete and check definitions. */
export function workflowJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(workflowSchema, { io: "input", unrepresentable: "any" }),
    $id: "https://baton.dev/schemas/workflow.json",
    title: "Baton workflow definition",
  };
}

export interface ValidationIssue {
  path: string;
  message: string;
}

/** Formats a zod path the way people write it: `steps[1].handoff.to`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out || "(root)";
}

/**
 * Validates a definition completely and returns it normalised, or throws `invalid_workflow`
 * listing every problem (not only the first) with its path.
 * `teams` is the set of team keys that exist; unknown teams are errors.
 * Size limits (WORKFLOW_LIMITS: steps, lists, condition depth, nesting) are checked first, on
 * the raw value, so the schema and the graph checks only ever see a bounded definition.
 */
export function validateWorkflow(
  input: unknown,
  { teams }: { teams: ReadonlySet<string> },
): WorkflowDef {
  assertWithinLimits(input);
  const parsed = workflowSchema.safeParse(input);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({
      path: formatPath(i.path),
      message: describeIssue(i),
    }));
    throw invalidWorkflow(errors);
  }
  const { $schema: _ignored, ...raw } = parsed.data;
  const def: WorkflowDef = {
    ...raw,
    fields: (raw.fields ?? []).map(normalizeField),
    steps: raw.steps.map((s) => ({
      ...s,
      checklist: (s.checklist ?? []).map((c) =>
        typeof c === "string"
          ? { text: c, optional: false }
          : { text: c.text, optional: c.optional ?? false },
      ),
    })),
  };
  const errors = checkSemantics(def, teams);
  if (errors.length > 0) throw invalidWorkflow(errors);
  return def;
}

function invalidWorkflow(errors: ValidationIssue[]): DomainError {
  const first = errors[0];
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  return new DomainError(
    "invalid_workflow",
    first ? `${first.path}: ${first.message}${more}` : "invalid workflow",
    { errors },
  );
}

/** A zod issue in people's words: "is required", `unknown key "x"`, else zod's message. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys")
    return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  if (issue.code === "invalid_type" && issue.input === undefined) return "is required";
  return issue.message;
}

function checkSemantics(def: WorkflowDef, teams: ReadonlySet<string>): ValidationIssue[] {
  const errors: ValidationIssue[] = [];
  const err = (path: string, message: string) => errors.push({ path, message });

  const fields = new Map<string, FieldDef>();
  def.fields.forEach((f, i) => {
    if (fields.has(f.key)) err(`fields[${i}].key`, `duplicate key "${f.key}"`);
    fields.set(f.key, f);
    if (f.type === "choice" && !f.options)
      err(`fields[${i}].options`, "a choice field needs options");
    if (f.type !== "choice" && f.options)
      err(`fields[${i}].options`, "only choice fields take options");
    const repeated = f.options?.find((o, j) => f.options?.indexOf(o) !== j);
    if (repeated !== undefined)
      err(`fields[${i}].options`, `"${repeated}" is an option more than once`);
    if (f.type !== "file" && f.accept) err(`fields[${i}].accept`, "only file fields take accept");
  });

  const steps = new Map<string, number>();
  def.steps.forEach((s, i) => {
    if (steps.has(s.key)) err(`steps[${i}].key`, `duplicate key "${s.key}"`);
    else steps.set(s.key, i);
  });

  const checkTeam = (path: string, team: string) => {
    if (!teams.has(team)) err(path, `unknown team "${team}"`);
  };
  const checkCondition = (path: string, c: Condition) => {
    if ("all" in c) for (const [i, x] of c.all.entries()) checkCondition(`${path}.all[${i}]`, x);
    else if ("any" in c)
      for (const [i, x] of c.any.entries()) checkCondition(`${path}.any[${i}]`, x);
    else if ("not" in c) checkCondition(`${path}.not`, c.not);
    else {
      const f = fields.get(c.field);
      if (!f) err(`${path}.field`, `unknown field "${c.field}"`);
      const ops = ["equals", "not_equals", "in", "gt", "gte", "lt", "lte", "set"].filter(
        (o) => o in c,
      );
      if (ops.length !== 1)
        err(path, "a condition needs exactly one of equals, not_equals, in, gt, gte, lt, lte, set");
      if (f?.type === "choice" && f.options) {
        for (const v of [c.equals, c.not_equals, ...(c.in ?? [])]) {
          if (v !== undefined && !f.options.includes(String(v)))
            err(
              path,
              `"${String(v)}" is not an option of field "${f.key}" (${f.options.join(", ")})`,
            );
        }
      }
    }
  };

  def.steps.forEach((s, i) => {
    const at = `steps[${i}]`;
    checkTeam(`${at}.team`, s.team);
    if (s.escalate_to && !s.escalate_to.includes("@"))
      checkTeam(`${at}.escalate_to`, s.escalate_to);
    const h = s.handoff;
    if (!h) return;
    if (h.to !== undefined && h.routes)
      err(`${at}.handoff`, 'give either "to" or "routes", not both');
    if (h.to === undefined && !h.routes) err(`${at}.handoff`, 'a handoff needs "to" or "routes"');
    const targets: [string, string][] = [];
    if (h.to !== undefined) targets.push([`${at}.handoff.to`, h.to]);
    h.routes?.forEach((r, j) => {
      targets.push([`${at}.handoff.routes[${j}].to`, r.to]);
      if (r.when) checkCondition(`${at}.handoff.routes[${j}].when`, r.when);
      else if (j < (h.routes?.length ?? 0) - 1)
        err(
          `${at}.handoff.routes[${j}]`,
          "only the last route may go without a condition; the ones after it could never match",
        );
    });
    for (const [path, to] of targets) {
      if (!steps.has(to)) err(path, `unknown step "${to}"`);
      else if (to === s.key) err(path, `a step cannot hand off to itself`);
    }
    h.requires?.forEach((f, j) => {
      if (!fields.has(f)) err(`${at}.handoff.requires[${j}]`, `unknown field "${f}"`);
    });
    if (h.escalate_to && !h.escalate_to.includes("@"))
      checkTeam(`${at}.handoff.escalate_to`, h.escalate_to);
    for (const [j, t] of (h.meeting?.attendees ?? []).entries())
      checkTeam(`${at}.handoff.meeting.attendees[${j}]`, t);
    if (h.meeting?.required_when)
      checkCondition(`${at}.handoff.meeting.required_when`, h.meeting.required_when);
  });
  if (errors.length > 0) return errors;

  // Graph checks run only on a structurally sound definition, so every target is a known step.
  const next = (s: StepDef) => nextStepKeys(s);
  const reachable = new Set<string>();
  const stack = [def.steps[0]?.key ?? ""];
  while (stack.length > 0) {
    const k = stack.pop() as string;
    if (reachable.has(k)) continue;
    reachable.add(k);
    const s = def.steps[steps.get(k) ?? -1];
    if (s) stack.push(...next(s));
  }
  def.steps.forEach((s, i) => {
    if (!reachable.has(s.key))
      err(
        `steps[${i}]`,
        `step "${s.key}" cannot be reached from the first step "${def.steps[0]?.key}"`,
      );
  });

  // A step can finish if it is final or leads to a step that can finish; the rest loop forever.
  // One pass backwards from the final steps over the reversed graph: linear in steps and routes.
  const leadsTo = new Map<string, string[]>();
  for (const s of def.steps)
    for (const t of next(s)) {
      const from = leadsTo.get(t);
      if (from) from.push(s.key);
      else leadsTo.set(t, [s.key]);
    }
  const canFinish = new Set(def.steps.filter((s) => !s.handoff).map((s) => s.key));
  const work = [...canFinish];
  while (work.length > 0)
    for (const k of leadsTo.get(work.pop() as string) ?? [])
      if (!canFinish.has(k)) {
        canFinish.add(k);
        work.push(k);
      }
  def.steps.forEach((s, i) => {
    if (!canFinish.has(s.key) && reachable.has(s.key))
      err(
        `steps[${i}]`,
        `step "${s.key}" is in a cycle with no exit: no final step can be reached from it`,
      );
  });
  return errors;
}

/** The keys of the steps a step may hand off to. */
export function nextStepKeys(step: StepDef): string[] {
  const h = step.handoff;
  if (!h) return [];
  return h.routes ? h.routes.map((r) => r.to) : h.to !== undefined ? [h.to] : [];
}

/** Steps by key per definition: commands look steps up often, definitions have up to 1,000. */
const stepIndex = new WeakMap<WorkflowDef, Map<string, StepDef>>();

/** Finds a step by key; the definition was validated, so a miss is a programming error. */
export function stepOf(def: WorkflowDef, key: string): StepDef {
  let index = stepIndex.get(def);
  if (!index) {
    index = new Map(def.steps.map((x) => [x.key, x]));
    stepIndex.set(def, index);
  }
  const s = index.get(key);
  if (!s) throw new Error(`workflow ${def.key} has no step ${key}`);
  return s;
}

export function fieldLabel(def: WorkflowDef, key: string): string {
  return def.fields.find((f) => f.key === key)?.label ?? key;
}

/** Evaluates a structured condition against field values. Missing values match nothing but `set: false`. */
export function matches(c: Condition, fields: Readonly<Record<string, unknown>>): boolean {
  if ("all" in c) return c.all.every((x) => matches(x, fields));
  if ("any" in c) return c.any.some((x) => matches(x, fields));
  if ("not" in c) return !matches(c.not, fields);
  const v = fields[c.field];
  const isSet = v !== undefined && v !== null && v !== "";
  if (c.set !== undefined) return isSet === c.set;
  if (!isSet) return false;
  if (c.equals !== undefined) return v === c.equals;
  if (c.not_equals !== undefined) return v !== c.not_equals;
  if (c.in !== undefined) return c.in.includes(v as string | number);
  if (typeof v !== "number" && typeof v !== "string") return false;
  if (c.gt !== undefined) return v > c.gt;
  if (c.gte !== undefined) return v >= c.gte;
  if (c.lt !== undefined) return v < c.lt;
  if (c.lte !== undefined) return v <= c.lte;
  return false;
}

/** The step a handoff from `step` goes to with these field values, or undefined if no route matches. */
export function routeHandoff(
  step: StepDef,
  fields: Readonly<Record<string, unknown>>,
): string | undefined {
  const h = step.handoff;
  if (!h) return undefined;
  if (h.to !== undefined) return h.to;
  return h.routes?.find((r) => !r.when || matches(r.when, fields))?.to;
}

const email = /^[^\s@]+@[^\s@]+$/;

/**
 * Checks one field value against its declared type; returns what is wrong, or undefined.
 * `null` clears a field and is always allowed.
 */
export function checkFieldValue(f: FieldDef, v: unknown): string | undefined {
  if (v === null) return undefined;
  // Text, user and url values are stored as sent: they must be storable text (see text.ts).
  const problem = typeof v === "string" ? textProblem(v) : undefined;
  if (problem) return problem;
  switch (f.type) {
    case "text":
      return typeof v === "string" && v.length <= 10_000
        ? undefined
        : "must be text (at most 10,000 characters)";
    case "number":
      return typeof v === "number" && Number.isFinite(v) ? undefined : "must be a number";
    case "boolean":
      return typeof v === "boolean" ? undefined : "must be true or false";
    case "date":
      return typeof v === "string" && isCalendarDate(v) ? undefined : FIELD_DATE_MESSAGE;
    case "url":
      return typeof v === "string" && /^https?:\/\/[^\s]+$/.test(v) && URL.canParse(v)
        ? undefined
        : "must be an http or https URL";
    case "choice":
      return typeof v === "string" && f.options?.includes(v)
        ? undefined
        : `must be one of ${(f.options ?? []).join(", ")}`;
    case "user":
      return typeof v === "string" && email.test(v) ? undefined : "must be a user's e-mail address";
    case "file":
      return "is set by uploading a file to the item (POST /api/v1/items/{key}/files), or cleared with null";
  }
}

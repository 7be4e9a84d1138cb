import { DomainError } from "./errors.ts";
import type { ValidationIssue } from "./workflow.ts";

/*
 * Size limits of a workflow definition, checked on the raw parsed value before the schema sees
 * it. The schema (zod) walks conditions recursively, and the semantic checks are only linear in
 * what they are given: without these bounds, 3,000 nested conditions overflow the stack and a
 * 14,001-step chain keeps the event loop busy for most of a minute. Every limit is generous
 * (ten to a hundred times what a real process uses) and documented in the README.
 */

/** The most of each thing a definition may have. Part of the documented API. */
export const WORKFLOW_LIMITS = {
  /** Steps in one workflow. */
  steps: 1_000,
  /** Fields in one workflow. */
  fields: 500,
  /** Options of one choice field. */
  options: 500,
  /** Checklist entries of one step. */
  checklist: 100,
  /** Routes of one handoff. */
  routes: 100,
  /** Fields one handoff requires. */
  requires: 500,
  /** Acceptance criteria of one handoff. */
  criteria: 100,
  /** Teams invited to one handoff meeting. */
  attendees: 50,
  /** Agenda points of one handoff meeting. */
  agenda: 100,
  /** Levels of `all` / `any` / `not` in one condition. */
  conditionDepth: 32,
  /** Comparisons and combinators in one condition, all levels together. */
  conditionSize: 1_000,
  /** Values of one `in` comparison. */
  inValues: 1_000,
  /** Nesting of objects and lists in the whole document. */
  depth: 100,
  /** Values (objects, lists, scalars) in the whole document, YAML aliases expanded. */
  values: 200_000,
} as const;

/** Where each list limit applies: the key in its parent and how people name the thing. */
const lists = {
  steps: "steps",
  fields: "fields",
  options: "options",
  checklist: "checklist entries",
  routes: "routes",
  requires: "required fields",
  criteria: "criteria",
  attendees: "attendees",
  agenda: "agenda points",
} as const satisfies Partial<Record<keyof typeof WORKFLOW_LIMITS, string>>;

const n = (x: number) => x.toLocaleString("en");

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Checks a parsed document's shape as a tree, without recursion: at most `maxDepth` levels and
 * `maxValues` values once shared parts (YAML aliases) are counted at every place they appear,
 * and no part that contains itself. Each distinct object is visited once, so the cost is linear
 * in the parsed value, not in its expansion. Returns the problem, or undefined.
 */
export function treeProblem(
  value: unknown,
  {
    maxDepth = WORKFLOW_LIMITS.depth,
    maxValues = WORKFLOW_LIMITS.values,
  }: { maxDepth?: number; maxValues?: number } = {},
): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  /** Expanded size of every object already measured. */
  const sizes = new Map<object, number>();
  const onPath = new Set<object>();
  const stack: { node: object; children: unknown[]; next: number; size: number }[] = [];
  const enter = (node: object) => {
    onPath.add(node);
    stack.push({ node, children: Object.values(node), next: 0, size: 1 });
  };
  enter(value);
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as (typeof stack)[number];
    if (top.next < top.children.length) {
      const child = top.children[top.next++];
      if (typeof child !== "object" || child === null) {
        top.size += 1;
      } else if (onPath.has(child)) {
        return "a part of the document contains itself (a YAML alias inside its own anchor)";
      } else {
        const known = sizes.get(child);
        if (known !== undefined) top.size += known;
        else if (stack.length >= maxDepth) return `nested deeper than ${n(maxDepth)} levels`;
        else enter(child);
      }
      if (top.size > maxValues) return `more than ${n(maxValues)} values (aliases expanded)`;
      continue;
    }
    stack.pop();
    onPath.delete(top.node);
    sizes.set(top.node, top.size);
    const parent = stack[stack.length - 1];
    if (parent) {
      parent.size += top.size;
      if (parent.size > maxValues) return `more than ${n(maxValues)} values (aliases expanded)`;
    }
  }
  return undefined;
}

/**
 * The limit problems of a raw definition (as parsed from YAML or JSON, before the schema), each
 * with its path: the whole tree first ({@link treeProblem}), then every list and condition
 * against {@link WORKFLOW_LIMITS}. Parts of the wrong type are left to the schema.
 */
export function workflowLimitIssues(input: unknown): ValidationIssue[] {
  const tree = treeProblem(input);
  if (tree) return [{ path: "(root)", message: tree }];
  const issues: ValidationIssue[] = [];
  const list = (parent: unknown, key: keyof typeof lists, path: string): unknown[] => {
    const v = isObject(parent) ? parent[key] : undefined;
    if (!Array.isArray(v)) return [];
    const max = WORKFLOW_LIMITS[key];
    if (v.length > max) {
      issues.push({
        path: path ? `${path}.${key}` : key,
        message: `at most ${n(max)} ${lists[key]} (this has ${n(v.length)})`,
      });
      return [];
    }
    return v;
  };
  const condition = (c: unknown, path: string) => {
    // Depth-first over the condition with an explicit stack; the tree check above bounds it.
    const stack: { c: unknown; depth: number }[] = [{ c, depth: 1 }];
    let size = 0;
    while (stack.length > 0) {
      const { c: x, depth } = stack.pop() as (typeof stack)[number];
      if (!isObject(x)) continue;
      size += 1;
      if (size > WORKFLOW_LIMITS.conditionSize) {
        issues.push({
          path,
          message: `at most ${n(WORKFLOW_LIMITS.conditionSize)} comparisons and combinators in one condition`,
        });
        return;
      }
      if (Array.isArray(x.in) && x.in.length > WORKFLOW_LIMITS.inValues) {
        issues.push({
          path,
          message: `at most ${n(WORKFLOW_LIMITS.inValues)} values in one "in" (this has ${n(x.in.length)})`,
        });
        return;
      }
      const children = [
        ...(Array.isArray(x.all) ? x.all : []),
        ...(Array.isArray(x.any) ? x.any : []),
        ...(x.not !== undefined ? [x.not] : []),
      ];
      if (children.length === 0) continue;
      if (depth >= WORKFLOW_LIMITS.conditionDepth) {
        issues.push({
          path,
          message: `conditions nest at most ${WORKFLOW_LIMITS.conditionDepth} levels of all, any and not`,
        });
        return;
      }
      for (const child of children) stack.push({ c: child, depth: depth + 1 });
    }
  };

  list(input, "fields", "").forEach((f, i) => {
    list(f, "options", `fields[${i}]`);
  });
  list(input, "steps", "").forEach((s, i) => {
    const at = `steps[${i}]`;
    list(s, "checklist", at);
    const h = isObject(s) ? s.handoff : undefined;
    if (!isObject(h)) return;
    list(h, "requires", `${at}.handoff`);
    list(h, "criteria", `${at}.handoff`);
    list(h, "routes", `${at}.handoff`).forEach((r, j) => {
      if (isObject(r) && r.when !== undefined) condition(r.when, `${at}.handoff.routes[${j}].when`);
    });
    const m = h.meeting;
    if (!isObject(m)) return;
    list(m, "attendees", `${at}.handoff.meeting`);
    list(m, "agenda", `${at}.handoff.meeting`);
    if (m.required_when !== undefined)
      condition(m.required_when, `${at}.handoff.meeting.required_when`);
  });
  return issues;
}

/**
 * Throws `invalid_workflow` (422) listing every limit a raw definition exceeds, each with its
 * path (`steps: at most 1,000 steps (this has 14,001)`); returns if it is within all of them.
 */
export function assertWithinLimits(input: unknown): void {
  const issues = workflowLimitIssues(input);
  const first = issues[0];
  if (!first) return;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  throw new DomainError("invalid_workflow", `${first.path}: ${first.message}${more}`, {
    errors: issues,
  });
}

import type { Actor } from "../decide.ts";
import { DomainError, type MissingItem } from "../errors.ts";
import type { Item } from "../item.ts";
import { textProblem } from "../text.ts";
import { describeMissing } from "../wording.ts";
import { checkFieldValue, fieldLabel, type StepDef, type WorkflowDef } from "../workflow.ts";

/*
 * The checks the command groups share: membership, state, text, the version the caller saw,
 * field values, and what a step still needs before the item may leave it.
 */

export function isMember(actor: Actor, team: string): boolean {
  return actor.isAdmin || actor.teams.includes(team);
}

export function requireTeam(
  actor: Actor,
  team: string,
  item: { key: string },
  teamName = team,
): void {
  if (!isMember(actor, team))
    throw new DomainError(
      "not_your_team",
      `Only members of ${teamName} can do this on ${item.key} now.`,
      { team },
    );
}

export function wrongState(item: Item, message: string): DomainError {
  return new DomainError("wrong_state", message, { state: item.status });
}

export function requireText(value: string, what: string, max = 10_000): string {
  const v = value.trim();
  if (v.length === 0 || v.length > max)
    throw new DomainError("invalid_input", `${what} must be 1 to ${max} characters.`, {
      errors: [{ path: what, message: `must be 1 to ${max} characters` }],
    });
  const problem = textProblem(v);
  if (problem)
    throw new DomainError("invalid_input", `${what} ${problem}.`, {
      errors: [{ path: what, message: problem }],
    });
  return v;
}

export function checkVersion(item: Item, expected: number | undefined): void {
  if (expected !== undefined && expected !== item.version)
    throw new DomainError(
      "version_conflict",
      `${item.key} changed since you read it (you had version ${expected}, it is now ${item.version}). Reload and try again.`,
      { current_version: item.version },
    );
}

/** Checks a batch of field values; names every bad one. */
export function checkFields(def: WorkflowDef, fields: Record<string, unknown>): void {
  const errors: { path: string; message: string }[] = [];
  for (const [k, v] of Object.entries(fields)) {
    const f = def.fields.find((x) => x.key === k);
    if (!f)
      errors.push({ path: `fields.${k}`, message: `unknown field "${k}" in workflow ${def.key}` });
    else {
      const problem = checkFieldValue(f, v);
      if (problem) errors.push({ path: `fields.${k}`, message: problem });
    }
  }
  if (errors.length > 0) {
    const first = errors[0] as { path: string; message: string };
    throw new DomainError("invalid_input", `${first.path} ${first.message}`, { errors });
  }
}

/** Everything that still blocks leaving the current step (fields, checklist, criteria), all at once. */
export function missingForHandoff(
  item: Item,
  step: StepDef,
  def: WorkflowDef,
  confirmed: readonly string[],
): MissingItem[] {
  const missing: MissingItem[] = [];
  for (const f of step.handoff?.requires ?? []) {
    const v = item.fields[f];
    if (v === undefined || v === null || v === "")
      missing.push({ kind: "field", field: f, label: fieldLabel(def, f) });
  }
  const ticks = item.checklists[step.key] ?? [];
  step.checklist.forEach((c, index) => {
    if (!c.optional && !ticks[index]) missing.push({ kind: "checklist", index, text: c.text });
  });
  for (const c of step.handoff?.criteria ?? []) {
    if (!confirmed.includes(c)) missing.push({ kind: "criterion", criterion: c });
  }
  return missing;
}

export function criteriaNotMet(missing: MissingItem[], doing: string): DomainError {
  return new DomainError(
    "criteria_not_met",
    `Cannot ${doing} yet: ${missing.map((m) => describeMissing(m, "inline")).join("; ")}.`,
    { missing },
  );
}

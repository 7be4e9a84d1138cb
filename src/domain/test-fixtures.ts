import type { Actor } from "./decide.ts";
import { evolve, type Item, type ItemEvent } from "./item.ts";
import { validateWorkflow, type WorkflowDef, type WorkflowInput } from "./workflow.ts";

/*
 * Shared fixtures for the domain's unit tests: one onboarding workflow and the people who work
 * on it. Kept beside the domain (not in test/) because only the pure tests use them.
 */

/** The teams that exist when the onboarding workflow is validated. */
export const teams: ReadonlySet<string> = new Set([
  "sales",
  "implementation",
  "support",
  "enterprise",
]);

/**
 * sell → implement → support or support-enterprise (routed on `tier`), as users would write it.
 * Returns a fresh copy each call so a test can break one part without touching the others.
 */
export function onboardingInput(): WorkflowInput {
  return {
    $schema: "https://baton.dev/schemas/workflow.json",
    key: "onboarding",
    name: "Customer onboarding",
    prefix: "ONB",
    fields: [
      { key: "customer", type: "text", label: "Customer" },
      { key: "contract_url", type: "url", label: "Contract" },
      { key: "tier", type: "choice", options: ["smb", "enterprise"] },
      { key: "go_live", type: "date", label: "Go-live date" },
    ],
    steps: [
      {
        key: "sell",
        name: "Sell",
        team: "sales",
        checklist: ["Contract signed", { text: "Intro call held", optional: true }],
        handoff: {
          to: "implement",
          requires: ["customer", "contract_url", "tier"],
          criteria: ["Contract countersigned", "Scope agreed"],
          accept_within: "4h",
        },
      },
      {
        key: "implement",
        name: "Implement",
        team: "implementation",
        complete_within: "2d",
        checklist: ["Account provisioned"],
        handoff: {
          routes: [
            { when: { field: "tier", equals: "enterprise" }, to: "support-enterprise" },
            { to: "support" },
          ],
          requires: ["go_live"],
          criteria: ["Customer trained"],
          accept_within: "48h wall",
        },
      },
      { key: "support", name: "Support", team: "support", complete_within: "90m" },
      {
        key: "support-enterprise",
        name: "Enterprise support",
        team: "enterprise",
        checklist: ["Account manager named"],
      },
    ],
  };
}

/** The validated onboarding workflow. */
export const onboarding: WorkflowDef = validateWorkflow(onboardingInput(), { teams });

/** One member per team, someone in no team, and an admin in no team. */
export const people = {
  alice: { email: "alice@acme.test", teams: ["sales"], isAdmin: false },
  ivan: { email: "ivan@acme.test", teams: ["implementation"], isAdmin: false },
  iris: { email: "iris@acme.test", teams: ["implementation"], isAdmin: false },
  sam: { email: "sam@acme.test", teams: ["support"], isAdmin: false },
  erin: { email: "erin@acme.test", teams: ["enterprise", "support"], isAdmin: false },
  olga: { email: "olga@acme.test", teams: [], isAdmin: false },
  root: { email: "root@acme.test", teams: [], isAdmin: true },
} satisfies Record<string, Actor>;

/**
 * A chain of `n` steps owned by `team`, each handing off to the next, the last one final, with a
 * choice field `tier` for conditions; `step(i)` adds to step i. For size and speed limits.
 */
export function chainWorkflow(
  n: number,
  { team = "sales", step = () => ({}) }: { team?: string; step?: (i: number) => object } = {},
): Record<string, unknown> {
  return {
    key: "chain",
    name: "Chain",
    prefix: "CH",
    fields: [{ key: "tier", type: "choice", options: ["a", "b"] }],
    steps: Array.from({ length: n }, (_, i) => ({
      key: `s${i}`,
      team,
      ...(i < n - 1 ? { handoff: { to: `s${i + 1}` } } : {}),
      ...step(i),
    })),
  };
}

/**
 * Sales hands to Implementation, which must accept within 4 business hours: the workflow of the
 * forecast tests and the backtest.
 */
export const handoffWorkflow: WorkflowDef = validateWorkflow(
  {
    key: "w",
    name: "W",
    prefix: "W",
    steps: [
      {
        key: "sell",
        name: "Sell",
        team: "sales",
        handoff: { to: "implement", accept_within: "4h" },
      },
      { key: "implement", name: "Implement", team: "implementation" },
    ],
  },
  { teams: new Set(["sales", "implementation"]) },
);

/**
 * An item of `handoffWorkflow` built from its events: created, handed off, then accepted (or
 * rejected) and done, at the given instants (epoch ms); a step left out has not happened.
 */
export function itemLife(
  key: string,
  steps: {
    created: number;
    submitted?: number;
    decided?: number;
    rejected?: boolean;
    done?: number;
  },
): Item {
  const ev = (type: string, at: number, data: object) =>
    ({ type, actor: "someone@example.com", at: new Date(at).toISOString(), data }) as ItemEvent;
  const events: ItemEvent[] = [
    ev("item.created", steps.created, {
      key,
      title: key,
      workflow: "w",
      workflowVersion: 1,
      step: "sell",
      team: "sales",
      fields: {},
    }),
  ];
  if (steps.submitted !== undefined)
    events.push(
      ev("handoff.submitted", steps.submitted, {
        handoff: 1,
        fromStep: "sell",
        fromTeam: "sales",
        toStep: "implement",
        toTeam: "implementation",
        note: null,
        confirmed: [],
        package: {},
      }),
    );
  if (steps.decided !== undefined)
    events.push(
      steps.rejected
        ? ev("handoff.rejected", steps.decided, {
            handoff: 1,
            reason: "incomplete",
            comment: "no",
            failedCriteria: [],
            assignee: null,
          })
        : ev("handoff.accepted", steps.decided, { handoff: 1, assignee: null }),
    );
  if (steps.done !== undefined) events.push(ev("item.completed", steps.done, {}));
  return events.reduce<Item | null>(evolve, null) as Item;
}

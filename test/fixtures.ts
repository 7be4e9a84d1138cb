import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ApiClient, TestBaton } from "./harness.ts";

export const onboardingYaml = readFileSync(
  join(import.meta.dirname, "../examples/onboarding.yaml"),
  "utf8",
);
export const incidentYaml = readFileSync(
  join(import.meta.dirname, "../examples/incident.yaml"),
  "utf8",
);

export interface OnboardingCast {
  sales: ApiClient;
  impl: ApiClient;
  support: ApiClient;
  outsider: ApiClient;
}

/** The teams and people of the onboarding example, and the workflow itself. */
export async function castOnboarding(b: TestBaton, suffix = ""): Promise<OnboardingCast> {
  for (const t of ["sales", "implementation", "support", "support-enterprise", "finance"])
    await b.team(t);
  await b.workflow(onboardingYaml);
  return {
    sales: await b.user(`sam${suffix}@example.com`, ["sales"]),
    impl: await b.user(`ivy${suffix}@example.com`, ["implementation"]),
    support: await b.user(`sue${suffix}@example.com`, ["support", "support-enterprise"]),
    outsider: await b.user(`fin${suffix}@example.com`, ["finance"]),
  };
}

/** Creates an onboarding item and makes it ready to hand off to Implementation. */
export async function readyOnboardingItem(
  sales: ApiClient,
  fields: Record<string, unknown> = {},
): Promise<string> {
  const created = await sales.post("/items", {
    workflow: "onboarding",
    title: "ACME Corp",
    fields: {
      customer: "ACME Corp",
      contract_url: "https://docs.example.com/acme-contract.pdf",
      tier: "smb",
      requirements_url: "https://docs.example.com/acme-reqs",
      ...fields,
    },
  });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  const key = created.body.key as string;
  for (const index of [0, 1]) await sales.post(`/items/${key}/checklist`, { index, done: true });
  return key;
}

export const onboardingCriteria = [
  "Technical requirements attached",
  "Go-live date agreed with the customer",
];

/**
 * The service-level workflow of the SLA tests: Sales hands to Implementation, which must accept
 * within 4 business hours or it escalates to ops; questions are answered within 2 hours. With
 * `meeting`, the handoff also needs a meeting held first.
 */
export function rolloutYaml({ meeting = false }: { meeting?: boolean } = {}): string {
  const meetingLines = meeting
    ? `
      meeting:
        required: true
        agenda: [Walk through requirements]`
    : "";
  return `
key: rollout
name: Rollout
prefix: RO
fields:
  - {key: customer, type: text}
steps:
  - key: prepare
    team: sales
    complete_within: 1d
    handoff:
      to: build
      accept_within: 4h
      escalate_to: ops${meetingLines}
  - key: build
    team: implementation
questions:
  answer_within: 2h
`;
}

/**
 * A contract review: Sales must attach the signed contract (a PDF, in a `file` field) before
 * `reviewers` (Legal, say) take it.
 */
export function contractsYaml(reviewers: string): string {
  return `
key: contracts
name: Contract review
prefix: CTR
fields:
  - {key: customer, type: text, label: Customer}
  - {key: contract, type: file, label: Signed contract, accept: [application/pdf, .pdf]}
steps:
  - key: sell
    name: Close the deal
    team: sales
    handoff:
      to: review
      requires: [customer, contract]
  - key: review
    name: Legal review
    team: ${reviewers}
`;
}

/** A handoff with a minute to accept it, so it can breach within a test. */
export const URGENT = `key: urgent
name: Urgent requests
prefix: URG
steps:
  - key: take
    name: Take the request
    team: sales
    handoff:
      to: do
      accept_within: 1m wall
  - key: do
    name: Do it
    team: implementation
`;

/** What differs between the tests' "relay" workflows; everything else is the same. */
export interface RelayOptions {
  /** The sending and the receiving team (default sales, implementation). */
  teams?: readonly [string, string];
  /** The two steps' keys (default prepare, build). */
  steps?: readonly [string, string];
  /** The fields, as YAML flow mappings (default {@link relayFields}). */
  fields?: readonly string[];
  /** The first step's checklist (default [Contract signed]; empty: none). */
  checklist?: readonly string[];
  /** The first step's `complete_within`, if any. */
  completeWithin?: string;
  /** More of the first step's handoff, e.g. `accept_within: 1h wall`. */
  handoff?: string;
  /** More lines of the first step, e.g. `stall_after: 8h`. */
  first?: readonly string[];
  /** More lines of the second step, e.g. `checklist: [Built]`. */
  then?: readonly string[];
  /** Steps after the second, as YAML flow mappings. */
  more?: readonly string[];
}

/** The relay's default fields: a customer and a tier. */
export const relayFields = [
  "{key: customer, type: text}",
  "{key: tier, type: choice, options: [smb, enterprise]}",
] as const;

/**
 * The small "relay" workflow (key relay, prefix RL) of many integration tests: a first step that
 * hands off to a second, by default Sales `prepare` (checklist: Contract signed) to
 * Implementation `build`, with a customer and a tier field. Each test says only what it needs
 * different.
 */
export function relayYaml({
  teams: [fromTeam, toTeam] = ["sales", "implementation"],
  steps: [fromStep, toStep] = ["prepare", "build"],
  fields = relayFields,
  checklist = ["Contract signed"],
  completeWithin,
  handoff,
  first = [],
  then = [],
  more = [],
}: RelayOptions = {}): string {
  const lines = ["", "key: relay", "name: Relay", "prefix: RL"];
  if (fields.length > 0) lines.push("fields:", ...fields.map((f) => `  - ${f}`));
  lines.push("steps:", `  - key: ${fromStep}`, `    team: ${fromTeam}`);
  if (checklist.length > 0) lines.push(`    checklist: [${checklist.join(", ")}]`);
  if (completeWithin) lines.push(`    complete_within: ${completeWithin}`);
  lines.push(...first.map((l) => `    ${l}`));
  lines.push(`    handoff: {to: ${toStep}${handoff ? `, ${handoff}` : ""}}`);
  lines.push(`  - key: ${toStep}`, `    team: ${toTeam}`, ...then.map((l) => `    ${l}`));
  lines.push(...more.map((s) => `  - ${s}`));
  return `${lines.join("\n")}\n`;
}

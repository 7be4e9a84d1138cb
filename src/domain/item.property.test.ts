import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Actor,
  type Command,
  type CommentFacts,
  decide,
  missingForHandoff,
} from "./decide.ts";
import { DomainError } from "./errors.ts";
import {
  evolve,
  type Item,
  type ItemEvent,
  isClosed,
  nextTeam,
  rejectReasons,
  replay,
} from "./item.ts";
import { onboarding, onboardingInput, people, teams } from "./test-fixtures.ts";
import { stepOf, validateWorkflow, type WorkflowDef } from "./workflow.ts";

/*
 * Random command sequences from random people against one onboarding item. Most commands are
 * refused (wrong team, wrong state, bad input); the properties must hold whatever gets through.
 */

const actors: Actor[] = Object.values(people);
const workflowTeams = new Set(onboarding.steps.map((s) => s.team));
const criteria = onboarding.steps.flatMap((s) => s.handoff?.criteria ?? []);
const stepCriteria = onboarding.steps.map((s) => s.handoff?.criteria ?? []);
const T0 = Date.parse("2025-03-03T09:00:00.000Z");

/**
 * The versions an item may be migrated between: 2 has the same steps and teams (one checklist
 * entry more), 3 gives the implement step to another team (a migration there is refused).
 */
const versions: Record<number, WorkflowDef> = {
  1: onboarding,
  2: (() => {
    const input = onboardingInput();
    const sell = input.steps[0] as { checklist: unknown[] };
    sell.checklist = ["Kick-off booked", ...sell.checklist];
    return validateWorkflow(input, { teams });
  })(),
  3: (() => {
    const input = onboardingInput();
    (input.steps[1] as { team: string }).team = "support";
    return validateWorkflow(input, { teams });
  })(),
};

/** Values that are valid for some field, invalid for others, or clear it. */
const fieldValue = fc.constantFrom<unknown>(
  null,
  "",
  "Acme",
  "https://acme.test/contract.pdf",
  "smb",
  "enterprise",
  "gold",
  "2025-04-01",
  "2025-02-30",
  42,
  true,
);
const fieldUpdate = fc.dictionary(
  fc.constantFrom("customer", "contract_url", "tier", "go_live", "seats"),
  fieldValue,
  { maxKeys: 3 },
);
/** Updates that fill what the handoffs require. */
const usefulUpdate = fc.constantFrom(
  { customer: "Acme", contract_url: "https://acme.test/contract.pdf", tier: "enterprise" },
  { customer: "Acme", contract_url: "https://acme.test/contract.pdf", tier: "smb" },
  { go_live: "2025-04-01" },
);

/** Any command, with arguments that are sometimes right and often wrong. */
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant("update_fields"),
      fields: fc.oneof(fieldUpdate, usefulUpdate),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant("set_checklist"),
      index: fc.oneof(fc.constant(0), fc.integer({ min: -1, max: 2 })),
      done: fc.oneof(fc.constant(true), fc.boolean()),
    }),
  },
  { weight: 3, arbitrary: fc.constant({ type: "claim" }) },
  {
    weight: 2,
    arbitrary: fc.option(fc.constantFrom(...actors.map((a) => a.email))).map(
      (email): Command => ({
        type: "assign",
        email,
        assigneeTeams: actors.find((a) => a.email === email)?.teams ?? [],
      }),
    ),
  },
  fc.record({ type: fc.constant("comment"), body: fc.constantFrom("Any news?", " ") }),
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant("submit"),
      confirm: fc.oneof(
        fc.constantFrom(...stepCriteria),
        fc.subarray([...criteria, "Paid upfront"]),
      ),
      note: fc.option(fc.constantFrom("Done", "  ")),
    }),
  },
  fc.constant({ type: "withdraw" }),
  { weight: 4, arbitrary: fc.constant({ type: "accept" }) },
  fc.record({
    type: fc.constant("reject"),
    reason: fc.constantFrom(...rejectReasons),
    comment: fc.constantFrom("Missing the contract", ""),
    failedCriteria: fc.subarray([...criteria, "Paid upfront"], { maxLength: 2 }),
  }),
  { weight: 2, arbitrary: fc.constant({ type: "complete" }) },
  fc.record({ type: fc.constant("cancel"), reason: fc.constantFrom("Deal lost", "") }),
  fc.record({ type: fc.constant("pause"), reason: fc.constantFrom("Waiting for legal", "") }),
  fc.constant({ type: "resume" }),
  fc.record({
    type: fc.constant("edit"),
    title: fc.option(fc.constantFrom("Acme, renamed", " ", "Acme onboarding"), { nil: undefined }),
    due: fc.option(fc.constantFrom("2025-04-01", "2025-02-30", null), { nil: undefined }),
  }),
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant("reopen"),
      reason: fc.constantFrom("Not live", "Not live", ""),
    }),
  },
  fc
    .constantFrom(2, 3, 1)
    .map((v): Command => ({ type: "migrate", toVersion: v, toDef: versions[v] as WorkflowDef })),
);

/** An edit or deletion of the n-th comment so far, resolved against the log when played. */
interface CommentPlan {
  change: "edit_comment" | "delete_comment";
  n: number;
  body: string;
  /** The comment's author acts (else whoever the turn names). */
  byAuthor: boolean;
}

/**
 * A move that gets the item closer to done from wherever it is when the turn comes. Blind random
 * commands seldom line up the five or so steps a handoff needs, so without it most scripts
 * would never leave the first step.
 */
interface Progress {
  tier: "smb" | "enterprise";
  /** What happens to a pending handoff: the receiver decides, or the sender takes it back. */
  verdict: "accept" | "reject" | "withdraw";
}

interface Turn {
  /**
   * Anyone (admin and outsider included), or the n-th member of the team that acts next or of
   * the team that owns the item when the turn comes (they differ while a handoff is pending).
   */
  actor: Actor | { memberOf: "next" | "owner"; n: number };
  command: Command | Progress | CommentPlan;
  /** Usually no `If-Match`; sometimes the version the caller saw, sometimes a stale one. */
  versionSeen: "none" | "current" | "stale";
}

const turn: fc.Arbitrary<Turn> = fc.record({
  actor: fc.oneof(
    fc.constantFrom(...actors),
    fc.record({ memberOf: fc.constantFrom("next", "owner"), n: fc.nat({ max: 5 }) }),
  ),
  command: fc.oneof(
    { weight: 4, arbitrary: command },
    {
      // Progress outweighs the rest: enough scripts must reach done for reopening to be tried.
      weight: 5,
      arbitrary: fc.record({
        tier: fc.constantFrom<Progress["tier"]>("smb", "enterprise"),
        verdict: fc.constantFrom<Progress["verdict"]>("accept", "accept", "reject", "withdraw"),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        change: fc.constantFrom<CommentPlan["change"]>("edit_comment", "delete_comment"),
        n: fc.nat({ max: 3 }),
        body: fc.constantFrom("Any news now?", ""),
        byAuthor: fc.boolean(),
      }),
    },
  ),
  versionSeen: fc.constantFrom("none", "none", "none", "current", "stale"),
});

// size "max": without it fast-check keeps arrays to about ten elements whatever maxLength says.
const script = fc.array(turn, { maxLength: 40, size: "max" });

function progressFor(item: Item, { tier, verdict }: Progress): Command {
  if (item.status === "awaiting_acceptance")
    return verdict === "reject"
      ? { type: "reject", reason: "incomplete", comment: "Missing the contract" }
      : { type: verdict };
  if (item.status === "paused") return { type: "resume" };
  const def = versions[item.workflowVersion] as WorkflowDef;
  const step = stepOf(def, item.step);
  const criteria = step.handoff?.criteria ?? [];
  const values: Record<string, unknown> = {
    customer: "Acme",
    contract_url: "https://acme.test/contract.pdf",
    tier,
    go_live: "2025-04-01",
  };
  const gap = missingForHandoff(item, step, def, criteria)[0];
  if (gap?.kind === "field")
    return { type: "update_fields", fields: { [gap.field]: values[gap.field] } };
  if (gap?.kind === "checklist") return { type: "set_checklist", index: gap.index, done: true };
  return step.handoff ? { type: "submit", confirm: criteria } : { type: "complete" };
}

function commentAuthor(log: readonly ItemEvent[], plan: CommentPlan): string | undefined {
  const added = log.filter((e) => e.type === "comment.added");
  return added[plan.n % Math.max(1, added.length)]?.actor;
}

/** The comment command a plan stands for, with the comment as the log has it (as the engine does). */
function commentCommandFor(log: readonly ItemEvent[], plan: CommentPlan): Command {
  const added = log
    .map((e, i) => ({ e, seq: i + 1 }))
    .filter(({ e }) => e.type === "comment.added");
  const pick = added[plan.n % Math.max(1, added.length)];
  const comment = pick?.seq ?? 99;
  let target: CommentFacts | undefined;
  if (pick && pick.e.type === "comment.added") {
    target = { author: pick.e.actor, body: pick.e.data.body, deleted: false };
    for (const e of log)
      if (e.type === "comment.edited" && e.data.comment === comment) target.body = e.data.body;
      else if (e.type === "comment.deleted" && e.data.comment === comment) target.deleted = true;
  }
  return plan.change === "edit_comment"
    ? { type: "edit_comment", comment, body: plan.body, target }
    : { type: "delete_comment", comment, target };
}

/** Resolves who acts on this turn; someone random when no team acts next. */
function actorFor(who: Turn["actor"], item: Item): Actor {
  if ("email" in who) return who;
  const team = who.memberOf === "next" ? nextTeam(item) : item.ownerTeam;
  const members = actors.filter((a) => team !== null && a.teams.includes(team));
  return members[who.n % members.length] ?? (actors[0] as Actor);
}

/** Freezes a value all the way down, so any mutation by decide or evolve throws. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

interface Run {
  item: Item;
  log: ItemEvent[];
  /** The state after creation and after every accepted command. */
  states: Item[];
  refused: number;
}

/** Plays a script against a freshly created item, skipping the commands the domain refuses. */
function playScript(turns: Turn[]): Run {
  const creator = people.alice;
  const log: ItemEvent[] = decide(
    null,
    { type: "create", key: "ONB-1", title: "Acme onboarding", workflowVersion: 1 },
    { actor: creator, def: onboarding, now: new Date(T0) },
  ).map((b) =>
    deepFreeze<ItemEvent>({ ...b, actor: creator.email, at: new Date(T0).toISOString() }),
  );
  let item = deepFreeze(replay(log) as Item);
  const states = [item];
  let refused = 0;

  turns.forEach(({ actor: who, command: plan, versionSeen }, n) => {
    const author =
      "change" in plan && plan.byAuthor
        ? actors.find((a) => a.email === commentAuthor(log, plan))
        : undefined;
    const actor = author ?? actorFor(who, item);
    const cmd =
      "verdict" in plan
        ? progressFor(item, plan)
        : "change" in plan
          ? commentCommandFor(log, plan)
          : plan;
    const def = versions[item.workflowVersion] as WorkflowDef;
    const expectedVersion =
      versionSeen === "current"
        ? item.version
        : versionSeen === "stale"
          ? item.version - 1
          : undefined;
    const before = structuredClone(item);
    const at = new Date(T0 + (n + 1) * 60_000).toISOString();
    let bodies: ReturnType<typeof decide>;
    try {
      bodies = decide(item, cmd, { actor, def, expectedVersion, now: new Date(at) });
    } catch (e) {
      // Anything but a DomainError (a TypeError from the frozen state, pendingOf's invariant
      // error…) is a bug in the domain, so it escapes and fails the property.
      if (!(e instanceof DomainError)) throw e;
      // (d) a refused command leaves the item exactly as it was.
      expect(item).toEqual(before);
      refused++;
      return;
    }
    for (const body of bodies) {
      const e = deepFreeze<ItemEvent>({ ...body, actor: actor.email, at });
      log.push(e);
      item = deepFreeze(evolve(item, e));
    }
    states.push(item);
  });
  return { item, log, states, refused };
}

const runs = { numRuns: 200 };

describe("an item under random commands from random people", () => {
  it("(a) an open item has exactly one team that acts next; a closed one has none", () => {
    fc.assert(
      fc.property(script, (turns) => {
        for (const item of playScript(turns).states) {
          const team = nextTeam(item);
          if (isClosed(item.status)) {
            expect(team).toBeNull();
            continue;
          }
          expect(workflowTeams).toContain(team);
          // The owner acts, unless a handoff waits for its receiver.
          expect(team).toBe(
            item.status === "awaiting_acceptance" ? item.handoffs.at(-1)?.toTeam : item.ownerTeam,
          );
        }
      }),
      runs,
    );
  });

  it("(b) replaying the log from scratch gives the state built event by event", () => {
    fc.assert(
      fc.property(script, (turns) => {
        const { item, log } = playScript(turns);
        expect(replay(log)).toEqual(item);
      }),
      runs,
    );
  });

  it("(c) the version is the number of events applied", () => {
    fc.assert(
      fc.property(script, (turns) => {
        const { item, log } = playScript(turns);
        expect(item.version).toBe(log.length);
      }),
      runs,
    );
  });

  it("(d) a refused command changes nothing", () => {
    // playScript compares the state before and after every refusal; the frozen state and events
    // make any in-place mutation throw a TypeError, which fails the run.
    fc.assert(
      fc.property(script, (turns) => {
        playScript(turns);
      }),
      runs,
    );
  });

  it("an assignee belongs to the team that acts next, or is an admin work was returned to", () => {
    const byEmail = new Map(actors.map((a) => [a.email, a]));
    fc.assert(
      fc.property(script, (turns) => {
        for (const item of playScript(turns).states) {
          if (isClosed(item.status) || item.assignee === null) continue;
          const person = byEmail.get(item.assignee) as Actor;
          expect(person.isAdmin || person.teams.includes(nextTeam(item) as string)).toBe(true);
        }
      }),
      runs,
    );
  });

  it("the scripts reach every status and every handoff outcome, so the properties bite", () => {
    const statuses = new Set<string>();
    const outcomes = new Set<string>();
    const types = new Set<string>();
    let refused = 0;
    let events = 0;
    fc.assert(
      fc.property(script, (turns) => {
        const run = playScript(turns);
        for (const item of run.states) statuses.add(item.status);
        for (const h of run.item.handoffs) outcomes.add(h.outcome);
        for (const e of run.log) types.add(e.type);
        refused += run.refused;
        events += run.log.length;
      }),
      { ...runs, seed: 42 },
    );
    expect([...statuses].sort()).toEqual([
      "awaiting_acceptance",
      "cancelled",
      "done",
      "in_progress",
      "paused",
    ]);
    expect([...outcomes].sort()).toEqual([
      "accepted",
      "cancelled",
      "pending",
      "rejected",
      "withdrawn",
    ]);
    for (const type of [
      "item.edited",
      "item.reopened",
      "item.migrated",
      "comment.edited",
      "comment.deleted",
    ])
      expect(types).toContain(type);
    expect(refused).toBeGreaterThan(0);
    expect(events).toBeGreaterThan(1000);
  });
});

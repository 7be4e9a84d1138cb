import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Actor, type Command, decide, type KnownPeople } from "./decide.ts";
import { DomainError, type ErrorCode } from "./errors.ts";
import { evolve, type Item, type ItemEvent, type ItemEventBody, nextTeam } from "./item.ts";
import { describeNext } from "./next-action.ts";
import { onboarding, onboardingInput, people, teams } from "./test-fixtures.ts";
import { validateWorkflow, type WorkflowDef } from "./workflow.ts";

const { alice, ivan, iris, sam, erin, olga, root } = people;

/** A fixed clock: minute `n` of the morning the tests run on. */
const at = (n: number) =>
  new Date(Date.parse("2025-03-03T09:00:00.000Z") + n * 60_000).toISOString();

/** `decide` returns bare events; the caller stamps who and when, as the engine does. */
function envelope(body: ItemEventBody, actor: Actor, when: string): ItemEvent {
  return { ...body, actor: actor.email, at: when };
}

interface Options {
  at?: string;
  expectedVersion?: number;
  def?: WorkflowDef;
}

/** Decides `cmd` and applies its events; returns the new state and the stamped events. */
function run(item: Item | null, by: Actor, cmd: Command, options: Options = {}) {
  const { def = onboarding, expectedVersion, at: when = at(0) } = options;
  const events = decide(item, cmd, { actor: by, def, expectedVersion, now: new Date(when) }).map(
    (b) => envelope(b, by, when),
  );
  const next = events.reduce<Item | null>((state, e) => evolve(state, e), item);
  if (!next) throw new Error("no item after applying the command");
  return { item: next, events };
}

/** Runs a command that must fail and returns its DomainError. */
function failure(item: Item | null, by: Actor, cmd: Command, options: Options = {}): DomainError {
  try {
    run(item, by, cmd, options);
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error(`expected ${cmd.type} by ${by.email} to fail`);
}

/** Plays commands in order from nothing, one minute apart. */
function play(...steps: [Actor, Command][]): Item {
  let item: Item | null = null;
  steps.forEach(([by, cmd], n) => {
    item = run(item, by, cmd, { at: at(n) }).item;
  });
  if (!item) throw new Error("nothing was played");
  return item;
}

const bothCriteria = ["Contract countersigned", "Scope agreed"];
const create: Command = {
  type: "create",
  key: "ONB-1",
  title: "Acme onboarding",
  workflowVersion: 1,
  fields: { customer: "Acme" },
};
const fillIn = (tier: "smb" | "enterprise"): Command => ({
  type: "update_fields",
  fields: { contract_url: "https://acme.test/contract.pdf", tier },
});

/** Named states an onboarding item passes through; each returns a fresh item. */
const states = {
  started: () => play([alice, create]),
  ready: (tier: "smb" | "enterprise" = "enterprise") =>
    play(
      [alice, create],
      [alice, fillIn(tier)],
      [alice, { type: "set_checklist", index: 0, done: true }],
    ),
  awaitingImplementation: (tier: "smb" | "enterprise" = "enterprise") =>
    run(states.ready(tier), alice, { type: "submit", confirm: bothCriteria }).item,
  inImplementation: (tier: "smb" | "enterprise" = "enterprise") =>
    run(states.awaitingImplementation(tier), ivan, { type: "accept" }).item,
  readyForSupport: (tier: "smb" | "enterprise" = "enterprise") => {
    let item = states.inImplementation(tier);
    item = run(item, ivan, { type: "update_fields", fields: { go_live: "2025-04-01" } }).item;
    return run(item, ivan, { type: "set_checklist", index: 0, done: true }).item;
  },
  /** At the final "support" step (smb tier), which has no checklist. */
  atSupport: () => {
    const item = states.readyForSupport("smb");
    const sent = run(item, ivan, { type: "submit", confirm: ["Customer trained"] }).item;
    return run(sent, sam, { type: "accept" }).item;
  },
  paused: () => run(states.started(), alice, { type: "pause", reason: "Waiting for legal" }).item,
  done: () => run(states.atSupport(), sam, { type: "complete" }).item,
  cancelled: () => run(states.started(), alice, { type: "cancel", reason: "Deal lost" }).item,
};

/** What a person notices about an item at a glance. */
function summary(item: Item) {
  return {
    status: item.status,
    step: item.step,
    next: nextTeam(item),
    version: item.version,
    assignee: item.assignee,
  };
}

interface Row {
  does: string;
  by: Actor;
  cmd: Command;
  then?: Partial<ReturnType<typeof summary>>;
  check?: (item: Item, events: ItemEvent[], minute: number) => void;
  fails?: ErrorCode;
  error?: (e: DomainError) => void;
}

describe("an onboarding item from sales to enterprise support", () => {
  const cycle: Row[] = [
    {
      does: "sales creates the item",
      by: alice,
      cmd: { ...create, title: "  Acme onboarding ", fields: { customer: "Acme", go_live: null } },
      then: { status: "in_progress", step: "sell", next: "sales", version: 1, assignee: null },
      check: (item, events, minute) => {
        expect(events).toEqual([
          {
            type: "item.created",
            actor: alice.email,
            at: at(minute),
            data: {
              key: "ONB-1",
              title: "Acme onboarding",
              workflow: "onboarding",
              workflowVersion: 1,
              step: "sell",
              team: "sales",
              // A null value on create means "not given", so it is dropped.
              fields: { customer: "Acme" },
            },
          },
        ]);
        expect(item).toMatchObject({
          createdBy: alice.email,
          createdAt: at(minute),
          teams: ["sales"],
        });
      },
    },
    {
      does: "sales cannot hand off before the criteria hold, and learns every gap at once",
      by: alice,
      cmd: { type: "submit", confirm: ["Scope agreed"] },
      fails: "criteria_not_met",
      error: (e) => {
        expect(e.details.missing).toEqual([
          { kind: "field", field: "contract_url", label: "Contract" },
          { kind: "field", field: "tier", label: "tier" },
          { kind: "checklist", index: 0, text: "Contract signed" },
          { kind: "criterion", criterion: "Contract countersigned" },
        ]);
        expect(e.message).toBe(
          'Cannot hand off yet: field "Contract"; field "tier"; checklist item "Contract signed"; criterion "Contract countersigned" not confirmed.',
        );
      },
    },
    {
      does: "sales fills in the contract and the tier",
      by: alice,
      cmd: fillIn("enterprise"),
      then: { version: 2 },
      check: (item, events) => {
        expect(events.map((e) => e.data)).toEqual([
          {
            changes: { contract_url: "https://acme.test/contract.pdf", tier: "enterprise" },
            previous: { contract_url: null, tier: null },
          },
        ]);
        expect(item.fields).toEqual({
          customer: "Acme",
          contract_url: "https://acme.test/contract.pdf",
          tier: "enterprise",
        });
      },
    },
    {
      does: "sales ticks the required checklist item (the optional one may stay open)",
      by: alice,
      cmd: { type: "set_checklist", index: 0, done: true },
      then: { version: 3 },
      check: (item) => expect(item.checklists).toEqual({ sell: [true] }),
    },
    {
      does: "sales hands off to implementation",
      by: alice,
      cmd: {
        type: "submit",
        confirm: ["Scope agreed", "Contract countersigned"],
        note: " Signed Friday ",
      },
      then: { status: "awaiting_acceptance", step: "sell", next: "implementation", version: 4 },
      check: (item, events) => {
        expect(events.map((e) => e.data)).toEqual([
          {
            handoff: 1,
            fromStep: "sell",
            fromTeam: "sales",
            toStep: "implement",
            toTeam: "implementation",
            note: "Signed Friday",
            // In the order the workflow lists them, not the order they were ticked.
            confirmed: bothCriteria,
            package: item.fields,
          },
        ]);
        expect(item.teams).toEqual(["sales", "implementation"]);
      },
    },
    {
      does: "sales cannot accept its own handoff",
      by: alice,
      cmd: { type: "accept" },
      fails: "not_your_team",
      error: (e) => expect(e.details).toEqual({ team: "implementation" }),
    },
    {
      does: "implementation rejects it as incomplete",
      by: ivan,
      cmd: {
        type: "reject",
        reason: "incomplete",
        comment: " No statement of work attached ",
        failedCriteria: ["Scope agreed"],
      },
      // Back at the sender's step, with the sender's team and the submitter assigned.
      then: {
        status: "in_progress",
        step: "sell",
        next: "sales",
        version: 5,
        assignee: alice.email,
      },
      check: (item, _events, minute) => {
        expect(item.rework).toEqual({ sell: 1 });
        expect(item.returned).toEqual({
          handoff: 1,
          reason: "incomplete",
          comment: "No statement of work attached",
          by: ivan.email,
          at: at(minute),
          fromTeam: "implementation",
          failedCriteria: ["Scope agreed"],
        });
        expect(item.stepSince).toBe(at(minute));
      },
    },
    {
      does: "sales hands off again",
      by: alice,
      cmd: { type: "submit", confirm: bothCriteria },
      then: { status: "awaiting_acceptance", next: "implementation", version: 6 },
      check: (item, _events, minute) => {
        expect(item.returned).toBeNull();
        expect(item.rework).toEqual({ sell: 1 });
        expect(item.handoffs).toMatchObject([
          {
            id: 1,
            outcome: "rejected",
            submittedBy: alice.email,
            decidedBy: ivan.email,
            reason: "incomplete",
            comment: "No statement of work attached",
            failedCriteria: ["Scope agreed"],
          },
          {
            id: 2,
            outcome: "pending",
            submittedAt: at(minute),
            decidedBy: null,
            reason: null,
            failedCriteria: [],
          },
        ]);
      },
    },
    {
      does: "implementation accepts and the acceptor picks it up",
      by: ivan,
      cmd: { type: "accept" },
      then: {
        status: "in_progress",
        step: "implement",
        next: "implementation",
        version: 7,
        assignee: ivan.email,
      },
      check: (item, _events, minute) => {
        expect(item.ownerTeam).toBe("implementation");
        expect(item.stepSince).toBe(at(minute));
        expect(item.handoffs.map((h) => h.outcome)).toEqual(["rejected", "accepted"]);
      },
    },
    {
      does: "implementation cannot hand off without a go-live date and provisioning",
      by: ivan,
      cmd: { type: "submit", confirm: ["Customer trained"] },
      fails: "criteria_not_met",
      error: (e) =>
        expect(e.details.missing).toEqual([
          { kind: "field", field: "go_live", label: "Go-live date" },
          { kind: "checklist", index: 0, text: "Account provisioned" },
        ]),
    },
    {
      does: "implementation sets the go-live date",
      by: ivan,
      cmd: { type: "update_fields", fields: { go_live: "2025-04-01" } },
      then: { version: 8 },
    },
    {
      does: "implementation ticks provisioning",
      by: ivan,
      cmd: { type: "set_checklist", index: 0, done: true },
      then: { version: 9 },
      // Ticks are kept per step, so the sell checklist is still there.
      check: (item) => expect(item.checklists).toEqual({ sell: [true], implement: [true] }),
    },
    {
      does: "implementation hands off; the enterprise tier routes it to enterprise support",
      by: ivan,
      cmd: { type: "submit", confirm: ["Customer trained"] },
      then: { status: "awaiting_acceptance", next: "enterprise", version: 10, assignee: null },
      check: (item) =>
        expect(item.handoffs.at(-1)).toMatchObject({
          id: 3,
          fromStep: "implement",
          toStep: "support-enterprise",
          toTeam: "enterprise",
        }),
    },
    {
      does: "enterprise support accepts",
      by: erin,
      cmd: { type: "accept" },
      then: { status: "in_progress", step: "support-enterprise", next: "enterprise", version: 11 },
      check: (item) => expect(item.teams).toEqual(["sales", "implementation", "enterprise"]),
    },
    {
      does: "enterprise support cannot complete with its checklist open",
      by: erin,
      cmd: { type: "complete" },
      fails: "criteria_not_met",
      error: (e) =>
        expect(e.details.missing).toEqual([
          { kind: "checklist", index: 0, text: "Account manager named" },
        ]),
    },
    {
      does: "enterprise support names the account manager",
      by: erin,
      cmd: { type: "set_checklist", index: 0, done: true },
      then: { version: 12 },
    },
    {
      does: "enterprise support completes the item",
      by: erin,
      cmd: { type: "complete" },
      then: { status: "done", step: "support-enterprise", next: null, version: 13 },
      check: (item, _events, minute) =>
        expect(item.closed).toEqual({ reason: null, by: erin.email, at: at(minute) }),
    },
    {
      does: "nothing more can happen to it",
      by: alice,
      cmd: { type: "comment", body: "One more thing" },
      fails: "item_closed",
    },
  ];

  it("follows every rule of the cycle, one command a minute", () => {
    let item: Item | null = null;
    cycle.forEach((row, minute) => {
      if (row.fails) {
        const e = failure(item, row.by, row.cmd, { at: at(minute) });
        expect(e.code, row.does).toBe(row.fails);
        row.error?.(e);
        return;
      }
      const result = run(item, row.by, row.cmd, { at: at(minute) });
      item = result.item;
      expect(summary(item), row.does).toMatchObject(row.then ?? {});
      expect(item.updatedAt, row.does).toBe(at(minute));
      row.check?.(item, result.events, minute);
    });
  });

  it.each([
    ["enterprise", "support-enterprise", "enterprise"],
    ["smb", "support", "support"],
  ] as const)("a %s customer is routed to %s", (tier, step, team) => {
    const item = states.readyForSupport(tier);
    const sent = run(item, ivan, { type: "submit", confirm: ["Customer trained"] }).item;
    expect(sent.handoffs.at(-1)).toMatchObject({ toStep: step, toTeam: team });
    expect(nextTeam(sent)).toBe(team);
  });

  it("routing follows the fields at the time of the handoff", () => {
    let item = states.readyForSupport("enterprise");
    item = run(item, ivan, { type: "update_fields", fields: { tier: "smb" } }).item;
    item = run(item, ivan, { type: "submit", confirm: ["Customer trained"] }).item;
    expect(item.handoffs.at(-1)?.toStep).toBe("support");
  });
});

describe("who may act", () => {
  // Each command, in a state where it is valid, by someone outside the team that must act.
  const rows: [string, () => Item | null, Actor, Command][] = [
    ["create an item", () => null, ivan, create],
    ["edit fields", states.started, ivan, { type: "update_fields", fields: { tier: "smb" } }],
    ["tick the checklist", states.started, sam, { type: "set_checklist", index: 0, done: true }],
    ["hand off", states.ready, ivan, { type: "submit", confirm: bothCriteria }],
    ["withdraw a handoff", states.awaitingImplementation, ivan, { type: "withdraw" }],
    ["accept a handoff", states.awaitingImplementation, sam, { type: "accept" }],
    [
      "reject a handoff",
      states.awaitingImplementation,
      erin,
      { type: "reject", reason: "other", comment: "Not ours" },
    ],
    ["complete", states.atSupport, ivan, { type: "complete" }],
    ["pause", states.started, olga, { type: "pause", reason: "Holiday" }],
    ["resume", states.paused, ivan, { type: "resume" }],
    ["cancel", states.started, sam, { type: "cancel", reason: "Duplicate" }],
    [
      "assign someone",
      states.started,
      ivan,
      { type: "assign", email: alice.email, assigneeTeams: alice.teams },
    ],
  ];

  it.each(rows)("only the acting team may %s", (_what, state, outsider, cmd) => {
    const e = failure(state(), outsider, cmd);
    expect(e.code).toBe("not_your_team");
    expect(e.details.team).toEqual(expect.any(String));
  });

  it.each(rows)("an admin may %s for any team", (_what, state, _outsider, cmd) => {
    expect(() => run(state(), root, cmd)).not.toThrow();
  });

  it("names the team that must act", () => {
    const e = failure(states.awaitingImplementation(), sam, { type: "accept" });
    expect(e.details).toEqual({ team: "implementation" });
    expect(e.message).toBe("Only members of implementation can do this on ONB-1 now.");
  });

  it("anyone may comment, at any open stage", () => {
    for (const state of [states.started, states.awaitingImplementation, states.paused]) {
      const before = state();
      const { item, events } = run(before, olga, { type: "comment", body: "  Any news? " });
      expect(events).toEqual([
        { type: "comment.added", data: { body: "Any news?" }, actor: olga.email, at: at(0) },
      ]);
      expect(item.comments).toBe(before.comments + 1);
      // A comment changes nothing about who acts next.
      expect(summary(item)).toEqual({ ...summary(before), version: before.version + 1 });
    }
  });

  it("an empty comment is refused", () => {
    const e = failure(states.started(), olga, { type: "comment", body: "   " });
    expect(e.code).toBe("invalid_input");
    expect(e.details.errors).toEqual([{ path: "body", message: "must be 1 to 10000 characters" }]);
  });

  it.each([
    ["the sending team", alice],
    ["the receiving team", ivan],
  ])("%s may cancel a handoff in flight", (_who, actor) => {
    const { item } = run(states.awaitingImplementation(), actor, {
      type: "cancel",
      reason: "Lost",
    });
    expect(item.status).toBe("cancelled");
    expect(nextTeam(item)).toBeNull();
  });

  it("a third team may not cancel a handoff in flight", () => {
    const e = failure(states.awaitingImplementation(), sam, { type: "cancel", reason: "Lost" });
    expect(e.code).toBe("not_your_team");
  });
});

describe("closed items", () => {
  const commands: Command[] = [
    { type: "update_fields", fields: { customer: "Other" } },
    { type: "set_checklist", index: 0, done: false },
    { type: "claim" },
    { type: "assign", email: null, assigneeTeams: [] },
    { type: "comment", body: "Hello?" },
    { type: "submit", confirm: [] },
    { type: "withdraw" },
    { type: "accept" },
    { type: "reject", reason: "other", comment: "No" },
    { type: "complete" },
    { type: "cancel", reason: "Again" },
    { type: "pause", reason: "Why" },
    { type: "resume" },
  ];

  it.each(commands.map((c) => [c.type, c] as const))(
    "refuse %s once done or cancelled, even from an admin",
    (_type, cmd) => {
      for (const [state, word] of [
        [states.done, "done"],
        [states.cancelled, "cancelled"],
      ] as const) {
        const e = failure(state(), root, cmd);
        expect(e.code).toBe("item_closed");
        expect(e.message).toBe(`ONB-1 is ${word}; it can no longer change.`);
        expect(e.details).toEqual({ state: word });
      }
    },
  );

  it("record why an item was cancelled", () => {
    expect(states.cancelled()).toMatchObject({
      status: "cancelled",
      closed: { reason: "Deal lost", by: alice.email },
    });
  });
});

describe("optimistic concurrency", () => {
  it("refuses a command based on a stale version", () => {
    const item = run(states.started(), alice, fillIn("smb")).item;
    const e = failure(
      item,
      alice,
      { type: "update_fields", fields: { tier: "enterprise" } },
      {
        expectedVersion: 1,
      },
    );
    expect(e.code).toBe("version_conflict");
    expect(e.details).toEqual({ current_version: 2 });
    expect(e.message).toContain("you had version 1, it is now 2");
  });

  it("accepts a command based on the current version", () => {
    const item = run(states.started(), alice, fillIn("smb")).item;
    const next = run(
      item,
      alice,
      { type: "update_fields", fields: { tier: "enterprise" } },
      {
        expectedVersion: 2,
      },
    ).item;
    expect(next.version).toBe(3);
  });

  it("checks the version for comments too", () => {
    const e = failure(
      states.started(),
      olga,
      { type: "comment", body: "Hi" },
      { expectedVersion: 7 },
    );
    expect(e.code).toBe("version_conflict");
  });
});

describe("withdrawing a handoff", () => {
  it("the sending team takes the item back", () => {
    const { item, events } = run(states.awaitingImplementation(), alice, { type: "withdraw" });
    expect(events.map((e) => e.type)).toEqual(["handoff.withdrawn"]);
    expect(summary(item)).toMatchObject({ status: "in_progress", step: "sell", next: "sales" });
    expect(item.handoffs.at(-1)).toMatchObject({ outcome: "withdrawn", decidedBy: alice.email });
    // A withdrawal is not a rejection: no rework is counted.
    expect(item.rework).toEqual({});
    expect(item.returned).toBeNull();
  });

  it("the receiving team may not withdraw it", () => {
    const e = failure(states.awaitingImplementation(), ivan, { type: "withdraw" });
    expect(e.code).toBe("not_your_team");
    expect(e.details).toEqual({ team: "sales" });
  });

  it("drops a receiving-team claim, since that team no longer acts", () => {
    const claimed = run(states.awaitingImplementation(), ivan, { type: "claim" }).item;
    expect(claimed.assignee).toBe(ivan.email);
    const { item } = run(claimed, alice, { type: "withdraw" });
    expect(item.assignee).toBeNull();
  });

  it("needs a handoff awaiting acceptance", () => {
    const e = failure(states.started(), alice, { type: "withdraw" });
    expect(e.code).toBe("wrong_state");
    expect(e.details).toEqual({ state: "in_progress" });
  });

  it("lets the sender edit and hand off again", () => {
    let item = run(states.awaitingImplementation(), alice, { type: "withdraw" }).item;
    item = run(item, alice, { type: "update_fields", fields: { tier: "smb" } }).item;
    item = run(item, alice, { type: "submit", confirm: bothCriteria }).item;
    expect(item.handoffs.map((h) => [h.id, h.outcome])).toEqual([
      [1, "withdrawn"],
      [2, "pending"],
    ]);
    expect(item.handoffs[1]?.package).toMatchObject({ tier: "smb" });
  });
});

describe("pausing", () => {
  it("parks the item with its owner and resumes where it was", () => {
    const paused = states.paused();
    expect(summary(paused)).toMatchObject({ status: "paused", step: "sell", next: "sales" });
    expect(paused.paused).toEqual({
      reason: "Waiting for legal",
      by: alice.email,
      at: at(0),
      team: "sales",
    });

    const resumed = run(paused, alice, { type: "resume" }).item;
    expect(summary(resumed)).toMatchObject({ status: "in_progress", step: "sell", next: "sales" });
    expect(resumed.paused).toBeNull();
  });

  it.each<[string, Command]>([
    ["edit fields", { type: "update_fields", fields: { tier: "smb" } }],
    ["tick the checklist", { type: "set_checklist", index: 0, done: true }],
    ["hand off", { type: "submit", confirm: bothCriteria }],
    ["complete", { type: "complete" }],
    ["pause again", { type: "pause", reason: "Still waiting" }],
  ])("a paused item cannot %s", (_what, cmd) => {
    expect(failure(states.paused(), alice, cmd).code).toBe("wrong_state");
  });

  it("only work in progress can be paused", () => {
    const e = failure(states.awaitingImplementation(), alice, { type: "pause", reason: "Hold" });
    expect(e.code).toBe("wrong_state");
    expect(e.message).toBe("Only work in progress can be paused; ONB-1 awaits acceptance.");
  });

  it("needs a reason", () => {
    expect(failure(states.started(), alice, { type: "pause", reason: " " }).code).toBe(
      "invalid_input",
    );
  });

  it("resuming needs a paused item", () => {
    const e = failure(states.started(), alice, { type: "resume" });
    expect(e.code).toBe("wrong_state");
    expect(e.message).toBe("ONB-1 is not paused.");
  });
});

describe("claiming and assigning", () => {
  it("a member of the team that acts next claims the item", () => {
    const { item, events } = run(states.awaitingImplementation(), iris, { type: "claim" });
    expect(events.map((e) => e.data)).toEqual([{ assignee: iris.email }]);
    expect(item.assignee).toBe(iris.email);
    // Accepting keeps the claim rather than handing the work to whoever clicked accept.
    expect(run(item, ivan, { type: "accept" }).item.assignee).toBe(iris.email);
  });

  it("only members of the acting team can claim, admins included", () => {
    expect(failure(states.awaitingImplementation(), alice, { type: "claim" }).code).toBe(
      "not_your_team",
    );
    expect(failure(states.awaitingImplementation(), root, { type: "claim" }).code).toBe(
      "not_your_team",
    );
  });

  it("an accepting admin outside the team leaves the item unassigned", () => {
    expect(run(states.awaitingImplementation(), root, { type: "accept" }).item.assignee).toBeNull();
  });

  it("assigns a member of the team that acts next, and unassigns", () => {
    const item = run(states.awaitingImplementation(), ivan, {
      type: "assign",
      email: iris.email,
      assigneeTeams: iris.teams,
    }).item;
    expect(item.assignee).toBe(iris.email);
    expect(
      run(item, iris, { type: "assign", email: null, assigneeTeams: [] }).item.assignee,
    ).toBeNull();
  });

  it("refuses to assign someone outside the team that acts next", () => {
    const e = failure(states.awaitingImplementation(), ivan, {
      type: "assign",
      email: alice.email,
      assigneeTeams: alice.teams,
    });
    expect(e.code).toBe("not_a_member");
    expect(e.details).toEqual({ team: "implementation" });
  });

  it("a submission clears the assignee; the receiving team picks its own", () => {
    const claimed = run(states.ready(), alice, { type: "claim" }).item;
    expect(claimed.assignee).toBe(alice.email);
    expect(run(claimed, alice, { type: "submit", confirm: bothCriteria }).item.assignee).toBeNull();
  });
});

describe("commands that change nothing", () => {
  const claimedByAlice = () => run(states.ready(), alice, { type: "claim" }).item;

  it.each<[string, () => Item, Actor, Command]>([
    ["setting fields to their values", states.ready, alice, fillIn("enterprise")],
    [
      "clearing a field that is not set",
      states.started,
      alice,
      { type: "update_fields", fields: { tier: null } },
    ],
    ["an empty field update", states.started, alice, { type: "update_fields", fields: {} }],
    ["ticking a ticked item", states.ready, alice, { type: "set_checklist", index: 0, done: true }],
    [
      "unticking an unticked item",
      states.started,
      alice,
      { type: "set_checklist", index: 1, done: false },
    ],
    ["claiming one's own item", claimedByAlice, alice, { type: "claim" }],
    [
      "assigning the assignee",
      claimedByAlice,
      alice,
      { type: "assign", email: alice.email, assigneeTeams: alice.teams },
    ],
    [
      "unassigning an unassigned item",
      states.started,
      alice,
      { type: "assign", email: null, assigneeTeams: [] },
    ],
  ])("%s returns no events", (_what, state, actor, cmd) => {
    const item = state();
    expect(decide(item, cmd, { actor, def: onboarding, now: new Date(at(0)) })).toEqual([]);
  });
});

describe("field updates", () => {
  it("names every bad value at once", () => {
    const e = failure(states.started(), alice, {
      type: "update_fields",
      fields: { tier: "gold", go_live: "next week", seats: 12, customer: "Acme Ltd" },
    });
    expect(e.code).toBe("invalid_input");
    expect(e.message).toBe("fields.tier must be one of smb, enterprise");
    expect(e.details.errors).toEqual([
      { path: "fields.tier", message: "must be one of smb, enterprise" },
      { path: "fields.go_live", message: "must be a date as YYYY-MM-DD (years 1900 to 2100)" },
      { path: "fields.seats", message: 'unknown field "seats" in workflow onboarding' },
    ]);
  });

  it("checks values on create too", () => {
    const e = failure(null, alice, { ...create, fields: { contract_url: "not a url" } });
    expect(e.code).toBe("invalid_input");
    expect(e.details.errors).toEqual([
      { path: "fields.contract_url", message: "must be an http or https URL" },
    ]);
  });

  it("null clears a field and records what it was", () => {
    const { item, events } = run(states.ready(), alice, {
      type: "update_fields",
      fields: { tier: null },
    });
    expect(events.map((e) => e.data)).toEqual([
      { changes: { tier: null }, previous: { tier: "enterprise" } },
    ]);
    expect(item.fields).not.toHaveProperty("tier");
  });

  it("records only the values that changed", () => {
    const { events } = run(states.ready(), alice, {
      type: "update_fields",
      fields: { customer: "Acme", tier: "smb" },
    });
    expect(events.map((e) => e.data)).toEqual([
      { changes: { tier: "smb" }, previous: { tier: "enterprise" } },
    ]);
  });

  it("fields are locked while a handoff awaits acceptance", () => {
    const e = failure(states.awaitingImplementation(), alice, fillIn("smb"));
    expect(e.code).toBe("wrong_state");
    expect(e.message).toBe(
      "Fields of ONB-1 are locked while its handoff awaits acceptance; withdraw the handoff to change them.",
    );
  });

  it("the package keeps the values handed off even after later edits", () => {
    let item = states.inImplementation();
    item = run(item, ivan, { type: "update_fields", fields: { customer: "Acme Group" } }).item;
    expect(item.handoffs[0]?.package).toMatchObject({ customer: "Acme" });
  });
});

describe("commands in the wrong state or with bad input", () => {
  it.each<[string, () => Item, Actor, Command, ErrorCode]>([
    ["accept with nothing pending", states.started, alice, { type: "accept" }, "wrong_state"],
    [
      "reject with nothing pending",
      states.started,
      alice,
      { type: "reject", reason: "other", comment: "x" },
      "wrong_state",
    ],
    [
      "hand off twice",
      states.awaitingImplementation,
      alice,
      { type: "submit", confirm: bothCriteria },
      "wrong_state",
    ],
    ["hand off from the final step", states.atSupport, sam, { type: "submit" }, "wrong_state"],
    ["complete before the final step", states.ready, alice, { type: "complete" }, "wrong_state"],
    [
      "complete while awaiting acceptance",
      states.awaitingImplementation,
      ivan,
      { type: "complete" },
      "wrong_state",
    ],
    [
      "confirm a criterion the handoff does not have",
      states.ready,
      alice,
      { type: "submit", confirm: [...bothCriteria, "Paid upfront"] },
      "invalid_input",
    ],
    [
      "tick a checklist item that does not exist",
      states.started,
      alice,
      { type: "set_checklist", index: 2, done: true },
      "invalid_input",
    ],
    [
      "tick a negative checklist index",
      states.started,
      alice,
      { type: "set_checklist", index: -1, done: true },
      "invalid_input",
    ],
    [
      "tick a fractional checklist index",
      states.started,
      alice,
      { type: "set_checklist", index: 0.5, done: true },
      "invalid_input",
    ],
    [
      "reject without a comment",
      states.awaitingImplementation,
      ivan,
      { type: "reject", reason: "incomplete", comment: "  " },
      "invalid_input",
    ],
    [
      "reject with an unknown reason",
      states.awaitingImplementation,
      ivan,
      { type: "reject", reason: "lazy" as "other", comment: "No" },
      "invalid_input",
    ],
    [
      "reject naming a criterion the handoff does not have",
      states.awaitingImplementation,
      ivan,
      { type: "reject", reason: "incorrect", comment: "No", failedCriteria: ["Paid upfront"] },
      "invalid_input",
    ],
    [
      "cancel without a reason",
      states.started,
      alice,
      { type: "cancel", reason: "" },
      "invalid_input",
    ],
  ])("%s fails with %s", (_what, state, actor, cmd, code) => {
    expect(failure(state(), actor, cmd).code).toBe(code);
  });

  it("acting on an item that does not exist", () => {
    expect(failure(null, alice, { type: "comment", body: "Hi" }).code).toBe("not_found");
  });

  it("an empty title is refused on create", () => {
    const e = failure(null, alice, { ...create, title: " " });
    expect(e.code).toBe("invalid_input");
    expect(e.details.errors).toEqual([{ path: "title", message: "must be 1 to 200 characters" }]);
  });

  it("a handoff no route matches fails with no_route", () => {
    const def = validateWorkflow(
      {
        key: "triage",
        name: "Triage",
        prefix: "T",
        fields: [{ key: "severity", type: "number" }],
        steps: [
          {
            key: "triage",
            team: "support",
            handoff: {
              routes: [
                { when: { field: "severity", gte: 3 }, to: "fix" },
                { when: { field: "severity", lt: 3 }, to: "backlog" },
              ],
            },
          },
          { key: "fix", team: "implementation" },
          { key: "backlog", team: "implementation" },
        ],
      },
      { teams: new Set(["support", "implementation"]) },
    );
    const item = run(null, sam, { ...create, key: "T-1", fields: {} }, { def }).item;
    const e = failure(item, sam, { type: "submit" }, { def });
    expect(e.code).toBe("no_route");
    expect(e.message).toBe('No route of step "triage" matches the fields of T-1.');

    const severe = run(item, sam, { type: "update_fields", fields: { severity: 4 } }, { def }).item;
    expect(run(severe, sam, { type: "submit" }, { def }).item.handoffs[0]?.toStep).toBe("fix");
  });
});

describe("the handoff meeting gate", () => {
  /** Onboarding where an enterprise handoff from Sales needs a meeting, as in the example. */
  const input = onboardingInput();
  const sell = input.steps[0] as (typeof input.steps)[number];
  sell.handoff = {
    ...sell.handoff,
    meeting: { required_when: { field: "tier", equals: "enterprise" }, agenda: ["Walk through"] },
  };
  const def = validateWorkflow(input, { teams });
  const known: KnownPeople = {
    users: new Map([
      [alice.email, ["sales"]],
      [ivan.email, ["implementation"]],
      [olga.email, []],
    ]),
    teams: new Set(["sales", "implementation", "support"]),
  };
  const notes = "Walked through the scope; go-live on 1 April";
  /** The onboarding states above, replayed on the workflow with a meeting. */
  const ready = () =>
    playOn(
      [alice, create],
      [alice, fillIn("enterprise")],
      [alice, { type: "set_checklist", index: 0, done: true }],
    );
  function on(item: Item, by: Actor, cmd: Command, minute = 10) {
    return run(item, by, cmd, { def, at: at(minute) }).item;
  }
  function fails(item: Item, by: Actor, cmd: Command, minute = 10) {
    try {
      on(item, by, cmd, minute);
    } catch (e) {
      if (e instanceof DomainError) return e;
      throw e;
    }
    throw new Error(`expected ${cmd.type} to fail`);
  }
  // `play` stamps commands from minute 0; the handoff is sent at minute 5.
  const submitted = () => on(ready(), alice, { type: "submit", confirm: bothCriteria }, 5);
  /** A meeting at `starts` (minutes), scheduled at minute 6 by `by`. */
  const scheduled = (starts = 8, by: Actor = alice) =>
    on(submitted(), by, { type: "schedule_meeting", startsAt: at(starts), durationMinutes: 30 }, 6);
  const held = (cmd: Partial<Extract<Command, { type: "meeting_held" }>> = {}, by: Actor = ivan) =>
    on(scheduled(), by, { type: "meeting_held", meeting: 1, notes, known, ...cmd }, 20);

  function playOn(...steps: [Actor, Command][]): Item {
    let item: Item | null = null;
    steps.forEach(([by, cmd], n) => {
      item = run(item, by, cmd, { def, at: at(n) }).item;
    });
    return item as unknown as Item;
  }

  it.each<[string, () => Item, Actor, Command, ErrorCode, string]>([
    [
      "a meeting dated in the past",
      submitted,
      alice,
      { type: "schedule_meeting", startsAt: "1999-03-03T09:00:00Z", durationMinutes: 30 },
      "invalid_input",
      "must not be in the past",
    ],
    [
      "a meeting more than five minutes ago",
      submitted,
      alice,
      { type: "schedule_meeting", startsAt: at(4), durationMinutes: 30 },
      "invalid_input",
      "must not be in the past",
    ],
    [
      "a meeting more than a year ahead",
      submitted,
      alice,
      { type: "schedule_meeting", startsAt: "2026-03-04T09:00:00Z", durationMinutes: 30 },
      "invalid_input",
      "within a year",
    ],
    [
      "a meeting moved into the past",
      scheduled,
      alice,
      { type: "reschedule_meeting", meeting: 1, startsAt: "1999-01-01T10:00:00Z" },
      "invalid_input",
      "must not be in the past",
    ],
    [
      "an unknown e-mail invited",
      submitted,
      alice,
      {
        type: "schedule_meeting",
        startsAt: at(30),
        durationMinutes: 30,
        attendees: ["sales", "nobody@evil.test"],
        known,
      },
      "invalid_input",
      "no user nobody@evil.test",
    ],
    [
      "an unknown team invited",
      submitted,
      alice,
      { type: "schedule_meeting", startsAt: at(30), durationMinutes: 30, attendees: ["x"], known },
      "invalid_input",
      'no team or user "x"',
    ],
    [
      "a meeting recorded before it started",
      () => scheduled(60),
      ivan,
      { type: "meeting_held", meeting: 1, notes, known },
      "wrong_state",
      "once it has taken place",
    ],
    [
      "notes that say nothing",
      scheduled,
      ivan,
      { type: "meeting_held", meeting: 1, notes: "x", known },
      "invalid_input",
      "at least 20 characters",
    ],
    [
      "notes padded with spaces",
      scheduled,
      ivan,
      { type: "meeting_held", meeting: 1, notes: `ok ${" ".repeat(40)} done`, known },
      "invalid_input",
      "at least 20 characters",
    ],
    [
      "the sending team recording it alone",
      scheduled,
      alice,
      { type: "meeting_held", meeting: 1, notes, known },
      "not_your_team",
      "Only a member of implementation",
    ],
    [
      "the sending team naming only itself as attending",
      scheduled,
      alice,
      { type: "meeting_held", meeting: 1, notes, attended: [alice.email, olga.email], known },
      "not_your_team",
      "Only a member of implementation",
    ],
    [
      "an admin outside the receiving team recording it without it",
      scheduled,
      root,
      { type: "meeting_held", meeting: 1, notes, known },
      "not_your_team",
      "Only a member of implementation",
    ],
    [
      "an unknown e-mail as having attended",
      scheduled,
      ivan,
      { type: "meeting_held", meeting: 1, notes, attended: ["ghost@acme.test"], known },
      "invalid_input",
      "no user ghost@acme.test",
    ],
    [
      "accepting while the meeting is only planned",
      scheduled,
      ivan,
      { type: "accept" },
      "meeting_required",
      "not been recorded as held",
    ],
    [
      "accepting without any meeting",
      submitted,
      ivan,
      { type: "accept" },
      "meeting_required",
      "none is scheduled",
    ],
  ])("refuses %s", (_what, state, by, cmd, code, message) => {
    const e = fails(state(), by, cmd);
    expect(e.code).toBe(code);
    expect(e.message).toContain(message);
  });

  it.each<[string, () => Item]>([
    ["a member of the receiving team records it", () => held()],
    [
      "the sender records it with a member of the receiving team attending",
      () => held({ attended: [ivan.email.toUpperCase(), alice.email] }, alice),
    ],
    [
      "an admin records it with the receiver attending",
      () => held({ attended: [ivan.email] }, root),
    ],
    [
      "it was scheduled a minute ago (clock skew) and recorded at once",
      () =>
        on(
          on(
            submitted(),
            alice,
            { type: "schedule_meeting", startsAt: at(9), durationMinutes: 30 },
            10,
          ),
          ivan,
          { type: "meeting_held", meeting: 1, notes, known },
          10,
        ),
    ],
  ])("opens the gate when %s", (_what, state) => {
    const item = state();
    expect(item.meetings[0]?.held).toMatchObject({ receivingTeam: "implementation" });
    expect(describeNext(item, def, (t) => t)).toMatchObject({ canAccept: true, blockedBy: null });
    expect(on(item, ivan, { type: "accept" }, 30).step).toBe("implement");
  });

  it("says in the next action that the meeting comes first, and why", () => {
    const name = (t: string) => (t === "sales" ? "Sales" : t);
    expect(describeNext(submitted(), def, name)).toEqual({
      team: "implementation",
      action: "Hold the handoff meeting with Sales, then accept or reject",
      canAccept: false,
      blockedBy: {
        code: "meeting_required",
        detail: "a handoff meeting is required and none is scheduled",
      },
    });
    expect(describeNext(scheduled(), def, name)?.blockedBy?.detail).toBe(
      "the handoff meeting has not been recorded as held with notes",
    );
    const smb = on(
      on(
        on(states.ready("smb"), alice, { type: "update_fields", fields: { tier: "smb" } }),
        alice,
        { type: "submit", confirm: bothCriteria },
      ),
      alice,
      { type: "comment", body: "no meeting needed" },
    );
    expect(describeNext(smb, def, name)).toMatchObject({
      action: "Accept or reject the handoff from Sales",
      canAccept: true,
    });
  });

  it("a held meeting does not count for the resubmission after a rejection", () => {
    const rejected = on(
      held(),
      ivan,
      { type: "reject", reason: "incomplete", comment: "The SSO details are missing" },
      30,
    );
    const again = on(rejected, alice, { type: "submit", confirm: bothCriteria }, 40);
    expect(fails(again, ivan, { type: "accept" }, 41).code).toBe("meeting_required");
    expect(describeNext(again, def, (t) => t)?.canAccept).toBe(false);
  });

  it("a meeting carries over when the sender withdraws and hands off again", () => {
    const withdrawn = on(held(), alice, { type: "withdraw" }, 30);
    const again = on(withdrawn, alice, { type: "submit", confirm: bothCriteria }, 31);
    expect(again.handoffs.at(-1)?.id).toBe(2);
    expect(on(again, ivan, { type: "accept" }, 32).step).toBe("implement");
  });

  it("a meeting booked before the handoff counts only if the receiving team took part", () => {
    const booked = on(
      ready(),
      alice,
      { type: "schedule_meeting", startsAt: at(8), durationMinutes: 30 },
      6,
    );
    expect(booked.meetings[0]?.handoff).toBe(1);
    const e = fails(booked, alice, { type: "meeting_held", meeting: 1, notes, known }, 20);
    expect(e.code).toBe("not_your_team");
    const ok = on(booked, ivan, { type: "meeting_held", meeting: 1, notes, known }, 20);
    const sent = on(ok, alice, { type: "submit", confirm: bothCriteria }, 21);
    expect(on(sent, ivan, { type: "accept" }, 22).step).toBe("implement");
  });

  it("an older record of a meeting 'held' before it started never counts", () => {
    // Recorded under the old rules: no receiving team, before its start.
    const item = scheduled(60 * 24 * 300);
    const legacy = evolve(item, {
      type: "meeting.held",
      data: { meeting: 1, notes, attended: [] },
      actor: alice.email,
      at: at(20),
    });
    expect(describeNext(legacy, def, (t) => t)?.canAccept).toBe(false);
  });

  it("the sending team alone never opens the gate, whatever it records", () => {
    const attendee = fc.constantFrom(alice.email, olga.email, "sales", "implementation");
    fc.assert(
      fc.property(
        fc.integer({ min: -10, max: 600_000 }),
        fc.string({ maxLength: 60 }),
        fc.array(attendee, { maxLength: 3 }),
        fc.array(fc.constantFrom(alice.email, olga.email), { maxLength: 3 }),
        (startsIn, text, invited, attended) => {
          let item = submitted();
          for (const [minute, cmd] of [
            [
              6,
              {
                type: "schedule_meeting",
                startsAt: at(6 + startsIn),
                durationMinutes: 30,
                attendees: invited,
                known,
              },
            ],
            [
              7 + Math.max(startsIn, 0),
              { type: "meeting_held", meeting: 1, notes: text, attended, known },
            ],
          ] as [number, Command][]) {
            try {
              item = on(item, alice, cmd, minute);
            } catch (e) {
              if (!(e instanceof DomainError)) throw e;
            }
          }
          expect(describeNext(item, def, (t) => t)?.canAccept).toBe(false);
          expect(() => on(item, ivan, { type: "accept" }, 600_100)).toThrow(DomainError);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("questions along the item's path", () => {
  const support = { email: "sue@acme.test", teams: ["support"], isAdmin: false };
  const ask = (toTeam: string, fromTeam?: string): Command => ({
    type: "ask",
    toTeam,
    body: "Which SSO provider?",
    fromTeam,
  });
  it.each<[string, () => Item, Actor, Command, ErrorCode | null]>([
    ["the current team asks the next one", states.started, alice, ask("implementation"), null],
    ["the receiver asks the sender", states.awaitingImplementation, ivan, ask("sales"), null],
    [
      "a past team asks the current one",
      states.inImplementation,
      alice,
      ask("implementation"),
      null,
    ],
    [
      "the current team asks any team a route may lead to",
      () => states.inImplementation("smb"),
      ivan,
      ask("enterprise"),
      null,
    ],
    ["an admin asks a team off the path", states.started, root, ask("support", "sales"), null],
    [
      "the current team asks a team off the path",
      states.started,
      alice,
      ask("support"),
      "not_on_path",
    ],
    [
      "a team off the path asks the current team",
      states.started,
      support,
      ask("sales"),
      "not_on_path",
    ],
    ["someone in no team asks", states.started, olga, ask("sales"), "not_your_team"],
  ])("%s", (_what, state, by, cmd, code) => {
    if (code === null) {
      expect(run(state(), by, cmd).item.questions).toHaveLength(1);
      return;
    }
    const e = failure(state(), by, cmd);
    expect(e.code).toBe(code);
    if (code === "not_on_path") {
      expect(e.message).toContain("is not on the path of ONB-1");
      expect(e.details.path_teams).toEqual(expect.arrayContaining(["sales", "implementation"]));
    }
  });
});

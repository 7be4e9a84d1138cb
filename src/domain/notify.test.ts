import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { retryDelayMs } from "./backoff.ts";
import { decide } from "./decide.ts";
import { evolve, type Item, type ItemEvent } from "./item.ts";
import {
  defaultPreferences,
  describe as describeLine,
  mentionsIn,
  type NotifyTeam,
  notifiable,
  recipientsOf,
  routeFor,
  watchersOf,
} from "./notify.ts";
import { onboarding, people } from "./test-fixtures.ts";

const T0 = "2025-03-03T09:00:00.000Z";
const emails = [...Object.values(people).map((p) => p.email), "x@acme.test", "y@acme.test"];
const teamKeys = ["sales", "implementation", "support", "enterprise", "ops"];

/** A fresh onboarding item as `decide` makes it. */
function newItem(): Item {
  const events = decide(
    null,
    { type: "create", key: "ONB-1", title: "Acme", workflowVersion: 1 },
    { actor: people.alice, def: onboarding, now: new Date(T0) },
  ).map((e) => ({ ...e, actor: people.alice.email, at: T0 }) as ItemEvent);
  return events.reduce<Item | null>(evolve, null) as Item;
}

const email = fc.constantFrom(...emails);
const team = fc.constantFrom(...teamKeys);
const teamsArb: fc.Arbitrary<NotifyTeam[]> = fc
  .tuple(
    ...teamKeys.map((key) =>
      fc
        .uniqueArray(
          fc.record({
            email,
            role: fc.constantFrom("member", "lead") as fc.Arbitrary<"member" | "lead">,
          }),
          {
            selector: (m) => m.email,
            maxLength: 4,
          },
        )
        .map((members) => ({ key, name: key, members })),
    ),
  )
  .map((ts) => ts);

/** Any notifiable event, by anyone, about handoffs/questions the item may or may not have. */
const eventArb: fc.Arbitrary<ItemEvent> = fc
  .tuple(
    fc.oneof(
      fc.record({
        type: fc.constant("handoff.submitted"),
        data: fc.record({ handoff: fc.constant(1), fromTeam: team, toTeam: team }),
      }),
      fc.record({ type: fc.constant("handoff.accepted"), data: fc.record({ handoff: fc.nat(2) }) }),
      fc.record({
        type: fc.constant("handoff.rejected"),
        data: fc.record({
          handoff: fc.nat(2),
          reason: fc.constantFrom("incomplete", "wrong_team"),
          comment: fc.string(),
        }),
      }),
      fc.record({
        type: fc.constant("handoff.withdrawn"),
        data: fc.record({ handoff: fc.nat(2) }),
      }),
      fc.record({
        type: fc.constant("question.asked"),
        data: fc.record({
          question: fc.constant(1),
          fromTeam: team,
          toTeam: team,
          body: fc.string(),
        }),
      }),
      fc.record({
        type: fc.constant("question.answered"),
        data: fc.record({ question: fc.nat(2), body: fc.string() }),
      }),
      fc.record({
        type: fc.constant("item.assigned"),
        data: fc.record({ assignee: fc.option(email) }),
      }),
      fc.record({
        type: fc.constant("comment.added"),
        data: fc.record({
          body: fc
            .array(
              fc.oneof(
                email.map((e) => `@${e}`),
                team.map((t) => `@${t}`),
                fc.string(),
              ),
            )
            .map((parts) => parts.join(" ")),
        }),
      }),
      fc.record({
        type: fc.constantFrom("sla.warning", "sla.breached"),
        data: fc.record({ team, kind: fc.constant("accept"), dueAt: fc.constant(null) }),
      }),
      fc.record({ type: fc.constant("item.stalled"), data: fc.record({ team }) }),
      fc.record({
        type: fc.constant("item.paused"),
        data: fc.record({ reason: fc.constant("x") }),
      }),
    ),
    email,
  )
  .map(([body, actor]) => ({ ...body, actor, at: T0 }) as unknown as ItemEvent);

describe("who is told", () => {
  it("never the person who did it; everyone at most once, lower case", () => {
    const base = newItem();
    fc.assert(
      fc.property(
        eventArb,
        teamsArb,
        fc.uniqueArray(email, { maxLength: 4 }),
        fc.boolean(),
        fc.option(fc.oneof(email, team)),
        fc.array(fc.tuple(email, team, team), { maxLength: 2 }),
        (event, teams, watchers, watch, escalateTo, handoffs) => {
          const item: Item = {
            ...base,
            assignee: watchers[0] ?? null,
            handoffs: handoffs.map(([by, from, to], i) => ({
              ...({} as Item["handoffs"][number]),
              id: i + 1,
              submittedBy: by,
              fromTeam: from,
              toTeam: to,
            })),
            questions: handoffs.map(([by, from, to], i) => ({
              id: i + 1,
              askedBy: by,
              fromTeam: from,
              toTeam: to,
              body: "?",
              askedAt: T0,
              answer: null,
            })),
          };
          const told = recipientsOf({
            event,
            item,
            teams,
            watchers,
            watch,
            extra: { escalate_to: escalateTo },
          });
          const addresses = told.map((r) => r.email);
          expect(addresses).not.toContain(event.actor.toLowerCase());
          expect(new Set(addresses).size).toBe(addresses.length);
          for (const a of addresses) expect(a).toBe(a.toLowerCase());
          // Watchers are told only when the event changes what they watch.
          if (!watch) expect(told.some((r) => r.reason === "watcher")).toBe(false);
          // Every line says something and asks something.
          for (const r of told) {
            const line = describeLine({
              event,
              item,
              reason: r.reason,
              teamName: (k) => k,
              by: null,
            });
            expect(line.title.length).toBeGreaterThan(0);
            expect(line.action.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("a submitted handoff goes to the receiving team, its submitter hears of the decision", () => {
    const teams: NotifyTeam[] = [
      {
        key: "sales",
        name: "Sales",
        members: [
          { email: "alice@acme.test", role: "member" },
          { email: "bob@acme.test", role: "lead" },
        ],
      },
      {
        key: "implementation",
        name: "Implementation",
        members: [
          { email: "ivan@acme.test", role: "member" },
          { email: "iris@acme.test", role: "lead" },
        ],
      },
    ];
    const item: Item = {
      ...newItem(),
      handoffs: [
        {
          id: 1,
          fromTeam: "sales",
          toTeam: "implementation",
          submittedBy: "alice@acme.test",
        } as Item["handoffs"][number],
      ],
    };
    const submitted = {
      type: "handoff.submitted",
      actor: "alice@acme.test",
      at: T0,
      data: { handoff: 1, fromTeam: "sales", toTeam: "implementation" },
    } as ItemEvent;
    expect(recipientsOf({ event: submitted, item, teams, watchers: [], watch: true })).toEqual([
      { email: "ivan@acme.test", reason: "team" },
      { email: "iris@acme.test", reason: "team" },
    ]);
    const accepted = {
      type: "handoff.accepted",
      actor: "ivan@acme.test",
      at: T0,
      data: { handoff: 1, assignee: null },
    } as ItemEvent;
    expect(
      recipientsOf({ event: accepted, item, teams, watchers: ["olga@acme.test"], watch: true }),
    ).toEqual([
      { email: "alice@acme.test", reason: "submitter" },
      { email: "bob@acme.test", reason: "team" },
      { email: "olga@acme.test", reason: "watcher" },
    ]);
    const breach = {
      type: "sla.breached",
      actor: "baton",
      at: T0,
      data: {
        team: "implementation",
        kind: "accept",
        clock: "accept:1",
        step: "x",
        handoff: 1,
        limitSeconds: 1,
        dueAt: null,
      },
    } as ItemEvent;
    expect(
      recipientsOf({
        event: breach,
        item,
        teams,
        watchers: [],
        watch: false,
        extra: { escalate_to: "sales" },
      }),
    ).toEqual([
      { email: "alice@acme.test", reason: "escalation" },
      { email: "bob@acme.test", reason: "escalation" },
      { email: "iris@acme.test", reason: "lead" },
      { email: "ivan@acme.test", reason: "team" },
    ]);
    const stalled = {
      type: "item.stalled",
      actor: "baton",
      at: T0,
      data: { team: "implementation" },
    } as unknown as ItemEvent;
    expect(
      recipientsOf({ event: stalled, item, teams, watchers: ["x@acme.test"], watch: false }),
    ).toEqual([{ email: "iris@acme.test", reason: "lead" }]);
  });

  it("finds @people and @teams in a comment, not addresses inside words", () => {
    expect(mentionsIn("@Ivan@Acme.test, ask @implementation. and @sales-team!")).toEqual({
      people: ["ivan@acme.test"],
      teams: ["implementation", "sales-team"],
    });
    expect(mentionsIn("mail ivan@acme.test or email@@x")).toEqual({ people: [], teams: [] });
    expect(mentionsIn("@a @a @b").teams).toEqual(["a", "b"]);
    expect(mentionsIn(Array.from({ length: 50 }, (_, i) => `@t${i}`).join(" ")).teams).toHaveLength(
      20,
    );
  });

  it("puts an event in the outbox when it tells someone or changes what watchers watch", () => {
    const item = newItem();
    const comment = {
      type: "comment.added",
      actor: "a",
      at: T0,
      data: { body: "no mention" },
    } as ItemEvent;
    expect(notifiable(comment, item, item)).toBeNull();
    expect(
      notifiable({ ...comment, data: { body: "hi @sales" } } as ItemEvent, item, item),
    ).toEqual({
      kind: "comment.added",
      watch: false,
    });
    const paused = { ...item, status: "paused" as const };
    expect(
      notifiable({ type: "item.paused", actor: "a", at: T0, data: { reason: "x" } }, item, paused),
    ).toEqual({
      kind: "item.paused",
      watch: true,
    });
    const checklist = {
      type: "checklist.updated",
      actor: "a",
      at: T0,
      data: { step: "s", index: 0, text: "t", done: true },
    } as ItemEvent;
    expect(notifiable(checklist, item, item)).toBeNull();
    expect(notifiable(checklist, item, { ...item, due: "2026-01-01T00:00:00.000Z" })).toEqual({
      kind: "item.changed",
      watch: true,
    });
  });

  it("the creator watches until they stop; others once they start", () => {
    expect(watchersOf({ createdBy: "a" }, [])).toEqual(["a"]);
    expect(
      watchersOf({ createdBy: "a" }, [
        { email: "a", watching: false },
        { email: "b", watching: true },
      ]),
    ).toEqual(["b"]);
  });

  it("preferences route a line to the inbox, e-mail now, the digest or nowhere", () => {
    const args = { kind: "handoff.submitted", workflow: "onboarding" };
    expect(routeFor(defaultPreferences, args)).toEqual({ inbox: true, email: "now" });
    expect(routeFor({ ...defaultPreferences, email_digest: true }, args)).toEqual({
      inbox: true,
      email: "digest",
    });
    expect(
      routeFor({ ...defaultPreferences, channels: { "handoff.submitted": ["email"] } }, args),
    ).toEqual({ inbox: false, email: "now" });
    expect(
      routeFor({ ...defaultPreferences, channels: { "handoff.submitted": [] } }, args),
    ).toEqual({ inbox: false, email: "no" });
    expect(routeFor({ ...defaultPreferences, muted_workflows: ["onboarding"] }, args)).toEqual({
      inbox: false,
      email: "no",
    });
  });
});

describe("retry backoff", () => {
  it("doubles per attempt up to the cap, the jittered share drawn within it", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 0, max: 3_600_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        (attempt, baseMs, extra, jitter, r) => {
          const policy = { baseMs, maxMs: baseMs + extra, jitter };
          const nominal = Math.min(policy.maxMs, baseMs * 2 ** Math.min(attempt - 1, 40));
          const d = retryDelayMs(attempt, policy, () => r);
          expect(d).toBeGreaterThanOrEqual(Math.floor(nominal * (1 - jitter)));
          expect(d).toBeLessThanOrEqual(Math.ceil(nominal));
          expect(Number.isFinite(d)).toBe(true);
        },
      ),
    );
    expect(retryDelayMs(3, { baseMs: 1000, maxMs: 60_000, jitter: 0 })).toBe(4000);
    expect(retryDelayMs(30, { baseMs: 1000, maxMs: 60_000, jitter: 0 })).toBe(60_000);
  });
});

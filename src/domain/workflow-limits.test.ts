import { describe, expect, it } from "vitest";
import { DomainError } from "./errors.ts";
import { chainWorkflow, teams } from "./test-fixtures.ts";
import { validateWorkflow } from "./workflow.ts";
import { treeProblem, WORKFLOW_LIMITS } from "./workflow-limits.ts";

/** Runs validation that must fail and returns its problems. */
function problems(input: unknown): { path: string; message: string }[] {
  try {
    validateWorkflow(input, { teams });
  } catch (e) {
    if (e instanceof DomainError && e.code === "invalid_workflow") return e.details.errors ?? [];
    throw e;
  }
  throw new Error("expected the workflow to be rejected");
}

/** sales → … → sales: a chain of `n` steps, the last one final. */
const chain = (n: number, step?: (i: number) => object) => chainWorkflow(n, step ? { step } : {});

/** `{not: {not: … {field: tier, equals: a}}}`, `depth` levels of `not`. */
function nested(depth: number): unknown {
  let c: unknown = { field: "tier", equals: "a" };
  for (let i = 0; i < depth; i++) c = i % 2 ? { not: c } : { all: [c] };
  return c;
}

function timed<T>(f: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = f();
  return { value, ms: performance.now() - started };
}

describe("workflow size limits", () => {
  it("validates a 1,000-step chain, and in linear time", () => {
    const { value, ms } = timed(() => validateWorkflow(chain(1000), { teams }));
    expect(value.steps).toHaveLength(1000);
    // Quadratic checks took ~0.2 s here and 5.7 s at 5,000 steps; linear ones take milliseconds.
    expect(ms).toBeLessThan(1000);
  });

  it("refuses a 14,001-step chain at once, naming the limit", () => {
    const { value, ms } = timed(() => problems(chain(14_001)));
    expect(value).toEqual([{ path: "steps", message: "at most 1,000 steps (this has 14,001)" }]);
    expect(ms).toBeLessThan(1000);
  });

  it("finds a cycle without exit in a long chain in one pass", () => {
    // s0 … s499 may leave for "end"; s500 … s998 loop back to s500 for ever.
    const def = chain(999, (i) =>
      i === 998
        ? { handoff: { to: "s500" } }
        : i === 499
          ? {
              handoff: {
                routes: [{ when: { field: "tier", equals: "a" }, to: "s500" }, { to: "end" }],
              },
            }
          : {},
    ) as { steps: unknown[] };
    def.steps.push({ key: "end", team: "sales" });
    const { value: found, ms } = timed(() => problems(def));
    expect(found).toHaveLength(499);
    expect(found[0]).toEqual({
      path: "steps[500]",
      message: 'step "s500" is in a cycle with no exit: no final step can be reached from it',
    });
    expect(ms).toBeLessThan(1000);
  });

  const lists: { name: string; def: unknown; path: string; message: string }[] = [
    {
      name: "a checklist of 101 entries",
      def: chain(2, (i) => (i === 1 ? { checklist: Array(101).fill("Check") } : {})),
      path: "steps[1].checklist",
      message: "at most 100 checklist entries (this has 101)",
    },
    {
      name: "101 routes",
      def: chain(2, (i) =>
        i === 0 ? { handoff: { routes: Array.from({ length: 101 }, () => ({ to: "s1" })) } } : {},
      ),
      path: "steps[0].handoff.routes",
      message: "at most 100 routes (this has 101)",
    },
    {
      name: "101 criteria",
      def: chain(2, (i) =>
        i === 0 ? { handoff: { to: "s1", criteria: Array(101).fill("ok") } } : {},
      ),
      path: "steps[0].handoff.criteria",
      message: "at most 100 criteria (this has 101)",
    },
    {
      name: "501 fields",
      def: {
        ...(chain(1) as object),
        fields: Array.from({ length: 501 }, (_, i) => ({ key: `f${i}`, type: "text" })),
      },
      path: "fields",
      message: "at most 500 fields (this has 501)",
    },
    {
      name: "a choice of 501 options",
      def: {
        ...(chain(1) as object),
        fields: [
          { key: "f", type: "choice", options: Array.from({ length: 501 }, (_, i) => `o${i}`) },
        ],
      },
      path: "fields[0].options",
      message: "at most 500 options (this has 501)",
    },
    {
      name: "conditions nested 33 levels",
      def: chain(2, (i) =>
        i === 0 ? { handoff: { routes: [{ when: nested(32), to: "s1" }, { to: "s1" }] } } : {},
      ),
      path: "steps[0].handoff.routes[0].when",
      message: "conditions nest at most 32 levels of all, any and not",
    },
    {
      name: "a meeting rule of 1,001 comparisons",
      def: chain(2, (i) =>
        i === 0
          ? {
              handoff: {
                to: "s1",
                meeting: {
                  required_when: { any: Array(1001).fill({ field: "tier", equals: "a" }) },
                },
              },
            }
          : {},
      ),
      path: "steps[0].handoff.meeting.required_when",
      message: "at most 1,000 comparisons and combinators in one condition",
    },
  ];
  it.each(lists)("refuses $name, naming $path", ({ def, path, message }) => {
    expect(problems(def)).toContainEqual({ path, message });
  });

  it("accepts every list at its limit", () => {
    const def = chain(2, (i) =>
      i === 0
        ? {
            checklist: Array(100).fill("Check"),
            handoff: {
              criteria: Array(100).fill("ok"),
              routes: [
                ...Array.from({ length: 99 }, () => ({ when: nested(31), to: "s1" })),
                { to: "s1" },
              ],
            },
          }
        : {},
    );
    expect(validateWorkflow(def, { teams }).steps[0]?.handoff?.routes).toHaveLength(100);
  });

  it("refuses conditions nested 3,000 deep with a 422 problem, not a stack overflow", () => {
    const def = chain(2, (i) =>
      i === 0 ? { handoff: { routes: [{ when: nested(3000), to: "s1" }, { to: "s1" }] } } : {},
    );
    expect(problems(def)).toEqual([{ path: "(root)", message: "nested deeper than 100 levels" }]);
  });
});

describe("duration limits", () => {
  it.each([
    [
      "steps[0].complete_within",
      { complete_within: "99999999999999999999w" },
      "at most 5 years (260w)",
    ],
    ["steps[0].complete_within", { complete_within: "1301d" }, "at most 5 years (1300d)"],
    ["steps[0].complete_within", { complete_within: "10400.5h" }, "at most 5 years (10400h)"],
    ["steps[0].complete_within", { complete_within: "624001m" }, "at most 5 years (624000m)"],
    [
      "steps[0].handoff.accept_within",
      { handoff: { to: "s1", accept_within: "43831h wall" } },
      "at most 5 years (43830h wall)",
    ],
    [
      "steps[0].handoff.accept_within",
      { handoff: { to: "s1", accept_within: "100000000w wall" } },
      "at most 5 years (260w wall)",
    ],
  ])("refuses %s over five years: %j", (path, step, message) => {
    expect(problems(chain(2, (i) => (i === 0 ? step : {})))).toEqual([{ path, message }]);
  });

  it("refuses a question limit over five years", () => {
    expect(problems({ ...(chain(1) as object), questions: { answer_within: "2000d" } })).toEqual([
      { path: "questions.answer_within", message: "at most 5 years (1300d)" },
    ]);
  });

  it("accepts five years in every unit", () => {
    const def = chain(2, (i) =>
      i === 0
        ? { complete_within: "260w", handoff: { to: "s1", accept_within: "1826d wall" } }
        : { complete_within: "10400h" },
    );
    expect(
      validateWorkflow({ ...(def as object), questions: { answer_within: "1300d" } }, { teams })
        .steps,
    ).toHaveLength(2);
  });
});

describe("treeProblem", () => {
  it("refuses a part that contains itself", () => {
    const a: unknown[] = [];
    a.push(a);
    expect(treeProblem({ steps: a })).toMatch(/contains itself/);
  });

  it("counts shared parts wherever they appear, in linear time", () => {
    // Nine levels of nine references: 387 million values once expanded, 82 objects to visit.
    let part: unknown = ["lol"];
    for (let i = 0; i < 9; i++) part = Array(9).fill(part);
    const { value, ms } = timed(() => treeProblem({ steps: part }));
    expect(value).toBe(
      `more than ${WORKFLOW_LIMITS.values.toLocaleString("en")} values (aliases expanded)`,
    );
    expect(ms).toBeLessThan(500);
  });

  it("accepts an ordinary document", () => {
    expect(treeProblem({ steps: [{ key: "a", team: "sales" }] })).toBeUndefined();
    expect(treeProblem("text")).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { DomainError } from "./errors.ts";
import { onboarding, onboardingInput, teams } from "./test-fixtures.ts";
import {
  type Condition,
  checkFieldValue,
  type FieldDef,
  formatPath,
  matches,
  optionLabel,
  routeHandoff,
  stepOf,
  validateWorkflow,
  workflowJsonSchema,
} from "./workflow.ts";

/** Splits `steps[1].handoff.to` into `["steps", 1, "handoff", "to"]`, the notation errors use. */
function parsePath(path: string): (string | number)[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) =>
    m[2] !== undefined ? Number(m[2]) : (m[1] as string),
  );
}

/**
 * The onboarding definition with the value at each path replaced (`undefined` deletes it),
 * so a test names what it breaks with the same path the error should report.
 */
function onboardingWith(changes: Record<string, unknown>): unknown {
  const def: unknown = onboardingInput();
  for (const [path, value] of Object.entries(changes)) {
    const parts = parsePath(path);
    const last = parts.pop() as string | number;
    let node = def as Record<string | number, unknown>;
    for (const part of parts) node = node[part] as Record<string | number, unknown>;
    if (value === undefined) delete node[last];
    else node[last] = value;
  }
  return def;
}

/** Runs validation that must fail and returns the error, so tests can look at all of it. */
function invalid(input: unknown): DomainError {
  try {
    validateWorkflow(input, { teams });
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error("expected the workflow to be rejected");
}

/** A minimal valid definition to build graph shapes from. */
function graph(steps: unknown[], fields: unknown[] = []): unknown {
  return { key: "graph", name: "Graph", prefix: "G", fields, steps };
}

describe("validateWorkflow", () => {
  it("accepts the onboarding definition and normalises it", () => {
    const def = validateWorkflow(onboardingInput(), { teams });

    expect(def).not.toHaveProperty("$schema");
    expect(def.fields.map((f) => f.key)).toEqual(["customer", "contract_url", "tier", "go_live"]);
    expect(def.steps.map((s) => [s.key, s.team])).toEqual([
      ["sell", "sales"],
      ["implement", "implementation"],
      ["support", "support"],
      ["support-enterprise", "enterprise"],
    ]);
    // Checklists become {text, optional}, whether written as a string or an object.
    expect(stepOf(def, "sell").checklist).toEqual([
      { text: "Contract signed", optional: false },
      { text: "Intro call held", optional: true },
    ]);
    // A step without a checklist gets an empty one, so the item rules need no undefined checks.
    expect(stepOf(def, "support").checklist).toEqual([]);
    expect(stepOf(def, "sell").handoff?.criteria).toEqual([
      "Contract countersigned",
      "Scope agreed",
    ]);
    expect(stepOf(def, "implement").handoff?.routes).toHaveLength(2);
  });

  it("gives a definition without fields an empty field list", () => {
    const def = validateWorkflow(graph([{ key: "only", team: "sales" }]), { teams });
    expect(def.fields).toEqual([]);
    expect(def.steps).toEqual([{ key: "only", team: "sales", checklist: [] }]);
  });

  it("keeps a choice's values as options and the labels people read beside them", () => {
    const def = validateWorkflow(
      graph(
        [{ key: "only", team: "sales" }],
        [
          {
            key: "tier",
            type: "choice",
            options: [{ value: "smb", label: "Small business" }, "enterprise"],
          },
          { key: "plain", type: "choice", options: ["a", "b"] },
        ],
      ),
      { teams },
    );
    expect(def.fields[0]).toEqual({
      key: "tier",
      type: "choice",
      options: ["smb", "enterprise"],
      option_labels: { smb: "Small business" },
    });
    expect(def.fields[1]).toEqual({ key: "plain", type: "choice", options: ["a", "b"] });
    expect(optionLabel(def.fields[0], "smb")).toBe("Small business");
    expect(optionLabel(def.fields[0], "enterprise")).toBe("enterprise");
    expect(
      invalid(
        graph(
          [{ key: "only", team: "sales" }],
          [{ key: "tier", type: "choice", options: [{ value: "smb" }] }],
        ),
      ).message,
    ).toMatch(/^fields\[0\]\.options\[0\]/);
  });

  it("accepts a rework loop as long as a final step stays reachable", () => {
    const def = graph(
      [
        { key: "a", team: "sales", handoff: { to: "b" } },
        {
          key: "b",
          team: "support",
          handoff: {
            routes: [{ when: { field: "ok", equals: false }, to: "a" }, { to: "c" }],
          },
        },
        { key: "c", team: "support" },
      ],
      [{ key: "ok", type: "boolean" }],
    );
    expect(() => validateWorkflow(def, { teams })).not.toThrow();
  });

  it("names the path of a handoff to an unknown step in the message and in details", () => {
    const error = invalid(onboardingWith({ "steps[0].handoff.to": "implment" }));

    expect(error.code).toBe("invalid_workflow");
    expect(error.message).toBe('steps[0].handoff.to: unknown step "implment"');
    expect(error.details.errors).toEqual([
      { path: "steps[0].handoff.to", message: 'unknown step "implment"' },
    ]);
  });

  // Each row breaks one thing; the errors must name exactly what and where.
  it.each<[string, Record<string, unknown>, { path: string; message: string }[]]>([
    [
      "a handoff from the second step to an unknown step",
      { "steps[1].handoff": { to: "implment" } },
      [{ path: "steps[1].handoff.to", message: 'unknown step "implment"' }],
    ],
    [
      "a route to an unknown step",
      { "steps[1].handoff.routes[1].to": "suport" },
      [{ path: "steps[1].handoff.routes[1].to", message: 'unknown step "suport"' }],
    ],
    [
      "a step owned by an unknown team",
      { "steps[2].team": "helpdesk" },
      [{ path: "steps[2].team", message: 'unknown team "helpdesk"' }],
    ],
    [
      "escalation to an unknown team",
      { "steps[0].handoff.escalate_to": "managers" },
      [{ path: "steps[0].handoff.escalate_to", message: 'unknown team "managers"' }],
    ],
    [
      "a meeting attendee that is not a team",
      { "steps[0].handoff.meeting": { attendees: ["sales", "legal"] } },
      [{ path: "steps[0].handoff.meeting.attendees[1]", message: 'unknown team "legal"' }],
    ],
    [
      "a duplicate step key",
      { "steps[4]": { key: "support", team: "support" } },
      [{ path: "steps[4].key", message: 'duplicate key "support"' }],
    ],
    [
      "a duplicate field key",
      { "fields[4]": { key: "tier", type: "text" } },
      [{ path: "fields[4].key", message: 'duplicate key "tier"' }],
    ],
    [
      "a choice field without options",
      { "fields[2].options": undefined },
      [{ path: "fields[2].options", message: "a choice field needs options" }],
    ],
    [
      "a choice option given twice",
      { "fields[2].options": ["smb", "enterprise", { value: "smb", label: "Small business" }] },
      [{ path: "fields[2].options", message: '"smb" is an option more than once' }],
    ],
    [
      "options on a field that is not a choice",
      { "fields[0].options": ["a", "b"] },
      [{ path: "fields[0].options", message: "only choice fields take options" }],
    ],
    [
      "a step that cannot be reached",
      { "steps[4]": { key: "archive", team: "support" } },
      [
        {
          path: "steps[4]",
          message: 'step "archive" cannot be reached from the first step "sell"',
        },
      ],
    ],
    [
      "a handoff with both to and routes",
      { "steps[1].handoff.to": "support" },
      [{ path: "steps[1].handoff", message: 'give either "to" or "routes", not both' }],
    ],
    [
      "a handoff with neither to nor routes",
      { "steps[0].handoff.to": undefined },
      [{ path: "steps[0].handoff", message: 'a handoff needs "to" or "routes"' }],
    ],
    [
      "a step that hands off to itself",
      { "steps[0].handoff.to": "sell" },
      [{ path: "steps[0].handoff.to", message: "a step cannot hand off to itself" }],
    ],
    [
      "a route without a condition before the last route",
      {
        "steps[1].handoff.routes": [
          { to: "support" },
          { when: { field: "tier", equals: "enterprise" }, to: "support-enterprise" },
        ],
      },
      [
        {
          path: "steps[1].handoff.routes[0]",
          message:
            "only the last route may go without a condition; the ones after it could never match",
        },
      ],
    ],
    [
      "an unknown field in requires",
      { "steps[0].handoff.requires[1]": "contract" },
      [{ path: "steps[0].handoff.requires[1]", message: 'unknown field "contract"' }],
    ],
    [
      "an unknown field in a route condition",
      { "steps[1].handoff.routes[0].when.field": "teir" },
      [{ path: "steps[1].handoff.routes[0].when.field", message: 'unknown field "teir"' }],
    ],
    [
      "an unknown field deep inside all/any/not",
      {
        "steps[1].handoff.routes[0].when": {
          all: [
            { field: "tier", equals: "enterprise" },
            { any: [{ not: { field: "seats", gt: 100 } }] },
          ],
        },
      },
      [
        {
          path: "steps[1].handoff.routes[0].when.all[1].any[0].not.field",
          message: 'unknown field "seats"',
        },
      ],
    ],
    [
      "an unknown field in a meeting condition",
      { "steps[0].handoff.meeting": { required_when: { field: "size", set: true } } },
      [
        {
          path: "steps[0].handoff.meeting.required_when.field",
          message: 'unknown field "size"',
        },
      ],
    ],
    [
      "a condition on a value that is not an option of the choice field",
      { "steps[1].handoff.routes[0].when.equals": "gold" },
      [
        {
          path: "steps[1].handoff.routes[0].when",
          message: '"gold" is not an option of field "tier" (smb, enterprise)',
        },
      ],
    ],
    [
      "an in-list with a value that is not an option",
      { "steps[1].handoff.routes[0].when": { field: "tier", in: ["enterprise", "gold"] } },
      [
        {
          path: "steps[1].handoff.routes[0].when",
          message: '"gold" is not an option of field "tier" (smb, enterprise)',
        },
      ],
    ],
    [
      "a condition with two comparisons",
      { "steps[1].handoff.routes[0].when": { field: "tier", equals: "enterprise", set: true } },
      [
        {
          path: "steps[1].handoff.routes[0].when",
          message: "a condition needs exactly one of equals, not_equals, in, gt, gte, lt, lte, set",
        },
      ],
    ],
    [
      "a condition with no comparison",
      { "steps[1].handoff.routes[0].when": { field: "tier" } },
      [
        {
          path: "steps[1].handoff.routes[0].when",
          message: "a condition needs exactly one of equals, not_equals, in, gt, gte, lt, lte, set",
        },
      ],
    ],
  ])("rejects %s", (_name, changes, errors) => {
    const error = invalid(onboardingWith(changes));
    expect(error.code).toBe("invalid_workflow");
    expect(error.details.errors).toEqual(errors);
    const first = errors[0] as { path: string; message: string };
    expect(error.message).toBe(`${first.path}: ${first.message}`);
  });

  it("rejects a cycle with no exit, naming every step caught in it", () => {
    const error = invalid(
      graph([
        { key: "a", team: "sales", handoff: { to: "b" } },
        { key: "b", team: "support", handoff: { to: "a" } },
      ]),
    );
    expect(error.details.errors).toEqual([
      {
        path: "steps[0]",
        message: 'step "a" is in a cycle with no exit: no final step can be reached from it',
      },
      {
        path: "steps[1]",
        message: 'step "b" is in a cycle with no exit: no final step can be reached from it',
      },
    ]);
  });

  it("rejects a cycle that only a branch off the main path can enter", () => {
    const error = invalid(
      graph(
        [
          {
            key: "start",
            team: "sales",
            handoff: {
              routes: [{ when: { field: "loop", equals: true }, to: "a" }, { to: "end" }],
            },
          },
          { key: "a", team: "sales", handoff: { to: "b" } },
          { key: "b", team: "support", handoff: { to: "a" } },
          { key: "end", team: "support" },
        ],
        [{ key: "loop", type: "boolean" }],
      ),
    );
    expect(error.details.errors?.map((e) => e.path)).toEqual(["steps[1]", "steps[2]"]);
  });

  it.each([
    ["complete_within", "steps[1].complete_within"],
    ["accept_within", "steps[0].handoff.accept_within"],
  ])("rejects a %s written in words", (_name, path) => {
    const error = invalid(onboardingWith({ [path]: "3 days" }));
    expect(error.details.errors).toEqual([
      { path, message: 'must be a duration such as "90m", "4h", "2d" or "48h wall"' },
    ]);
  });

  it.each(["4h", "2d", "90m", "1w", "1.5d", "48h wall"])("accepts the duration %s", (d) => {
    const def = validateWorkflow(
      onboardingWith({ "steps[1].complete_within": d, "steps[0].handoff.accept_within": d }),
      { teams },
    );
    expect(stepOf(def, "implement").complete_within).toBe(d);
    expect(stepOf(def, "sell").handoff?.accept_within).toBe(d);
  });

  it.each(["3 days", "4", "h4", "4 hours", "-2d", "48h wallclock", ""])(
    "rejects the duration %j",
    (d) => {
      const error = invalid(onboardingWith({ "steps[1].complete_within": d }));
      expect(error.details.errors?.map((e) => e.path)).toEqual(["steps[1].complete_within"]);
    },
  );

  it.each<[string, Record<string, unknown>, { path: string; message: string }]>([
    ["at the top", { owner: "sales" }, { path: "(root)", message: 'unknown key "owner"' }],
    [
      "in a step",
      { "steps[0].assignee": "alice", "steps[0].sla": "4h" },
      { path: "steps[0]", message: 'unknown keys "assignee", "sla"' },
    ],
    [
      "in a handoff",
      { "steps[0].handoff.goto": "implement" },
      { path: "steps[0].handoff", message: 'unknown key "goto"' },
    ],
    [
      "in a field",
      { "fields[0].required": true },
      { path: "fields[0]", message: 'unknown key "required"' },
    ],
  ])("rejects unknown keys %s", (_where, changes, expected) => {
    expect(invalid(onboardingWith(changes)).details.errors).toEqual([expected]);
  });

  it("reports a missing required value as required", () => {
    const error = invalid(onboardingWith({ name: undefined }));
    expect(error.message).toBe("name: is required");
  });

  it("rejects badly formed keys and prefixes", () => {
    const error = invalid(onboardingWith({ key: "Onboarding", prefix: "onb" }));
    expect(error.details.errors?.map((e) => e.path)).toEqual(["key", "prefix"]);
  });

  it("rejects a workflow without steps", () => {
    expect(invalid(onboardingWith({ steps: [] })).details.errors).toEqual([
      { path: "steps", message: "a workflow needs at least one step" },
    ]);
  });

  it("reports several problems at once, not only the first", () => {
    const error = invalid(
      onboardingWith({
        "steps[0].handoff.to": "implment",
        "steps[2].team": "helpdesk",
        "steps[1].handoff.requires[0]": "golive",
      }),
    );
    expect(error.details.errors).toEqual([
      { path: "steps[0].handoff.to", message: 'unknown step "implment"' },
      { path: "steps[1].handoff.requires[0]", message: 'unknown field "golive"' },
      { path: "steps[2].team", message: 'unknown team "helpdesk"' },
    ]);
    expect(error.message).toBe('steps[0].handoff.to: unknown step "implment" (and 2 more)');
  });

  it("reports several schema problems at once", () => {
    const error = invalid(
      onboardingWith({ "steps[1].complete_within": "3 days", "fields[0].type": "string", x: 1 }),
    );
    expect(error.details.errors?.map((e) => e.path).sort()).toEqual([
      "(root)",
      "fields[0].type",
      "steps[1].complete_within",
    ]);
    expect(error.message).toMatch(/\(and 2 more\)$/);
  });

  it("rejects input that is not an object at all", () => {
    expect(invalid("steps: []").code).toBe("invalid_workflow");
  });
});

describe("formatPath", () => {
  it.each<[(string | number)[], string]>([
    [[], "(root)"],
    [["steps", 1, "handoff", "to"], "steps[1].handoff.to"],
    [["fields", 0], "fields[0]"],
  ])("formats %j as %s", (path, text) => {
    expect(formatPath(path)).toBe(text);
  });
});

describe("matches", () => {
  const fields = {
    tier: "enterprise",
    seats: 250,
    trial: false,
    go_live: "2025-04-01",
    empty: "",
    cleared: null,
  };

  it.each<[string, Condition, boolean]>([
    ["equals on text", { field: "tier", equals: "enterprise" }, true],
    ["equals on a different value", { field: "tier", equals: "smb" }, false],
    ["equals on a number", { field: "seats", equals: 250 }, true],
    ["equals compares types strictly", { field: "seats", equals: "250" }, false],
    ["equals false on a boolean", { field: "trial", equals: false }, true],
    ["not_equals", { field: "tier", not_equals: "smb" }, true],
    ["in, value listed", { field: "tier", in: ["smb", "enterprise"] }, true],
    ["in, value not listed", { field: "tier", in: ["smb"] }, false],
    ["in with numbers", { field: "seats", in: [100, 250] }, true],
    ["gt, above", { field: "seats", gt: 100 }, true],
    ["gt, equal", { field: "seats", gt: 250 }, false],
    ["gte, equal", { field: "seats", gte: 250 }, true],
    ["lt, below", { field: "seats", lt: 300 }, true],
    ["lte, above", { field: "seats", lte: 249 }, false],
    ["gt on ISO dates", { field: "go_live", gt: "2025-03-31" }, true],
    ["lt on ISO dates", { field: "go_live", lt: "2025-03-31" }, false],
    ["gt on a boolean value matches nothing", { field: "trial", gt: 0 }, false],
    ["set on a value", { field: "tier", set: true }, true],
    ["set on a missing field", { field: "owner", set: true }, false],
    ["unset on a missing field", { field: "owner", set: false }, true],
    ["unset on an empty string", { field: "empty", set: false }, true],
    ["unset on null", { field: "cleared", set: false }, true],
    ["set on false, which is a value", { field: "trial", set: true }, true],
    ["equals on a missing field", { field: "owner", equals: "x" }, false],
    ["not_equals on a missing field", { field: "owner", not_equals: "x" }, false],
    ["gt on a missing field", { field: "owner", gt: 0 }, false],
    [
      "all, every part true",
      {
        all: [
          { field: "tier", equals: "enterprise" },
          { field: "seats", gt: 100 },
        ],
      },
      true,
    ],
    [
      "all, one part false",
      {
        all: [
          { field: "tier", equals: "enterprise" },
          { field: "seats", gt: 1000 },
        ],
      },
      false,
    ],
    [
      "any, one part true",
      {
        any: [
          { field: "tier", equals: "smb" },
          { field: "seats", gt: 100 },
        ],
      },
      true,
    ],
    [
      "any, no part true",
      {
        any: [
          { field: "tier", equals: "smb" },
          { field: "seats", gt: 1000 },
        ],
      },
      false,
    ],
    ["not", { not: { field: "tier", equals: "smb" } }, true],
    ["not of a missing field", { not: { field: "owner", equals: "x" } }, true],
    [
      "nested all/any/not",
      {
        all: [
          { any: [{ field: "tier", equals: "smb" }, { not: { field: "trial", equals: true } }] },
          { not: { field: "seats", lt: 10 } },
        ],
      },
      true,
    ],
  ])("%s", (_name, condition, expected) => {
    expect(matches(condition, fields)).toBe(expected);
  });
});

describe("routeHandoff", () => {
  const implement = stepOf(onboarding, "implement");

  it.each<[Record<string, unknown>, string]>([
    [{ tier: "enterprise" }, "support-enterprise"],
    [{ tier: "smb" }, "support"],
    [{}, "support"],
  ])("routes %j to %s", (fields, to) => {
    expect(routeHandoff(implement, fields)).toBe(to);
  });

  it("follows a plain to whatever the fields", () => {
    expect(routeHandoff(stepOf(onboarding, "sell"), { tier: "enterprise" })).toBe("implement");
  });

  it("has nowhere to go from a final step", () => {
    expect(routeHandoff(stepOf(onboarding, "support"), {})).toBeUndefined();
  });

  it("takes the first matching route", () => {
    const step = {
      ...implement,
      handoff: {
        routes: [
          { when: { field: "seats", gt: 100 }, to: "support-enterprise" },
          { when: { field: "seats", gt: 10 }, to: "support" },
        ],
      },
    };
    expect(routeHandoff(step, { seats: 500 })).toBe("support-enterprise");
    expect(routeHandoff(step, { seats: 50 })).toBe("support");
    expect(routeHandoff(step, { seats: 5 })).toBeUndefined();
  });
});

describe("checkFieldValue", () => {
  const field = (type: FieldDef["type"], options?: string[]): FieldDef =>
    options ? { key: "f", type, options } : { key: "f", type };

  it.each<[FieldDef, unknown]>([
    [field("text"), "Acme Ltd"],
    [field("text"), ""],
    [field("text"), "x".repeat(10_000)],
    [field("number"), 42],
    [field("number"), -1.5],
    [field("number"), 0],
    [field("boolean"), true],
    [field("boolean"), false],
    [field("date"), "2025-04-01"],
    [field("date"), "2024-02-29"],
    [field("url"), "https://acme.test/contract.pdf"],
    [field("url"), "http://localhost:8080/x?y=1"],
    [field("choice", ["smb", "enterprise"]), "enterprise"],
    [field("user"), "alice@acme.test"],
    [field("text"), null],
    [field("number"), null],
    [field("date"), null],
    [field("choice", ["smb"]), null],
  ])("accepts %j as %j", (f, value) => {
    expect(checkFieldValue(f, value)).toBeUndefined();
  });

  it.each<[FieldDef, unknown, string]>([
    [field("text"), 12, "must be text (at most 10,000 characters)"],
    [field("text"), "x".repeat(10_001), "must be text (at most 10,000 characters)"],
    [field("number"), "42", "must be a number"],
    [field("number"), Number.NaN, "must be a number"],
    [field("number"), Number.POSITIVE_INFINITY, "must be a number"],
    [field("boolean"), "true", "must be true or false"],
    [field("boolean"), 1, "must be true or false"],
    [field("date"), "01/04/2025", "must be a date as YYYY-MM-DD (years 1900 to 2100)"],
    [field("date"), "2025-04-01T10:00:00Z", "must be a date as YYYY-MM-DD (years 1900 to 2100)"],
    [field("date"), "2025-13-01", "must be a date as YYYY-MM-DD (years 1900 to 2100)"],
    [field("date"), "2025-02-30", "must be a date as YYYY-MM-DD (years 1900 to 2100)"],
    [field("date"), "2023-02-29", "must be a date as YYYY-MM-DD (years 1900 to 2100)"],
    [field("date"), "2025-04-31", "must be a date as YYYY-MM-DD (years 1900 to 2100)"],
    [field("date"), 20250401, "must be a date as YYYY-MM-DD (years 1900 to 2100)"],
    [field("url"), "ftp://acme.test/x", "must be an http or https URL"],
    [field("url"), "acme.test", "must be an http or https URL"],
    [field("url"), "https://acme.test/a b", "must be an http or https URL"],
    [field("choice", ["smb", "enterprise"]), "gold", "must be one of smb, enterprise"],
    [field("choice", ["smb", "enterprise"]), 1, "must be one of smb, enterprise"],
    [field("user"), "alice", "must be a user's e-mail address"],
    [field("user"), "alice @acme.test", "must be a user's e-mail address"],
    [field("date"), "0000-01-01", "must be a date as YYYY-MM-DD (years 1900 to 2100)"],
    [field("date"), "2101-01-01", "must be a date as YYYY-MM-DD (years 1900 to 2100)"],
    [field("text"), "a\u0000b", "must not contain the NUL character (U+0000)"],
    [field("text"), "x\ud800y", "must not contain an unpaired UTF-16 surrogate (invalid Unicode)"],
    [field("url"), "https://acme.test/\u0000", "must not contain the NUL character (U+0000)"],
    [
      field("user"),
      "al\udc00ce@acme.test",
      "must not contain an unpaired UTF-16 surrogate (invalid Unicode)",
    ],
  ])("rejects %j given %j", (f, value, problem) => {
    expect(checkFieldValue(f, value)).toBe(problem);
  });
});

describe("workflowJsonSchema", () => {
  it("describes the definition format for editors", () => {
    const schema = workflowJsonSchema();
    expect(schema).toMatchObject({
      $id: "https://baton.dev/schemas/workflow.json",
      title: "Baton workflow definition",
      type: "object",
      properties: { steps: { type: "array" } },
    });
    expect(schema.required).toEqual(expect.arrayContaining(["key", "name", "prefix", "steps"]));
  });

  it("is plain JSON", () => {
    const schema = workflowJsonSchema();
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });
});

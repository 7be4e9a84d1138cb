import { describe, expect, it } from "vitest";
import { chainWorkflow } from "../../src/domain/test-fixtures.ts";
import type { WorkflowDef } from "../../src/domain/workflow.ts";
import { setCalendar } from "../../src/store/directory.ts";
import { insertWorkflowVersion } from "../../src/store/workflows.ts";
import { dbKinds, useBaton } from "../harness.ts";

/*
 * Values that validate but cannot be computed: durations, calendars, workflow sizes and YAML
 * tricks that once froze or crashed Baton must be refused with a 4xx naming the problem, change
 * nothing, and (when stored by an older Baton) degrade instead of failing reads.
 */

const nineToFive = {
  mon: [["09:00", "17:00"]],
  tue: [["09:00", "17:00"]],
  wed: [["09:00", "17:00"]],
  thu: [["09:00", "17:00"]],
  fri: [["09:00", "17:00"]],
};
/** 2024-01-01 … 2024-12-31 as yearly holidays: 366 of them, no working day ever. */
const everyDayYearly = Array.from({ length: 366 }, (_, i) => ({
  date: new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().slice(0, 10),
  yearly: true,
}));

const chain = (n: number) => chainWorkflow(n, { team: "ops" });

/** A two-step workflow whose route condition is `depth` levels of `not`. */
function deepCondition(depth: number): object {
  let when: unknown = { field: "tier", equals: "a" };
  for (let i = 0; i < depth; i++) when = { not: when };
  return {
    key: "deep",
    name: "Deep",
    prefix: "DEEP",
    fields: [{ key: "tier", type: "choice", options: ["a", "b"] }],
    steps: [
      { key: "one", team: "ops", handoff: { routes: [{ when, to: "two" }, { to: "two" }] } },
      { key: "two", team: "ops" },
    ],
  };
}

const billionLaughs = [
  "key: lol",
  "name: Laughs",
  "prefix: LOL",
  "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
  ...Array.from({ length: 8 }, (_, i) => {
    const me = String.fromCharCode(98 + i);
    const prev = String.fromCharCode(97 + i);
    return `${me}: &${me} [${Array(9).fill(`*${prev}`).join(", ")}]`;
  }),
  "steps: [{key: one, team: ops, checklist: *i}]",
].join("\n");

describe.each(dbKinds())("absurd but valid-looking input on $name", (kind) => {
  const b = useBaton(kind);

  it("sets up a team", async () => {
    await b.team("ops", "Operations");
    await b.team("quiet", "Quiet");
  });

  it("a step limit of 99999999999999999999 weeks is refused, naming the limit, and nothing is published", async () => {
    const yaml = [
      "key: forever",
      "name: Forever",
      "prefix: FOR",
      "steps:",
      "  - {key: one, team: ops, complete_within: 99999999999999999999w}",
    ].join("\n");
    const r = await b.admin.put("/workflows/forever", yaml);
    expect(r.status).toBe(422);
    expect(r.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(r.body.code).toBe("invalid_workflow");
    expect(r.body.errors).toEqual([
      { path: "steps[0].complete_within", message: "at most 5 years (260w)" },
    ]);
    expect((await b.admin.get("/workflows/forever")).status).toBe(404);
    for (const [limit, max] of [
      ["10000000w", "260w"],
      ["100000000w wall", "260w wall"],
    ]) {
      const v = await b.admin.post(
        "/workflows/validate",
        yaml.replace("99999999999999999999w", limit as string),
      );
      expect(v.status).toBe(422);
      expect(v.body.errors[0].message).toBe(`at most 5 years (${max})`);
    }
  });

  it("validating a 14,001-step chain is refused at once, naming the limit", async () => {
    const started = performance.now();
    const r = await b.admin.post("/workflows/validate", chain(14_001));
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([
      { path: "steps", message: "at most 1,000 steps (this has 14,001)" },
    ]);
    expect(performance.now() - started).toBeLessThan(2_000);
    const ok = await b.admin.post("/workflows/validate", chain(1_000));
    expect(ok.status).toBe(200);
  });

  it("conditions nested 3,000 deep are a 422, in JSON and in YAML", async () => {
    const json = await b.admin.post("/workflows/validate", deepCondition(3_000));
    expect(json.status).toBe(422);
    expect(json.body.code).toBe("invalid_workflow");
    expect(json.body.errors[0]).toEqual({
      path: "(root)",
      message: "nested deeper than 100 levels",
    });
    // The same as JSON text inside YAML (flow style) is refused before the parser recurses.
    const yaml = await b.admin.post("/workflows/validate", JSON.stringify(deepCondition(3_000)));
    expect(yaml.status).toBe(422);
    expect(yaml.body.errors[0].message).toBe("nested deeper than 100 levels");
    const shallow = await b.admin.post("/workflows/validate", deepCondition(33));
    expect(shallow.status).toBe(422);
    expect(shallow.body.errors[0]).toEqual({
      path: "steps[0].handoff.routes[0].when",
      message: "conditions nest at most 32 levels of all, any and not",
    });
  });

  it("a JSON body nested 200,000 deep is a 422, not a stack overflow", async () => {
    const body = `{"key": "x", "steps": ${"[".repeat(200_000)}${"]".repeat(200_000)}}`;
    const r = await b.app.inject({
      method: "POST",
      url: "/api/v1/workflows/validate",
      headers: { authorization: `Bearer ${b.admin.token}`, "content-type": "application/json" },
      payload: body,
    });
    expect(r.statusCode).toBe(422);
    expect(r.json().code).toBe("invalid_workflow");
  });

  it("a YAML definition over 512 KiB is refused before it is parsed", async () => {
    const yaml = `key: big\nname: Big\nprefix: BIG\ndescription: "${"x".repeat(600 * 1024)}"\nsteps: [{key: one, team: ops}]\n`;
    const r = await b.admin.post("/workflows/validate", yaml);
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([
      { path: "(root)", message: "at most 524,288 characters (this has 614,478)" },
    ]);
  });

  it.each([
    ["a billion laughs", billionLaughs, /Excessive alias count/],
    [
      "an alias without its anchor",
      "key: x\nname: X\nprefix: X\nsteps: *nowhere\n",
      /Unresolved alias/,
    ],
    [
      "an alias inside its own anchor",
      "key: x\nname: X\nprefix: X\nsteps: &s [{key: one, team: ops, checklist: *s}]\n",
      /contains itself/,
    ],
  ])("YAML with %s is a 422 and publishes nothing", async (_, yaml, message) => {
    const v = await b.admin.post("/workflows/validate", yaml);
    expect(v.status).toBe(422);
    expect(v.body.code).toBe("invalid_workflow");
    expect(v.body.detail).toMatch(message);
    const p = await b.admin.put("/workflows/lol", yaml.replace(/^key: \w+/, "key: lol"));
    expect(p.status).toBe(422);
    expect((await b.admin.get("/workflows/lol")).status).toBe(404);
  });

  it.each([
    [
      "366 yearly holidays",
      "holidays",
      { timezone: "UTC", hours: nineToFive, holidays: everyDayYearly },
    ],
    ["no working hours at all", "hours", { timezone: "UTC", hours: {} }],
  ])(
    "a calendar with %s is refused, naming %s, and the team keeps its calendar",
    async (_, path, calendar) => {
      const r = await b.admin.put("/teams/quiet/calendar", calendar);
      expect(r.status).toBe(400);
      expect(r.body.code).toBe("invalid_input");
      expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(path);
      const after = await b.admin.get("/teams/quiet/calendar");
      expect(after.status).toBe(200);
      expect(after.body.default).toBe(true);
    },
  );

  it("an item on a version stored with absurd limits reads, queues and hands off, without due times", async () => {
    // Published by a Baton before durations were bounded: the version keeps its definition.
    const def = {
      key: "legacy",
      name: "Legacy",
      prefix: "LEG",
      fields: [],
      steps: [
        {
          key: "one",
          team: "ops",
          checklist: [],
          complete_within: "99999999999999999999w",
          handoff: { to: "two", accept_within: "100000000w wall" },
        },
        { key: "two", team: "ops", checklist: [], complete_within: "10000000w" },
      ],
    } as WorkflowDef;
    await insertWorkflowVersion(b.engine.db, {
      def,
      source: JSON.stringify(def),
      sourceFormat: "json",
      publishedBy: "admin@example.com",
    });
    const started = performance.now();
    const created = await b.admin.post("/items", { workflow: "legacy", title: "Old" });
    expect(created.status).toBe(201);
    const key = created.body.key;
    const item = await b.admin.get(`/items/${key}`);
    expect(item.status).toBe(200);
    expect(item.body.clocks).toContainEqual(
      expect.objectContaining({ kind: "complete", state: "running", due_at: null }),
    );
    expect((await b.admin.get("/teams/ops/queue")).status).toBe(200);
    const submitted = await b.admin.post(`/items/${key}/handoff`, {});
    expect(submitted.status).toBe(200);
    expect(submitted.body.clocks).toContainEqual(
      expect.objectContaining({ kind: "accept", state: "running", due_at: null }),
    );
    expect((await b.admin.post(`/items/${key}/accept`, {})).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("a calendar stored without any working day does not fail reads of that team's work", async () => {
    await b.workflow(
      [
        "key: plain",
        "name: Plain",
        "prefix: PL",
        "steps:",
        "  - {key: one, team: quiet, complete_within: 4h}",
      ].join("\n"),
    );
    const created = await b.admin.post("/items", { workflow: "plain", title: "Quiet work" });
    expect(created.status).toBe(201);
    // Stored by a Baton that did not check for working time; a valid change elsewhere clears caches.
    await setCalendar(b.engine.db, "quiet", {
      timezone: "UTC",
      hours: nineToFive,
      holidays: everyDayYearly,
    });
    expect(
      (await b.admin.put("/teams/ops/calendar", { timezone: "UTC", hours: nineToFive })).status,
    ).toBe(200);
    const item = await b.admin.get(`/items/${created.body.key}`);
    expect(item.status).toBe(200);
    expect(item.body.clocks).toContainEqual(
      expect.objectContaining({ kind: "complete", state: "running", due_at: null }),
    );
    expect((await b.admin.get("/teams/quiet/queue")).status).toBe(200);
    expect((await b.admin.get("/teams/quiet/calendar")).status).toBe(200);
    expect((await b.admin.post("/sla/recompute", {})).status).toBeLessThan(300);
  });
});

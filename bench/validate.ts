/*
 * Workflow validation benchmark (`npm run bench`, last part; or `node --import tsx
 * bench/validate.ts` alone, no database needed). `POST /api/v1/workflows/validate` runs on the
 * event loop of a node every signed-in user can reach, so its cost must stay linear and bounded:
 * 1. a 1,000-step chain (the step limit), from YAML and from JSON text;
 * 2. the largest definition the limits allow in 1 MiB: 1,000 steps with checklists, criteria and
 *    routed conditions, 500 fields;
 * 3. how fast what is over the limits is refused: a 14,001-step chain (53 s before the limits),
 *    conditions nested 3,000 deep, a YAML alias bomb;
 * 4. a clock on a limit stored before durations were bounded (99999999999999999999w: never
 *    ended before).
 * Each figure is the median of BENCH_VALIDATE_RUNS runs (default 15) after two warm-up runs.
 */
import { stringify } from "yaml";
import { addBusinessMs, DEFAULT_CALENDAR, parseDuration } from "../src/domain/calendar.ts";
import { DomainError } from "../src/domain/errors.ts";
import { chainWorkflow } from "../src/domain/test-fixtures.ts";
import { validateWorkflow } from "../src/domain/workflow.ts";
import { WORKFLOW_LIMITS } from "../src/domain/workflow-limits.ts";
import {
  MAX_DEFINITION_CHARS,
  parseDefinition,
  type SourceFormat,
} from "../src/engine/workflows.ts";

const RUNS = Number(process.env.BENCH_VALIDATE_RUNS ?? 15);
const teams = new Set(["sales", "implementation", "support"]);

const chain = (n: number) => chainWorkflow(n);

/** Every list well used, conditions four levels deep, as large as fits in MAX_DEFINITION_CHARS. */
function largest(n: number = WORKFLOW_LIMITS.steps): Record<string, unknown> {
  const fields = Array.from({ length: WORKFLOW_LIMITS.fields }, (_, i) =>
    i % 5 === 0
      ? { key: `f${i}`, type: "choice", options: ["a", "b", "c", "d"] }
      : { key: `f${i}`, type: i % 5 === 1 ? "number" : "text", label: `Field ${i}` },
  );
  const when = (i: number) => ({
    all: [
      { field: `f${(i * 5) % 500}`, in: ["a", "b"] },
      {
        any: [
          { field: `f${(i * 5 + 1) % 500}`, gt: 10 },
          { not: { field: `f${(i * 5 + 2) % 500}`, set: true } },
        ],
      },
    ],
  });
  const steps = Array.from({ length: n }, (_, i) => {
    const step: Record<string, unknown> = {
      key: `s${i}`,
      team: ["sales", "implementation", "support"][i % 3],
      checklist: ["Collect the documents", { text: "Call the customer", optional: true }],
      complete_within: "2d",
    };
    if (i < n - 1)
      step.handoff = {
        routes: [
          { when: when(i), to: `s${i + 1}` },
          ...(i + 2 < n ? [{ when: when(i + 1), to: `s${i + 2}` }] : []),
          { to: `s${i + 1}` },
        ],
        requires: [`f${(i * 3) % 500}`],
        criteria: ["Package complete"],
        accept_within: "4h",
      };
    return step;
  });
  return { key: "large", name: "Large", prefix: "LG", fields, steps };
}

function median(f: () => void): number {
  for (let i = 0; i < 2; i++) f();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    f();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

/** Parses and validates as the route does; returns the status the route would answer. */
function validate(source: string, format: SourceFormat): number {
  try {
    validateWorkflow(parseDefinition(source, format), { teams });
    return 200;
  } catch (e) {
    if (e instanceof DomainError) return 422;
    throw e;
  }
}

function row(what: string, source: string, format: SourceFormat): void {
  let status = 0;
  const ms = median(() => {
    status = validate(source, format);
  });
  const size = `${(source.length / 1024).toFixed(0)} KiB ${format}`;
  console.log(
    `${what.padEnd(44)} ${size.padStart(14)}  ${String(status).padStart(3)}  ${ms.toFixed(1).padStart(8)} ms`,
  );
}

function main(): void {
  console.log(`Workflow validation (median of ${RUNS}; parse + schema + semantic checks)\n`);
  console.log(
    `${"definition".padEnd(44)} ${"size".padStart(14)}  ${"ans".padStart(3)}  ${"time".padStart(11)}`,
  );
  const thousand = chain(1_000);
  row("1,000-step chain", stringify(thousand), "yaml");
  row("1,000-step chain", JSON.stringify(thousand), "json");
  const big = largest();
  const bigJson = JSON.stringify(big);
  if (bigJson.length > MAX_DEFINITION_CHARS) throw new Error("the largest definition does not fit");
  row("largest: 1,000 steps, 500 fields, 2,997 routes", bigJson, "json");
  row("largest, as YAML (refused: over 512 KiB)", stringify(big), "yaml");
  row("largest with 500 steps, as YAML", stringify(largest(500)), "yaml");
  row("14,001-step chain (refused)", JSON.stringify(chain(14_001)), "json");
  let when: unknown = { field: "f0", set: true };
  for (let i = 0; i < 3_000; i++) when = { not: when };
  const deep = {
    ...chain(2),
    steps: [
      { key: "a", team: "sales", handoff: { routes: [{ when, to: "b" }] } },
      { key: "b", team: "sales" },
    ],
  };
  row("conditions nested 3,000 deep (refused)", JSON.stringify(deep), "json");
  row("same, as YAML flow (refused)", JSON.stringify(deep), "yaml");
  const laughs = [
    "key: lol\nname: Lol\nprefix: LOL\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
    ...Array.from({ length: 8 }, (_, i) => {
      const [me, prev] = [String.fromCharCode(98 + i), String.fromCharCode(97 + i)];
      return `${me}: &${me} [${Array(9).fill(`*${prev}`).join(", ")}]`;
    }),
    "steps: [{key: one, team: sales, checklist: *i}]",
  ].join("\n");
  row("YAML billion laughs (refused)", laughs, "yaml");

  const huge = parseDuration("99999999999999999999w").seconds * 1000;
  const start = Date.parse("2026-03-02T09:00:00Z");
  const clockMs = median(() => addBusinessMs(start, huge, DEFAULT_CALENDAR));
  console.log(
    `\nclock on a stored 99999999999999999999w limit: no deadline in ${clockMs.toFixed(3)} ms`,
  );
}

main();

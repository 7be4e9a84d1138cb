import fc from "fast-check";
import { fingerprintDiff } from "./fingerprint.ts";
import type { FuzzCase } from "./generators.ts";
import type { Send, Wire, WireResponse } from "./world.ts";

/*
 * Runs fuzz cases against a Baton and judges each answer by the properties every request must
 * keep, whatever it contains:
 *   - no 5xx;
 *   - every 4xx is application/problem+json with `code`, `status` (the response's) and `detail`;
 *   - a 4xx changes nothing (the state fingerprint is the same before and after);
 *   - an answer comes within the time bound (and at all).
 * Failures are grouped by what went wrong on which route; the first case of each group is then
 * shrunk by fast-check (replayed from its seed and run index) to a minimal reproduction.
 */

/** The request could not be put on the wire at all (a client-side refusal, not Baton's). */
export class Unsendable extends Error {}

/** No answer within the target's hard limit (the process is stuck; the target recovers it). */
export class NoAnswer extends Error {}

export interface FuzzTarget {
  send: Send;
  fingerprint(): Promise<string>;
  /** Brings back a working Baton after a request got no answer (e.g. a restart on a fresh copy). */
  recover?(): Promise<void>;
  /** The logged cause of a 500, from the error id in its body, where the target can see logs. */
  explain?(body: string): Promise<string | undefined>;
}

export type ProblemKind =
  | "server-error"
  | "not-problem-json"
  | "state-changed"
  | "slow"
  | "no-answer";

export interface Problem {
  kind: ProblemKind;
  detail: string;
}

export interface CaseResult {
  status?: number | undefined;
  ms?: number | undefined;
  problems: Problem[];
  skipped?: boolean;
}

/**
 * What went wrong where: failures with the same signature are most likely one defect. A 4xx
 * that is not problem+json is grouped by the framework's code in it (one missing error handler
 * answers on every route); everything else by route.
 */
export function signatureOf(p: Problem, c: FuzzCase, status?: number): string {
  if (p.kind === "not-problem-json") {
    const code = /"code"\s*:\s*"([^"]{1,60})"/.exec(p.detail)?.[1];
    return `${p.kind} ${status ?? ""} ${code ?? c.route}`;
  }
  // A logged cause names the defect better than the route (a NUL fails on every route alike).
  if (p.kind === "server-error") {
    const cause = p.detail.startsWith("{") || p.detail.includes('"code"') ? undefined : p.detail;
    return `${p.kind} ${cause ? snippet(cause.replace(/\d+/g, "N"), 90) : `${status ?? ""} ${c.route}`}`;
  }
  return `${p.kind} ${c.route}`;
}

const snippet = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}…` : s);

function problemJsonProblem(req: Wire, res: WireResponse): Problem | undefined {
  const type = String(res.headers["content-type"] ?? "");
  if (!type.startsWith("application/problem+json"))
    return {
      kind: "not-problem-json",
      detail: `${res.status} with content-type "${type}": ${snippet(res.body)}`,
    };
  if (req.method === "HEAD") return undefined;
  let body: any;
  try {
    body = JSON.parse(res.body);
  } catch {
    return {
      kind: "not-problem-json",
      detail: `${res.status} body is not JSON: ${snippet(res.body)}`,
    };
  }
  const missing = [
    typeof body?.code === "string" && body.code !== "" ? null : "code",
    body?.status === res.status ? null : `status (${JSON.stringify(body?.status)})`,
    typeof body?.detail === "string" ? null : "detail",
  ].filter((x) => x !== null);
  return missing.length === 0
    ? undefined
    : {
        kind: "not-problem-json",
        detail: `${res.status} problem lacks ${missing.join(", ")}: ${snippet(res.body)}`,
      };
}

/** Runs one case and judges it; `state.last` carries the fingerprint from case to case. */
export async function runCase(
  target: FuzzTarget,
  c: FuzzCase,
  state: { last: string },
  timeBoundMs: number,
): Promise<CaseResult> {
  let res: WireResponse;
  try {
    res = await target.send(c.wire);
  } catch (e) {
    if (e instanceof Unsendable) return { problems: [], skipped: true };
    if (e instanceof NoAnswer) {
      await target.recover?.();
      state.last = await target.fingerprint();
      return { problems: [{ kind: "no-answer", detail: e.message }] };
    }
    throw e;
  }
  const problems: Problem[] = [];
  if (res.status >= 500) {
    const cause = await target.explain?.(res.body);
    problems.push({
      kind: "server-error",
      detail: cause ? `${res.status}: ${cause}` : `${res.status}: ${snippet(res.body)}`,
    });
  }
  if (res.status >= 400 && res.status < 500) {
    const p = problemJsonProblem(c.wire, res);
    if (p) problems.push(p);
  }
  if (res.ms > timeBoundMs)
    problems.push({
      kind: "slow",
      detail: `answered ${res.status} after ${Math.round(res.ms)} ms`,
    });
  const after = await target.fingerprint();
  if (res.status >= 400 && after !== state.last)
    problems.push({
      kind: "state-changed",
      detail: `${res.status} but ${fingerprintDiff(state.last, after)}`,
    });
  state.last = after;
  return { status: res.status, ms: res.ms, problems };
}

export interface Failure {
  index: number;
  fuzzCase: FuzzCase;
  status?: number | undefined;
  problems: Problem[];
}

export interface FailureGroup {
  signature: string;
  count: number;
  first: Failure;
  /** The first case shrunk by fast-check, if the failure reproduced on replay. */
  minimal?: { fuzzCase: FuzzCase; problem: Problem } | undefined;
  /** The successful writes just before the first failure (reads may fail because of them). */
  precededBy: string[];
}

export interface FuzzReport {
  seed: number;
  numRuns: number;
  tried: number;
  skipped: number;
  ms: number;
  statuses: Record<string, number>;
  /** Cases per family group and how many of them succeeded (2xx): how deep the fuzzer got. */
  families: Record<string, { tried: number; ok: number }>;
  groups: FailureGroup[];
}

export interface FuzzOptions {
  target: FuzzTarget;
  arbitrary: fc.Arbitrary<FuzzCase>;
  seed: number;
  numRuns: number;
  timeBoundMs: number;
  /** Groups to shrink (the largest first); 0 to skip shrinking. */
  shrinkGroups?: number;
  /** Time for shrinking one group. */
  shrinkMs?: number;
  onProgress?: (tried: number, failures: number) => void;
}

const describeWrite = (i: number, w: Wire) =>
  `#${i} ${w.method} ${w.url}${w.body ? ` ${abbreviate(JSON.stringify(w.body), 200)}` : ""}`;

/** Runs `numRuns` cases from `seed`, then shrinks the first case of each failure group. */
export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const state = { last: await o.target.fingerprint() };
  const failures: Failure[] = [];
  const precededBy = new Map<number, string[]>();
  const recentWrites: string[] = [];
  const statuses: Record<string, number> = {};
  const families: Record<string, { tried: number; ok: number }> = {};
  let index = 0;
  let skipped = 0;
  await fc.assert(
    fc.asyncProperty(o.arbitrary, async (c) => {
      const i = index++;
      const r = await runCase(o.target, c, state, o.timeBoundMs);
      if (r.skipped) {
        skipped++;
        return;
      }
      const group = c.family.split(":")[0] as string;
      const fam = families[group] ?? { tried: 0, ok: 0 };
      families[group] = fam;
      fam.tried++;
      const status = r.status === undefined ? "no answer" : String(r.status);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (r.status !== undefined && r.status < 300) {
        fam.ok++;
        if (c.wire.method !== "GET") {
          recentWrites.push(describeWrite(i, c.wire));
          if (recentWrites.length > 5) recentWrites.shift();
        }
      }
      if (r.problems.length > 0) {
        failures.push({ index: i, fuzzCase: c, status: r.status, problems: r.problems });
        precededBy.set(i, [...recentWrites]);
      }
      if (i % 100 === 99) o.onProgress?.(i + 1, failures.length);
    }),
    { seed: o.seed, numRuns: o.numRuns, endOnFailure: true },
  );

  const bySignature = new Map<string, FailureGroup>();
  for (const f of failures)
    for (const p of f.problems) {
      const sig = signatureOf(p, f.fuzzCase, f.status);
      const g = bySignature.get(sig);
      if (g) g.count++;
      else
        bySignature.set(sig, {
          signature: sig,
          count: 1,
          first: f,
          precededBy: precededBy.get(f.index) ?? [],
        });
    }
  const groups = [...bySignature.values()].sort((a, b) => b.count - a.count);
  for (const g of groups.slice(0, o.shrinkGroups ?? 10)) g.minimal = await shrink(o, g, state);
  return {
    seed: o.seed,
    numRuns: o.numRuns,
    tried: index - skipped,
    skipped,
    ms: Date.now() - started,
    statuses,
    families,
    groups,
  };
}

/** Replays the group's first case from the seed and lets fast-check shrink it. */
async function shrink(
  o: FuzzOptions,
  g: FailureGroup,
  state: { last: string },
): Promise<FailureGroup["minimal"]> {
  let last: Problem | undefined;
  const details = await fc.check(
    fc.asyncProperty(o.arbitrary, async (c) => {
      const r = await runCase(o.target, c, state, o.timeBoundMs);
      const p = r.problems.find((x) => signatureOf(x, c, r.status) === g.signature);
      if (p) last = p;
      return p === undefined;
    }),
    {
      seed: o.seed,
      path: String(g.first.index),
      interruptAfterTimeLimit: o.shrinkMs ?? 15_000,
      markInterruptAsFailure: false,
    },
  );
  const c = details.counterexample?.[0];
  return c && last ? { fuzzCase: c, problem: last } : undefined;
}

/** Long runs of one character as `⟨"a" × 10001⟩`, and a cap on the whole text. */
export function abbreviate(s: string, max = 2_000): string {
  const short = s.replace(
    /(.)\1{31,}/gsu,
    (run, ch: string) => `⟨${JSON.stringify(ch)} × ${[...run].length}⟩`,
  );
  return short.length > max ? `${short.slice(0, max)}… (${short.length} characters)` : short;
}

/** A request as a reader can replay it: method, URL, headers, body (JSON-escaped). */
export function formatWire(w: Wire, principal: string): string {
  const lines = [`  as ${principal}:`, `  ${w.method} ${abbreviate(w.url, 500)}`];
  for (const [k, v] of Object.entries(w.headers)) lines.push(`  ${k}: ${abbreviate(v, 200)}`);
  if (w.body !== undefined) lines.push(`  body: ${abbreviate(JSON.stringify(w.body))}`);
  return lines.join("\n");
}

/** The report as text: the figures, then each failure group with its reproduction. */
export function formatReport(r: FuzzReport): string {
  const out = [
    `seed ${r.seed}: ${r.tried} cases tried (${r.skipped} unsendable skipped) in ${(r.ms / 1000).toFixed(1)} s`,
    `statuses: ${Object.entries(r.statuses)
      .sort()
      .map(([s, n]) => `${s}×${n}`)
      .join(" ")}`,
    `families (tried/2xx): ${Object.entries(r.families)
      .map(([f, x]) => `${f} ${x.tried}/${x.ok}`)
      .join(", ")}`,
    `${r.groups.length} failure groups, ${r.groups.reduce((n, g) => n + g.count, 0)} failures`,
  ];
  for (const g of r.groups) {
    out.push(
      "",
      `[${g.signature}] ${g.count}× (first: case #${g.first.index}, ${g.first.fuzzCase.family})`,
    );
    const shown = g.minimal ?? {
      fuzzCase: g.first.fuzzCase,
      problem: g.first.problems.find(
        (p) => signatureOf(p, g.first.fuzzCase, g.first.status) === g.signature,
      ),
    };
    out.push(`  ${shown.problem?.detail ?? ""}`);
    out.push(g.minimal ? "  minimal reproduction:" : "  reproduction (not shrunk):");
    out.push(formatWire(shown.fuzzCase.wire, shown.fuzzCase.principal));
    if (g.precededBy.length > 0)
      out.push("  after these successful writes:", ...g.precededBy.map((w) => `    ${w}`));
  }
  return out.join("\n");
}

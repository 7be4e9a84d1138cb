import { stringify } from "yaml";
import type { MiningReport, PairReport } from "./metrics.ts";

/*
 * `baton mine --propose`: a Baton workflow whose steps follow the dominant team path of the
 * mined log, with the service levels history suggests. Pure: report in, YAML text out. The
 * result passes `baton workflow apply` once its teams exist (the header says how to create
 * them); the test validates it with the domain's own parser.
 */

/** A team name as a team key: lower case letters, digits and '-', starting with a letter. */
export function teamKeyOf(name: string): string {
  const slug = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 56);
  const key = /^[a-z]/.test(slug) ? slug : `team-${slug}`.replace(/-+$/, "");
  return key.slice(0, 63);
}

/**
 * The path a proposal follows: the most frequent path with a handoff in it (a one-team path
 * has nothing to hand over), else the most frequent path. Undefined when no case has a team.
 */
export function dominantPath(report: MiningReport): MiningReport["paths"][number] | undefined {
  const real = report.paths.filter((p) => !p.teams.includes("…"));
  return real.find((p) => p.teams.length > 1) ?? real[0];
}

/** Hours, rounded up, as a wall-clock duration Baton reads (`36h wall`), capped at five years. */
function wallHours(seconds: number): string {
  const hours = Math.min(Math.max(1, Math.ceil(seconds / 3600)), 43_800);
  return `${hours}h wall`;
}

/** Samples a proposed limit must rest on; fewer and the limit is left for people to set. */
const MIN_SAMPLES = 5;

export interface ProposalInput {
  report: MiningReport;
  /** The log's file name, for the header, the workflow key and the prefix. */
  source: string;
}

/** The proposed workflow as YAML with a header comment, and the teams it needs. */
export function proposeWorkflow({ report, source }: ProposalInput): {
  yaml: string;
  teams: { key: string; name: string }[];
} {
  const path = dominantPath(report);
  if (!path) throw new Error("no case has a team, so there is no path to propose a workflow from");
  const base = source.replace(/(\.gz)?$/i, "").replace(/\.(xes|csv|xml|txt)$/i, "");
  const keySlug =
    teamKeyOf(base)
      .replace(/^team-/, "")
      .slice(0, 50) || "log";
  const key = /^[a-z]/.test(keySlug) ? `mined-${keySlug}` : "mined-log";
  const letters = base.toUpperCase().replace(/[^A-Z0-9]/g, "");
  const prefix = /^[A-Z]/.test(letters) ? letters.slice(0, 6) : "MINED";
  const teamOf = new Map<string, string>();
  const usedKeys = new Set<string>();
  for (const name of path.teams) {
    if (teamOf.has(name)) continue;
    let k = teamKeyOf(name);
    for (let n = 2; usedKeys.has(k); n++) k = `${teamKeyOf(name).slice(0, 58)}-${n}`;
    usedKeys.add(k);
    teamOf.set(name, k);
  }
  const pair = new Map<string, PairReport>(report.pairs.map((p) => [`${p.from}\u0000${p.to}`, p]));
  const teamInfo = new Map(report.team_list.map((t) => [t.team, t]));
  const stepKeys: string[] = [];
  const seen = new Map<string, number>();
  for (const name of path.teams) {
    const base = teamOf.get(name) as string;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    stepKeys.push(n === 1 ? base.slice(0, 60) : `${base.slice(0, 58)}-${n}`);
  }
  const steps = path.teams.map((name, i) => {
    const activities = (teamInfo.get(name)?.top_activities ?? []).slice(0, 5);
    const step: Record<string, unknown> = {
      key: stepKeys[i],
      name: name.slice(0, 200),
      team: teamOf.get(name),
    };
    if (activities.length > 0) step.checklist = activities.map((a) => a.activity.slice(0, 1000));
    const next = path.teams[i + 1];
    if (next !== undefined) {
      const handoff: Record<string, unknown> = { to: stepKeys[i + 1] };
      const p = pair.get(`${name}\u0000${next}`);
      if (p && p.transfer_gap.n >= MIN_SAMPLES && p.transfer_gap.p90_s !== null)
        handoff.accept_within = wallHours(p.transfer_gap.p90_s);
      step.handoff = handoff;
    }
    return step;
  });
  const definition = {
    key,
    name: `Mined from ${base}`.slice(0, 200),
    prefix,
    description:
      `Proposed by baton mine from ${source}: the team path of ${path.cases.toLocaleString("en")} ` +
      `of ${report.cases.toLocaleString("en")} cases (${(path.share * 100).toFixed(1)} %). ` +
      "Accept limits are the 90th percentile of the mined transfer gaps, in wall-clock hours.",
    steps,
  };
  const teams = [...teamOf].map(([name, k]) => ({ key: k, name }));
  const header = [
    `# Proposed by \`baton mine\` from ${source}. Review it, then: baton workflow apply -f THIS_FILE`,
    "# It needs these teams (create the ones that do not exist yet):",
    ...teams.map((t) => `#   baton team create ${t.key} --name ${JSON.stringify(t.name)}`),
  ].join("\n");
  return { yaml: `${header}\n${stringify(definition, { lineWidth: 100 })}`, teams };
}

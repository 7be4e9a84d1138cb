import type { Command } from "commander";
import { CliError, cliOf, seg } from "./client.ts";
import { emit, formatDuration, indent, say, table } from "./output.ts";

/* `baton metrics` and `baton review WORKFLOW`: how handoffs go (docs/metrics.md). */

interface EdgeJson {
  from_step: string;
  to_step: string;
  from_team: string;
  to_team: string;
  submitted: number;
  rejected: number;
  rejection_rate: number | null;
  rejections_by_reason: Record<string, number>;
  limbo_p50_s: number | null;
  limbo_p85_s: number | null;
  limbo_business_p85_s: number | null;
  in_limbo_now: number;
  bounces: number;
  questions_after_accept: number;
  sla_attainment: number | null;
  survey_receiver_avg: number | null;
  survey_sender_avg: number | null;
}

interface TeamJson {
  team: string;
  wip: number;
  finished: number;
  throughput_per_week: number;
  received: number;
  rejected_by_team: number;
  sent_rejection_rate: number | null;
  attainment: number | null;
}

interface ReviewJson {
  workflow: string;
  version: number;
  period: { from: string; to: string };
  edges: (EdgeJson & {
    accept_within: string | null;
    top_reasons: { reason: string; count: number }[];
    criteria_failed: { criterion: string; count: number }[];
    reject_comments: { key: string; reason: string | null; comment: string }[];
    stalled: { key: string; in_limbo_s: number; over_limit: boolean }[];
    suggestions: { id: string; title: string; evidence: Record<string, unknown> }[];
  })[];
}

interface PeriodFlags {
  from?: string;
  to?: string;
  version?: string;
  csv?: boolean;
}

const pct = (r: number | null) => (r === null ? "—" : `${Math.round(r * 1000) / 10} %`);
const dur = (s: number | null) => (s === null ? "—" : formatDuration(s));
const num = (n: number | null) => (n === null ? "—" : String(n));

function checkEdge(edge: string | undefined): void {
  if (edge !== undefined && !/^[^:]+:[^:]+$/.test(edge))
    throw new CliError(`--edge "${edge}" must be FROM_STEP:TO_STEP, e.g. sell:implement`);
}

function query(flags: PeriodFlags & { workflow?: string; edge?: string; team?: string }) {
  const q: Record<string, string> = {};
  for (const k of ["workflow", "edge", "team", "from", "to", "version"] as const) {
    const v = flags[k];
    if (typeof v === "string") q[k] = v;
  }
  return q;
}

function withPeriod(c: Command): Command {
  return c
    .option(
      "--from <day>",
      "start of the period (YYYY-MM-DD or an ISO instant; default 90 days ago)",
    )
    .option("--to <day>", "end of the period, that day included (default now)")
    .option("--version <n>", "only items on this workflow version")
    .option("--csv", "print the table as CSV");
}

export function registerMetricsCommands(program: Command): void {
  withPeriod(
    program
      .command("metrics")
      .description(
        "handoff metrics: per edge of a workflow (--workflow), else per team; see docs/metrics.md",
      )
      .option("--workflow <key>", "a workflow: its edges")
      .option("--edge <from:to>", "one edge, as FROM_STEP:TO_STEP")
      .option("--team <key>", "only handoffs with this team on either side"),
  ).action(
    async (
      flags: PeriodFlags & { workflow?: string; edge?: string; team?: string },
      command: Command,
    ) => {
      const cli = cliOf(command);
      checkEdge(flags.edge);
      if (flags.edge && !flags.workflow) throw new CliError("--edge needs --workflow");
      const path = flags.workflow ? "/metrics/edges" : "/metrics/teams";
      if (flags.csv) {
        const q = new URLSearchParams({ ...query(flags), format: "csv" });
        process.stdout.write(await cli.api.download(`${path}?${q}`, "text/csv"));
        return;
      }
      if (flags.workflow) {
        const r = await cli.api.get<{ edges: EdgeJson[]; period: { from: string; to: string } }>(
          path,
          query(flags),
        );
        emit(cli, r, () => {
          say(
            `Handoffs of ${flags.workflow}, ${r.period.from.slice(0, 10)} to ${r.period.to.slice(0, 10)}`,
          );
          say(
            r.edges.length === 0
              ? "  no handoffs in this period"
              : table(
                  [
                    "edge",
                    "teams",
                    "sent",
                    "rejected",
                    "limbo p50",
                    "limbo p85",
                    "in limbo",
                    "bounces",
                    "questions",
                    "SLA met",
                    "surveys r/s",
                  ],
                  r.edges.map((e) => [
                    `${e.from_step} → ${e.to_step}`,
                    `${e.from_team} → ${e.to_team}`,
                    String(e.submitted),
                    `${e.rejected} (${pct(e.rejection_rate)})`,
                    dur(e.limbo_p50_s),
                    dur(e.limbo_p85_s),
                    String(e.in_limbo_now),
                    String(e.bounces),
                    String(e.questions_after_accept),
                    pct(e.sla_attainment),
                    `${num(e.survey_receiver_avg)} / ${num(e.survey_sender_avg)}`,
                  ]),
                ),
          );
        });
        return;
      }
      const r = await cli.api.get<{ teams: TeamJson[] }>(path, query(flags));
      emit(cli, r, () =>
        say(
          table(
            [
              "team",
              "wip",
              "finished",
              "per week",
              "received",
              "rejected",
              "sent rejected",
              "SLA met",
            ],
            r.teams.map((t) => [
              t.team,
              String(t.wip),
              String(t.finished),
              String(t.throughput_per_week),
              String(t.received),
              String(t.rejected_by_team),
              pct(t.sent_rejection_rate),
              pct(t.attainment),
            ]),
          ),
        ),
      );
    },
  );

  withPeriod(
    program
      .command("review")
      .description("the review of a workflow: per edge the figures, the reasons, and suggestions")
      .argument("<workflow>", "workflow key")
      .option("--edge <from:to>", "one edge, as FROM_STEP:TO_STEP"),
  ).action(async (workflow: string, flags: PeriodFlags & { edge?: string }, command: Command) => {
    const cli = cliOf(command);
    checkEdge(flags.edge);
    const path = `/review/${seg(workflow)}`;
    if (flags.csv) {
      const q = new URLSearchParams({ ...query(flags), format: "csv" });
      process.stdout.write(await cli.api.download(`${path}?${q}`, "text/csv"));
      return;
    }
    const r = await cli.api.get<ReviewJson>(path, query(flags));
    emit(cli, r, () => {
      say(
        `Review of ${r.workflow} (version ${r.version}), ${r.period.from.slice(0, 10)} to ${r.period.to.slice(0, 10)}`,
      );
      if (r.edges.length === 0) say("  no handoffs in this period");
      for (const e of r.edges) {
        say();
        say(`${e.from_step} → ${e.to_step} (${e.from_team} → ${e.to_team})`);
        say(
          indent(
            [
              `submitted ${e.submitted}, rejected ${e.rejected} (${pct(e.rejection_rate)}), bounces ${e.bounces}, questions after accept ${e.questions_after_accept}`,
              `limbo p50 ${dur(e.limbo_p50_s)}, p85 ${dur(e.limbo_p85_s)} (business p85 ${dur(e.limbo_business_p85_s)}) against accept_within ${e.accept_within ?? "—"}`,
              `in limbo now ${e.in_limbo_now}${
                e.stalled.some((s) => s.over_limit)
                  ? `, over the limit: ${e.stalled
                      .filter((s) => s.over_limit)
                      .map((s) => s.key)
                      .join(", ")}`
                  : ""
              }`,
              `service level met ${pct(e.sla_attainment)}; surveys receiver ${num(e.survey_receiver_avg)}, sender ${num(e.survey_sender_avg)}`,
              ...(e.top_reasons.length > 0
                ? [`reasons: ${e.top_reasons.map((x) => `${x.reason} ${x.count}`).join(", ")}`]
                : []),
              ...(e.criteria_failed.length > 0
                ? [
                    `criteria failed: ${e.criteria_failed.map((x) => `${x.criterion} ${x.count}`).join(", ")}`,
                  ]
                : []),
              ...e.reject_comments.slice(0, 3).map((c) => `"${c.comment}" (${c.key})`),
            ].join("\n"),
          ),
        );
        for (const s of e.suggestions) {
          say(indent(`Suggestion: ${s.title}`));
          say(indent(`evidence: ${JSON.stringify(s.evidence)}`, "    "));
          say(
            indent(
              `draft it: POST /api/v1/review/${r.workflow}/drafts {"suggestion": "${s.id}"}`,
              "    ",
            ),
          );
        }
      }
    });
  });
}

import { humanSpan } from "../mining/html.ts";
import type { MineResult } from "../mining/read-log.ts";
import { indent, say, table } from "./output.ts";

/* The terminal summary of `baton mine`: the figures first, then the tables behind them. */

const num = (n: number) => n.toLocaleString("en");
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** Prints what a person reads first about a mined log. */
export function printSummary(r: MineResult, top: number): void {
  const period = r.period.first
    ? `, ${r.period.first.slice(0, 10)} to ${(r.period.last ?? "").slice(0, 10)}`
    : "";
  say(
    `${r.source.name} (${r.source.format.toUpperCase()}${r.source.gzip ? ", gzip" : ""}): ${num(r.cases)} cases, ${num(r.events)} events, ${num(r.teams)} teams${period}`,
  );
  for (const w of r.warnings) say(`warning: ${w}`);
  if (r.skipped.events > 0)
    say(
      `skipped ${num(r.skipped.events)} events${r.skipped.first_problem ? `; first: ${r.skipped.first_problem}` : " (lifecycle filter)"}`,
    );
  if (r.events_without_team > 0)
    say(`${num(r.events_without_team)} events have no team and are left out of team paths`);
  say(
    `Handoffs:   ${num(r.handoffs.total)} in ${num(r.handoffs.cases_with_handoff)} cases (${r.handoffs.per_case} a case; ${num(r.direct_successions)} direct successions)`,
  );
  const example = (list: MineResult["ping_pong"]["examples"]) =>
    list[0] ? `, e.g. ${list[0].case}: ${list[0].path.join(" → ")}` : "";
  say(
    `Ping-pong:  ${num(r.ping_pong.cases)} cases (${pct(r.ping_pong.share)})${example(r.ping_pong.examples)}`,
  );
  say(`Revisits:   ${num(r.revisit.cases)} cases (${pct(r.revisit.share)})`);
  say(
    `Cycle time: median ${humanSpan(r.cycle_time.p50_s)}, 90th percentile ${humanSpan(r.cycle_time.p90_s)}`,
  );
  if (top === 0) return;
  if (r.pairs.length > 0) {
    say();
    say(`TOP HANDOFFS (${Math.min(top, r.pairs.length)} of ${num(r.pairs_total)} pairs)`);
    say(
      indent(
        table(
          ["from", "to", "count", "cases", "how", "gap p50", "gap p90", "pickup p50", "pickups"],
          r.pairs
            .slice(0, top)
            .map((p) => [
              p.from,
              p.to,
              num(p.count),
              num(p.cases),
              p.handover_of_work.toFixed(4),
              humanSpan(p.transfer_gap.p50_s),
              humanSpan(p.transfer_gap.p90_s),
              humanSpan(p.pickup_latency.p50_s),
              num(p.pickup_latency.n),
            ]),
        ),
      ),
    );
  }
  if (r.paths.length > 0) {
    say();
    say(`MAIN PATHS (${Math.min(top, r.paths.length)} of ${num(r.paths_total)})`);
    say(
      indent(
        table(
          ["cases", "share", "path"],
          r.paths.slice(0, top).map((p) => [num(p.cases), pct(p.share), p.teams.join(" → ")]),
        ),
      ),
    );
  }
  if (r.team_list.length > 0) {
    say();
    say("TEAMS");
    say(
      indent(
        table(
          ["team", "events", "cases", "out", "in"],
          r.team_list
            .slice(0, Math.max(top, 20))
            .map((t) => [
              t.team,
              num(t.events),
              num(t.cases),
              num(t.handoffs_out),
              num(t.handoffs_in),
            ]),
        ),
      ),
    );
  }
}

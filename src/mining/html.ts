import type { DurationStats, MiningReport, PairReport } from "./metrics.ts";
import type { MineResult } from "./read-log.ts";

/*
 * `baton mine --html`: one self-contained page (no network, no external file) with the team
 * handoff map drawn as inline SVG and tables that sort by a click on their heading. Pure: the
 * result in, the page out. Every name from the log is escaped; the script only sorts tables.
 */

const esc = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

const num = (n: number) => n.toLocaleString("en");
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** Seconds as a person reads a wall-clock span: `45 s`, `12 m`, `5.2 h`, `3.1 d`. */
export function humanSpan(seconds: number | null): string {
  if (seconds === null) return "—";
  const s = Math.abs(seconds);
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.round(s / 60)} m`;
  if (s < 86_400) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
}

/** Teams drawn on the map (the busiest); edges drawn (the most frequent among them). */
const MAP_TEAMS = 30;
const MAP_EDGES = 80;

function handoffMap(report: MiningReport): string {
  const teams = report.team_list.slice(0, MAP_TEAMS);
  if (teams.length === 0) return "<p>No team on any event: nothing to draw.</p>";
  const size = 720;
  const c = size / 2;
  const ring = teams.length === 1 ? 0 : size / 2 - 80;
  const maxEvents = Math.max(1, ...teams.map((t) => t.events));
  const pos = new Map(
    teams.map((t, i) => {
      const a = (2 * Math.PI * i) / teams.length - Math.PI / 2;
      const r = 10 + 22 * Math.sqrt(t.events / maxEvents);
      return [t.team, { x: c + ring * Math.cos(a), y: c + ring * Math.sin(a), r, a }];
    }),
  );
  const edges = report.pairs.filter((p) => pos.has(p.from) && pos.has(p.to)).slice(0, MAP_EDGES);
  const maxCount = Math.max(1, ...edges.map((e) => e.count));
  const lines = edges.map((e) => {
    const a = pos.get(e.from) as { x: number; y: number; r: number };
    const b = pos.get(e.to) as { x: number; y: number; r: number };
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len = Math.hypot(dx, dy) || 1;
    // Bend to the right of the direction, so A→B and B→A are two separate arcs.
    const bend = Math.min(60, len * 0.18);
    const mx = (a.x + b.x) / 2 + (dy / len) * bend;
    const my = (a.y + b.y) / 2 - (dx / len) * bend;
    // Start and end on the circles' rims, aimed at the control point.
    const rim = (p: { x: number; y: number; r: number }, extra: number) => {
      const ux = mx - p.x;
      const uy = my - p.y;
      const ul = Math.hypot(ux, uy) || 1;
      return { x: p.x + (ux / ul) * (p.r + extra), y: p.y + (uy / ul) * (p.r + extra) };
    };
    const s = rim(a, 2);
    const t = rim(b, 6);
    const w = 1 + 7 * (e.count / maxCount);
    const title = `${e.from} → ${e.to}: ${num(e.count)} handoffs in ${num(e.cases)} cases, median transfer gap ${humanSpan(e.transfer_gap.p50_s)}`;
    return `<path d="M${s.x.toFixed(1)},${s.y.toFixed(1)} Q${mx.toFixed(1)},${my.toFixed(1)} ${t.x.toFixed(1)},${t.y.toFixed(1)}" stroke-width="${w.toFixed(1)}" class="edge" marker-end="url(#arrow)"><title>${esc(title)}</title></path>`;
  });
  const nodes = teams.map((t) => {
    const p = pos.get(t.team) as { x: number; y: number; r: number; a: number };
    const lx = p.x + Math.cos(p.a) * (p.r + 8);
    const ly = p.y + Math.sin(p.a) * (p.r + 8);
    const anchor = Math.cos(p.a) > 0.2 ? "start" : Math.cos(p.a) < -0.2 ? "end" : "middle";
    const dy = Math.sin(p.a) > 0.5 ? "1em" : Math.sin(p.a) < -0.5 ? "-0.3em" : "0.35em";
    const label = t.team.length > 28 ? `${t.team.slice(0, 27)}…` : t.team;
    return `<g><circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="${p.r.toFixed(1)}" class="team"><title>${esc(`${t.team}: ${num(t.events)} events in ${num(t.cases)} cases; ${num(t.handoffs_out)} handoffs out, ${num(t.handoffs_in)} in`)}</title></circle><text x="${lx.toFixed(1)}" y="${ly.toFixed(1)}" text-anchor="${anchor}" dy="${dy}">${esc(label)}</text></g>`;
  });
  const omitted =
    report.team_list.length > teams.length
      ? `<p class="note">The ${MAP_TEAMS} busiest of ${num(report.team_list.length)} teams are drawn.</p>`
      : "";
  return `<svg viewBox="-60 0 ${size + 120} ${size}" role="img" aria-label="Team handoff map" class="map">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="8" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto"><path d="M0,0 L10,5 L0,10 z" class="head"/></marker></defs>
${lines.join("\n")}
${nodes.join("\n")}
</svg>
<p class="note">Circles are teams (area by events); arrows are handoffs (width by count, the ${MAP_EDGES} most frequent). Hover for figures.</p>${omitted}`;
}

interface Column<T> {
  head: string;
  /** Text shown. */
  cell: (row: T) => string;
  /** The value sorted by (numbers sort as numbers). */
  value?: (row: T) => number | string | null;
}

function sortableTable<T>(id: string, columns: Column<T>[], rows: T[]): string {
  const head = columns
    .map((c, i) => `<th data-col="${i}" tabindex="0" aria-sort="none">${esc(c.head)}</th>`)
    .join("");
  const body = rows
    .map(
      (r) =>
        `<tr>${columns
          .map((c) => {
            const v = c.value ? c.value(r) : c.cell(r);
            const data =
              typeof v === "number" ? ` data-v="${v}"` : v === null ? ` data-v="-1"` : "";
            return `<td${data}>${esc(c.cell(r))}</td>`;
          })
          .join("")}</tr>`,
    )
    .join("\n");
  return `<table id="${id}" class="sortable"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function span<T>(
  head: string,
  get: (d: DurationStats) => number | null,
  of: (row: T) => DurationStats,
): Column<T> {
  return { head, cell: (r) => humanSpan(get(of(r))), value: (r) => get(of(r)) };
}

/** The whole page. */
export function renderHtmlReport(result: MineResult): string {
  const r = result;
  const title = `Handoff map of ${r.source.name}`;
  const cards: [string, string][] = [
    ["cases", num(r.cases)],
    ["events", num(r.events)],
    ["teams", num(r.teams)],
    ["handoffs", `${num(r.handoffs.total)} (${r.handoffs.per_case} a case)`],
    ["cases with a handoff", `${num(r.handoffs.cases_with_handoff)}`],
    ["ping-pong cases", `${num(r.ping_pong.cases)} (${pct(r.ping_pong.share)})`],
    ["revisit cases", `${num(r.revisit.cases)} (${pct(r.revisit.share)})`],
    ["median cycle time", humanSpan(r.cycle_time.p50_s)],
  ];
  const pairs = sortableTable(
    "pairs",
    [
      { head: "From", cell: (p) => p.from },
      { head: "To", cell: (p) => p.to },
      { head: "Handoffs", cell: (p) => num(p.count), value: (p) => p.count },
      { head: "Cases", cell: (p) => num(p.cases), value: (p) => p.cases },
      {
        head: "Handover of work",
        cell: (p) => p.handover_of_work.toFixed(4),
        value: (p) => p.handover_of_work,
      },
      span<PairReport>(
        "Gap p50",
        (d) => d.p50_s,
        (p) => p.transfer_gap,
      ),
      span<PairReport>(
        "Gap p90",
        (d) => d.p90_s,
        (p) => p.transfer_gap,
      ),
      span<PairReport>(
        "Pickup p50",
        (d) => d.p50_s,
        (p) => p.pickup_latency,
      ),
      span<PairReport>(
        "Pickup p90",
        (d) => d.p90_s,
        (p) => p.pickup_latency,
      ),
      {
        head: "Pickups measured",
        cell: (p) => num(p.pickup_latency.n),
        value: (p) => p.pickup_latency.n,
      },
    ],
    r.pairs,
  );
  const paths = sortableTable(
    "paths",
    [
      { head: "Cases", cell: (p) => num(p.cases), value: (p) => p.cases },
      { head: "Share", cell: (p) => pct(p.share), value: (p) => p.share },
      { head: "Teams", cell: (p) => String(p.teams.length), value: (p) => p.teams.length },
      { head: "Path", cell: (p) => p.teams.join(" → ") },
    ],
    r.paths,
  );
  const teams = sortableTable(
    "teams",
    [
      { head: "Team", cell: (t) => t.team },
      { head: "Events", cell: (t) => num(t.events), value: (t) => t.events },
      { head: "Cases", cell: (t) => num(t.cases), value: (t) => t.cases },
      { head: "Handoffs out", cell: (t) => num(t.handoffs_out), value: (t) => t.handoffs_out },
      { head: "Handoffs in", cell: (t) => num(t.handoffs_in), value: (t) => t.handoffs_in },
      {
        head: "Top activities",
        cell: (t) =>
          t.top_activities
            .slice(0, 3)
            .map((a) => `${a.activity} (${num(a.events)})`)
            .join(", "),
      },
    ],
    r.team_list,
  );
  const examples = (list: MiningReport["ping_pong"]["examples"]) =>
    list.length === 0
      ? "<p>None.</p>"
      : `<ul>${list.map((e) => `<li><code>${esc(e.case)}</code>: ${esc(e.path.join(" → "))}</li>`).join("")}</ul>`;
  const warnings = [
    ...r.warnings,
    ...(r.skipped.events > 0
      ? [
          `${num(r.skipped.events)} events skipped (first: ${r.skipped.first_problem ?? "lifecycle filter"})`,
        ]
      : []),
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
:root { color-scheme: light dark; --fg: #1d2430; --muted: #5c6675; --bg: #fff; --line: #d8dde5; --accent: #2f6fde; --team: #e8f0fd; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e9ee; --muted: #9aa4b2; --bg: #161a20; --line: #343b46; --accent: #6ea0ff; --team: #22304a; } }
body { font: 15px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 2rem auto; max-width: 1100px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2.2rem; font-size: 1.2rem; }
.sub, .note { color: var(--muted); } .note { font-size: .85rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: .6rem; margin: 1.2rem 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: .6rem .8rem; }
.card b { display: block; font-size: 1.25rem; } .card span { color: var(--muted); font-size: .85rem; }
.map { width: 100%; max-width: 860px; height: auto; display: block; margin: auto; }
.map .edge { fill: none; stroke: var(--accent); stroke-opacity: .55; } .map .edge:hover { stroke-opacity: 1; }
.map .head { fill: var(--accent); } .map .team { fill: var(--team); stroke: var(--accent); stroke-width: 1.5; }
.map text { font-size: 12px; fill: var(--fg); }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
td[data-v] { text-align: right; font-variant-numeric: tabular-nums; }
th { cursor: pointer; user-select: none; white-space: nowrap; } th[aria-sort=ascending]::after { content: " ▲"; } th[aria-sort=descending]::after { content: " ▼"; }
.warn { border-left: 4px solid #d9822b; padding: .3rem .8rem; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="sub">${esc(r.source.format.toUpperCase())}${r.source.gzip ? " (gzip)" : ""}, ${num(r.source.bytes)} bytes · ${r.period.first ? `${esc(r.period.first.slice(0, 10))} to ${esc((r.period.last ?? "").slice(0, 10))}` : "no events"} · team from <code>${esc(r.mapping.team)}</code>, case from <code>${esc(r.mapping.case)}</code></p>
${warnings.map((w) => `<p class="warn">${esc(w)}</p>`).join("\n")}
<div class="cards">${cards.map(([k, v]) => `<div class="card"><b>${esc(v)}</b><span>${esc(k)}</span></div>`).join("")}</div>
<h2>Team handoff map</h2>
${handoffMap(r)}
<h2>Handoffs between teams</h2>
<p class="note">A handoff is two consecutive events of a case whose team differs. Transfer gap: sending event to receiving event. Pickup: the receiving team's first event to its next one. Handover of work: the pair's share of all ${num(r.direct_successions)} direct successions (beta = 0).${r.pairs_total > r.pairs.length ? ` The ${num(r.pairs.length)} most frequent of ${num(r.pairs_total)} pairs.` : ""}</p>
${pairs}
<h2>Main paths</h2>
<p class="note">A case's team path: its teams in order, runs of one team collapsed. ${num(r.paths_total)} distinct paths.</p>
${paths}
<h2>Teams</h2>
${teams}
<h2>Ping-pong cases (A → B → A)</h2>
<p>${num(r.ping_pong.cases)} cases (${pct(r.ping_pong.share)}). Examples:</p>
${examples(r.ping_pong.examples)}
<h2>Cases that return to an earlier team</h2>
<p>${num(r.revisit.cases)} cases (${pct(r.revisit.share)}). Examples:</p>
${examples(r.revisit.examples)}
<script>
for (const table of document.querySelectorAll("table.sortable")) {
  const heads = table.querySelectorAll("th");
  heads.forEach((th, col) => {
    const sort = () => {
      const dir = th.getAttribute("aria-sort") === "descending" ? "ascending" : "descending";
      heads.forEach((h) => h.setAttribute("aria-sort", "none"));
      th.setAttribute("aria-sort", dir);
      const body = table.tBodies[0];
      const key = (tr) => { const td = tr.cells[col]; return td.dataset.v !== undefined ? Number(td.dataset.v) : td.textContent; };
      const rows = [...body.rows].sort((a, b) => {
        const x = key(a), y = key(b);
        const c = typeof x === "number" ? x - y : String(x).localeCompare(String(y));
        return dir === "ascending" ? c : -c;
      });
      body.append(...rows);
    };
    th.addEventListener("click", sort);
    th.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
  });
}
</script>
</body>
</html>
`;
}

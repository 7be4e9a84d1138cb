/*
 * The weekly review digest (docs/metrics.md): once a week each team's leads get the past
 * week's handoff edges touching their team — limbo p85 against the accept limit, rejections,
 * bounces and the edge's top suggestion. Pure: which week is due at `now`, and what the digest
 * says of a team's edges.
 */

/** The digest goes out from Monday at this hour (UTC) on, for the ISO week that just ended. */
export const REVIEW_DIGEST_HOUR_UTC = 7;

const DAY = 86_400_000;

/** An ISO week (Monday 00:00 UTC to the next Monday), as the digest names it. */
export interface DigestWeek {
  /** The Monday the week starts, YYYY-MM-DD: the key a team's digest is sent once under. */
  monday: string;
  /** ISO week label, e.g. 2026-W09. */
  label: string;
  from: string;
  to: string;
}

/** The ISO week label of the week starting on `mondayMs`. */
function isoWeekLabel(mondayMs: number): string {
  // The ISO year is the year of the week's Thursday.
  const thursday = new Date(mondayMs + 3 * DAY);
  const year = thursday.getUTCFullYear();
  const jan4 = Date.UTC(year, 0, 4);
  const week1Monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY;
  const week = Math.floor((mondayMs - week1Monday) / (7 * DAY)) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/**
 * The week whose digest is due at `now`: the ISO week before the current one, once this week's
 * Monday `hour` has passed (so a node down on Monday sends it when it is back, any day of the
 * week); null before that hour on Monday.
 */
export function dueDigestWeek(now: Date, hour = REVIEW_DIGEST_HOUR_UTC): DigestWeek | null {
  const ms = now.getTime();
  const today = Math.floor(ms / DAY) * DAY;
  const thisMonday = today - ((new Date(today).getUTCDay() + 6) % 7) * DAY;
  if (ms < thisMonday + hour * 3_600_000) return null;
  const monday = thisMonday - 7 * DAY;
  return {
    monday: new Date(monday).toISOString().slice(0, 10),
    label: isoWeekLabel(monday),
    from: new Date(monday).toISOString(),
    to: new Date(thisMonday).toISOString(),
  };
}

/** One edge as the review page has it, with what the digest reads of it. */
export interface DigestEdgeInput {
  workflow: string;
  from_step: string;
  to_step: string;
  from_team: string;
  to_team: string;
  submitted: number;
  rejected: number;
  rejection_rate: number | null;
  bounces: number;
  limbo_p85_s: number | null;
  limbo_business_p85_s: number | null;
  accept_within: string | null;
  accept_within_s: number | null;
  /** Whether the limit counts wall time (else the receiver's business time). */
  accept_within_wall: boolean | null;
  in_limbo_now: number;
  suggestions: readonly { id: string; title: string }[];
}

/** What the digest says of one edge. */
export interface DigestEdge extends DigestEdgeInput {
  /** limbo p85 in the limit's own terms is above the limit. */
  over_limit: boolean;
  top_suggestion: string | null;
}

/**
 * The edges worth a lead's look, most troubled first: those with handoffs in the week or work
 * in limbo now; troubled = over the limit, then rejections plus bounces.
 */
export function digestEdges(edges: readonly DigestEdgeInput[]): DigestEdge[] {
  return edges
    .filter((e) => e.submitted > 0 || e.in_limbo_now > 0)
    .map((e) => {
      const p85 = e.accept_within_wall === false ? e.limbo_business_p85_s : e.limbo_p85_s;
      const over = e.accept_within_s !== null && p85 !== null && p85 > e.accept_within_s;
      return { ...e, over_limit: over, top_suggestion: e.suggestions[0]?.title ?? null };
    })
    .sort(
      (a, b) =>
        Number(b.over_limit) - Number(a.over_limit) ||
        b.rejected + b.bounces - (a.rejected + a.bounces) ||
        b.submitted - a.submitted ||
        (a.workflow + a.from_step < b.workflow + b.from_step ? -1 : 1),
    );
}

/** A duration in words, as the digest prints it (45 s, 12 min, 5.2 h, 3.1 d). */
export function durationWords(s: number | null): string {
  if (s === null) return "—";
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round((s / 3600) * 10) / 10} h`;
  return `${Math.round((s / 86_400) * 10) / 10} d`;
}

/** One line per edge: the figures a lead reads first. */
export function edgeLine(e: DigestEdge, teamName: (key: string) => string): string {
  const p85 = e.accept_within_wall === false ? e.limbo_business_p85_s : e.limbo_p85_s;
  const limit =
    e.accept_within === null
      ? "no limit"
      : `limit ${e.accept_within}${e.over_limit ? ", OVER" : ""}`;
  const rate = e.rejection_rate === null ? "" : ` (${Math.round(e.rejection_rate * 1000) / 10} %)`;
  return (
    `${e.workflow}: ${teamName(e.from_team)} ${e.from_step} → ${teamName(e.to_team)} ${e.to_step}: ` +
    `${e.submitted} handed off, limbo p85 ${durationWords(p85)} (${limit}), ` +
    `${e.rejected} rejected${rate}, ${e.bounces} bounce(s)` +
    (e.in_limbo_now > 0 ? `, ${e.in_limbo_now} in limbo now` : "")
  );
}

/** The inbox line's title for a team's digest. */
export function digestTitle(week: DigestWeek, teamName: string, edges: readonly DigestEdge[]) {
  const over = edges.filter((e) => e.over_limit).length;
  const rejected = edges.reduce((n, e) => n + e.rejected, 0);
  const bounces = edges.reduce((n, e) => n + e.bounces, 0);
  return (
    `Weekly review for ${teamName}, ${week.label}: ${edges.length} edge(s), ` +
    `${rejected} rejection(s), ${bounces} bounce(s), ${over} over the accept limit`
  );
}

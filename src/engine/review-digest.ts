import { createHash } from "node:crypto";
import { parseDuration } from "../domain/calendar.ts";
import { defaultPreferences, routeFor } from "../domain/notify.ts";
import {
  type DigestEdge,
  type DigestEdgeInput,
  type DigestWeek,
  digestEdges,
  digestTitle,
  dueDigestWeek,
  durationWords,
  edgeLine,
} from "../domain/review-digest.ts";
import type { Db } from "../store/db.ts";
import type { NewDelivery } from "../store/notifications.ts";
import * as store from "../store/review-digests.ts";
import type { Deliveries } from "./delivery.ts";
import type { Directory } from "./directory.ts";
import { escapeHtml, linksOf, type MailPayload, mailHost } from "./email.ts";
import { JobLoop } from "./job-loop.ts";
import type { Metrics } from "./metrics.ts";
import type { Notifications } from "./notifications.ts";
import type { ServiceLevels } from "./service-levels.ts";
import type { Workflows } from "./workflows.ts";

/*
 * The weekly review digest (docs/metrics.md): from Monday 07:00 UTC, each team's leads are told
 * how the past ISO week's handoff edges touching their team went — limbo p85 against the accept
 * limit, rejections, bounces, each edge's top suggestion — as an inbox line and a mail (text and
 * HTML), as their preferences for the kind `review.digest` say. Every node checks once a minute
 * in a job loop of its own (src/engine/job-loop.ts); a team's digest of a week is written with
 * its claim row in one statement (src/store/review-digests.ts), so it goes out once across
 * nodes and again after no restart.
 */

/** Teams handled per round; the loop goes straight on while rounds come back full. */
const TEAMS_PER_ROUND = 20;
/** Edges a digest lists; the rest are counted. */
const EDGES_SHOWN = 25;

export class ReviewDigests {
  private readonly loop: JobLoop;

  constructor(
    private readonly deps: {
      db: Db;
      directory: Directory;
      workflows: Workflows;
      metrics: Metrics;
      sla: ServiceLevels;
      notifications: Notifications;
      deliveries: Deliveries;
      clock: () => Date;
      /** Whether mail goes out (an SMTP server is configured). */
      email: boolean;
      publicUrl: string;
      onError?: (e: unknown) => void;
    },
  ) {
    this.loop = new JobLoop(() => this.tick(), {
      batchSize: TEAMS_PER_ROUND,
      pollMs: 60_000,
      onError: deps.onError,
    });
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /**
   * Writes the due week's digest of up to TEAMS_PER_ROUND teams that have leads and none yet;
   * returns how many teams it handled (0: nothing due).
   */
  async tick(now = this.deps.clock()): Promise<number> {
    const week = dueDigestWeek(now);
    if (week === null) return 0;
    const sent = await store.sentTeams(this.deps.db, week.monday);
    const teams = (await this.deps.directory.cachedTeams()).filter(
      (t) => !sent.has(t.key) && t.members.some((m) => m.role === "lead"),
    );
    let handled = 0;
    for (const team of teams.slice(0, TEAMS_PER_ROUND)) {
      await this.send(week, team, now);
      handled++;
    }
    if (handled > 0) this.deps.deliveries.wake();
    return handled;
  }

  /** The week's edges touching `team`, across the workflows it has a step in. */
  async edgesOf(team: string, week: DigestWeek): Promise<DigestEdge[]> {
    const calendarOf = await this.deps.sla.calendarOf();
    const all: DigestEdgeInput[] = [];
    for (const w of await this.deps.workflows.list()) {
      const def = (await this.deps.workflows.get(w.key)).definition;
      if (!def.steps.some((s) => s.team === team)) continue;
      const review = await this.deps.metrics.queries.review({
        workflow: w.key,
        team,
        from: week.from,
        to: week.to,
      });
      for (const e of review.edges)
        all.push({
          ...e,
          workflow: w.key,
          accept_within_wall:
            e.accept_within === null
              ? null
              : parseDuration(e.accept_within, calendarOf(e.to_team)).wall,
        });
    }
    return digestEdges(all);
  }

  private async send(
    week: DigestWeek,
    team: { key: string; name: string; members: readonly { email: string; role: string }[] },
    now: Date,
  ): Promise<void> {
    const edges = await this.edgesOf(team.key, week);
    const leads = team.members.filter((m) => m.role === "lead").map((m) => m.email);
    const prefs = await this.deps.notifications.preferencesOf(leads);
    const names = new Map((await this.deps.directory.cachedTeams()).map((t) => [t.key, t.name]));
    const teamName = (k: string) => names.get(k) ?? k;
    const lines: store.DigestLine[] = [];
    const deliveries: NewDelivery[] = [];
    // A week with nothing across the team's boundaries is recorded, not sent.
    if (edges.length > 0)
      for (const lead of leads) {
        const p = prefs.get(lead) ?? defaultPreferences;
        // Muted workflows are left out of the lead's copy; a digest with nothing left is not sent.
        const mine = edges.filter((e) => !p.muted_workflows.includes(e.workflow));
        if (mine.length === 0) continue;
        const route = routeFor(
          { ...p, muted_workflows: [] },
          { kind: "review.digest", workflow: "" },
        );
        const title = digestTitle(week, team.name, mine);
        if (route.inbox)
          lines.push({
            recipient: lead,
            title,
            action: "Review the edges and their suggestions on the review page.",
            inbox: true,
          });
        // The digest is one mail a week already: a lead's daily-digest choice sends it as is.
        if (this.deps.email && route.email !== "no") {
          const idempotencyId = `review-digest:${week.monday}:${team.key}:${lead}`;
          deliveries.push({
            idempotencyId,
            channel: "email",
            target: lead,
            kind: "review.digest",
            itemKey: null,
            payload: renderReviewDigest({
              idempotencyId,
              week,
              team: team.name,
              title,
              edges: mine,
              teamName,
              publicUrl: this.deps.publicUrl,
            }),
            createdAt: now.toISOString(),
          });
        }
      }
    await store.writeDigest(this.deps.db, {
      week: week.monday,
      team: team.key,
      at: now,
      lines,
      deliveries,
      edges: edges.length,
    });
  }
}

/** The digest mail: one line per edge (most troubled first) with its top suggestion, links. */
export function renderReviewDigest({
  idempotencyId,
  week,
  team,
  title,
  edges,
  teamName,
  publicUrl,
}: {
  idempotencyId: string;
  week: DigestWeek;
  team: string;
  title: string;
  edges: readonly DigestEdge[];
  teamName: (key: string) => string;
  publicUrl: string;
}): MailPayload {
  const host = mailHost(publicUrl);
  const links = linksOf(publicUrl, null);
  const base = publicUrl.replace(/\/+$/, "");
  const reviewUrl = (w: string) => `${base}/workflows/${encodeURIComponent(w)}/review`;
  const messageId = `<${createHash("sha256").update(idempotencyId).digest("hex").slice(0, 32)}@${host}>`;
  const shown = edges.slice(0, EDGES_SHOWN);
  const more = edges.length - shown.length;
  const period = `${week.from.slice(0, 10)} to ${new Date(Date.parse(week.to) - 1).toISOString().slice(0, 10)}`;
  const text = [
    `${title}.`,
    `Handoffs submitted ${period} (UTC) on the edges where ${team} sends or receives work.`,
    "",
    ...shown.flatMap((e) => [
      `- ${edgeLine(e, teamName)}`,
      ...(e.top_suggestion ? [`  Suggestion: ${e.top_suggestion}`] : []),
      `  Review: ${reviewUrl(e.workflow)}`,
    ]),
    ...(more > 0 ? ["", `…and ${more} more edge(s) on the review pages.`] : []),
    "",
    "--",
    `You get this weekly as a lead of ${team}; change it in your notification settings: ${links.preferences}`,
  ].join("\n");
  const html = `<!doctype html>
<html><body style="font-family: sans-serif; line-height: 1.4">
<p><strong>${escapeHtml(title)}.</strong><br>Handoffs submitted ${escapeHtml(period)} (UTC) on the edges where ${escapeHtml(team)} sends or receives work.</p>
<table style="border-collapse: collapse" cellpadding="4">
<thead><tr><th align="left">Edge</th><th align="right">Handed off</th><th align="right">Limbo p85</th><th align="left">Accept limit</th><th align="right">Rejected</th><th align="right">Bounces</th><th align="left">Top suggestion</th></tr></thead>
<tbody>${shown
    .map((e) => {
      const p85 = e.accept_within_wall === false ? e.limbo_business_p85_s : e.limbo_p85_s;
      return `<tr><td><a href="${escapeHtml(reviewUrl(e.workflow))}">${escapeHtml(`${e.workflow}: ${teamName(e.from_team)} ${e.from_step} → ${teamName(e.to_team)} ${e.to_step}`)}</a></td><td align="right">${e.submitted}</td><td align="right">${escapeHtml(durationWords(p85))}</td><td>${escapeHtml(e.accept_within ?? "—")}${e.over_limit ? " <strong>over</strong>" : ""}</td><td align="right">${e.rejected}</td><td align="right">${e.bounces}</td><td>${escapeHtml(e.top_suggestion ?? "—")}</td></tr>`;
    })
    .join("\n")}</tbody></table>
${more > 0 ? `<p>…and ${more} more edge(s) on the review pages.</p>` : ""}
<hr><p style="color: #666; font-size: 12px">You get this weekly as a lead of ${escapeHtml(team)};
<a href="${escapeHtml(links.preferences)}">change it in your notification settings</a>.</p>
</body></html>`;
  return {
    subject: `[Baton] Weekly review for ${team}, ${week.label}`.slice(0, 200),
    text,
    html,
    messageId,
    headers: { "List-Unsubscribe": `<${links.preferences}>` },
  };
}

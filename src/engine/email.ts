import { createHash } from "node:crypto";
import nodemailer from "nodemailer";
import type { Channel, DeliveryResult } from "./delivery.ts";

/*
 * E-mail: what a notification mail says, and the channel that sends it over SMTP (nodemailer).
 * A mail is rendered when the notification is fanned out and stored as the delivery's payload,
 * so a retry sends exactly the same message (same Message-ID: a receiver's duplicate filter
 * drops it).
 */

/** A rendered mail, as stored in a delivery's payload. */
export interface MailPayload {
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  messageId: string;
}

/** Text as HTML (the mails' one escape). */
export function escapeHtml(s: string): string {
  return s
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** The host part of Message-IDs: the public URL's host, else "baton.local". */
export function mailHost(publicUrl: string): string {
  try {
    return new URL(publicUrl).hostname || "baton.local";
  } catch {
    return "baton.local";
  }
}

/** The links a mail carries. */
export function linksOf(publicUrl: string, itemKey: string | null) {
  const base = publicUrl.replace(/\/+$/, "");
  return {
    item: itemKey ? `${base}/items/${encodeURIComponent(itemKey)}` : `${base}/`,
    preferences: `${base}/settings/notifications`,
    inbox: `${base}/inbox`,
  };
}

/**
 * One notification as a mail: subject, plain text and HTML that say what happened, what the
 * reader must do and by when, with a link to the item; threading headers so one item's mails
 * group (each references the item's own thread id); List-Unsubscribe to the preference page.
 */
export function renderMail({
  idempotencyId,
  itemKey,
  itemTitle,
  title,
  action,
  dueAt,
  publicUrl,
}: {
  idempotencyId: string;
  itemKey: string;
  itemTitle: string;
  title: string;
  action: string;
  dueAt: string | null;
  publicUrl: string;
}): MailPayload {
  const host = mailHost(publicUrl);
  const links = linksOf(publicUrl, itemKey);
  const messageId = `<${createHash("sha256").update(idempotencyId).digest("hex").slice(0, 32)}@${host}>`;
  const thread = `<item.${encodeURIComponent(itemKey)}@${host}>`;
  const by = dueAt ? `${dueAt.slice(0, 16).replace("T", " ")} UTC` : null;
  const text = [
    title,
    "",
    `What to do: ${action}`,
    ...(by ? [`By: ${by}`] : []),
    "",
    `Open ${itemKey}: ${links.item}`,
    "",
    "--",
    `You get this because of your Baton notification settings: ${links.preferences}`,
  ].join("\n");
  const html = `<!doctype html>
<html><body style="font-family: sans-serif; line-height: 1.4">
<p>${escapeHtml(title)}</p>
<p><strong>What to do:</strong> ${escapeHtml(action)}${by ? `<br><strong>By:</strong> ${escapeHtml(by)}` : ""}</p>
<p><a href="${escapeHtml(links.item)}">Open ${escapeHtml(itemKey)}</a></p>
<hr><p style="color: #666; font-size: 12px">You get this because of your
<a href="${escapeHtml(links.preferences)}">Baton notification settings</a>.</p>
</body></html>`;
  return {
    subject: `[Baton] ${itemKey} ${itemTitle}`.slice(0, 200),
    text,
    html,
    messageId,
    headers: {
      "In-Reply-To": thread,
      References: thread,
      "List-Unsubscribe": `<${links.preferences}>`,
      "X-Baton-Item": itemKey,
    },
  };
}

/** One daily digest mail: every line waiting for it, each with its link. */
export function renderDigest({
  idempotencyId,
  day,
  lines,
  more,
  publicUrl,
}: {
  idempotencyId: string;
  day: string;
  lines: readonly { title: string; action: string; itemKey: string | null }[];
  more: number;
  publicUrl: string;
}): MailPayload {
  const host = mailHost(publicUrl);
  const links = linksOf(publicUrl, null);
  const messageId = `<${createHash("sha256").update(idempotencyId).digest("hex").slice(0, 32)}@${host}>`;
  const entries = lines.map((l) => ({ ...l, url: linksOf(publicUrl, l.itemKey).item }));
  const text = [
    `Your Baton digest for ${day}: ${lines.length + more} notification(s).`,
    "",
    ...entries.flatMap((e) => [`- ${e.title}`, `  ${e.action} ${e.url}`]),
    ...(more > 0 ? ["", `…and ${more} more in your inbox: ${links.inbox}`] : []),
    "",
    "--",
    `Change or stop the digest: ${links.preferences}`,
  ].join("\n");
  const html = `<!doctype html>
<html><body style="font-family: sans-serif; line-height: 1.4">
<p>Your Baton digest for ${escapeHtml(day)}: ${lines.length + more} notification(s).</p>
<ul>${entries
    .map(
      (e) =>
        `<li>${escapeHtml(e.title)}<br><em>${escapeHtml(e.action)}</em> <a href="${escapeHtml(e.url)}">Open</a></li>`,
    )
    .join("")}</ul>
${more > 0 ? `<p>…and ${more} more in <a href="${escapeHtml(links.inbox)}">your inbox</a>.</p>` : ""}
<hr><p style="color: #666; font-size: 12px"><a href="${escapeHtml(links.preferences)}">Change or stop the digest</a></p>
</body></html>`;
  return {
    subject: `[Baton] Your digest for ${day}`,
    text,
    html,
    messageId,
    headers: { "List-Unsubscribe": `<${links.preferences}>` },
  };
}

/** SMTP reply codes that will not change on a retry (a mailbox that does not exist, say). */
function isPermanentSmtp(e: unknown): boolean {
  const code = (e as { responseCode?: unknown }).responseCode;
  return typeof code === "number" && code >= 500 && code < 600;
}

/**
 * The e-mail channel over SMTP. `smtpUrl` is `smtp://user:pass@host:port` (STARTTLS when the
 * server offers it) or `smtps://…` (TLS from the start). Connections are pooled.
 */
export function emailChannel({
  smtpUrl,
  from,
  timeoutMs = 15_000,
  maxConnections = 4,
}: {
  smtpUrl: string;
  from: string;
  timeoutMs?: number;
  maxConnections?: number;
}): Channel & { close(): void } {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    name: "email",
    concurrency: maxConnections * 2,
    async deliver(job): Promise<DeliveryResult> {
      const mail = job.payload as MailPayload;
      try {
        await transport.sendMail({
          from,
          to: job.target,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId,
          headers: mail.headers,
        });
        return { ok: true };
      } catch (e) {
        return {
          ok: false,
          permanent: isPermanentSmtp(e),
          error: e instanceof Error ? e.message : String(e),
        };
      }
    },
    close: () => transport.close(),
  };
}

/**
 * A mail to a requester who asked for updates on a status page: what the page says now (the
 * headline, the date to expect, the steps), with their own page's link and a one-click
 * unsubscribe (RFC 8058). Built from the status view only, so it shows nothing the page hides.
 */
export function renderStatusMail({
  idempotencyId,
  view,
  kind,
  pageUrl,
  unsubscribeUrl,
  publicUrl,
}: {
  idempotencyId: string;
  view: {
    key: string;
    title: string;
    headline: string;
    expected: string | null;
    steps: { name: string; team: string; status: string }[];
  };
  /** "confirm": the double opt-in mail; "update": the work moved. */
  kind: "confirm" | "update";
  pageUrl: string;
  unsubscribeUrl: string;
  publicUrl: string;
}): MailPayload {
  const host = mailHost(publicUrl);
  const messageId = `<${createHash("sha256").update(idempotencyId).digest("hex").slice(0, 32)}@${host}>`;
  const thread = `<status.${encodeURIComponent(view.key)}@${host}>`;
  const mark = { done: "done", current: "now", upcoming: "to come" } as Record<string, string>;
  const steps = view.steps.map((s) => `${s.name} (${s.team}): ${mark[s.status] ?? s.status}`);
  const lead =
    kind === "confirm"
      ? [
          `Someone asked for e-mail updates on "${view.title}" (${view.key}) for this address.`,
          `To get them, open this link and confirm: ${pageUrl}`,
          "If it was not you, ignore this mail: nothing more will be sent.",
        ]
      : [view.headline, ...(view.expected ? [`${view.expected}.`] : [])];
  const text = [
    ...lead,
    "",
    ...(kind === "update" ? ["Steps:", ...steps.map((s) => `- ${s}`), ""] : []),
    ...(kind === "update" ? [`The status page: ${pageUrl}`, ""] : []),
    "--",
    kind === "update"
      ? `Stop these mails: ${unsubscribeUrl}`
      : "You get this mail once, because this address was typed in on the status page.",
  ].join("\n");
  const html = `<!doctype html>
<html><body style="font-family: sans-serif; line-height: 1.4">
${
  kind === "confirm"
    ? `<p>Someone asked for e-mail updates on “${escapeHtml(view.title)}” (${escapeHtml(view.key)}) for this address.</p>
<p><a href="${escapeHtml(pageUrl)}">Confirm that you want them</a>. If it was not you, ignore this mail: nothing more will be sent.</p>`
    : `<p><strong>${escapeHtml(view.headline)}</strong></p>
${view.expected ? `<p>${escapeHtml(view.expected)}.</p>` : ""}
<ol>${view.steps.map((s) => `<li>${escapeHtml(s.name)} — ${escapeHtml(s.team)}, ${escapeHtml(mark[s.status] ?? s.status)}</li>`).join("")}</ol>
<p><a href="${escapeHtml(pageUrl)}">The status page</a></p>
<hr><p style="color: #666; font-size: 12px"><a href="${escapeHtml(unsubscribeUrl)}">Stop these mails</a></p>`
}
</body></html>`;
  return {
    subject:
      kind === "confirm"
        ? `Confirm updates on “${view.title}”`.slice(0, 200)
        : `${view.title}: ${view.headline}`.slice(0, 200),
    text,
    html,
    messageId,
    headers: {
      "In-Reply-To": thread,
      References: thread,
      ...(kind === "update"
        ? {
            "List-Unsubscribe": `<${unsubscribeUrl}>`,
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
          }
        : {}),
      "X-Baton-Status": view.key,
    },
  };
}

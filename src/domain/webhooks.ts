import { createHmac } from "node:crypto";
import type { Item, ItemEvent } from "./item.ts";
import { itemNotificationKinds } from "./notify.ts";

/*
 * Webhooks as Standard Webhooks 1.0 defines them (https://www.standardwebhooks.com): every
 * message carries `webhook-id` (the same on every retry, so a receiver drops duplicates),
 * `webhook-timestamp` (seconds, the moment of this try) and `webhook-signature`, a
 * space-separated list of `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per secret in
 * use (two while a rotated secret is still honoured). Secrets are `whsec_` + base64 of random
 * bytes; the HMAC key is the decoded bytes. Pure: randomness and time come in as arguments.
 */

/** The prefix Standard Webhooks gives secrets. */
export const SECRET_PREFIX = "whsec_";

/** A secret from random bytes (24 to 64 of them, per the specification). */
export function secretFrom(bytes: Uint8Array): string {
  return `${SECRET_PREFIX}${Buffer.from(bytes).toString("base64")}`;
}

/** One `v1,<base64>` signature of a message with a secret. */
export function signature({
  secret,
  id,
  timestamp,
  body,
}: {
  secret: string;
  id: string;
  timestamp: number;
  body: string;
}): string {
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), "base64");
  const mac = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
  return `v1,${mac}`;
}

/** The three headers of a message, signed with every secret given (space-separated). */
export function signedHeaders({
  secrets,
  id,
  at,
  body,
}: {
  secrets: readonly string[];
  id: string;
  at: Date;
  body: string;
}): Record<string, string> {
  const timestamp = Math.floor(at.getTime() / 1000);
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": secrets
      .map((secret) => signature({ secret, id, timestamp, body }))
      .join(" "),
  };
}

/** How a subscription wants its messages: Standard Webhooks JSON, or a Slack incoming webhook. */
export const webhookFormats = ["standard", "slack"] as const;
export type WebhookFormat = (typeof webhookFormats)[number];

/** Every event type a subscription may name (the notifiable ones, which reach the outbox). */
export const webhookEvents = itemNotificationKinds;

/** The type of the message `POST /webhooks/{id}/test` sends. */
export const TEST_EVENT = "webhook.test";

/** Whether a subscription to `events` (`*` for all) wants an event of `type`. */
export function wantsEvent(events: readonly string[], type: string): boolean {
  return events.includes("*") || events.includes(type);
}

/** An item as a webhook carries it: who must move, where it is, and its fields. */
export function webhookItem(item: Item) {
  return {
    key: item.key,
    title: item.title,
    workflow: item.workflow,
    workflow_version: item.workflowVersion,
    state: item.status,
    step: item.step,
    owner_team: item.ownerTeam,
    assignee: item.assignee,
    due: item.due,
    fields: item.fields,
    version: item.version,
    created_at: item.createdAt,
    updated_at: item.updatedAt,
  };
}

/**
 * A message's body: `{type, timestamp, data: {item, event}}` for Standard Webhooks; for Slack, an
 * incoming-webhook message (`{text}`) with a link to the item when `itemUrl` is known.
 */
export function webhookBody({
  format,
  type,
  at,
  item,
  event,
  itemUrl,
}: {
  format: WebhookFormat;
  type: string;
  at: string;
  item: ReturnType<typeof webhookItem> | null;
  event: (ItemEvent & { seq?: number }) | null;
  itemUrl?: string | undefined;
}): string {
  if (format === "slack")
    return JSON.stringify({ text: slackText({ type, item, event, itemUrl }) });
  return JSON.stringify({ type, timestamp: at, data: { item, event } });
}

/** Slack's mrkdwn needs &, < and > escaped in text. */
function slackEscape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function slackText({
  type,
  item,
  event,
  itemUrl,
}: {
  type: string;
  item: ReturnType<typeof webhookItem> | null;
  event: (ItemEvent & { seq?: number }) | null;
  itemUrl?: string | undefined;
}): string {
  if (!item) return `Baton: ${slackEscape(type)} — this subscription works.`;
  const name = `${item.key} ${item.title}`;
  const link = itemUrl ? `<${itemUrl}|${slackEscape(name)}>` : slackEscape(name);
  const who = event?.actor && event.actor !== "baton" ? ` by ${slackEscape(event.actor)}` : "";
  return `${link}: ${slackEscape(type)}${who} — now ${slackEscape(item.state.replace("_", " "))} at ${slackEscape(item.step)} (${slackEscape(item.owner_team)})`;
}

import { type Command, Option } from "commander";
import { webhookEvents, webhookFormats } from "../domain/webhooks.ts";
import {
  type Cli,
  cliOf,
  commaList,
  seg,
  type WebhookDeliveryJson,
  type WebhookJson,
  type WebhookWithSecretJson,
  wholeNumber,
} from "./client.ts";
import { emit, formatTime, indent, say, table } from "./output.ts";

/*
 * `baton webhook …`: subscriptions that send item events to other tools, signed as Standard
 * Webhooks (README "Webhooks"). Admins manage any, team leads their team's. The signing secret
 * is printed when a subscription is made or rotated, and never again.
 */

/** Which items a subscription hears of. */
function describeScope(w: WebhookJson): string {
  return w.team ?? "every item";
}

/** `enabled`, or `disabled: <why>` — a disabled subscription sends nothing until enabled. */
function describeState(w: WebhookJson): string {
  return w.enabled ? "enabled" : `disabled: ${w.disabled_reason ?? "no reason given"}`;
}

/** Prints a secret with what to do with it; it is not shown again. */
function saySecret(w: WebhookWithSecretJson): void {
  say("Signing secret (shown only this once; verify deliveries with it):");
  say(`  ${w.secret}`);
}

/** The last try of a message, in a cell: `delivered 204, 12 ms` or `retry: connection refused`. */
function describeLastTry(d: WebhookDeliveryJson): string {
  const last = d.attempts.at(-1);
  if (!last) return "not tried yet";
  return `${last.status}${last.error ? `: ${last.error}` : ""}, ${last.duration_ms} ms`;
}

/** GETs one subscription. */
function getWebhook(cli: Cli, id: string): Promise<WebhookJson> {
  return cli.api.get<WebhookJson>(`/webhooks/${seg(id)}`);
}

/** Registers the `webhook` commands. */
export function registerWebhookCommands(program: Command): void {
  const webhook = program
    .command("webhook")
    .description("send item events to other tools (admins; team leads for their team)");

  webhook
    .command("add")
    .description("subscribe a URL to item events; prints the signing secret once")
    .argument("<url>", "where Baton POSTs the events (http or https)")
    .requiredOption(
      "--events <list>",
      `comma-separated event types, or * for all: ${webhookEvents.join(", ")}`,
      commaList,
    )
    .option("--description <text>", "what the subscription is for")
    .addOption(
      new Option("--format <format>", "the body: Standard Webhooks JSON or a Slack message")
        .choices(webhookFormats)
        .default("standard"),
    )
    .option("--team <key>", "only items this team has owned or been handed (team leads must)")
    .action(
      async (
        url: string,
        flags: { events: string[]; description?: string; format: string; team?: string },
        command: Command,
      ) => {
        const cli = cliOf(command);
        const made = await cli.api.post<WebhookWithSecretJson>("/webhooks", { url, ...flags });
        emit(cli, made, (w) => {
          say(`Created webhook ${w.id} for ${describeScope(w)}: ${w.url}`);
          say(`Events: ${w.events.join(", ")}`);
          saySecret(w);
        });
      },
    );

  webhook
    .command("list")
    .description("the subscriptions you manage")
    .action(async (_flags: unknown, command: Command) => {
      const cli = cliOf(command);
      const body = await cli.api.get<{ webhooks: WebhookJson[] }>("/webhooks");
      emit(cli, body, ({ webhooks }) => {
        if (webhooks.length === 0)
          return say("No webhooks yet. Add one: baton webhook add URL --events '*'");
        say(
          table(
            ["id", "url", "events", "for", "format", "state", "description"],
            webhooks.map((w) => [
              w.id,
              w.url,
              w.events.join(","),
              describeScope(w),
              w.format,
              describeState(w),
              w.description ?? "",
            ]),
          ),
        );
      });
    });

  webhook
    .command("show")
    .description("one subscription: its events, state and failures")
    .argument("<id>", "the webhook's id (baton webhook list)")
    .action(async (id: string, _flags: unknown, command: Command) => {
      const cli = cliOf(command);
      emit(cli, await getWebhook(cli, id), (w) => {
        say(`Webhook ${w.id}  ${w.url}`);
        const rows = [
          ["Events", w.events.join(", ")],
          ["For", describeScope(w)],
          ["Format", w.format],
          [
            "State",
            w.enabled
              ? "enabled"
              : `disabled ${formatTime(w.disabled_at)}: ${w.disabled_reason ?? "no reason given"}`,
          ],
          ["Failures", `${w.consecutive_failures} in a row`],
          ["Created", `${formatTime(w.created_at)} by ${w.created_by}`],
          ...(w.description ? [["About", w.description]] : []),
          ...(w.previous_secret_until
            ? [["Old secret", `also signs until ${formatTime(w.previous_secret_until)}`]]
            : []),
        ];
        say(indent(table([], rows)));
      });
    });

  webhook
    .command("delete")
    .description("delete a subscription; its queued messages are dropped")
    .argument("<id>", "the webhook's id")
    .action(async (id: string, _flags: unknown, command: Command) => {
      const cli = cliOf(command);
      await cli.api.delete(`/webhooks/${seg(id)}`);
      if (!cli.json) say(`Deleted webhook ${id}; its queued messages are dropped.`);
    });

  webhook
    .command("rotate")
    .description("a new signing secret; the old one keeps signing too for a grace period")
    .argument("<id>", "the webhook's id")
    .option(
      "--grace-hours <n>",
      "how long the old secret also signs, 0 to 720 (default 24)",
      wholeNumber("hours"),
    )
    .action(async (id: string, flags: { graceHours?: number }, command: Command) => {
      const cli = cliOf(command);
      const rotated = await cli.api.post<WebhookWithSecretJson>(
        `/webhooks/${seg(id)}/rotate-secret`,
        { grace_hours: flags.graceHours },
      );
      emit(cli, rotated, (w) => {
        say(`New signing secret for webhook ${w.id}.`);
        saySecret(w);
        say(
          w.previous_secret_until
            ? `The old secret also signs until ${formatTime(w.previous_secret_until)}.`
            : "The old secret no longer signs.",
        );
      });
    });

  webhook
    .command("enable")
    .description("turn a subscription disabled after repeated failures on again")
    .argument("<id>", "the webhook's id")
    .action(async (id: string, _flags: unknown, command: Command) => {
      const cli = cliOf(command);
      const w = await cli.api.post<WebhookJson>(`/webhooks/${seg(id)}/enable`);
      emit(cli, w, () => say(`Webhook ${w.id} is enabled: ${w.url} gets events again.`));
    });

  webhook
    .command("test")
    .description("send a webhook.test message now (to a disabled one too)")
    .argument("<id>", "the webhook's id")
    .action(async (id: string, _flags: unknown, command: Command) => {
      const cli = cliOf(command);
      const sent = await cli.api.post<{ message_id: string }>(`/webhooks/${seg(id)}/test`);
      emit(cli, sent, (s) => {
        say(`Queued a webhook.test message (webhook-id ${s.message_id}).`);
        say(`See how it went: baton webhook deliveries ${id}`);
      });
    });

  webhook
    .command("deliveries")
    .description("the delivery log: each message, newest first, with its last try")
    .argument("<id>", "the webhook's id")
    .option("--limit <n>", "at most this many messages, 1 to 500 (default 50)")
    .action(async (id: string, flags: { limit?: string }, command: Command) => {
      const cli = cliOf(command);
      const body = await cli.api.get<{ deliveries: WebhookDeliveryJson[] }>(
        `/webhooks/${seg(id)}/deliveries`,
        flags,
      );
      emit(cli, body, ({ deliveries }) => {
        if (deliveries.length === 0)
          return say(`No messages for webhook ${id} yet. Send one: baton webhook test ${id}`);
        say(
          table(
            ["when", "kind", "item", "status", "tries", "last try", "webhook-id"],
            deliveries.map((d) => [
              formatTime(d.created_at),
              d.kind,
              d.item_key ?? "—",
              d.status,
              String(d.attempts.length),
              describeLastTry(d),
              d.message_id,
            ]),
          ),
        );
      });
    });
}

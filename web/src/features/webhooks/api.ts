import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { z } from "zod";
import type { webhookEvents } from "../../../../src/domain/webhooks.ts";
import type { webhookDeliveriesSchema, webhookSchema } from "../../../../src/http/responses.ts";
import { api } from "../../api/client.ts";

/*
 * Webhook subscriptions (GET/POST /webhooks, DELETE /webhooks/{id}, …/test, …/enable,
 * …/rotate-secret, …/deliveries). Types from the API's own answer schemas and the server's
 * event list (type-only imports: nothing of the server reaches the bundle).
 */

export type Webhook = z.infer<typeof webhookSchema>;
export type WebhookDelivery = z.infer<typeof webhookDeliveriesSchema>["deliveries"][number];
export type WebhookEvent = (typeof webhookEvents)[number];
export type WithSecret = Webhook & { secret: string };

export interface NewWebhook {
  url: string;
  events: string[];
  description?: string;
  format: "standard" | "slack";
  team?: string;
}

/** Entries of the delivery log shown per subscription. */
export const DELIVERIES_SHOWN = 50;
/** While a message is still pending, the log is read again this often… */
const PENDING_POLL_MS = 2000;
/** …and otherwise this often, while it is open. */
const OPEN_POLL_MS = 5000;

const webhookKeys = {
  all: ["webhooks"] as const,
  deliveries: (id: string) => ["webhooks", id, "deliveries"] as const,
};

export function useWebhooks() {
  return useQuery({
    queryKey: webhookKeys.all,
    queryFn: ({ signal }) =>
      api<{ webhooks: Webhook[] }>("/webhooks", { signal }).then((r) => r.webhooks),
  });
}

/**
 * A subscription's delivery log, while it is open. Nothing tells the browser when a message is
 * queued or a try ends (the live stream carries items and the reader's own inbox), so an open
 * log is read again every few seconds, more often while a message is pending.
 */
export function useDeliveries(id: string) {
  return useQuery({
    queryKey: webhookKeys.deliveries(id),
    queryFn: ({ signal }) =>
      api<{ deliveries: WebhookDelivery[] }>(
        `/webhooks/${encodeURIComponent(id)}/deliveries?limit=${DELIVERIES_SHOWN}`,
        { signal },
      ).then((r) => r.deliveries),
    refetchInterval: (q) =>
      q.state.data?.some((d) => d.status === "pending") ? PENDING_POLL_MS : OPEN_POLL_MS,
  });
}

export function useCreateWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewWebhook) => api<WithSecret>("/webhooks", { method: "POST", body }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: webhookKeys.all }),
  });
}

export type WebhookAction = "test" | "enable" | "rotate-secret" | "delete";

export function useWebhookAction() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action }: { id: string; action: WebhookAction }) => {
      const path = `/webhooks/${encodeURIComponent(id)}`;
      return action === "delete"
        ? api<null>(path, { method: "DELETE" })
        : api<WithSecret | Webhook | { message_id: string }>(`${path}/${action}`, {
            method: "POST",
            body: {},
          });
    },
    onSuccess: (_r, { id, action }) => {
      void qc.invalidateQueries({ queryKey: webhookKeys.all });
      if (action === "test") void qc.invalidateQueries({ queryKey: webhookKeys.deliveries(id) });
    },
  });
}

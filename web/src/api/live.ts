import { authHeaders } from "./client.ts";
import type { Notification } from "./notifications.ts";
import type { ItemChange } from "./types.ts";

/*
 * The client of `GET /api/v1/events/stream` (Server-Sent Events). It reads the stream with
 * fetch rather than EventSource because EventSource can neither send the Authorization header
 * (needed when signed in with an API token) nor tell a 401 or a 404 from a dropped connection,
 * so it would retry forever against a server without the stream. The wire format is plain SSE.
 *
 * Reconnects with exponential backoff (1 s → 30 s, with jitter). After any reconnect the caller
 * is told to resynchronise, since changes made while disconnected were not seen.
 */

export type LiveStatus =
  /** Connected: changes arrive as they happen. */
  | "live"
  /** Not connected yet, or reconnecting after a drop. */
  | "connecting"
  /** The server has no stream (older Baton): the app polls instead. */
  | "unavailable";

export interface LiveHandlers {
  onItem: (change: ItemChange) => void;
  /** A new line of the reader's own inbox (`event: notification`). */
  onNotification?: (notification: Notification) => void;
  onStatus: (status: LiveStatus) => void;
  /** Called after a reconnect: refetch whatever may have changed meanwhile. */
  onResync: () => void;
  /** The stream answered 401: the session ended. */
  onSignedOut: () => void;
}

export interface SseMessage {
  event: string;
  data: string;
  id: string | null;
}

/**
 * Splits an SSE byte stream into messages. Feed it decoded text chunks; it keeps partial lines.
 * Handles `\n`, `\r\n` and `\r` line ends, comments (`:`), multi-line `data:` and `id:`.
 */
export function createSseParser(onMessage: (m: SseMessage) => void) {
  let buffer = "";
  let event = "";
  let data: string[] = [];
  let id: string | null = null;
  const line = (l: string) => {
    if (l === "") {
      if (data.length > 0) onMessage({ event: event || "message", data: data.join("\n"), id });
      event = "";
      data = [];
      return;
    }
    if (l.startsWith(":")) return;
    const colon = l.indexOf(":");
    const field = colon === -1 ? l : l.slice(0, colon);
    let value = colon === -1 ? "" : l.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
    else if (field === "id") id = value;
  };
  return (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split(/\r\n|\r|\n/);
    buffer = parts.pop() ?? "";
    for (const p of parts) line(p);
  };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    });
  });

/** Connects and keeps reconnecting until the returned function is called. */
export function connectLive(handlers: LiveHandlers): () => void {
  const stop = new AbortController();
  let lastId: string | null = null;

  const run = async () => {
    let attempt = 0;
    let connectedBefore = false;
    while (!stop.signal.aborted) {
      handlers.onStatus("connecting");
      try {
        const res = await fetch("/api/v1/events/stream", {
          headers: {
            accept: "text/event-stream",
            ...authHeaders(),
            ...(lastId ? { "last-event-id": lastId } : {}),
          },
          credentials: "same-origin",
          cache: "no-store",
          signal: stop.signal,
        });
        if (res.status === 404) {
          handlers.onStatus("unavailable");
          return;
        }
        if (res.status === 401) {
          handlers.onSignedOut();
          return;
        }
        if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
        if (connectedBefore) handlers.onResync();
        connectedBefore = true;
        attempt = 0;
        const parse = createSseParser((m) => {
          if (m.id) lastId = m.id;
          // The server says `ready` once its subscriptions are in place: from then on no change
          // and no line of the inbox can slip by unseen.
          if (m.event === "ready") handlers.onStatus("live");
          // The server lost changes (its LISTEN connection dropped): refetch what we show.
          if (m.event === "resync") handlers.onResync();
          if (m.event !== "item" && m.event !== "notification") return;
          try {
            if (m.event === "item") handlers.onItem(JSON.parse(m.data) as ItemChange);
            else handlers.onNotification?.(JSON.parse(m.data) as Notification);
          } catch {
            // A malformed message is skipped; the next change or resync covers it.
          }
        });
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parse(value);
        }
      } catch {
        if (stop.signal.aborted) return;
      }
      const backoff = Math.min(30_000, 1000 * 2 ** attempt) * (0.75 + Math.random() * 0.5);
      attempt = Math.min(attempt + 1, 5);
      handlers.onStatus("connecting");
      await sleep(backoff, stop.signal);
    }
  };
  void run();
  return () => stop.abort();
}

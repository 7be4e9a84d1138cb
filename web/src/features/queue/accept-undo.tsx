import { Button, Group, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useSyncExternalStore } from "react";
import { authHeaders } from "../../api/client.ts";
import { runItemCommand } from "../../api/queries.ts";
import type { Item } from "../../api/types.ts";

/*
 * One-key accepts with an undo. Accepting moves ownership, and the domain has no command that
 * takes an accept back, so the accept is held here for a few seconds behind a toast with Undo
 * and only then sent: undoing changes nothing anywhere. Leaving the page (closing the tab) sends
 * what is still held at once, so a pressed `a` is never lost.
 */

/** How long an accept can be undone before it is sent. */
export const UNDO_MS = 5_000;

interface Held {
  timer: ReturnType<typeof setTimeout>;
  send: () => void;
}

const held = new Map<string, Held>();
const listeners = new Set<() => void>();
let snapshot: ReadonlySet<string> = new Set();

function changed(): void {
  snapshot = new Set(held.keys());
  for (const l of listeners) l();
}

/** The keys whose accept is held (waiting out its undo window). */
export function useHeldAccepts(): ReadonlySet<string> {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => snapshot,
  );
}

/** Takes a held accept back; true if there was one. */
export function undoAccept(key: string): boolean {
  const h = held.get(key);
  if (!h) return false;
  clearTimeout(h.timer);
  held.delete(key);
  changed();
  notifications.update({
    id: `accept-${key}`,
    message: `${key} not accepted: it stays in Incoming.`,
    color: "gray",
    autoClose: 3_000,
    loading: false,
  });
  return true;
}

/**
 * Accepts `key` after the undo window, showing a toast with Undo meanwhile. `onSettled` runs
 * once the accept was sent (with the item, or the error).
 */
export function acceptWithUndo(
  key: string,
  onSettled: (result: { item?: Item; error?: unknown }) => void,
): void {
  if (held.has(key)) return;
  const id = `accept-${key}`;
  const send = () => {
    held.delete(key);
    changed();
    notifications.update({ id, message: `Accepting ${key}…`, loading: true, autoClose: false });
    runItemCommand(key, "accept").then(
      (item) => {
        notifications.update({
          id,
          message: `${key} accepted.`,
          color: "green",
          loading: false,
          autoClose: 4_000,
        });
        onSettled({ item });
      },
      (error: unknown) => {
        notifications.update({
          id,
          title: `Could not accept ${key}`,
          message: error instanceof Error ? error.message : String(error),
          color: "red",
          loading: false,
          autoClose: 8_000,
        });
        onSettled({ error });
      },
    );
  };
  held.set(key, { timer: setTimeout(send, UNDO_MS), send });
  changed();
  notifications.show({
    id,
    autoClose: false,
    withCloseButton: false,
    message: (
      <Group justify="space-between" wrap="nowrap" gap="sm">
        <Text size="sm">Accepting {key} in a few seconds.</Text>
        <Button size="compact-sm" variant="light" onClick={() => undoAccept(key)}>
          Undo
        </Button>
      </Group>
    ),
  });
}

/** Closing or leaving the tab: send every held accept now, surviving the page (keepalive). */
function flushOnLeave(): void {
  for (const [key, h] of held) {
    clearTimeout(h.timer);
    void fetch(`/api/v1/items/${encodeURIComponent(key)}/accept`, {
      method: "POST",
      keepalive: true,
      credentials: "same-origin",
      headers: { ...authHeaders(), "content-type": "application/json" },
      body: "{}",
    }).catch(() => {
      // The page is going away; nothing is left to tell.
    });
  }
  held.clear();
}
if (typeof window !== "undefined") window.addEventListener("pagehide", flushOnLeave);

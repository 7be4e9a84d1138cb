import { useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useEffect, useState } from "react";
import { connectLive, type LiveStatus } from "./live.ts";
import { LiveStatusContext } from "./live-context.ts";
import { notificationKeys, receiveNotification } from "./notifications.ts";
import { keys } from "./queries.ts";
import { patchQueues, type QueueChange } from "./queue-cache.ts";
import type { Item } from "./types.ts";

/** Changes arriving within this window are applied together (one row read per queue). */
const COALESCE_MS = 150;

/**
 * Keeps one live stream open while signed in and applies each item change to the cache: the
 * item (with its events and comments) is refetched if it is cached and older, and each cached
 * queue the change concerns reads just that item's rows (queue-cache.ts), so a change that no
 * queue or item on hand concerns costs nothing but its event. A new line of the reader's inbox goes straight into the cached inbox and the bell's count.
 */
export function LiveProvider({
  children,
  onSignedOut,
}: {
  children: ReactNode;
  onSignedOut: () => void;
}) {
  const qc = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>("connecting");

  useEffect(() => {
    const pending = new Map<string, QueueChange>();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      const changes = [...pending.values()];
      pending.clear();
      for (const c of changes) {
        // Our own command already put this version in the cache.
        const cached = qc.getQueryData<Item>(keys.item(c.key));
        if (cached && c.version !== undefined && cached.version >= c.version) continue;
        void qc.invalidateQueries({ queryKey: keys.item(c.key) });
      }
      void patchQueues(qc, changes);
    };
    const stop = connectLive({
      onItem: (change) => {
        const earlier = pending.get(change.key);
        pending.set(change.key, {
          key: change.key,
          version: Math.max(change.version, earlier?.version ?? 0),
          teams: [
            ...(earlier?.teams ?? []),
            change.next_team,
            change.owner_team,
            ...(change.teams ?? []),
            ...(change.question_teams ?? []),
          ],
        });
        timer ??= setTimeout(flush, COALESCE_MS);
      },
      onNotification: (n) => receiveNotification(qc, n),
      onStatus: setStatus,
      onResync: () => {
        void qc.invalidateQueries({ queryKey: ["item"] });
        void qc.invalidateQueries({ queryKey: keys.queues });
        void qc.invalidateQueries({ queryKey: notificationKeys.all });
      },
      onSignedOut,
    });
    return () => {
      stop();
      if (timer) clearTimeout(timer);
    };
  }, [qc, onSignedOut]);

  return <LiveStatusContext.Provider value={status}>{children}</LiveStatusContext.Provider>;
}

import { useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useEffect, useState } from "react";
import { connectLive, type LiveStatus } from "./live.ts";
import { LiveStatusContext } from "./live-context.ts";
import { notificationKeys, receiveNotification } from "./notifications.ts";
import { keys } from "./queries.ts";

/** Changes arriving within this window are coalesced into one refetch per query. */
const COALESCE_MS = 150;

/**
 * Keeps one live stream open while signed in and turns each item change into cache
 * invalidations: the item (with its events and comments) and the queues of the teams involved.
 * A new line of the reader's inbox goes straight into the cached inbox and the bell's count.
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
    const items = new Set<string>();
    const teams = new Set<string>();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      for (const key of items) void qc.invalidateQueries({ queryKey: keys.item(key) });
      for (const team of teams) void qc.invalidateQueries({ queryKey: keys.queue(team) });
      items.clear();
      teams.clear();
    };
    const stop = connectLive({
      onItem: (change) => {
        items.add(change.key);
        for (const t of [change.next_team, change.owner_team, ...(change.teams ?? [])])
          if (t) teams.add(t);
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

import { notifications } from "@mantine/notifications";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { afterItemChange, runItemCommand } from "../../api/queries.ts";
import { patchQueues } from "../../api/queue-cache.ts";
import { acceptBlock, type ItemSummary } from "../../api/types.ts";
import { acceptWithUndo, undoAccept, useHeldAccepts } from "./accept-undo.tsx";
import type { QuickAction } from "./queue-list.tsx";

/**
 * The one-item actions of a team's queue: claim, accept (held behind an undo, see
 * accept-undo.tsx) and the row's quick button. Only members act, and only on items whose next
 * move is this team's.
 */
export function useQueueActions({
  team,
  isMember,
  me,
}: {
  team: string;
  isMember: boolean;
  /** The signed-in user's email. */
  me: string;
}) {
  const qc = useQueryClient();
  const [busy, setBusy] = useState<Set<string>>(new Set());
  const heldAccepts = useHeldAccepts();

  const withBusy = async (key: string, f: () => Promise<unknown>) => {
    setBusy((s) => new Set(s).add(key));
    try {
      await f();
    } finally {
      setBusy((s) => {
        const n = new Set(s);
        n.delete(key);
        return n;
      });
    }
  };
  /** Brings these items' rows up to date in every queue held (not the whole queue). */
  const refresh = (itemKeys: string[]) =>
    void patchQueues(
      qc,
      itemKeys.map((key) => ({ key, teams: [team] })),
    );
  const single = (key: string, command: "claim", done: string) =>
    withBusy(key, async () => {
      try {
        const item = await runItemCommand(key, command);
        afterItemChange(qc, item);
        notifications.show({ message: `${key} ${done}.`, color: "green" });
      } catch (e) {
        notifications.show({
          title: `Could not ${command} ${key}`,
          message: e instanceof Error ? e.message : String(e),
          color: "red",
        });
        refresh([key]);
      }
    });
  const claim = (key: string) => single(key, "claim", "is yours now");
  const canAct = (i: ItemSummary) => isMember && i.next?.team === team;
  /** Accepts after a few seconds in which Undo takes it back (the accept moves ownership). */
  const acceptSoon = (key: string) =>
    acceptWithUndo(key, ({ item }) => {
      if (item) afterItemChange(qc, item);
      else refresh([key]);
    });
  /** Accepts one item, or says why it cannot be accepted yet instead of sending a doomed call. */
  const acceptOne = (i: ItemSummary) => {
    const block = acceptBlock(i.next);
    if (block)
      notifications.show({
        title: `${i.key} cannot be accepted yet`,
        message: `Acceptance waits for the handoff meeting: ${block}.`,
        color: "orange",
      });
    else acceptSoon(i.key);
  };
  /** The row's button: Accept (or Undo while held), Claim, or why it must wait. */
  const quickAction = (i: ItemSummary): QuickAction | null => {
    if (!canAct(i)) return null;
    if (i.state === "awaiting_acceptance") {
      if (heldAccepts.has(i.key)) return { label: "Undo", run: () => undoAccept(i.key) };
      const block = acceptBlock(i.next);
      return block
        ? { label: "Meeting first", blocked: `Acceptance waits for the handoff meeting: ${block}.` }
        : { label: "Accept", run: () => acceptSoon(i.key) };
    }
    if (i.state === "in_progress" && i.assignee !== me)
      return { label: "Claim", run: () => void claim(i.key) };
    return null;
  };

  return { busy, refresh, claim, canAct, acceptOne, quickAction };
}

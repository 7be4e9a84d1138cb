import { type RefObject, useEffect, useRef } from "react";
import { useNavigate } from "react-router";
import type { ItemSummary } from "../../api/types.ts";
import { useKeys } from "../../lib/keys.ts";

/** Focuses a row's key link once the list has scrolled it into view (only rows in view exist). */
function focusRowLink(key: string): void {
  let tries = 0;
  const focus = () => {
    const link = document.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"] a.item-key`);
    if (link) link.focus({ preventScroll: true });
    else if (tries++ < 5) requestAnimationFrame(focus);
  };
  requestAnimationFrame(focus);
}

/**
 * The queue's single-key shortcuts: j/k move, Enter/o open, x selects, c claims, a accepts,
 * r rejects, / searches. The acting keys do nothing on rows this team cannot act on.
 */
export function useQueueKeys({
  items,
  cursorIndex,
  setCursor,
  canAct,
  onToggle,
  onClaim,
  onAccept,
  onReject,
  searchRef,
}: {
  /** The rows as shown (filtered and sorted). */
  items: ItemSummary[];
  cursorIndex: number;
  setCursor: (index: number) => void;
  canAct: (i: ItemSummary) => boolean;
  onToggle: (key: string) => void;
  onClaim: (key: string) => Promise<unknown>;
  onAccept: (i: ItemSummary) => void;
  onReject: (key: string) => void;
  searchRef: RefObject<HTMLInputElement | null>;
}): void {
  const navigate = useNavigate();
  const current = items[cursorIndex];

  // j/k move focus to the row's link as well as the cursor, so screen readers announce the row.
  const focusRow = useRef(false);
  const currentKey = current?.key;
  useEffect(() => {
    if (!focusRow.current || !currentKey) return;
    focusRow.current = false;
    focusRowLink(currentKey);
  }, [currentKey]);
  const moveCursor = (to: number) => {
    if (to === cursorIndex) {
      if (currentKey) focusRowLink(currentKey);
      return;
    }
    focusRow.current = true;
    setCursor(to);
  };

  useKeys({
    j: () => moveCursor(Math.min(cursorIndex + 1, items.length - 1)),
    k: () => moveCursor(Math.max(cursorIndex - 1, 0)),
    enter: () => current && navigate(`/items/${current.key}`),
    o: () => current && navigate(`/items/${current.key}`),
    x: () => current && onToggle(current.key),
    c: () => {
      if (current && canAct(current) && current.state === "in_progress") void onClaim(current.key);
    },
    a: () => {
      if (current && canAct(current) && current.state === "awaiting_acceptance") onAccept(current);
    },
    r: () => {
      if (current && canAct(current) && current.state === "awaiting_acceptance")
        onReject(current.key);
    },
    "/": () => searchRef.current?.focus(),
  });
}

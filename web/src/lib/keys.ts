import { useEffect, useRef } from "react";

/*
 * Single-key shortcuts (j, k, a, r, c, ?). They never fire while typing in a field, inside an
 * open dialog, or with Ctrl/Cmd/Alt held, so they cannot collide with text entry or the
 * browser's own shortcuts. Shift is ignored so `?` works on every keyboard layout.
 */

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target.closest("[role=dialog], [aria-modal=true], .cm-editor")) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") {
    const type = (target as HTMLInputElement).type;
    return !["checkbox", "radio", "button", "submit"].includes(type);
  }
  return false;
}

export type KeyMap = Record<string, (e: KeyboardEvent) => void>;

/** Binds keys (by `event.key`, e.g. "j", "?", "enter") on the document while mounted. */
export function useKeys(map: KeyMap, enabled = true): void {
  const ref = useRef(map);
  ref.current = map;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      if (isTyping(e.target)) return;
      // An open dialog owns the keyboard even when focus sits on its backdrop.
      if (document.querySelector("[role=dialog][aria-modal=true]")) return;
      // Named keys may be given in lower case ("enter"), which keeps them apart from components.
      const handler = ref.current[e.key] ?? ref.current[e.key.toLowerCase()];
      if (!handler) return;
      e.preventDefault();
      handler(e);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [enabled]);
}

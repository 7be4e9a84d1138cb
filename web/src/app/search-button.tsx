import { Group, Kbd, Text, UnstyledButton } from "@mantine/core";
import { IconSearch } from "@tabler/icons-react";
import { lazy, Suspense, useEffect, useState } from "react";

/*
 * The header's search: a button that looks like a search box (an icon alone on a phone), and
 * Ctrl+K or ⌘K anywhere, even while typing in a field (the browser gives that chord to the
 * page). The dialog is its own chunk, fetched when the pointer or focus first comes near.
 */

const loadDialog = () => import("../features/search/search-dialog.tsx");
const SearchDialog = lazy(loadDialog);

const isMac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);

export function SearchButton() {
  const [opened, setOpened] = useState(false);
  const [wanted, setWanted] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === "k") {
        e.preventDefault();
        setWanted(true);
        setOpened(true);
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
  const chord = isMac ? "⌘ K" : "Ctrl K";
  return (
    <>
      <UnstyledButton
        className="search-button"
        onClick={() => {
          setWanted(true);
          setOpened(true);
        }}
        onPointerEnter={() => void loadDialog()}
        onFocus={() => void loadDialog()}
        aria-keyshortcuts={isMac ? "Meta+K" : "Control+K"}
        aria-haspopup="dialog"
        data-testid="search-button"
      >
        <Group gap={8} wrap="nowrap">
          <IconSearch size={16} aria-hidden />
          {/* The button's name: on a phone it is there for screen readers only. */}
          <Text size="sm" className="search-button-label" c="dimmed">
            Search items
          </Text>
          <Kbd size="xs" className="search-button-chord" aria-hidden>
            {chord}
          </Kbd>
        </Group>
      </UnstyledButton>
      {wanted && (
        <Suspense fallback={null}>
          <SearchDialog opened={opened} onClose={() => setOpened(false)} />
        </Suspense>
      )}
    </>
  );
}

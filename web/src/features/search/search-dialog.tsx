import { Badge, Group, Kbd, Loader, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useDebouncedValue, useMediaQuery } from "@mantine/hooks";
import { IconSearch } from "@tabler/icons-react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useNavigate } from "react-router";
import { api } from "../../api/client.ts";
import type { ItemState } from "../../api/types.ts";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { stateLabel } from "../../lib/format.ts";
import { useNames } from "../../lib/names.ts";

/*
 * The global search (Ctrl/Cmd+K): any item by key, title, field values or comments, across
 * teams (GET /items?q=, an exact key first). The input is a combobox owning a listbox of
 * results: ↑/↓ move, Enter opens, Escape closes and gives focus back. Typing a whole key and
 * Enter opens that item at once, before any result has arrived. Its own chunk, loaded on the
 * first open.
 */

/** The form of an item key, as the server recognises one (engine/items.ts). */
const ITEM_KEY = /^[A-Za-z][A-Za-z0-9]{0,9}-\d{1,10}$/;
/** Results shown at once. */
const LIMIT = 8;
/** Typing pauses this long before a search is sent. */
const DEBOUNCE_MS = 150;

interface Hit {
  key: string;
  title: string;
  state: ItemState;
  workflow: string;
  step_name: string;
  next: { team: string; action: string } | null;
}

function useSearch(q: string) {
  return useQuery<Hit[]>({
    queryKey: ["search", q],
    queryFn: ({ signal }) =>
      api<{ items: Hit[] }>(`/items?q=${encodeURIComponent(q)}&limit=${LIMIT}`, { signal }).then(
        (r) => r.items,
      ),
    enabled: q !== "",
    // The last results stay while the next are on their way: the list does not flicker.
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

export default function SearchDialog({
  opened,
  onClose,
}: {
  opened: boolean;
  onClose: () => void;
}) {
  const [input, setInput] = useState("");
  const [debounced] = useDebouncedValue(input.trim(), DEBOUNCE_MS);
  const search = useSearch(debounced);
  const [active, setActive] = useState(0);
  /** Whether ↑/↓ chose a result: then Enter opens it even when a whole key was typed. */
  const [moved, setMoved] = useState(false);
  const navigate = useNavigate();
  const names = useNames();
  const phone = useMediaQuery("(max-width: 48em)");
  const listId = useId();
  const optionId = (i: number) => `${listId}-${i}`;

  const q = input.trim();
  const hits = q === "" ? [] : (search.data ?? []);
  const current = debounced === q && !search.isPlaceholderData;
  const close = () => {
    onClose();
    setInput("");
    setActive(0);
    setMoved(false);
  };
  const open = (key: string) => {
    close();
    void navigate(`/items/${encodeURIComponent(key)}`);
  };
  const onEnter = () => {
    const hit = hits[active];
    if (ITEM_KEY.test(q) && !moved) open(q.toUpperCase());
    else if (hit) open(hit.key);
  };

  return (
    <Modal
      opened={opened}
      onClose={close}
      title="Search items"
      size="lg"
      fullScreen={phone}
      yOffset="10vh"
      transitionProps={{ duration: 0 }}
    >
      <Stack gap="sm">
        <TextInput
          data-autofocus
          aria-label="Search items"
          placeholder="A key (ONB-12), words of a title, a field value or a comment"
          leftSection={<IconSearch size={16} aria-hidden />}
          rightSection={search.isFetching ? <Loader size={14} aria-hidden /> : null}
          value={input}
          onChange={(e) => {
            setInput(e.currentTarget.value);
            setActive(0);
            setMoved(false);
          }}
          role="combobox"
          aria-expanded={hits.length > 0}
          aria-controls={hits.length > 0 ? listId : undefined}
          aria-autocomplete="list"
          aria-activedescendant={hits.length > 0 ? optionId(active) : undefined}
          autoComplete="off"
          spellCheck={false}
          onKeyDown={(e) => {
            if (e.key === "ArrowDown" || e.key === "ArrowUp") {
              e.preventDefault();
              if (hits.length === 0) return;
              const n = hits.length;
              setActive((a) => (a + (e.key === "ArrowDown" ? 1 : n - 1)) % n);
              setMoved(true);
            } else if (e.key === "Enter") {
              e.preventDefault();
              onEnter();
            }
          }}
        />
        {hits.length > 0 && (
          <div role="listbox" id={listId} aria-label="Items found">
            {hits.map((h, i) => (
              <div
                key={h.key}
                id={optionId(i)}
                role="option"
                aria-selected={i === active}
                className="search-option"
                tabIndex={-1}
                // The input keeps focus (the keyboard works through it); a press opens the item.
                onMouseDown={(e) => {
                  e.preventDefault();
                  open(h.key);
                }}
                onMouseEnter={() => {
                  setActive(i);
                  setMoved(true);
                }}
              >
                <Group gap="xs" wrap="nowrap" justify="space-between">
                  <Text size="sm" fw={600} style={{ minWidth: 0 }} truncate>
                    <Text span ff="monospace" inherit>
                      {h.key}
                    </Text>{" "}
                    {h.title}
                  </Text>
                  <Badge size="sm" variant="light" color="gray" style={{ flexShrink: 0 }}>
                    {stateLabel[h.state] ?? h.state}
                  </Badge>
                </Group>
                <Text size="xs" c="dimmed" truncate>
                  {h.step_name}
                  {h.next ? ` · with ${names.team(h.next.team)}` : ""}
                </Text>
              </div>
            ))}
          </div>
        )}
        <Text size="sm" c="dimmed" aria-live="polite">
          {q === ""
            ? ""
            : search.isError
              ? ""
              : current && !search.isFetching
                ? hits.length === 0
                  ? `No item matches “${q}”.`
                  : `${hits.length === LIMIT ? `The first ${LIMIT}` : hits.length} item${hits.length === 1 ? "" : "s"} found.`
                : "Searching…"}
        </Text>
        {search.isError && <ProblemAlert error={search.error} />}
        <Text size="xs" c="dimmed">
          <Kbd size="xs">↑</Kbd> <Kbd size="xs">↓</Kbd> to choose, <Kbd size="xs">Enter</Kbd> to
          open, <Kbd size="xs">Esc</Kbd> to close. A whole key and Enter opens that item.
        </Text>
      </Stack>
    </Modal>
  );
}

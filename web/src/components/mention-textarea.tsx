import { Paper, Text, Textarea, UnstyledButton } from "@mantine/core";
import { useId, useMemo, useRef, useState } from "react";
import { useTeams, useUsers } from "../api/queries.ts";
import { insertMention, type MentionCandidate, matchMentions, mentionAt } from "../lib/mentions.ts";

/*
 * A textarea that completes `@` mentions: typing `@` and a few letters lists matching people
 * (by name or e-mail) and teams (by name or key) under display names; ↑/↓ choose, Enter or Tab
 * inserts `@person@example.com` or `@team-key` (the form the server's rule finds), Escape
 * closes the list. The textarea keeps its own role (a textbox, which may not be a combobox) and
 * points at the list with aria-controls and aria-activedescendant; a live region says how many
 * suggestions there are.
 */

export function MentionTextarea({
  label,
  value,
  onChange,
  minRows = 2,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  minRows?: number;
}) {
  const users = useUsers();
  const teams = useTeams();
  const ref = useRef<HTMLTextAreaElement>(null);
  const listId = useId();
  const [mention, setMention] = useState<{ start: number; query: string } | null>(null);
  const [active, setActive] = useState(0);

  const candidates = useMemo<MentionCandidate[]>(
    () => [
      ...(users.data ?? []).map((u) => ({
        insert: u.email,
        label: u.name,
        detail: u.email,
        kind: "person" as const,
      })),
      ...(teams.data ?? []).map((t) => ({
        insert: t.key,
        label: t.name,
        detail: "team",
        kind: "team" as const,
      })),
    ],
    [users.data, teams.data],
  );
  const options = useMemo(
    () => (mention ? matchMentions(mention.query, candidates) : []),
    [mention, candidates],
  );
  const open = mention !== null && options.length > 0;
  const optionId = (i: number) => `${listId}-${i}`;

  const track = (text: string, caret: number) => {
    const m = mentionAt(text, caret);
    if (m?.query !== mention?.query || m?.start !== mention?.start) setActive(0);
    setMention(m);
  };
  const choose = (o: MentionCandidate) => {
    if (!mention) return;
    const caret = ref.current?.selectionStart ?? value.length;
    const next = insertMention(value, { start: mention.start, caret, insert: o.insert });
    onChange(next.text);
    setMention(null);
    requestAnimationFrame(() => {
      ref.current?.focus();
      ref.current?.setSelectionRange(next.caret, next.caret);
    });
  };

  return (
    <div style={{ position: "relative" }}>
      <Textarea
        ref={ref}
        label={label}
        description="Type @ to mention a person or a team: they are told"
        autosize
        minRows={minRows}
        value={value}
        aria-autocomplete="list"
        aria-controls={open ? listId : undefined}
        aria-activedescendant={open ? optionId(active) : undefined}
        onChange={(e) => {
          onChange(e.currentTarget.value);
          track(e.currentTarget.value, e.currentTarget.selectionStart);
        }}
        onSelect={(e) => track(e.currentTarget.value, e.currentTarget.selectionStart)}
        onBlur={() => setMention(null)}
        onKeyDown={(e) => {
          if (!open) return;
          if (e.key === "ArrowDown" || e.key === "ArrowUp") {
            e.preventDefault();
            const n = options.length;
            setActive((a) => (a + (e.key === "ArrowDown" ? 1 : n - 1)) % n);
          } else if ((e.key === "Enter" && !e.shiftKey) || e.key === "Tab") {
            const o = options[active];
            if (o) {
              e.preventDefault();
              choose(o);
            }
          } else if (e.key === "Escape") {
            // Closes the list only; a dialog around the box stays open.
            e.preventDefault();
            e.stopPropagation();
            setMention(null);
          }
        }}
      />
      <span className="visually-hidden" aria-live="polite">
        {open
          ? `${options.length} suggestion${options.length === 1 ? "" : "s"}; up and down to choose, Enter to insert`
          : ""}
      </span>
      {open && (
        <Paper
          shadow="md"
          withBorder
          p={4}
          role="listbox"
          id={listId}
          aria-label="People and teams to mention"
          style={{ position: "absolute", zIndex: 20, left: 0, right: 0, maxWidth: 420 }}
        >
          {options.map((o, i) => (
            <UnstyledButton
              key={`${o.kind}:${o.insert}`}
              id={optionId(i)}
              role="option"
              aria-selected={i === active}
              tabIndex={-1}
              // The textarea keeps focus (and its caret) while an option is clicked.
              onMouseDown={(e) => {
                e.preventDefault();
                choose(o);
              }}
              onMouseEnter={() => setActive(i)}
              display="block"
              w="100%"
              px="xs"
              py={4}
              className="mention-option"
            >
              <Text size="sm" fw={500} span>
                {o.label}
              </Text>{" "}
              <Text size="xs" c="dimmed" span>
                {o.kind === "team" ? `team · @${o.insert}` : o.detail}
              </Text>
            </UnstyledButton>
          ))}
        </Paper>
      )}
    </div>
  );
}

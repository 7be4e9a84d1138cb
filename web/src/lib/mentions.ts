/*
 * `@` mentions as people type them. What is inserted is the form the server's rule finds
 * (src/domain/mentions.ts, shared with this app): `@person@example.com` or `@team-key`.
 */

/**
 * The `@…` word the caret is at the end of, if any: where its `@` is and what follows it
 * (lower case). The `@` must stand where the server's rule sees a mention: at the start or
 * after a character that cannot be part of an address.
 */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const m = /(^|[^\w@.+-])@((?:[^\s@]+(?:@[^\s@]*)?)?)$/.exec(text.slice(0, caret));
  if (!m) return null;
  const query = m[2] ?? "";
  return { start: caret - query.length - 1, query: query.toLowerCase() };
}

/**
 * The text with the mention being typed (from its `@` at `start` to the caret) replaced by
 * `@insert` and one space, and where the caret goes after it. An existing space after the
 * caret is reused rather than doubled.
 */
export function insertMention(
  text: string,
  { start, caret, insert }: { start: number; caret: number; insert: string },
): { text: string; caret: number } {
  const after = text.slice(caret);
  const spaced = after.startsWith(" ") ? after : ` ${after}`;
  const head = `${text.slice(0, start)}@${insert}`;
  return { text: head + spaced, caret: head.length + 1 };
}

/** People and teams as the completion matches them. */
export interface MentionCandidate {
  /** What is inserted after the `@`. */
  insert: string;
  /** The display name. */
  label: string;
  /** The e-mail or "team": shown beside the name. */
  detail: string;
  kind: "person" | "team";
}

/**
 * Candidates for a query, best first: a name or key that starts with it before one where a
 * later word does; people before teams, then the shorter key, when equally good. At most `max`.
 */
export function matchMentions(
  query: string,
  candidates: readonly MentionCandidate[],
  max = 8,
): MentionCandidate[] {
  const q = query.toLowerCase();
  const score = (c: MentionCandidate): number => {
    const name = c.label.toLowerCase();
    const key = c.insert.toLowerCase();
    if (q === "") return 1;
    if (key.startsWith(q) || name.startsWith(q)) return 0;
    if (name.split(/[\s-]+/).some((w) => w.startsWith(q))) return 1;
    if (key.split(/[@._-]+/).some((w) => w.startsWith(q))) return 2;
    return -1;
  };
  return candidates
    .map((c) => ({ c, s: score(c) }))
    .filter((x) => x.s >= 0)
    .sort(
      (a, b) =>
        a.s - b.s ||
        (a.c.kind === b.c.kind ? 0 : a.c.kind === "person" ? -1 : 1) ||
        // The closest match is the shortest: "support" before "support-enterprise".
        a.c.insert.length - b.c.insert.length ||
        a.c.label.localeCompare(b.c.label),
    )
    .slice(0, max)
    .map((x) => x.c);
}

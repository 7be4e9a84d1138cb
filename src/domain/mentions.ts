/*
 * The mention rule: `@someone@example.com` names a person, `@team-key` a team. Its own module,
 * with no imports, because the web app uses the same rule to show mentions by name and to
 * insert the form that this rule finds (web/src/components/mention-textarea.tsx).
 */

/** How many people or teams one comment may mention. */
export const MENTIONS_MAX = 20;

/**
 * A mention: an `@` at the start or after a character that cannot be part of an address (so
 * `ivan@acme.test` names nobody), then an e-mail address or a team key, not followed by more
 * of a word. Group 1 is what comes before the `@`, group 2 the name.
 */
const mentionPattern = () =>
  /(^|[^\w@.+-])@([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}|[a-z][a-z0-9_-]{0,62})(?![\w@])/g;

/** One piece of a text: plain, or a mention as written (without its `@`). */
export type MentionPart =
  | { text: string }
  | { text: string; person: string }
  | { text: string; team: string };

/**
 * A text cut into plain pieces and mentions, in order; joining every `text` gives the input
 * back. The names are as {@link mentionsIn} reports them (lower case; a team key without a
 * trailing `-` or `_`), though only the first MENTIONS_MAX are told.
 */
export function splitMentions(body: string): MentionPart[] {
  const parts: MentionPart[] = [];
  let at = 0;
  for (const m of body.matchAll(mentionPattern())) {
    const start = (m.index ?? 0) + (m[1] as string).length;
    let written = `@${m[2] as string}`;
    const name = (m[2] as string).toLowerCase();
    let part: MentionPart;
    if (name.includes("@")) part = { text: written, person: name };
    else {
      // A team key followed by '-' or '_' was cut by the look-ahead: "@sales-" names "sales".
      const key = name.replace(/[-_]+$/, "");
      written = `@${key}`;
      part = { text: written, team: key };
    }
    if (start > at) parts.push({ text: body.slice(at, start) });
    parts.push(part);
    at = start + written.length;
  }
  if (at < body.length) parts.push({ text: body.slice(at) });
  return parts;
}

/**
 * The people (`@someone@example.com`) and teams (`@team-key`) a comment mentions, lower case,
 * each once, in order, at most MENTIONS_MAX. An `@` inside a word (an e-mail address written
 * without a leading `@`) mentions nobody.
 */
export function mentionsIn(body: string): { people: string[]; teams: string[] } {
  const people: string[] = [];
  const teams: string[] = [];
  for (const part of splitMentions(body)) {
    if (people.length + teams.length >= MENTIONS_MAX) break;
    const [list, name] =
      "person" in part ? [people, part.person] : "team" in part ? [teams, part.team] : [null, ""];
    if (list && name && !list.includes(name)) list.push(name);
  }
  return { people, teams };
}

import { z } from "zod";

/*
 * The one string type for text people send. PostgreSQL refuses two things JavaScript strings
 * can hold: the NUL character (a `text` column rejects the byte, a `jsonb` value the `\u0000`
 * escape) and UTF-16 surrogates that are not part of a pair (`jsonb` rejects the escape; a
 * `text` parameter would silently become U+FFFD). Both are refused where text enters, with the
 * field's path, so no such string reaches the store and a failed write never has to be undone.
 */

/**
 * A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high
 * one. (No `u` flag: with it the regex would see code points and never a lone half.)
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding the NUL is the point.
const unstorable = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The message for a NUL character. */
export const NUL_MESSAGE = "must not contain the NUL character (U+0000)";
/** The message for a lone surrogate. */
export const SURROGATE_MESSAGE = "must not contain an unpaired UTF-16 surrogate (invalid Unicode)";

/** Why `s` cannot be stored as text, or undefined when it can. One linear scan. */
export function textProblem(s: string): string | undefined {
  const m = unstorable.exec(s);
  if (!m) return undefined;
  return m[0] === "\u0000" ? NUL_MESSAGE : SURROGATE_MESSAGE;
}

/** Where the first character that cannot be stored is in `s` (a UTF-16 index), or -1. */
export function unstorableAt(s: string): number {
  return unstorable.exec(s)?.index ?? -1;
}

/** True when `s` can be stored as PostgreSQL text and jsonb. */
export function isStorableText(s: string): boolean {
  return textProblem(s) === undefined;
}

/** Limits of a text value. */
export interface TextOptions {
  /** The most characters (UTF-16 code units) accepted; every text has one. */
  max: number;
  /** The fewest characters, counted after trimming when `trim` (default 0). */
  min?: number;
  /** Trim white space at both ends before the length checks (default false). */
  trim?: boolean;
}

/**
 * A zod string for user text: no NUL, no lone surrogate, at most `max` characters (and at
 * least `min`, after trimming when `trim`). Use it for every string a request or a definition
 * carries, so the rule and its message are the same everywhere.
 */
export function text({ max, min = 0, trim = false }: TextOptions) {
  let s = z.string();
  if (trim) s = s.trim();
  if (min > 0)
    s = s.min(min, min === 1 ? "must not be empty" : `must be at least ${min} characters`);
  return s.max(max, `must be at most ${max.toLocaleString("en")} characters`).check(storable);
}

/** The check behind {@link text}: one issue naming the problem. */
const storable = z.superRefine<string>((s, ctx) => {
  const problem = textProblem(s);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** Longest identifier taken from a path, a query or a reference (team, workflow, item key). */
export const KEY_MAX = 200;

/**
 * A non-empty identifier: a key in a path or query, a team named in a body. Its exact form is
 * checked where it is defined (a team key, a workflow key); this only keeps it storable.
 */
export const keyText = text({ max: KEY_MAX, min: 1 });

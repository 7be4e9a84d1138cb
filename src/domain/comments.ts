import type { ItemEvent } from "./item.ts";

/*
 * Comments as people see them: each `comment.added` event is one comment, named by its seq; a
 * `comment.edited` replaces the text shown and a `comment.deleted` takes it off the list. The
 * events stay in the history, so the log still says what was written and changed.
 */

/** A comment with its latest text. */
export interface CurrentComment {
  /** The seq of the `comment.added` event: the comment's id. */
  seq: number;
  author: string;
  at: string;
  body: string;
  /** When its text last changed, or null if never edited. */
  editedAt: string | null;
  deleted: boolean;
}

/** Every comment of a log in order, with its latest text; deleted ones marked. */
export function commentsOf(events: readonly (ItemEvent & { seq: number })[]): CurrentComment[] {
  const bySeq = new Map<number, CurrentComment>();
  for (const e of events) {
    if (e.type === "comment.added")
      bySeq.set(e.seq, {
        seq: e.seq,
        author: e.actor,
        at: e.at,
        body: e.data.body,
        editedAt: null,
        deleted: false,
      });
    else if (e.type === "comment.edited") {
      const c = bySeq.get(e.data.comment);
      if (c) {
        c.body = e.data.body;
        c.editedAt = e.at;
      }
    } else if (e.type === "comment.deleted") {
      const c = bySeq.get(e.data.comment);
      if (c) c.deleted = true;
    }
  }
  return [...bySeq.values()];
}

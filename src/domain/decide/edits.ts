import type { Actor, Command, OpenItemContext } from "../decide.ts";
import { assertNever, DomainError } from "../errors.ts";
import { type Item, type ItemEdits, type ItemEventBody, nextTeam } from "../item.ts";
import { checkDue } from "./lifecycle.ts";
import { isMember, requireTeam, requireText } from "./rules.ts";

/** Comments (add, edit, delete) and the item's title and due date. */
export function decideEdits(
  item: Item,
  cmd: Extract<Command, { type: "comment" | "edit" | "edit_comment" | "delete_comment" }>,
  ctx: OpenItemContext,
): ItemEventBody[] {
  const { actor } = ctx;
  switch (cmd.type) {
    case "comment":
      return [{ type: "comment.added", data: { body: requireText(cmd.body, "body") } }];
    case "edit":
      return decideEdit(item, cmd, actor);
    case "edit_comment":
    case "delete_comment":
      return decideCommentChange(item, cmd, actor);
    default:
      return assertNever(cmd, "command");
  }
}

/** Title and due date: by the teams that hold the item now (owner or next), or an admin. */
function decideEdit(
  item: Item,
  cmd: Extract<Command, { type: "edit" }>,
  actor: Actor,
): ItemEventBody[] {
  const next = nextTeam(item) as string;
  if (!isMember(actor, next) && !isMember(actor, item.ownerTeam)) requireTeam(actor, next, item);
  const changes: ItemEdits = {};
  const previous: ItemEdits = {};
  if (cmd.title !== undefined) {
    const title = requireText(cmd.title, "title", 200);
    if (title !== item.title) {
      changes.title = title;
      previous.title = item.title;
    }
  }
  if (cmd.due !== undefined) {
    const due = cmd.due === null ? null : checkDue(cmd.due);
    if (due !== item.due) {
      changes.due = due;
      previous.due = item.due;
    }
  }
  return Object.keys(changes).length === 0
    ? []
    : [{ type: "item.edited", data: { changes, previous } }];
}

/** Editing and deleting a comment: its author only (an admin may delete, not put words in). */
function decideCommentChange(
  item: Item,
  cmd: Extract<Command, { type: "edit_comment" | "delete_comment" }>,
  actor: Actor,
): ItemEventBody[] {
  const c = cmd.target;
  if (!c || c.deleted)
    throw new DomainError("not_found", `${item.key} has no comment #${cmd.comment}.`);
  const isAuthor = c.author.toLowerCase() === actor.email.toLowerCase();
  if (!isAuthor && !(cmd.type === "delete_comment" && actor.isAdmin))
    throw new DomainError(
      "not_your_comment",
      cmd.type === "edit_comment"
        ? `Only ${c.author} can edit comment #${cmd.comment}.`
        : `Only ${c.author} or an admin can delete comment #${cmd.comment}.`,
      { author: c.author },
    );
  if (cmd.type === "delete_comment")
    return [{ type: "comment.deleted", data: { comment: cmd.comment } }];
  const body = requireText(cmd.body, "body");
  return body === c.body ? [] : [{ type: "comment.edited", data: { comment: cmd.comment, body } }];
}

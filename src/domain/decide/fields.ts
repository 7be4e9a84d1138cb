import type { Actor, Command, OpenItemContext } from "../decide.ts";
import { assertNever, DomainError } from "../errors.ts";
import { acceptProblem } from "../files.ts";
import type { Item, ItemEventBody } from "../item.ts";
import { checkFields, requireTeam, wrongState } from "./rules.ts";

/** Fields change only in progress, by the team that owns the item. */
function requireFieldsEditable(item: Item, actor: Actor): void {
  if (item.status !== "in_progress")
    throw wrongState(
      item,
      item.status === "awaiting_acceptance"
        ? `Fields of ${item.key} are locked while its handoff awaits acceptance; withdraw the handoff to change them.`
        : `Fields of ${item.key} can change only while it is in progress.`,
    );
  requireTeam(actor, item.ownerTeam, item);
}

/** Field values, checklist ticks and files put into a field (or onto the item). */
export function decideFieldChange(
  item: Item,
  cmd: Extract<Command, { type: "update_fields" | "set_checklist" | "attach_file" }>,
  ctx: OpenItemContext,
): ItemEventBody[] {
  const { actor, def, step } = ctx;
  switch (cmd.type) {
    case "update_fields": {
      requireFieldsEditable(item, actor);
      checkFields(def, cmd.fields);
      const changes: Record<string, unknown> = {};
      const previous: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(cmd.fields)) {
        const before = item.fields[k] ?? null;
        if (before !== v) {
          changes[k] = v;
          previous[k] = before;
        }
      }
      return Object.keys(changes).length === 0
        ? []
        : [{ type: "item.fields_updated", data: { changes, previous } }];
    }
    case "set_checklist": {
      if (item.status !== "in_progress")
        throw wrongState(
          item,
          `The checklist of ${item.key} can change only while it is in progress.`,
        );
      requireTeam(actor, item.ownerTeam, item);
      const entry = step.checklist[cmd.index];
      if (!Number.isInteger(cmd.index) || !entry)
        throw new DomainError(
          "invalid_input",
          `Step "${step.key}" has no checklist item ${cmd.index} (it has ${step.checklist.length}).`,
          { errors: [{ path: "index", message: `must be 0 to ${step.checklist.length - 1}` }] },
        );
      if ((item.checklists[step.key]?.[cmd.index] ?? false) === cmd.done) return [];
      return [
        {
          type: "checklist.updated",
          data: { step: step.key, index: cmd.index, text: entry.text, done: cmd.done },
        },
      ];
    }
    case "attach_file": {
      // Into a field: what changing that field takes. Onto the item: anyone may, like a comment.
      if (cmd.field === undefined)
        return [{ type: "file.attached", data: { ...cmd.file, field: null } }];
      const f = def.fields.find((x) => x.key === cmd.field);
      if (f?.type !== "file")
        throw new DomainError("invalid_input", `${def.key} has no file field "${cmd.field}".`, {
          errors: [
            { path: "field", message: f ? `"${cmd.field}" is a ${f.type} field` : "unknown field" },
          ],
        });
      requireFieldsEditable(item, actor);
      const refused = acceptProblem(f, cmd.file);
      if (refused)
        throw new DomainError("invalid_input", `The file was refused: ${refused}.`, {
          errors: [{ path: "file", message: refused }],
        });
      return [{ type: "file.attached", data: { ...cmd.file, field: f.key } }];
    }
    default:
      return assertNever(cmd, "command");
  }
}

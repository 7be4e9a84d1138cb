import { type Command, Option } from "commander";
import { rejectReasons } from "../domain/item.ts";
import { ApiError, cliOf, collect, type ItemJson, seg } from "./client.ts";
import { sayItemChanged } from "./output.ts";

/* `baton handoff submit|accept|reject|withdraw`: passing an item to the next step's team. */

/** How to close each kind of gap a refused handoff lists, so the next command is obvious. */
function fixHints(key: string, e: ApiError): string[] {
  const kinds = new Set((e.problem.missing ?? []).map((m) => m.kind));
  const hints: string[] = [];
  if (kinds.has("field")) hints.push(`  fill in fields:      baton item set ${key} FIELD=VALUE …`);
  if (kinds.has("checklist")) hints.push(`  tick the checklist:  baton item check ${key} INDEX`);
  if (kinds.has("criterion"))
    hints.push(`  confirm criteria:    --confirm "CRITERION" (repeat) or --confirm-all`);
  return hints.length > 0 ? ["To fix:", ...hints] : [];
}

/** The owner team's display name: after accept, reject or withdraw the owner also moves next. */
function teamOf(item: ItemJson): string {
  return item.next?.team === item.owner_team ? item.next.team_name : item.owner_team;
}

/** Registers the `handoff` commands. */
export function registerHandoffCommands(program: Command): void {
  const handoff = program
    .command("handoff")
    .description("hand items to the next team, and accept or reject what you are handed");

  handoff
    .command("submit")
    .description("hand the item off to the next step's team (all acceptance criteria must hold)")
    .argument("<key>", "item key")
    .option("--note <note>", "a note for the receiving team")
    .option(
      "--confirm <criterion>",
      "confirm an acceptance criterion (repeat for several)",
      collect,
    )
    .option("--confirm-all", "confirm every acceptance criterion of this handoff")
    .action(
      async (
        key: string,
        flags: { note?: string; confirm?: string[]; confirmAll?: boolean },
        command: Command,
      ) => {
        const cli = cliOf(command);
        const confirm = new Set(flags.confirm ?? []);
        if (flags.confirmAll) {
          const item = await cli.api.get<ItemJson>(`/items/${seg(key)}`);
          for (const c of item.readiness?.criteria ?? []) confirm.add(c);
        }
        let item: ItemJson;
        try {
          item = await cli.api.post<ItemJson>(`/items/${seg(key)}/handoff`, {
            note: flags.note ?? null,
            confirm: [...confirm],
          });
        } catch (e) {
          if (e instanceof ApiError && e.problem.code === "criteria_not_met")
            throw new ApiError(e.problem, fixHints(key, e));
          throw e;
        }
        const to = item.next?.team_name ?? item.handoff?.to_team ?? "the next team";
        sayItemChanged(cli, item, `Handed off ${item.key} to ${to}; it waits for them to accept.`);
      },
    );

  handoff
    .command("accept")
    .description("accept the handoff: your team owns the item from now on")
    .argument("<key>", "item key")
    .action(async (key: string, _flags: unknown, command: Command) => {
      const cli = cliOf(command);
      const item = await cli.api.post<ItemJson>(`/items/${seg(key)}/accept`);
      sayItemChanged(
        cli,
        item,
        `Accepted ${item.key}; ${teamOf(item)} owns it now at "${item.step_name}".`,
      );
    });

  handoff
    .command("reject")
    .description("return the handoff to the sending team with a reason")
    .argument("<key>", "item key")
    .addOption(
      new Option("--reason <reason>", "why it goes back")
        .choices(rejectReasons)
        .makeOptionMandatory(),
    )
    .requiredOption("--comment <text>", "what exactly is wrong, for the sender")
    .option("--failed <criterion>", "an acceptance criterion that does not hold (repeat)", collect)
    .action(
      async (
        key: string,
        flags: { reason: string; comment: string; failed?: string[] },
        command: Command,
      ) => {
        const cli = cliOf(command);
        const item = await cli.api.post<ItemJson>(`/items/${seg(key)}/reject`, {
          reason: flags.reason,
          comment: flags.comment,
          failed_criteria: flags.failed ?? [],
        });
        sayItemChanged(
          cli,
          item,
          `Returned ${item.key} to ${teamOf(item)} (${flags.reason}) for rework at "${item.step_name}".`,
        );
      },
    );

  handoff
    .command("withdraw")
    .description("take back a handoff the receiving team has not accepted yet")
    .argument("<key>", "item key")
    .action(async (key: string, _flags: unknown, command: Command) => {
      const cli = cliOf(command);
      const item = await cli.api.post<ItemJson>(`/items/${seg(key)}/withdraw`);
      sayItemChanged(
        cli,
        item,
        `Withdrew the handoff of ${item.key}; it is back with ${teamOf(item)} at "${item.step_name}".`,
      );
    });
}

import { type Api, type Cli, type ItemJson, seg, type WorkflowJson } from "./client.ts";
import { sayItemChanged } from "./output.ts";

/* The calls the `item` command groups share: fetch an item and its definition, run a command. */

/** The item as the API shows it now. */
export function getItem(api: Api, key: string): Promise<ItemJson> {
  return api.get<ItemJson>(`/items/${seg(key)}`);
}

/** The workflow version an item runs on (its field types and labels). */
export function definitionOf(api: Api, item: Pick<ItemJson, "workflow" | "workflow_version">) {
  return api.get<WorkflowJson>(`/workflows/${seg(item.workflow)}`, {
    version: item.workflow_version,
  });
}

/** Runs one POST command on an item and reports the change in a line. */
export async function runOnItem(
  cli: Cli,
  key: string,
  path: string,
  body: unknown,
  headline: (item: ItemJson) => string,
): Promise<ItemJson> {
  const item = await cli.api.post<ItemJson>(`/items/${seg(key)}/${path}`, body);
  sayItemChanged(cli, item, headline(item));
  return item;
}

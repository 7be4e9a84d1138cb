import type { Item } from "../domain/item.ts";
import type { Db } from "./db.ts";

/**
 * The most recently changed items of a workflow, open and closed, newest first: the history
 * forecasts learn from (their projections hold every handoff and clock event).
 */
export async function recentItemsOf(db: Db, workflow: string, limit: number): Promise<Item[]> {
  const rows = await db
    .selectFrom("items")
    .select("doc")
    .where("workflow_key", "=", workflow)
    .orderBy("updated_at", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => r.doc as Item);
}

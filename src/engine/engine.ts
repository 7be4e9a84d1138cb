import type { Db } from "../store/db.ts";
import { Directory } from "./directory.ts";
import { Items } from "./items.ts";
import { Workflows } from "./workflows.ts";

/** Everything the HTTP routes and the CLI may call. Nothing above this layer touches SQL. */
export interface Engine {
  db: Db;
  directory: Directory;
  workflows: Workflows;
  items: Items;
  /** The time as the engine sees it; tests pass a clock they control. */
  clock: () => Date;
}

export function createEngine({
  db,
  clock = () => new Date(),
}: {
  db: Db;
  clock?: () => Date;
}): Engine {
  const directory = new Directory(db);
  const workflows = new Workflows(db, directory);
  const items = new Items(db, directory, workflows, clock);
  return { db, directory, workflows, items, clock };
}

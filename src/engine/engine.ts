import type { Db } from "../store/db.ts";
import { ChangeFeed } from "./changes.ts";
import { Directory } from "./directory.ts";
import { Items } from "./items.ts";
import { Workflows } from "./workflows.ts";

/** Everything the HTTP routes and the CLI may call. Nothing above this layer touches SQL. */
export interface Engine {
  db: Db;
  directory: Directory;
  workflows: Workflows;
  items: Items;
  /** Live item changes across nodes (LISTEN/NOTIFY). */
  changes: ChangeFeed;
  /** The time as the engine sees it; tests pass a clock they control. */
  clock: () => Date;
  /** Sends pending notices and stops listening; the caller closes the database. */
  close(): Promise<void>;
}

export function createEngine({
  db,
  url,
  clock = () => new Date(),
  onError,
}: {
  db: Db;
  /** The database URL, for the LISTEN connection of the live feed. */
  url?: string;
  clock?: () => Date;
  onError?: (e: unknown) => void;
}): Engine {
  const directory = new Directory(db, clock);
  const workflows = new Workflows(db, directory);
  const changes = new ChangeFeed(db, url, onError);
  const items = new Items(db, directory, workflows, changes, clock);
  return { db, directory, workflows, items, changes, clock, close: () => changes.close() };
}

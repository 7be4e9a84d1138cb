import type { FileRef, StoredFile } from "../domain/files.ts";
import type { Db } from "./db.ts";

/** Stores a file's bytes for an item; the caller records its `file.attached` event in the same transaction. */
export async function insertFile(
  db: Db,
  itemId: string,
  file: FileRef,
  data: Buffer,
  by: string,
  at: string,
): Promise<void> {
  await db
    .insertInto("files")
    .values({
      id: file.file_id,
      item_id: itemId,
      name: file.name,
      content_type: file.content_type,
      size: file.size,
      sha256: file.sha256,
      data,
      uploaded_by: by,
      uploaded_at: at,
    })
    .execute();
}

/** How many files an item holds. */
export async function countFiles(db: Db, itemId: string): Promise<number> {
  const row = await db
    .selectFrom("files")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("item_id", "=", itemId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const metadata = [
  "id",
  "name",
  "content_type",
  "size",
  "sha256",
  "uploaded_by",
  "uploaded_at",
] as const;

function stored(r: {
  id: string;
  name: string;
  content_type: string;
  size: number;
  sha256: string;
  uploaded_by: string;
  uploaded_at: Date;
}): StoredFile {
  return {
    file_id: r.id,
    name: r.name,
    content_type: r.content_type,
    size: r.size,
    sha256: r.sha256,
    uploaded_by: r.uploaded_by,
    uploaded_at: r.uploaded_at.toISOString(),
  };
}

/** An item's files, oldest first, without their bytes. */
export async function listFiles(db: Db, itemId: string): Promise<StoredFile[]> {
  const rows = await db
    .selectFrom("files")
    .select(metadata)
    .where("item_id", "=", itemId)
    .orderBy("uploaded_at")
    .orderBy("id")
    .execute();
  return rows.map(stored);
}

/** One of an item's files with its bytes; undefined if the item holds no such file. */
export async function readFile(
  db: Db,
  itemId: string,
  fileId: string,
): Promise<(StoredFile & { data: Buffer }) | undefined> {
  const row = await db
    .selectFrom("files")
    .select([...metadata, "data"])
    .where("item_id", "=", itemId)
    .where("id", "=", fileId)
    .executeTakeFirst();
  return row && { ...stored(row), data: row.data };
}

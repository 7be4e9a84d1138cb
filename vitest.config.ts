import { defineConfig } from "vitest/config";

// Three projects so each layer runs with what it needs: the pure domain needs nothing,
// integration and end-to-end tests get both databases from the global setup.
export default defineConfig({
  test: {
    reporters: ["default", "./test/summary-reporter.ts"],
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
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Browser tests: a real Baton serving the built web app, driven in Debian's Chromium.
        // One file at a time so the timing measurements do not compete for the two cores.
        test: {
          name: "e2e",
          include: ["e2e/**/*.e2e.test.ts"],
          globalSetup: ["e2e/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

/*
 * `npm run build:web` (run by `prepare`): builds the web app into web/dist with Vite, unless it
 * is newer than every file it is built from (`--force` builds anyway). `prepare` runs more often
 * than one would think: `npm install`, and also the first `npx baton …` in a fresh clone, which
 * the README's tour does while other tests serve web/dist; rebuilding then would empty it under
 * them (and cost ten seconds) for nothing. The browser tests' setup calls it too.
 */

const root = resolve(import.meta.dirname, "..");
const web = join(root, "web");

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newestMtime(join(path, f))));
}

/** Whether web/dist is newer than the web app's sources, its config and the lock file. */
function webIsBuilt(): boolean {
  let built = 0;
  try {
    built = statSync(join(web, "dist", "index.html")).mtimeMs;
  } catch {
    return false;
  }
  const sources = Math.max(
    newestMtime(join(web, "src")),
    newestMtime(join(web, "index.html")),
    newestMtime(join(web, "vite.config.ts")),
    newestMtime(join(root, "package-lock.json")),
  );
  return built >= sources;
}

/** Builds the web app when it is not built (or always, with `force`); true when it built. */
export function buildWeb({ force = false } = {}): boolean {
  if (!force && webIsBuilt()) return false;
  execFileSync(
    process.execPath,
    [join(root, "node_modules/vite/bin/vite.js"), "build", "--config", "web/vite.config.ts"],
    {
      cwd: root,
      stdio: "inherit",
      // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
      env: { ...process.env, NODE_ENV: "production" },
    },
  );
  return true;
}

if (process.argv[1] === import.meta.filename) {
  if (!buildWeb({ force: process.argv.includes("--force") }))
    console.log("web/dist/ is newer than its sources: not rebuilt (--force to rebuild)");
}

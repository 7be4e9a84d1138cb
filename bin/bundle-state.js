import { readFileSync, statSync } from "node:fs";

/**
 * Whether a prebuilt bundle of the `baton` command (scripts/build-cli.ts) is current: its
 * inputs.json exists and every file it lists (relative to `root`, both URLs of directories)
 * still has its size and modification time of the build. Shared by bin/baton.js, which runs
 * the source otherwise, and the build, which then has nothing to do.
 */
export function bundleIsCurrent(dir, root) {
  try {
    const inputs = JSON.parse(readFileSync(new URL("inputs.json", dir), "utf8"));
    return inputs.every(({ file, size, mtimeMs }) => {
      const s = statSync(new URL(file, root));
      return s.size === size && s.mtimeMs === mtimeMs;
    });
  } catch {
    return false;
  }
}

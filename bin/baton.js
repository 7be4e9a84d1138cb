#!/usr/bin/env node
// The `baton` command. Baton ships as TypeScript and runs through tsx's loader, so there is no
// build step between a clone and a running server.
import { readFileSync, statSync } from "node:fs";

// `baton mine FILE` reads a local file and is timed against scripts that start in 50 ms: it runs
// from the bundle `npm install` builds (scripts/build-cli.ts) while its sources are unchanged,
// and otherwise loads only its own command from source, not the API client and the others.
if (process.argv[2] === "mine") {
  const bundle = new URL("../dist/cli/", import.meta.url);
  if (bundleIsCurrent(bundle)) await import(new URL("mine.mjs", bundle).href);
  else await fromSource("../src/cli/mine-main.ts");
} else await fromSource("../src/cli/main.ts");

async function fromSource(entry) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(entry);
}

/** Whether the bundle exists and every source file in it has its size and time of the build. */
function bundleIsCurrent(dir) {
  try {
    const inputs = JSON.parse(readFileSync(new URL("inputs.json", dir), "utf8"));
    const root = new URL("../../", dir);
    return inputs.every(({ file, size, mtimeMs }) => {
      const s = statSync(new URL(file, root));
      return s.size === size && s.mtimeMs === mtimeMs;
    });
  } catch {
    return false;
  }
}

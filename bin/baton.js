#!/usr/bin/env node
// The `baton` command. Baton ships as TypeScript and runs through tsx's loader, so there is no
// build step between a clone and a running server.
import { bundleIsCurrent } from "./bundle-state.js";

// The client commands start from the bundles `npm install` builds (scripts/build-cli.ts) while
// their sources are unchanged, instead of compiling TypeScript first: `baton mine FILE` is timed
// against scripts that start in 50 ms and loads only its own command; the others skip a quarter
// of a second. The server commands, and anything whose bundle is out of date, run the source.
const SERVER_COMMANDS = new Set(["serve", "migrate", "admin"]);
const root = new URL("../", import.meta.url);
const dist = new URL("dist/cli/", root);
const command = commandOf(process.argv.slice(2));

if (process.argv[2] === "mine") await fromBundle(dist, "mine.mjs", "../src/cli/mine-main.ts");
else if (!SERVER_COMMANDS.has(command))
  await fromBundle(new URL("client/", dist), "main.mjs", "../src/cli/main.ts");
else await fromSource("../src/cli/main.ts");

/** The bundle's entry while the bundle is current, else the source; also if it is being rebuilt. */
async function fromBundle(dir, entry, source) {
  if (!bundleIsCurrent(dir, root)) return fromSource(source);
  const url = new URL(entry, dir).href;
  try {
    await import(url);
  } catch (e) {
    // `npm run build:cli` clears dist/cli before it writes the new bundle. Only the entry's own
    // absence falls back: then nothing of the command has run.
    if (e?.code !== "ERR_MODULE_NOT_FOUND" || e.url !== url) throw e;
    await fromSource(source);
  }
}

async function fromSource(entry) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(entry);
}

/** The command named: the first argument that is not a global option or its value. */
function commandOf(args) {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--url" || a === "--token") i++;
    else if (!a.startsWith("-")) return a;
  }
  return undefined;
}

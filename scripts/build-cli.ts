import { rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { build } from "esbuild";

/*
 * `npm run build:cli` (run by `prepare`, so by `npm install` and `npm ci`): a prebuilt bundle of
 * `baton mine`. The command is timed from process start against a Python script that starts in
 * 50 ms, and going through tsx's loader costs a quarter of a second before the first byte is
 * read. Everything else runs from the TypeScript source as before.
 *
 * dist/cli/ holds the bundle (mine.mjs, dependencies included; chunks/xes-worker.mjs is the
 * parallel XES reader's worker) and inputs.json: every source
 * file that went into it, and the lock file for the dependencies, with its size and
 * modification time. bin/baton.js uses the bundle only while every one of them is unchanged, so
 * an edited source is never shadowed by an old build; it runs the source instead.
 */

const root = join(import.meta.dirname, "..");
const outdir = join(root, "dist/cli");

// Chunks are named by their hash: an old build's would stay beside the new ones.
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  // The parallel XES reader's worker sits with the chunks, next to the module that starts it.
  entryPoints: { mine: "src/cli/mine-main.ts", "chunks/xes-worker": "src/mining/xes-worker.ts" },
  outdir,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  // What the command loads only when asked for (the HTML report, a proposal, the server import)
  // goes in chunks of its own, so start-up compiles only what every run needs.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  platform: "node",
  format: "esm",
  target: "node20",
  // Dependencies go in too: resolving a dozen packages in node_modules at start-up costs more
  // than reading one larger file. Those written as CommonJS `require` Node's own modules.
  banner: {
    js: 'import { createRequire as __batonRequire } from "node:module"; const require = __batonRequire(import.meta.url);',
  },
  metafile: true,
  logLevel: "warning",
});

// The dependencies bundled are pinned by the lock file: it stands for all of them.
const inputs = [
  ...Object.keys(result.metafile.inputs).filter((file) => !file.startsWith("node_modules/")),
  "package-lock.json",
]
  .sort()
  .map((file) => {
    const s = statSync(join(root, file));
    return { file, size: s.size, mtimeMs: s.mtimeMs };
  });
writeFileSync(join(outdir, "inputs.json"), `${JSON.stringify(inputs, null, 1)}\n`);
console.log(`built ${relative(root, outdir)}/ from ${inputs.length} source files`);

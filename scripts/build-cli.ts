import { rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { type BuildOptions, build, type Metafile } from "esbuild";
// @ts-expect-error: plain JavaScript, shared with bin/baton.js
import { bundleIsCurrent } from "../bin/bundle-state.js";

/*
 * `npm run build:cli` (run by `prepare`, so by `npm install` and `npm ci`): prebuilt bundles of
 * the `baton` command, so that it starts without tsx's loader compiling its TypeScript first
 * (a quarter of a second before anything happens, and `baton mine` is timed from process start
 * against a Python script that starts in 50 ms). The server (`serve`, `migrate`, `admin`) still
 * runs from the TypeScript source: it finds its migrations, examples and web app next to its
 * own files.
 *
 * - dist/cli/mine.mjs: `baton mine`, dependencies included (resolving a dozen packages in
 *   node_modules at start-up costs more than reading one larger file); chunks/xes-worker.mjs is
 *   the parallel XES reader's worker.
 * - dist/cli/client/main.mjs: every other client command; its packages stay in node_modules.
 *
 * Each has an inputs.json: every source file that went into it, the lock file for the
 * dependencies and this script, with its size and modification time. bin/baton.js uses a
 * bundle only while every one of them is unchanged, so an edited source is never shadowed by
 * an old build; it runs the source instead, and this script rebuilds only then.
 */

const root = join(import.meta.dirname, "..");
const outdir = join(root, "dist/cli");

const common: BuildOptions = {
  absWorkingDir: root,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  // What a command loads only when asked for (the HTML report, a proposal, the server import)
  // goes in chunks of its own, so start-up compiles only what every run needs.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  platform: "node",
  format: "esm",
  target: "node20",
  metafile: true,
  logLevel: "warning",
};

// `prepare` also runs on the first `npx baton` of a fresh clone: with both bundles current there
// is nothing to do, and clearing dist/cli would pull it from under commands running meanwhile.
const here = pathToFileURL(`${root}/`);
if (
  !process.argv.includes("--force") &&
  bundleIsCurrent(pathToFileURL(`${outdir}/`), here) &&
  bundleIsCurrent(pathToFileURL(`${outdir}/client/`), here)
) {
  console.log("dist/cli/ is current: not rebuilt (--force to rebuild)");
  process.exit(0);
}

// Chunks are named by their hash: an old build's would stay beside the new ones.
rmSync(outdir, { recursive: true, force: true });
const mine = await build({
  ...common,
  // The parallel XES reader's worker sits with the chunks, next to the module that starts it.
  entryPoints: { mine: "src/cli/mine-main.ts", "chunks/xes-worker": "src/mining/xes-worker.ts" },
  outdir,
  // Dependencies go in too. Those written as CommonJS `require` Node's own modules.
  banner: {
    js: 'import { createRequire as __batonRequire } from "node:module"; const require = __batonRequire(import.meta.url);',
  },
});
record(mine.metafile, outdir);
const client = await build({
  ...common,
  entryPoints: { main: "src/cli/main.ts" },
  outdir: join(outdir, "client"),
  packages: "external",
});
record(client.metafile, join(outdir, "client"));

/**
 * Writes the bundle's inputs.json: its sources, the lock file (for the dependencies it pins)
 * and this script (for how they were put together).
 */
function record(metafile: Metafile | undefined, dir: string): void {
  if (metafile === undefined) throw new Error("esbuild gave no metafile");
  const inputs = [
    ...Object.keys(metafile.inputs).filter((file) => !file.startsWith("node_modules/")),
    "package-lock.json",
    "scripts/build-cli.ts",
  ]
    .sort()
    .map((file) => {
      const s = statSync(join(root, file));
      return { file, size: s.size, mtimeMs: s.mtimeMs };
    });
  writeFileSync(join(dir, "inputs.json"), `${JSON.stringify(inputs, null, 1)}\n`);
  console.log(`built ${relative(root, dir)}/ from ${inputs.length} source files`);
}

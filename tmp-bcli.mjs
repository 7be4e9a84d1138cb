import { build } from "esbuild";
const r = await build({ absWorkingDir: process.cwd(), entryPoints: { main: "src/cli/main.ts" }, outdir: "/work/wt-suite/dist/tmpcli", outExtension: { ".js": ".mjs" }, bundle: true, platform: "node", format: "esm", target: "node20", banner: { js: 'import { createRequire as __batonRequire } from "node:module"; const require = __batonRequire(import.meta.url);' }, metafile: true, logLevel: "warning" });
console.log(Object.keys(r.metafile.inputs).length);

import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

/**
 * Writes .br and .gz beside each script and stylesheet, which Baton serves to browsers that
 * accept them (@fastify/static `preCompressed`), so no compression runs per request.
 */
function precompress(): Plugin {
  return {
    name: "baton-precompress",
    apply: "build",
    async writeBundle(options, bundle) {
      const dir = options.dir ?? "dist";
      for (const file of Object.keys(bundle)) {
        if (!/\.(js|css|html|svg)$/.test(file)) continue;
        const data = await readFile(join(dir, file));
        if (data.length < 1024) continue;
        await writeFile(
          join(dir, `${file}.br`),
          brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
        await writeFile(join(dir, `${file}.gz`), gzipSync(data, { level: 9 }));
      }
    },
  };
}

/*
 * The web app is built into web/dist and served by Baton itself (src/http/static.ts). `npm
 * install` builds it through the root "prepare" script; `npm run dev:web` proxies /api to a
 * Baton on :7400 for hot reload.
 */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [react(), precompress()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The map and the editor are split into their own chunks; warn when the entry grows.
    chunkSizeWarningLimit: 800,
    reportCompressedSize: true,
  },
  server: {
    proxy: { "/api": { target: "http://127.0.0.1:7400", changeOrigin: false } },
  },
});

import { existsSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/*
 * Serves the web app (web/dist, built by `vite build`, which `npm install` runs through the
 * "prepare" script) at `/`. Hashed assets are cached for a year; every other path that is not
 * under /api gets index.html so the app's router can handle deep links (/items/ONB-1).
 * Unknown /api paths still get the API's problem+json 404.
 */

/** Where `vite build` puts the app. */
export const webDist = resolve(dirname(fileURLToPath(import.meta.url)), "../../web/dist");

const notBuilt = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Baton</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem">
<h1>The web app is not built</h1>
<p>Baton's API is running (see <a href="/api/docs">/api/docs</a>), but <code>web/dist</code> is
missing. <code>npm install</code> builds it; or run <code>npm run build:web</code> and reload.</p>
</body></html>`;

export async function registerWebApp(
  app: FastifyInstance,
  { root = webDist }: { root?: string } = {},
): Promise<void> {
  // `serve: false`: only reply.sendFile; our own route below decides what to send.
  await app.register(fastifyStatic, { root, serve: false, preCompressed: true });

  app.get("/*", { schema: { hide: true } }, async (request, reply) => {
    const path = (request.params as { "*": string })["*"] ?? "";
    if (path === "api" || path.startsWith("api/") || path.split("/").includes(".."))
      return reply.callNotFound();
    // Checked per request, so a build made while Baton runs is picked up without a restart.
    if (!existsSync(join(root, "index.html")))
      return reply.code(503).type("text/html; charset=utf-8").send(notBuilt);
    if (path.startsWith("assets/") && existsSync(join(root, path)))
      return reply.sendFile(path, { maxAge: "365d", immutable: true });
    if (extname(path) && existsSync(join(root, path))) return reply.sendFile(path);
    if (path.startsWith("assets/")) return reply.callNotFound();
    // index.html names the current hashed assets: always revalidate it.
    return reply
      .header("cache-control", "no-cache")
      .sendFile("index.html", { cacheControl: false });
  });
}

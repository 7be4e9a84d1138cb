import type { FastifyPluginAsync } from "fastify";
import { DomainError } from "../../domain/errors.ts";
import type { Engine } from "../../engine/engine.ts";
import { RETRY_AFTER_S } from "../../engine/health.ts";

/*
 * Probes for process managers and load balancers, outside /api/v1 and without credentials.
 * /healthz: the process is alive and its event loop turns (restart it if not). /readyz: this
 * node can serve requests now — the database answers within 1 s and its migrations are the
 * ones this Baton ships (send it no traffic if not; it recovers by itself).
 */
export const healthRoutes =
  (engine: Engine): FastifyPluginAsync =>
  async (app) => {
    // Never rate limited: a probe refused with 429 would take a healthy node out of rotation
    // (or get it restarted) whenever a global per-IP limit is set.
    const probe = { schema: { hide: true }, config: { rateLimit: false } } as const;
    app.get("/healthz", probe, async () => ({ ok: true }));
    app.get("/readyz", probe, async (request) => {
      const r = await engine.readiness({ timeoutMs: 1000 });
      if (r.cause) request.log.warn({ err: r.cause }, `not ready: the database is ${r.database}`);
      if (!r.ready)
        throw new DomainError(
          "unavailable",
          r.database === "ok"
            ? `The database schema does not match this Baton (migrations ${r.migrations}).`
            : `The database is ${r.database === "timeout" ? "not answering within 1 s" : r.database}.`,
          { database: r.database, migrations: r.migrations, retry_after: RETRY_AFTER_S },
        );
      return { ok: true, database: r.database, migrations: r.migrations };
    });
  };

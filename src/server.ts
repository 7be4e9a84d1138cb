import type { FastifyInstance } from "fastify";
import pino from "pino";
import type { Config } from "./config.ts";
import { toPrincipal } from "./engine/directory.ts";
import { createEngine, type Engine } from "./engine/engine.ts";
import { limitPasswordWork } from "./engine/password-work.ts";
import { DEMO_PASSWORD, seedDemo } from "./engine/seed.ts";
import { singleSignOnSettingsOf } from "./engine/single-sign-on.ts";
import { buildApp } from "./http/app.ts";
import { httpSettingsOf } from "./http/limits.ts";
import { migrate, openDb } from "./store/db.ts";
import { type Notice, openEmbedded } from "./store/embedded.ts";

/*
 * Starting Baton: pick the database (a PostgreSQL server from DATABASE_URL, or the embedded
 * one), migrate, make the first admin, load the demo into an empty database, serve HTTP.
 */

export interface Running {
  url: string;
  engine: Engine;
  app: FastifyInstance;
  /** What a newcomer needs to sign in, when this start created it. */
  welcome: string | null;
  close(): Promise<void>;
}

/** Opens the configured database and migrates it. The caller closes what it returns. */
export async function openStore(
  config: Config,
  log: (m: string) => void = () => {},
  notice?: Notice,
) {
  const embedded = config.DATABASE_URL
    ? null
    : await openEmbedded({ dataDir: config.BATON_DATA_DIR, log, ...(notice ? { notice } : {}) });
  const url = config.DATABASE_URL ?? (embedded?.url as string);
  const db = openDb(url, { max: config.BATON_DB_POOL });
  try {
    await migrate(db);
  } catch (e) {
    await db.destroy();
    await embedded?.stop();
    throw e;
  }
  return {
    db,
    url,
    embedded,
    close: async () => {
      await db.destroy();
      await embedded?.stop();
    },
  };
}

export async function startBaton(config: Config): Promise<Running> {
  const logger = pino({ level: config.LOG_LEVEL });
  const store = await openStore(
    config,
    (m) => logger.debug(m),
    (level, m) => logger[level]({ component: "embedded-postgres" }, m),
  );
  const readDb = config.DATABASE_READ_URL
    ? openDb(config.DATABASE_READ_URL, { max: config.BATON_DB_POOL })
    : undefined;
  const engine = createEngine({
    db: store.db,
    url: store.url,
    ...(readDb ? { readDb } : {}),
    importLimits: { cases: config.BATON_IMPORT_MAX_CASES, events: config.BATON_IMPORT_MAX_EVENTS },
    onError: (e) => logger.warn({ err: e }, "background work (live feed, timers, deliveries)"),
    logger,
    notify: {
      smtpUrl: config.BATON_SMTP_URL,
      mailFrom: config.BATON_MAIL_FROM,
      publicUrl: config.BATON_PUBLIC_URL ?? `http://localhost:${config.PORT}`,
      maxAttempts: config.BATON_DELIVERY_MAX_ATTEMPTS,
    },
    webhooks: {
      allowPrivate: config.BATON_WEBHOOKS_ALLOW_PRIVATE,
      disableAfter: config.BATON_WEBHOOK_DISABLE_AFTER,
      timeoutMs: config.BATON_WEBHOOK_TIMEOUT_MS,
    },
  });
  let welcome: string | null = null;
  try {
    welcome = await firstRun(engine, config);
  } catch (e) {
    await store.close();
    throw e;
  }
  if (config.BATON_PASSWORD_CONCURRENCY !== undefined)
    limitPasswordWork({ concurrency: config.BATON_PASSWORD_CONCURRENCY });
  const app = await buildApp({
    engine,
    logLevel: config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL,
    http: httpSettingsOf(config),
    sso: singleSignOnSettingsOf(config),
    passwordSignIn: config.BATON_PASSWORD_SIGN_IN,
  });
  try {
    await app.listen({ port: config.PORT, host: config.HOST });
  } catch (e) {
    await store.close();
    throw e;
  }
  engine.startWorkers({
    which: config.BATON_WORKERS,
    metricsSweepMs: config.BATON_METRICS_SWEEP_MS,
  });
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : config.PORT;
  const host = config.HOST === "0.0.0.0" || config.HOST === "127.0.0.1" ? "localhost" : config.HOST;
  return {
    url: `http://${host}:${port}`,
    engine,
    app,
    welcome,
    close: async () => {
      await app.close();
      await engine.close();
      await readDb?.destroy();
      await store.close();
    },
  };
}

/** On an empty database: the first admin, and the demo unless BATON_DEMO=false. */
async function firstRun(engine: Engine, config: Config): Promise<string | null> {
  if (await engine.directory.hasUsers()) return null;
  const generated = !config.BATON_ADMIN_TOKEN;
  const adminToken =
    config.BATON_ADMIN_TOKEN ?? `bt_admin_${crypto.randomUUID().replaceAll("-", "")}`;
  if (!(await engine.directory.bootstrapAdmin(adminToken))) return null;
  const adminPassword = crypto.randomUUID().slice(0, 18);
  await engine.directory.setPassword("system", "admin@baton.local", adminPassword);
  const lines = [
    "Baton is set up. Sign in to the web app with e-mail and password, or use an API token:",
    `  ${"admin@baton.local (admin)".padEnd(27)} password ${adminPassword.padEnd(18)}  token ${generated ? adminToken : "(BATON_ADMIN_TOKEN)"}`,
  ];
  if (config.BATON_DEMO) {
    const admin = toPrincipal(await engine.directory.getUser("admin@baton.local"));
    for (const u of await seedDemo(engine, admin))
      lines.push(`  ${u.email.padEnd(27)} password ${DEMO_PASSWORD.padEnd(18)}  token ${u.token}`);
    lines.push(
      "",
      "Demo workflows: onboarding (ONB) and incident (INC). Try:",
      "  export BATON_TOKEN=<sam@example.com's token>",
      "  npx baton item create onboarding --title 'ACME Corp'",
    );
  }
  return lines.join("\n");
}

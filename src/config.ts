import { z } from "zod";
import { parseTeamsMap } from "./domain/sign-in-claims.ts";
import { WORKERS, type Worker } from "./engine/workers.ts";

/*
 * Every setting Baton reads, parsed once at start. Nothing else reads process.env.
 */
const schema = z
  .object({
    /** TCP port of the HTTP server. */
    PORT: z.coerce.number().int().min(0).max(65535).default(7400),
    /** Interface to listen on; 127.0.0.1 keeps a laptop install private, 0.0.0.0 serves a network. */
    HOST: z.string().default("127.0.0.1"),
    /** A PostgreSQL 15+ server to use instead of the embedded one. */
    DATABASE_URL: z.string().url().optional(),
    /**
     * A PostgreSQL read replica (streaming replica of DATABASE_URL) for the metrics and review
     * reads; writes, including the metrics rollups, always go to DATABASE_URL.
     */
    DATABASE_READ_URL: z.string().url().optional(),
    /** How often the metrics worker sweeps every item for stale rollups, in ms (default 15 min). */
    BATON_METRICS_SWEEP_MS: z.coerce.number().int().min(1000).default(900_000),
    /** Cases one history import (`baton mine --import`) may hold; past it, `import_too_large`. */
    BATON_IMPORT_MAX_CASES: z.coerce.number().int().min(1).max(10_000_000).default(200_000),
    /** Events one history import may hold (those with a case and a timestamp). */
    BATON_IMPORT_MAX_EVENTS: z.coerce.number().int().min(1).max(100_000_000).default(2_000_000),
    /** Where the embedded PostgreSQL keeps its data. */
    BATON_DATA_DIR: z.string().default("./.baton"),
    /** On an empty database, create an admin (admin@baton.local) who holds this token. */
    BATON_ADMIN_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
    /** Load the example workflows with demo teams and users into an empty database (default on). */
    BATON_DEMO: z
      .enum(["true", "false", "1", "0"])
      .default("true")
      .transform((v) => v === "true" || v === "1"),
    /** Size of the PostgreSQL connection pool of this node. */
    BATON_DB_POOL: z.coerce.number().int().min(1).max(500).default(10),
    /**
     * Which proxies in front of Baton to believe about the client (Fastify's `trustProxy`): unset or
     * "false" believes none; "true" believes any (only when nothing can reach Baton but the proxy);
     * a number trusts that many hops; otherwise a comma-separated list of addresses or CIDRs
     * ("127.0.0.1,10.0.0.0/8"). Trusted X-Forwarded-For sets the IP that rate limits count, and
     * X-Forwarded-Proto: https marks the session cookie Secure.
     */
    BATON_TRUST_PROXY: z
      .string()
      .default("false")
      .transform((v): boolean | number | string => {
        if (v === "true") return true;
        if (v === "false") return false;
        return /^\d+$/.test(v) ? Number(v) : v;
      }),
    /** The whole request (headers and body) must arrive within this many ms, or it is answered 408 and closed. */
    BATON_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
    /** The request headers must arrive within this many ms (at most the request timeout). */
    BATON_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1000).default(10_000),
    /**
     * A connection with no traffic either way for this many ms is closed. Live streams send a
     * heartbeat every 20 s, so this stays above that.
     */
    BATON_IDLE_TIMEOUT_MS: z.coerce.number().int().min(30_000).default(120_000),
    /** An idle keep-alive connection is closed after this many ms (keep above a load balancer's idle timeout). */
    BATON_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1000).default(72_000),
    /** Open connections one IP address may hold at once; more are refused (0: no cap). */
    BATON_MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(0).default(256),
    /** Sign-in attempts per minute from one IP address. */
    BATON_RATE_LIMIT_SIGN_IN_PER_IP: z.coerce.number().int().min(1).default(20),
    /** Wrong passwords per 15 minutes for one account, from anywhere; then sign-in waits. */
    BATON_RATE_LIMIT_SIGN_IN_PER_ACCOUNT: z.coerce.number().int().min(1).default(10),
    /** API tokens a user may create per minute (admins issuing tokens for others are exempt). */
    BATON_RATE_LIMIT_TOKENS: z.coerce.number().int().min(1).default(20),
    /** Workflow validations and publications per minute per user. */
    BATON_RATE_LIMIT_WORKFLOWS: z.coerce.number().int().min(1).default(120),
    /** Requests per minute per IP address to public, unauthenticated pages (the status link). */
    BATON_RATE_LIMIT_PUBLIC: z.coerce.number().int().min(1).default(60),
    /** Requests per minute per IP address to any route without a limit of its own (0: off). */
    BATON_RATE_LIMIT_GLOBAL: z.coerce.number().int().min(0).default(0),
    /**
     * Password hashes and checks (argon2, about 25 ms of a core each) run at once; more wait in a
     * short queue, and past it are refused with 429. Default: half the cores, at least one.
     */
    BATON_PASSWORD_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
    /**
     * The address people reach Baton at (https://baton.example.com), without a trailing path. Links
     * Baton hands out and the single sign-on callback (BATON_OIDC_REDIRECT_URL) are built from it.
     */
    BATON_PUBLIC_URL: z.string().url().optional(),
    /**
     * Single sign-on: the OpenID Connect issuer (https://login.example.com/realms/acme). Setting it
     * turns on "Sign in with …"; its discovery document names every endpoint and key.
     */
    BATON_OIDC_ISSUER: z.string().url().optional(),
    /** The client id Baton is registered under at the identity provider. */
    BATON_OIDC_CLIENT_ID: z.string().min(1).optional(),
    /**
     * The client secret of that registration (a confidential client). It also keys the signature
     * of the short-lived sign-in cookie, so every node of one install must share it.
     */
    BATON_OIDC_CLIENT_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
    /**
     * Where the provider sends people back, registered with it as is. Default:
     * BATON_PUBLIC_URL + /api/v1/session/oidc/callback.
     */
    BATON_OIDC_REDIRECT_URL: z.string().url().optional(),
    /** Scopes asked for, space-separated; must include openid. Add the scope that releases the teams claim. */
    BATON_OIDC_SCOPES: z
      .string()
      .default("openid email profile")
      .refine((v) => v.split(/\s+/).includes("openid"), "must include openid"),
    /** The provider's name on the sign-in button: "Sign in with <name>". */
    BATON_OIDC_NAME: z.string().min(1).max(60).default("single sign-on"),
    /**
     * A claim listing the user's groups (e.g. groups, or realm_access.roles for a nested one). When
     * set, every sign-in sets the user's teams from it (see BATON_OIDC_TEAMS_MAP); unset, teams
     * are managed in Baton only.
     */
    BATON_OIDC_TEAMS_CLAIM: z.string().min(1).max(200).optional(),
    /**
     * How claim values become teams: comma-separated `value=team` or `value=team:lead`
     * ("baton-sales=sales,/support/leads=support:lead"). Unset: a value that is a team's key
     * (or a group path such as /sales ending in one) makes its holder a member.
     */
    BATON_OIDC_TEAMS_MAP: z.string().optional(),
    /**
     * Accept an e-mail address the provider does not mark `email_verified: true`. Only for a
     * provider that issues every address itself (a single-tenant directory without guests).
     */
    BATON_OIDC_TRUST_EMAIL: z
      .enum(["true", "false", "1", "0"])
      .default("false")
      .transform((v) => v === "true" || v === "1"),
    /**
     * Sign-in with e-mail and password (default on). "false" makes single sign-on the only way
     * into the web app; API tokens keep working.
     */
    BATON_PASSWORD_SIGN_IN: z
      .enum(["true", "false", "1", "0"])
      .default("true")
      .transform((v) => v === "true" || v === "1"),
    /** The largest file one upload may carry, in bytes (files are held in memory while stored). */
    BATON_UPLOAD_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(20 * 1024 * 1024),
    /**
     * SMTP server for e-mail notifications: `smtp://user:pass@host:port` (STARTTLS when offered)
     * or `smtps://user:pass@host:465` (TLS from the start). Unset: e-mail is off, the in-app
     * inbox still works.
     */
    BATON_SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\/\S+$/, "must be smtp://user:pass@host:port or smtps://…")
      .optional(),
    /** The From of notification mails. */
    BATON_MAIL_FROM: z.string().min(3).default("Baton <baton@localhost>"),
    /** Tries of a delivery (an e-mail, a webhook) before it is marked failed for good. */
    BATON_DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
    /**
     * Which background workers this node runs: `all` (the default), `none`, or a comma-separated
     * list of `timers`, `notifications` (the outbox fan-out), `deliveries` (e-mail, webhooks) and
     * `metrics` (the rollups). Each is safe on any number of nodes; a node without them only
     * serves requests, so they can run on nodes of their own.
     */
    BATON_WORKERS: z
      .string()
      .default("all")
      .transform((v, ctx): Worker[] => {
        const words = v
          .split(",")
          .map((w) => w.trim())
          .filter(Boolean);
        if (words.length === 1 && words[0] === "all") return [...WORKERS];
        if (words.length === 1 && words[0] === "none") return [];
        const unknown = words.filter((w) => !(WORKERS as readonly string[]).includes(w));
        if (unknown.length > 0 || words.length === 0) {
          ctx.addIssue({
            code: "custom",
            message: `must be all, none or a list of ${WORKERS.join(", ")}${unknown.length ? ` (not ${unknown.join(", ")})` : ""}`,
          });
          return z.NEVER;
        }
        return [...new Set(words as Worker[])];
      }),
    /**
     * Let webhooks go to loopback, private and link-local addresses (a closed network, tests).
     * Off: a subscription whose URL resolves to such an address is refused (SSRF).
     */
    BATON_WEBHOOKS_ALLOW_PRIVATE: z
      .enum(["true", "false", "1", "0"])
      .default("false")
      .transform((v) => v === "true" || v === "1"),
    /** Messages in a row that end failed (after all retries) before a webhook is disabled. */
    BATON_WEBHOOK_DISABLE_AFTER: z.coerce.number().int().min(1).max(1000).default(5),
    /** One webhook try's time limit, connect to last byte (ms). */
    BATON_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    /** pino log level. */
    LOG_LEVEL: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default("info"),
  })
  .superRefine((c, ctx) => {
    const need = (path: string, message: string) =>
      ctx.addIssue({ code: "custom", path: [path], message });
    const oidc = c.BATON_OIDC_ISSUER ?? c.BATON_OIDC_CLIENT_ID ?? c.BATON_OIDC_CLIENT_SECRET;
    if (oidc !== undefined) {
      for (const key of [
        "BATON_OIDC_ISSUER",
        "BATON_OIDC_CLIENT_ID",
        "BATON_OIDC_CLIENT_SECRET",
      ] as const)
        if (c[key] === undefined)
          need(key, "is needed for single sign-on (BATON_OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET)");
      if (!c.BATON_OIDC_REDIRECT_URL && !c.BATON_PUBLIC_URL)
        need(
          "BATON_OIDC_REDIRECT_URL",
          "is needed for single sign-on (or BATON_PUBLIC_URL to derive it from)",
        );
    }
    // Tokens and keys travel over these: only a provider on this machine may go without TLS.
    for (const key of ["BATON_OIDC_ISSUER", "BATON_OIDC_REDIRECT_URL"] as const) {
      const url = c[key];
      if (url && !url.startsWith("https:") && !isLoopbackUrl(url))
        need(key, "must be https (plain http only on localhost)");
    }
    if (!c.BATON_PASSWORD_SIGN_IN && c.BATON_OIDC_ISSUER === undefined)
      need(
        "BATON_PASSWORD_SIGN_IN",
        "can be false only with single sign-on configured (BATON_OIDC_ISSUER)",
      );
    if (c.BATON_OIDC_TEAMS_MAP !== undefined)
      try {
        parseTeamsMap(c.BATON_OIDC_TEAMS_MAP);
      } catch (e) {
        need("BATON_OIDC_TEAMS_MAP", (e as Error).message);
      }
  });

/** Whether `url` points at this machine (localhost, 127.x, ::1), where plain http is acceptable. */
export function isLoopbackUrl(url: string | URL): boolean {
  const { hostname } = new URL(url);
  return (
    hostname === "localhost" ||
    hostname.endsWith(".localhost") ||
    hostname === "[::1]" ||
    /^127\.\d+\.\d+\.\d+$/.test(hostname)
  );
}

export type Config = z.output<typeof schema>;

/** Parses settings from the environment (plus overrides from command-line flags). */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Config> = {},
): Config {
  // An empty variable (DATABASE_URL= ) means "not set", as in most tools.
  const set = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ""),
  );
  const parsed = schema.safeParse(set);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return {
    ...parsed.data,
    ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
  };
}

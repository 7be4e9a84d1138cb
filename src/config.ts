import { z } from "zod";

/*
 * Every setting Baton reads, parsed once at start. Nothing else reads process.env.
 */
const schema = z.object({
  /** TCP port of the HTTP server. */
  PORT: z.coerce.number().int().min(0).max(65535).default(7400),
  /** Interface to listen on; 127.0.0.1 keeps a laptop install private, 0.0.0.0 serves a network. */
  HOST: z.string().default("127.0.0.1"),
  /** A PostgreSQL 15+ server to use instead of the embedded one. */
  DATABASE_URL: z.string().url().optional(),
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
  /** pino log level. */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

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

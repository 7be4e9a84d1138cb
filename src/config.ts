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

import type { Server } from "node:http";
import rateLimit, { normalizeIP, type RateLimitOptions } from "@fastify/rate-limit";
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyRequest,
  onRequestHookHandler,
} from "fastify";
import { type Config, loadConfig } from "../config.ts";
import { DomainError } from "../domain/errors.ts";

/*
 * The usual limits of a server on a network: how fast a client may try passwords, mint tokens or
 * make the server validate workflows, how long a request may take to arrive, and how many
 * connections one address may hold. Every figure comes from src/config.ts (README, "Security and
 * operations"). The handoff commands have no limit of their own: they are cheap, and a global
 * per-IP limit (off by default) is there for deployments that want one.
 *
 * Counters live in this node's memory: with several nodes behind a load balancer each node
 * counts on its own, so a client gets up to N times the figure across N nodes.
 */

/** Everything the HTTP layer needs to know about limits, timeouts and proxies. */
export interface HttpSettings {
  /** Fastify's `trustProxy`: which proxies' X-Forwarded-* headers to believe. */
  trustProxy: boolean | number | string;
  /** The whole request must arrive within this (ms); else 408 and the connection closes. */
  requestTimeoutMs: number;
  /** The headers must arrive within this (ms); at most `requestTimeoutMs`. */
  headersTimeoutMs: number;
  /** A connection silent both ways this long (ms) is closed. */
  idleTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (ms). */
  keepAliveTimeoutMs: number;
  /** Open connections per remote address; 0: no cap. */
  maxConnectionsPerIp: number;
  /** The largest uploaded file, in bytes. */
  uploadMaxBytes: number;
  rateLimits: RateLimits;
}

/** Requests allowed per window; see the BATON_RATE_LIMIT_* settings. */
export interface RateLimits {
  /** Sign-in attempts per minute per IP. */
  signInPerIp: number;
  /** Wrong passwords per 15 minutes per account. */
  signInPerAccount: number;
  /** Tokens created per minute per user (admins exempt). */
  tokens: number;
  /** Workflow validations and publications per minute per user. */
  workflows: number;
  /** Public, unauthenticated pages per minute per IP. */
  public: number;
  /** Any other route, per minute per IP; 0: off. */
  global: number;
}

/** The settings from a parsed configuration. */
export function httpSettingsOf(config: Config): HttpSettings {
  return {
    trustProxy: config.BATON_TRUST_PROXY,
    requestTimeoutMs: config.BATON_REQUEST_TIMEOUT_MS,
    headersTimeoutMs: Math.min(config.BATON_HEADERS_TIMEOUT_MS, config.BATON_REQUEST_TIMEOUT_MS),
    idleTimeoutMs: config.BATON_IDLE_TIMEOUT_MS,
    keepAliveTimeoutMs: config.BATON_KEEP_ALIVE_TIMEOUT_MS,
    maxConnectionsPerIp: config.BATON_MAX_CONNECTIONS_PER_IP,
    uploadMaxBytes: config.BATON_UPLOAD_MAX_BYTES,
    rateLimits: {
      signInPerIp: config.BATON_RATE_LIMIT_SIGN_IN_PER_IP,
      signInPerAccount: config.BATON_RATE_LIMIT_SIGN_IN_PER_ACCOUNT,
      tokens: config.BATON_RATE_LIMIT_TOKENS,
      workflows: config.BATON_RATE_LIMIT_WORKFLOWS,
      public: config.BATON_RATE_LIMIT_PUBLIC,
      global: config.BATON_RATE_LIMIT_GLOBAL,
    },
  };
}

/** The defaults of src/config.ts, for apps built without a configuration (tests). */
export const defaultHttpSettings: HttpSettings = httpSettingsOf(loadConfig({}));

/** The named limits a route can ask for with `config: { limit: "…" }`. */
export type LimitName = "sign_in" | "tokens" | "workflows" | "public";

declare module "fastify" {
  interface FastifyContextConfig {
    /** A named rate limit for this route (src/http/limits.ts). */
    limit?: LimitName;
  }
  interface FastifyInstance {
    /** Counts wrong passwords per account; see `registerRateLimits`. */
    signInGuard: SignInGuard;
  }
}

/** Wrong passwords per account, whatever address they come from. */
export interface SignInGuard {
  /** Refuses with `rate_limited` while the account has had too many wrong passwords. */
  check(request: FastifyRequest, email: string): Promise<void>;
  /** Counts one wrong password for the account. */
  failed(request: FastifyRequest, email: string): Promise<void>;
}

const MINUTE = 60_000;

/** The caller's user when signed in (the auth hook has run), else their address. */
function callerKey(request: FastifyRequest): string {
  return request.principal ? `user:${request.principal.user.id}` : normalizeIP(request.ip);
}

/**
 * Registers @fastify/rate-limit and resolves each route's `config.limit` into its limit. Must run
 * before any route is added (it reads routes as they are declared).
 */
export async function registerRateLimits(app: FastifyInstance, limits: RateLimits): Promise<void> {
  const presets: Record<LimitName, RateLimitOptions> = {
    // Counted before the body is even read, so a flood costs no parsing and no argon2.
    sign_in: { max: limits.signInPerIp, timeWindow: MINUTE },
    tokens: {
      max: limits.tokens,
      timeWindow: MINUTE,
      keyGenerator: callerKey,
      // Admins issue tokens for others in bulk (onboarding scripts); the limit is for a user,
      // or a stolen session, minting their own.
      allowList: (request) => request.principal?.isAdmin === true,
    },
    // Validating and publishing share one budget: both parse and check a whole definition.
    workflows: { max: limits.workflows, timeWindow: MINUTE, keyGenerator: callerKey },
    public: { max: limits.public, timeWindow: MINUTE },
  };
  // One handler (one counter) per name, shared by every route that names it. Route-level
  // onRequest hooks run after the auth hook, so `callerKey` sees the principal.
  let handlers: Record<LimitName, onRequestHookHandler> | undefined;
  app.addHook("onRoute", (route) => {
    const name = route.config?.limit;
    if (!name || !route.config) return;
    if (!handlers) throw new Error("rate limits are registered before routes");
    // The named limit replaces the global one on this route (the plugin runs one per request).
    route.config.rateLimit = false;
    route.onRequest = [route.onRequest ?? []].flat().concat(handlers[name]);
  });
  await app.register(rateLimit, {
    global: limits.global > 0,
    max: limits.global || 1,
    timeWindow: MINUTE,
    errorResponseBuilder: (_request, context) =>
      new DomainError("rate_limited", `Too many requests; try again in ${context.after}.`, {
        retry_after: Math.max(1, Math.ceil(context.ttl / 1000)),
      }),
  });
  handlers = {
    sign_in: app.rateLimit(presets.sign_in),
    tokens: app.rateLimit(presets.tokens),
    workflows: app.rateLimit(presets.workflows),
    public: app.rateLimit(presets.public),
  };

  const failures = app.createRateLimit({
    max: limits.signInPerAccount,
    timeWindow: 15 * MINUTE,
    keyGenerator: (request) =>
      `account:${String((request.body as { email?: unknown } | undefined)?.email ?? "")
        .trim()
        .toLowerCase()}`,
  });
  app.decorate<SignInGuard>("signInGuard", {
    async check(request) {
      const state = await failures(request, { increment: false });
      if (!state.isAllowed && state.remaining === 0)
        throw new DomainError(
          "rate_limited",
          `Too many wrong passwords for this account; try again in ${Math.ceil(state.ttlInSeconds / 60)} min.`,
          { retry_after: Math.max(1, state.ttlInSeconds) },
        );
    },
    async failed(request) {
      await failures(request);
    },
  });
}

/**
 * Caps the connections one remote address holds open at once: a client that opens thousands
 * (each trickling a request) cannot use up the server's sockets. Counted on the TCP connection,
 * so behind a proxy it is the proxy's address that counts: raise or turn off the cap there.
 */
export function capConnectionsPerIp(server: Server, max: number, log: FastifyBaseLogger): void {
  if (max <= 0) return;
  const open = new Map<string, number>();
  let lastWarning = 0;
  server.on("connection", (socket) => {
    const ip = socket.remoteAddress ?? "unknown";
    const count = (open.get(ip) ?? 0) + 1;
    if (count > max) {
      // One line a minute at most: a flood of refusals must not become a flood of logs.
      const now = Date.now();
      if (now - lastWarning > MINUTE) {
        lastWarning = now;
        log.warn({ ip, max }, "refused connections over the per-address cap");
      }
      socket.destroy();
      return;
    }
    open.set(ip, count);
    socket.once("close", () => {
      const left = (open.get(ip) ?? 1) - 1;
      if (left > 0) open.set(ip, left);
      else open.delete(ip);
    });
  });
}

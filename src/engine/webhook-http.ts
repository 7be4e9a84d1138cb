import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP } from "node:net";
import { Agent, request } from "undici";
import { DomainError } from "../domain/errors.ts";

/*
 * Sending a webhook without letting a subscriber point Baton at its own network (SSRF). A
 * target must be http(s) without credentials, and every address its name resolves to must be
 * public: not loopback, private, link-local, shared (CGNAT), multicast, documentation or
 * reserved, in IPv4 or IPv6 — including IPv4 written inside IPv6 (`::ffff:127.0.0.1`, NAT64,
 * 6to4). The check runs when a subscription is made and again on every try, and the HTTP agent
 * checks the addresses it actually connects to (its DNS lookup refuses a blocked answer), so a
 * name that resolves to a public address at creation and to 127.0.0.1 later (DNS rebinding)
 * gets nowhere. Redirects are not followed. `allowPrivate` (BATON_WEBHOOKS_ALLOW_PRIVATE)
 * turns all of it off, for tests and closed networks.
 */

/** Why an address is refused, in words for the problem+json. */
export type AddressProblem =
  | "loopback"
  | "private"
  | "link-local"
  | "shared address space (CGNAT)"
  | "multicast"
  | "unspecified"
  | "reserved"
  | "documentation";

type Range4 = [base: number, bits: number, problem: AddressProblem];

const ranges4: Range4[] = [
  [ip4("0.0.0.0"), 8, "unspecified"],
  [ip4("10.0.0.0"), 8, "private"],
  [ip4("100.64.0.0"), 10, "shared address space (CGNAT)"],
  [ip4("127.0.0.0"), 8, "loopback"],
  [ip4("169.254.0.0"), 16, "link-local"],
  [ip4("172.16.0.0"), 12, "private"],
  [ip4("192.0.0.0"), 24, "reserved"],
  [ip4("192.0.2.0"), 24, "documentation"],
  [ip4("192.88.99.0"), 24, "reserved"],
  [ip4("192.168.0.0"), 16, "private"],
  [ip4("198.18.0.0"), 15, "reserved"],
  [ip4("198.51.100.0"), 24, "documentation"],
  [ip4("203.0.113.0"), 24, "documentation"],
  [ip4("224.0.0.0"), 4, "multicast"],
  [ip4("240.0.0.0"), 4, "reserved"],
];

function ip4(text: string): number {
  const parts = text.split(".").map(Number);
  return (
    (((parts[0] ?? 0) << 24) |
      ((parts[1] ?? 0) << 16) |
      ((parts[2] ?? 0) << 8) |
      (parts[3] ?? 0)) >>>
    0
  );
}

function problem4(address: string): AddressProblem | null {
  const n = ip4(address);
  for (const [base, bits, problem] of ranges4) {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    if ((n & mask) >>> 0 === (base & mask) >>> 0) return problem;
  }
  return null;
}

/** An IPv6 address as eight 16-bit groups (with an embedded dotted IPv4 tail expanded). */
function groups6(address: string): number[] {
  let text = address.split("%")[0] ?? address; // a zone id (fe80::1%eth0) is not part of it
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail?.[1]) {
    const v4 = ip4(tail[1]);
    text = `${text.slice(0, -tail[1].length)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head = "", rest] = text.split("::");
  const a = head ? head.split(":") : [];
  const b = rest === undefined ? [] : rest ? rest.split(":") : [];
  const fill = rest === undefined ? [] : new Array(8 - a.length - b.length).fill("0");
  return [...a, ...fill, ...b].map((g) => Number.parseInt(g, 16) || 0);
}

function problem6(address: string): AddressProblem | null {
  const g = groups6(address);
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embedded = () => `${g6 >> 8}.${g6 & 0xff}.${g7 >> 8}.${g7 & 0xff}`;
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0) {
    if (g5 === 0xffff) return problem4(embedded()); // ::ffff:a.b.c.d, IPv4-mapped
    if (g5 === 0 && g6 === 0 && g7 === 0) return "unspecified";
    if (g5 === 0 && g6 === 0 && g7 === 1) return "loopback";
    if (g5 === 0) return problem4(embedded()); // ::a.b.c.d, IPv4-compatible (deprecated)
  }
  // 64:ff9b::a.b.c.d (NAT64) reaches the IPv4 address inside it.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0)
    return problem4(embedded());
  // 2002:AABB:CCDD::/48 (6to4) reaches AA.BB.CC.DD.
  if (g0 === 0x2002) return problem4(`${g1 >> 8}.${g1 & 0xff}.${g2 >> 8}.${g2 & 0xff}`);
  if ((g0 & 0xfe00) === 0xfc00) return "private"; // fc00::/7 unique local
  if ((g0 & 0xffc0) === 0xfe80) return "link-local"; // fe80::/10
  if ((g0 & 0xffc0) === 0xfec0) return "private"; // fec0::/10 site-local (deprecated)
  if ((g0 & 0xff00) === 0xff00) return "multicast";
  if (g0 === 0x2001 && g1 === 0x0db8) return "documentation";
  if (g0 === 0x0100 && g1 === 0 && g2 === 0 && g3 === 0) return "reserved"; // 100::/64 discard
  return null;
}

/** Why an IP address may not be a webhook target, or null when it is a public address. */
export function addressProblem(address: string): AddressProblem | null {
  const family = isIP(address);
  if (family === 4) return problem4(address);
  if (family === 6) return problem6(address);
  return "reserved";
}

/** A refused target, as the 4xx the API answers and the error a try records. */
function refused(url: string, message: string, details: Record<string, unknown> = {}): DomainError {
  return new DomainError("webhook_target_refused", `The webhook target ${url} ${message}`, {
    errors: [{ path: "url", message }],
    ...details,
  });
}

function resolveAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    // A resolver that never answers must not hold a request: refused as not resolving.
    const timer = setTimeout(
      () => reject(Object.assign(new Error("DNS lookup timed out"), { code: "ETIMEOUT" })),
      LOOKUP_TIMEOUT_MS,
    );
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(addresses);
    });
  });
}

/** How long checking a new subscription's host name may take. */
const LOOKUP_TIMEOUT_MS = 1_500;

/** Largest target URL accepted. */
export const URL_MAX = 2000;

/**
 * Checks a target: a well-formed http(s) URL without credentials whose host resolves, and (unless
 * `allowPrivate`) only to public addresses. Throws `webhook_target_refused` naming the problem.
 */
export async function checkTarget(
  raw: string,
  {
    allowPrivate,
    resolve = true,
  }: {
    allowPrivate: boolean;
    /**
     * false: check an address written in the URL, but leave a host name to the connection's own
     * lookup (guardedLookup), which checks every address it resolves to. A try uses that: one
     * DNS lookup per new connection instead of one more per message.
     */
    resolve?: boolean;
  },
): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DomainError("invalid_input", `"${raw.slice(0, 100)}" is not a URL.`, {
      errors: [{ path: "url", message: "must be an absolute http:// or https:// URL" }],
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw refused(raw, `uses ${url.protocol}; only http: and https: are allowed.`);
  if (url.username || url.password)
    throw refused(
      raw,
      "carries a user name or password; put credentials in the path or a query instead.",
    );
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else if (!resolve) return url;
  else {
    try {
      addresses = (await resolveAll(host)).map((a) => a.address);
    } catch (e) {
      throw refused(
        raw,
        `has a host name that does not resolve (${(e as NodeJS.ErrnoException).code ?? "error"}).`,
      );
    }
  }
  for (const address of addresses) {
    const problem = addressProblem(address);
    if (problem)
      throw refused(
        raw,
        `resolves to ${address}, a ${problem} address; webhooks go only to public addresses (BATON_WEBHOOKS_ALLOW_PRIVATE=true allows private ones).`,
        { address, reason: problem },
      );
  }
  return url;
}

/**
 * The DNS lookup the agent connects with: every answer is checked, and one blocked answer fails
 * the connection (an attacker's name could list a public and a private address).
 */
function guardedLookup(
  hostname: string,
  options: { all?: boolean; family?: number | string },
  callback: (
    err: NodeJS.ErrnoException | null,
    address: string | LookupAddress[],
    family?: number,
  ) => void,
): void {
  dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
    if (err) return callback(err, "");
    const blocked = addresses.find((a) => addressProblem(a.address) !== null);
    if (blocked) {
      const e = new Error(
        `${hostname} resolves to ${blocked.address}, a ${addressProblem(blocked.address)} address`,
      ) as NodeJS.ErrnoException;
      e.code = "EBLOCKED";
      return callback(e, "");
    }
    const wanted =
      options.family === 4 || options.family === 6
        ? addresses.filter((a) => a.family === options.family)
        : addresses;
    if (options.all) return callback(null, wanted);
    const first = wanted[0];
    if (!first) {
      const e = new Error(`${hostname} has no address`) as NodeJS.ErrnoException;
      e.code = "ENOTFOUND";
      return callback(e, "");
    }
    callback(null, first.address, first.family);
  });
}

export interface SendOptions {
  /** Whole try (connect, headers, body) must finish within this (ms). */
  timeoutMs: number;
  /** Response bytes read at most (the rest is dropped). */
  maxResponseBytes: number;
  allowPrivate: boolean;
}

/** What one POST came to. */
export type SendResult =
  | { ok: true; status: number; durationMs: number }
  | {
      ok: false;
      status: number | null;
      error: string;
      retryAfterMs?: number;
      permanent?: boolean;
      durationMs: number;
    };

/** The HTTP agents (one guarded, one not), made on first use and kept. */
const agents: { guarded?: Agent; open?: Agent } = {};

function agentFor(allowPrivate: boolean): Agent {
  if (allowPrivate) {
    agents.open ??= new Agent({ connections: 64, keepAliveTimeout: 10_000 });
    return agents.open;
  }
  agents.guarded ??= new Agent({
    connections: 64,
    keepAliveTimeout: 10_000,
    connect: { lookup: guardedLookup as never },
  });
  return agents.guarded;
}

/** A Retry-After header (seconds or an HTTP date) in ms, capped at one hour. */
function retryAfterMs(value: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const seconds = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v) - now;
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 3_600_000) : undefined;
}

/**
 * POSTs one message. Any 2xx is delivered; 410 Gone is permanent; 429 and 503 honour
 * Retry-After; every other answer or error can be tried again. Never throws for the receiver.
 */
export async function sendWebhook(
  target: string,
  {
    headers,
    body,
    signal,
  }: { headers: Record<string, string>; body: string; signal?: AbortSignal },
  options: SendOptions,
): Promise<SendResult> {
  const started = performance.now();
  const durationMs = () => Math.round(performance.now() - started);
  try {
    await checkTarget(target, { allowPrivate: options.allowPrivate, resolve: false });
  } catch (e) {
    return {
      ok: false,
      status: null,
      error: (e as Error).message,
      permanent: false,
      durationMs: durationMs(),
    };
  }
  const timeout = AbortSignal.timeout(options.timeoutMs);
  try {
    const res = await request(target, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Baton-Webhooks/1", ...headers },
      body,
      dispatcher: agentFor(options.allowPrivate),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    // Read at most the cap (an error excerpt for the log), then drop the rest.
    let excerpt = "";
    let read = 0;
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      if (read < 200) excerpt += buf.subarray(0, 200 - read).toString("utf8");
      read += buf.length;
      if (read >= options.maxResponseBytes) {
        res.body.destroy();
        break;
      }
    }
    const status = res.statusCode;
    if (status >= 200 && status < 300) return { ok: true, status, durationMs: durationMs() };
    const after =
      status === 429 || status === 503
        ? retryAfterMs(res.headers["retry-after"], Date.now())
        : undefined;
    return {
      ok: false,
      status,
      error: `HTTP ${status}${excerpt ? `: ${excerpt.replace(/\s+/g, " ").trim().slice(0, 200)}` : ""}`,
      permanent: status === 410,
      ...(after === undefined ? {} : { retryAfterMs: after }),
      durationMs: durationMs(),
    };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const cause = (err.cause as NodeJS.ErrnoException | undefined) ?? err;
    const text = timeout.aborted
      ? `no answer within ${options.timeoutMs} ms`
      : `${cause.code ?? err.name}: ${cause.message ?? err.message}`;
    return { ok: false, status: null, error: text.slice(0, 500), durationMs: durationMs() };
  }
}

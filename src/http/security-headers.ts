import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import helmet, { type HelmetOptions } from "helmet";

/*
 * Security headers on every answer: the web app, the API docs and the API. helmet decides them;
 * they are computed once at start and set by one cheap hook. (@fastify/helmet builds helmet's
 * middleware again for every request: measured at about 250 µs a request in-process, more than
 * a whole handoff command costs Baton, so it is not used.)
 */

/**
 * The Content-Security-Policy. Scripts only from Baton itself, never inline. Styles allow
 * 'unsafe-inline': Mantine and CodeMirror insert <style> elements at run time, and a style cannot
 * run code. No framing by any site.
 */
const contentSecurityPolicy = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    // The favicon and the API docs' icons are data: URIs.
    imgSrc: ["'self'", "data:"],
    fontSrc: ["'self'", "data:"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

const options: HelmetOptions = {
  contentSecurityPolicy,
  // Browsers heed it only over HTTPS, where it keeps them there. Subdomains are the
  // organisation's business, not Baton's.
  strictTransportSecurity: { maxAge: 15_552_000, includeSubDomains: false },
  // A status link carries its secret in the URL: never send it to another site.
  referrerPolicy: { policy: "no-referrer" },
  xFrameOptions: { action: "deny" },
};

/**
 * API answers are data, never a page: a policy that allows nothing, no framing, no sniffing,
 * no referrer, and no reading by other sites' pages (they may carry the session cookie). Fewer
 * headers than a page needs, as every command pays for them.
 */
const apiOptions: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
  xFrameOptions: { action: "deny" },
  referrerPolicy: { policy: "no-referrer" },
  crossOriginResourcePolicy: { policy: "same-origin" },
  xContentTypeOptions: true,
  crossOriginOpenerPolicy: false,
  crossOriginEmbedderPolicy: false,
  originAgentCluster: false,
  strictTransportSecurity: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xPoweredBy: false,
  xXssProtection: false,
};

/** The headers helmet sets with `options`, by name. */
export function helmetHeaders(opts: HelmetOptions): [string, string][] {
  const headers: [string, string][] = [];
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers.push([name.toLowerCase(), String(value)]);
    },
    removeHeader: () => {},
  };
  helmet(opts)({} as IncomingMessage, res as unknown as ServerResponse, () => {});
  return headers;
}

/** Sets the security headers on every answer, live streams and static files included. */
export function registerSecurityHeaders(app: FastifyInstance): void {
  const page = helmetHeaders(options);
  const api = helmetHeaders(apiOptions);
  app.addHook("onRequest", (request, reply, done) => {
    const headers = request.url.startsWith("/api/v1/") ? api : page;
    // On the raw response, so answers written past Fastify (the live stream) carry them too.
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
  });
}

import type { MissingItem, Problem } from "./types.ts";

/*
 * The one way the web app talks to Baton. Signed-in browsers use the HttpOnly session cookie;
 * someone who signed in with an API token keeps it in sessionStorage (this tab only) and sends
 * it as a bearer token. Every request carries `X-Requested-With: baton`, which the server
 * requires on cookie-authenticated writes: a cross-site form cannot set it (CSRF guard).
 */

const TOKEN_KEY = "baton.token";

/** The API token this tab signed in with, if it did not use a password. */
export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Private mode without storage: the token lives as long as the page.
  }
}

/** An error response from the API, parsed from problem+json (or made up for network errors). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.name = "ApiError";
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.problem = problem;
  }

  get missing(): MissingItem[] {
    return this.problem.missing ?? [];
  }

  get fieldErrors(): { path: string; message: string }[] {
    return this.problem.errors ?? [];
  }
}

export function isApiError(e: unknown, code?: string): e is ApiError {
  return e instanceof ApiError && (code === undefined || e.code === code);
}

/** The headers every request sends: the CSRF marker, and the bearer token in token mode. */
export function authHeaders(): Record<string, string> {
  const token = storedToken();
  return {
    "x-requested-with": "baton",
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
}

async function toProblem(res: Response): Promise<Problem> {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (body && typeof body === "object" && typeof body.code === "string")
      return { title: res.statusText, status: res.status, detail: "", ...body } as Problem;
  } catch {
    // not JSON: a proxy's error page, say
  }
  return {
    title: res.statusText || "Request failed",
    status: res.status,
    code: res.status >= 500 ? "internal" : "http_error",
    detail: `The server answered ${res.status} ${res.statusText}.`,
  };
}

type Body = unknown;

/** Calls `/api/v1{path}`; resolves to the parsed JSON (or null for 204) or throws ApiError. */
export async function api<T>(
  path: string,
  init: {
    method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
    body?: Body;
    /** Send the body as this content type instead of JSON (workflow YAML). */
    contentType?: string;
    ifMatch?: number;
    signal?: AbortSignal;
  } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json", ...authHeaders() };
  let body: string | FormData | undefined;
  if (init.body instanceof FormData) {
    body = init.body; // the browser sets multipart/form-data with its boundary
  } else if (init.body !== undefined) {
    headers["content-type"] = init.contentType ?? "application/json";
    body =
      typeof init.body === "string" && init.contentType ? init.body : JSON.stringify(init.body);
  }
  if (init.ifMatch !== undefined) headers["if-match"] = `"${init.ifMatch}"`;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method: init.method ?? "GET",
      headers,
      body,
      credentials: "same-origin",
      signal: init.signal ?? null,
    });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError({
      title: "Cannot reach Baton",
      status: 0,
      code: "network",
      detail: "Baton did not answer. Check your connection; your change was not saved.",
    });
  }
  if (!res.ok) throw new ApiError(await toProblem(res));
  if (res.status === 204) return null as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : null) as T;
}

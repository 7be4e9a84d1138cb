import { type Command, InvalidArgumentError } from "commander";
import type { z } from "zod";
import type { StoredFile } from "../domain/files.ts";
import type {
  EventJson as PresentedEvent,
  ItemJson as PresentedItem,
  ItemSummaryJson as PresentedSummary,
  presentComment,
  presentMeeting,
  presentQuestion,
  presentTeam,
  presentUser,
  presentView,
} from "../http/presenters.ts";
import type {
  inboxSchema,
  outboxSchema,
  ProblemJson,
  shareSchema,
  stalledSchema,
  CalendarJson as TeamCalendarJson,
  WorkflowVersionJson,
  watchSchema,
  webhookDeliveriesSchema,
  webhookSchema,
} from "../http/responses.ts";

/*
 * The CLI's only way to the server: a thin wrapper over Node's fetch that speaks the Baton API
 * (/api/v1, bearer token, JSON or YAML bodies) and turns failures into errors a person can read.
 */

/** Where the CLI looks for the server when neither --url nor BATON_URL says otherwise. */
export const DEFAULT_URL = "http://localhost:7400";

/** A server that accepted the connection but never answered should not hang a script forever. */
const REQUEST_TIMEOUT_MS = 30_000;
/** An upload (an event log of up to 200 MiB) may take longer on a slow link. */
const UPLOAD_TIMEOUT_MS = 15 * 60_000;

/** An RFC 9457 problem as Baton sends it (see src/http/errors.ts). */
export type Problem = ProblemJson;

/** A failure the CLI explains itself: a message plus optional lines (hints, details). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly lines: string[] = [],
  ) {
    super(message);
  }
}

/** The server refused the request; `problem` is its problem+json body. */
export class ApiError extends Error {
  constructor(
    readonly problem: Problem,
    /** Extra advice the command adds for this situation (how to fix it). */
    readonly hints: string[] = [],
  ) {
    super(problem.detail);
  }
}

/** The options every API command shares (declared on the program in main.ts). */
export interface GlobalFlags {
  url?: string;
  token?: string;
  json?: boolean;
}

/** Collects a repeatable option (`--field a=1 --field b=2`) into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * An option parser for a whole number (`--grace-hours 2`), for options sent in a JSON body,
 * where the server would otherwise see a string. `unit` names what is counted, for the error.
 */
export function wholeNumber(unit: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim()))
      throw new InvalidArgumentError(`Give a whole number of ${unit}.`);
    return Number(value);
  };
}

/** Splits a comma-separated option (`--events a,b`) into its words, blanks left out. */
export function commaList(value: string): string[] {
  return value
    .split(",")
    .map((w) => w.trim())
    .filter((w) => w !== "");
}

/** Query parameters; a list repeats its parameter (`field=a:1&field=b:2`). */
type Query = Record<string, string | number | string[] | undefined>;

/** A request body: JSON (any value), text sent as-is with its content type, or a multipart form. */
type Body =
  | { json: unknown }
  | { text: string; contentType: string }
  | { form: FormData }
  | { stream: ReadableStream<Uint8Array>; contentType: string };

/** Calls the Baton API as the holder of one token. */
export class Api {
  /** The server's base URL, without a trailing slash, as the user gave it. */
  readonly url: string;

  constructor(
    url: string,
    private readonly token: string | undefined,
  ) {
    this.url = url.replace(/\/+$/, "");
  }

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.request<T>("GET", path, undefined, query);
  }

  /** POST with a JSON body; no body at all for commands that take none. */
  post<T>(path: string, json?: unknown): Promise<T> {
    return this.request<T>("POST", path, json === undefined ? undefined : { json });
  }

  patch<T>(path: string, json: unknown): Promise<T> {
    return this.request<T>("PATCH", path, { json });
  }

  /** PUT with a JSON body; none for a PUT that only names the resource (`watch`). */
  put<T>(path: string, json?: unknown): Promise<T> {
    return this.request<T>("PUT", path, json === undefined ? undefined : { json });
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>("DELETE", path);
  }

  /**
   * GETs a resource that is not JSON (an iCalendar invite) and returns its text. Failures still
   * come back as problem+json, so they read like every other error.
   */
  async download(path: string, accept: string, query: Query = {}): Promise<string> {
    const { text } = await this.call("GET", path, undefined, query, accept);
    return text;
  }

  /** GETs a file and returns its bytes. */
  async downloadBytes(path: string): Promise<Buffer> {
    const { bytes } = await this.call("GET", path, undefined, {}, "*/*", "bytes");
    return bytes;
  }

  /** POSTs a multipart form (a file upload); the answer is JSON. */
  upload<T>(path: string, form: FormData, query: Query = {}): Promise<T> {
    return this.request<T>("POST", path, { form }, query);
  }

  /**
   * POSTs a stream (an event log to mine, read from disk as it is sent, so memory does not grow
   * with the file) with its content type; the answer is JSON.
   */
  sendStream<T>(
    path: string,
    stream: ReadableStream<Uint8Array>,
    contentType: string,
    query: Query = {},
  ): Promise<T> {
    return this.request<T>("POST", path, { stream, contentType }, query);
  }

  /** Sends text (a workflow definition) with its own content type. */
  send<T>(method: "PUT" | "POST", path: string, text: string, contentType: string): Promise<T> {
    return this.request<T>(method, path, { text, contentType });
  }

  private async request<T>(method: string, path: string, body?: Body, query: Query = {}) {
    const { text, parsed } = await this.call(method, path, body, query, "application/json");
    if (parsed === undefined && text !== "")
      throw new CliError(`${this.url} answered with something that is not JSON; is it Baton?`);
    return parsed as T;
  }

  /** Sends one request; a failure becomes an ApiError (problem+json) or a CliError. */
  private async call(
    method: string,
    path: string,
    body: Body | undefined,
    query: Query,
    accept: string,
    read: "text" | "bytes" = "text",
  ) {
    if (!this.token)
      throw new CliError("no API token. Set BATON_TOKEN or pass --token.", [
        "An admin can issue one with `baton user token EMAIL`; on the server's machine,",
        "`baton admin token` prints one for the admin.",
      ]);
    const url = new URL(`${this.url}/api/v1${path}`);
    for (const [k, v] of Object.entries(query))
      if (Array.isArray(v)) for (const x of v) url.searchParams.append(k, x);
      else if (v !== undefined) url.searchParams.set(k, `${v}`);
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.token}`,
      accept: `${accept}, application/problem+json`,
    };
    let payload: string | FormData | ReadableStream<Uint8Array> | undefined;
    // Commands without parameters must go without a content type: Fastify refuses an empty
    // body declared as JSON.
    if (body && "json" in body) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body.json);
    } else if (body && "form" in body) {
      payload = body.form; // fetch sets the multipart content type with its boundary
    } else if (body && "stream" in body) {
      headers["content-type"] = body.contentType;
      payload = body.stream;
    } else if (body) {
      headers["content-type"] = body.contentType;
      payload = body.text;
    }
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: payload,
        // A streamed body is sent as it is read (Node's fetch needs half duplex for that); an
        // upload of a large log gets longer than an ordinary request.
        ...(payload instanceof ReadableStream ? { duplex: "half" } : {}),
        signal: AbortSignal.timeout(
          payload instanceof ReadableStream ? UPLOAD_TIMEOUT_MS : REQUEST_TIMEOUT_MS,
        ),
      } as RequestInit);
    } catch (e) {
      throw this.unreachable(e);
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = read === "text" || !res.ok ? bytes.toString("utf8") : "";
    const parsed = parseJson(text);
    if (!res.ok) {
      if (isProblem(parsed)) throw new ApiError(parsed);
      throw new CliError(`${method} ${url.pathname} failed: HTTP ${res.status} ${res.statusText}`);
    }
    return { text, parsed, bytes };
  }

  private unreachable(e: unknown): CliError {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    if (err.name === "TimeoutError")
      return new CliError(
        `Baton at ${this.url} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`,
      );
    if (err.cause?.code === "ECONNREFUSED")
      return new CliError(`cannot reach Baton at ${this.url} (is it running? npm start)`);
    const why = err.cause?.message ?? err.message;
    return new CliError(`cannot reach Baton at ${this.url} (${why})`);
  }
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isProblem(x: unknown): x is Problem {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as Problem).code === "string" &&
    typeof (x as Problem).detail === "string"
  );
}

/** What an API command needs: a client and whether to print JSON for scripts. */
export interface Cli {
  api: Api;
  json: boolean;
}

/**
 * Builds the client from the global flags, falling back to BATON_URL and BATON_TOKEN. The CLI
 * is a client of a possibly remote server, so these are its own settings, not the server's
 * (src/config.ts), and a bad server setting in the shell never breaks a client command.
 */
export function cliOf(command: Command, env: NodeJS.ProcessEnv = process.env): Cli {
  const flags = command.optsWithGlobals<GlobalFlags>();
  // An empty variable means "not set", as in src/config.ts.
  const url = flags.url ?? (env.BATON_URL || DEFAULT_URL);
  if (!URL.canParse(url))
    throw new CliError(`"${url}" is not a URL; give one such as ${DEFAULT_URL}`);
  const token = flags.token ?? (env.BATON_TOKEN || undefined);
  return { api: new Api(url, token), json: flags.json === true };
}

/** Encodes one path segment (item keys, e-mails and team keys go into URLs). */
export function seg(s: string): string {
  return encodeURIComponent(s);
}

/*
 * The JSON shapes of the API, taken from the presenters at compile time (type-only imports,
 * nothing of the server is loaded), so a change to the API that breaks the CLI fails tsc.
 */

/** One item as GET /items/{key} and every item command return it. */
export type ItemJson = PresentedItem;
/** One line of GET /items and of a team queue. */
export type ItemSummaryJson = PresentedSummary;
/** One event of GET /items/{key}/events: the stored event, as the presenter passes it on. */
export type EventJson = PresentedEvent;
/** A comment with its latest text, as GET /items/{key}/comments lists it. */
export type CommentJson = ReturnType<typeof presentComment>;
/** A file of an item, as GET /items/{key}/files lists it. */
export type FileJson = StoredFile;
/** A saved view, as GET /views lists it. */
export type ViewJson = ReturnType<typeof presentView>;
/** A team with its members, as GET /teams lists it. */
export type TeamJson = ReturnType<typeof presentTeam>;
/** A user with their teams, as GET /users lists it. */
export type UserJson = ReturnType<typeof presentUser>;
/** A workflow version as GET /workflows/{key} returns it. */
export type WorkflowJson = WorkflowVersionJson;
/** One service-level clock of an item (or of a queue line). */
export type ClockJson = ItemJson["clocks"][number];
/** A question across the team boundary, as the question commands return it. */
export type QuestionJson = ReturnType<typeof presentQuestion>;
/** A handoff meeting, as the meeting commands return it. */
export type MeetingJson = ReturnType<typeof presentMeeting>;
/** A team's business calendar as GET/PUT/DELETE /teams/{key}/calendar return it. */
export type CalendarJson = TeamCalendarJson;
/** One recorded message of GET /outbox. */
export type OutboxMessageJson = z.output<typeof outboxSchema>;

/*
 * The answers of the share, stalled, webhook and notification routes, from their response
 * schemas (as the web app takes them), so both clients read one shape.
 */
/** A status link as POST /items/{key}/share returns it (the token is shown once). */
export type ShareJson = z.output<typeof shareSchema>;
/** One line of GET /stalled: the item and where, since when and by which rule it stalled. */
export type StalledItemJson = z.output<typeof stalledSchema>["items"][number];
/** A webhook subscription as the webhook routes return it (never with its secret). */
export type WebhookJson = z.output<typeof webhookSchema>;
/** A subscription as made or rotated: with its secret, shown this once. */
export type WebhookWithSecretJson = WebhookJson & { secret: string };
/** One message of a webhook's delivery log, with its tries. */
export type WebhookDeliveryJson = z.output<typeof webhookDeliveriesSchema>["deliveries"][number];
/** The reader's inbox as GET /me/notifications returns it. */
export type InboxJson = z.output<typeof inboxSchema>;
/** Whether the reader watches an item, and who does (GET/PUT/DELETE /items/{key}/watch). */
export type WatchJson = z.output<typeof watchSchema>;

import type { MissingItem } from "./wording.ts";

/**
 * Every rule Baton enforces fails with one of these codes. The codes are part of the public API:
 * clients (the CLI, the web app, scripts) switch on them, so never rename one.
 */
export type ErrorCode =
  /** The request body, query or header is malformed or has values of the wrong type. */
  | "invalid_input"
  /** A workflow definition failed validation; `errors` lists every problem with its path. */
  | "invalid_workflow"
  /** An event log to mine (XES or CSV) cannot be read: `line`/`column` or `offset` say where. */
  | "invalid_log"
  /** A history import past its bounds (cases or events of one log): `what` and `limit` say which. */
  | "import_too_large"
  /** No credentials, or credentials that match no active token or session. */
  | "unauthenticated"
  /** A cookie-authenticated change came without the `X-Requested-With: baton` header (CSRF guard). */
  | "csrf_failed"
  /** The caller is signed in but this action needs an admin. */
  | "admin_only"
  /** The caller is not a member of the team that must act on the item now. */
  | "not_your_team"
  /** A handoff was submitted before its acceptance criteria hold; `missing` lists every gap. */
  | "criteria_not_met"
  /** The item changed since the version the caller read (stale `If-Match`). */
  | "version_conflict"
  /** The item is done or cancelled; nothing more can happen to it. */
  | "item_closed"
  /** The command does not apply in the item's current state (e.g. accept while in progress). */
  | "wrong_state"
  /** No route of the step's handoff matched the item's fields. */
  | "no_route"
  /** The handoff needs a meeting held (with notes) before it can be accepted. */
  | "meeting_required"
  /** A team that is not on the item's path (past, current or next teams) asked or was asked about it. */
  | "not_on_path"
  /** Someone else's comment: only its author edits it (its author or an admin deletes it). */
  | "not_your_comment"
  /** Someone else's saved view: its owner, a lead of the team it is shared with or an admin deletes it. */
  | "not_your_view"
  /**
   * An item cannot move to that workflow version: `steps` and `fields` name each step that is
   * missing there or has another team, and each field value that is no longer valid.
   */
  | "steps_differ"
  /** The named item, team, user, workflow or token does not exist. */
  | "not_found"
  /** A team, user or workflow with that key already exists. */
  | "already_exists"
  /** The user to assign is not a member of the team that must act. */
  | "not_a_member"
  /** An Idempotency-Key was sent again with a different request (method, path or body). */
  | "idempotency_key_reused"
  /** A request with this Idempotency-Key is still running; retry after `Retry-After`. */
  | "idempotency_in_progress"
  /**
   * Baton cannot reach its database (or, signing in, the identity provider) right now (restarting, connection lost); nothing was
   * changed, or the outcome is unknown if the connection dropped mid-write. Retry after the
   * `Retry-After` seconds.
   */
  | "unavailable"
  /** Too many requests of this kind from this client or for this account; `Retry-After` says when to try again. */
  | "rate_limited"
  /** The path exists but not with this method; the `Allow` header lists the methods it has. */
  | "method_not_allowed"
  /** The body's content type is not one this endpoint reads (JSON; YAML for workflows). */
  | "unsupported_media_type"
  /**
   * Single sign-on could not be completed: the sign-in was not started in this browser or took
   * too long, its state or nonce does not match, the provider refused, or its answer did not
   * verify. `reason` says which; starting again usually helps.
   */
  | "sso_failed"
  /**
   * The identity provider vouched for someone Baton will not let in: no e-mail address, or one
   * the provider does not mark verified. `reason` says which.
   */
  | "sso_refused"
  /** The body is larger than the server accepts. */
  | "body_too_large"
  /** The request did not arrive in full within the server's time limit. */
  | "request_timeout"
  /** The request's headers are larger than the server accepts. */
  | "headers_too_large"
  /**
   * A webhook's URL is not one Baton sends to: not http(s), credentials in it, a host that does
   * not resolve, or an address on a loopback, private, link-local or reserved network (SSRF);
   * `address` and `reason` say which.
   */
  | "webhook_target_refused";

/** Extra, machine-readable context for an error. */
export interface ErrorDetails {
  /** What is still missing before a handoff can be submitted. */
  missing?: MissingItem[];
  /** Validation problems, each with the path of the offending value. */
  errors?: { path: string; message: string }[];
  /** Anything else worth returning (e.g. the current version on a conflict). */
  [key: string]: unknown;
}

// One gap that blocks a handoff; worded in wording.ts, which the web app shares.
export type { MissingItem } from "./wording.ts";

/** The single error type of the domain, the engine and the store. */
export class DomainError extends Error {
  override readonly name = "DomainError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }
}

/** Narrows `x` to never; a switch that misses a case stops compiling. */
export function assertNever(x: never, what = "value"): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}

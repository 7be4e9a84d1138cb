import { isDeepStrictEqual } from "node:util";
import { Lexer, parseDocument } from "yaml";
import { DomainError } from "../domain/errors.ts";
import { textProblem, unstorableAt } from "../domain/text.ts";
import { validateWorkflow, type WorkflowDef } from "../domain/workflow.ts";
import { treeProblem, WORKFLOW_LIMITS } from "../domain/workflow-limits.ts";
import type { Db } from "../store/db.ts";
import * as store from "../store/workflows.ts";
import { TtlCache } from "./cache.ts";
import type { Directory, Principal } from "./directory.ts";
import { CacheInvalidation } from "./invalidation.ts";

/* Publishing and reading workflow definitions. */

export type SourceFormat = "yaml" | "json";

/** The largest JSON definition accepted, in characters (the HTTP body limit is 1 MiB too). */
export const MAX_DEFINITION_CHARS = 1024 * 1024;
/**
 * The largest YAML definition, in characters. YAML costs far more to parse than JSON (about a
 * second per MiB on a busy 2-core machine, on the event loop), and 512 Ki is still nine times a
 * 1,000-step chain; larger definitions can be sent as JSON.
 */
export const MAX_YAML_CHARS = 512 * 1024;
/**
 * YAML aliases allowed, weighted by what they expand to (the `yaml` package's own measure):
 * enough to reuse a checklist or a condition a few times, far too few for a "billion laughs".
 */
const MAX_YAML_ALIASES = 100;

function invalidSource(format: SourceFormat, path: string, message: string): DomainError {
  return new DomainError(
    "invalid_workflow",
    `The definition is not valid ${format === "json" ? "JSON" : "YAML"}: ${path}: ${message}`,
    { errors: [{ path, message }] },
  );
}

/**
 * The deepest `[` / `{` nesting of a YAML text's flow collections, read by the lexer (so quotes,
 * comments and block scalars are skipped). The parser recurses per level: a deeper document is
 * refused before it is parsed. Stops counting past `max`.
 */
function flowDepth(source: string, max: number): number {
  // Depth never exceeds the number of openers: most documents (block style) are done here.
  let openers = 0;
  for (let i = 0; i < source.length && openers <= max; i++) {
    const ch = source.charCodeAt(i);
    if (ch === 0x5b || ch === 0x7b) openers++;
  }
  if (openers <= max) return openers;
  let depth = 0;
  for (const token of new Lexer().lex(source)) {
    if (token === "[" || token === "{") {
      if (++depth > max) return depth;
    } else if ((token === "]" || token === "}") && depth > 0) depth--;
  }
  return depth;
}

/**
 * Parses YAML or JSON text; syntax errors name the line and column. Bounded: at most
 * {@link MAX_DEFINITION_CHARS} characters of JSON or {@link MAX_YAML_CHARS} of YAML, nesting at most WORKFLOW_LIMITS.depth levels, YAML
 * aliases limited (no alias bombs, no alias inside its own anchor), all refused as
 * `invalid_workflow` (422) before any deep work is done.
 */
export function parseDefinition(source: string, format: SourceFormat): unknown {
  const max = format === "json" ? MAX_DEFINITION_CHARS : MAX_YAML_CHARS;
  if (source.length > max)
    throw invalidSource(
      format,
      "(root)",
      `at most ${max.toLocaleString("en")} characters (this has ${source.length.toLocaleString("en")})`,
    );
  // The text is stored as written, so it must be storable even where no value is read (a
  // YAML comment); the values' own text is checked by the schema.
  const problem = textProblem(source);
  if (problem) {
    const lines = source.slice(0, unstorableAt(source)).split("\n");
    const path = `line ${lines.length}, column ${(lines.at(-1)?.length ?? 0) + 1}`;
    throw new DomainError("invalid_workflow", `The definition ${problem}: ${path}.`, {
      errors: [{ path, message: problem }],
    });
  }
  const value = format === "json" ? parseJson(source) : parseYaml(source);
  const tooDeep = treeProblem(value);
  if (tooDeep) throw invalidSource(format, "(root)", tooDeep);
  return value;
}

function parseJson(source: string): unknown {
  try {
    // JSON.parse is iterative in V8, so depth is checked on its result.
    return JSON.parse(source);
  } catch (e) {
    throw new DomainError(
      "invalid_workflow",
      `The definition is not valid JSON: ${(e as Error).message}`,
      {
        errors: [{ path: "(root)", message: (e as Error).message }],
      },
    );
  }
}

function parseYaml(source: string): unknown {
  if (flowDepth(source, WORKFLOW_LIMITS.depth) > WORKFLOW_LIMITS.depth)
    throw invalidSource(
      "yaml",
      "(root)",
      `nested deeper than ${WORKFLOW_LIMITS.depth.toLocaleString("en")} levels`,
    );
  const doc = parseDocument(source, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const errors = doc.errors.map((e) => ({
      path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : "(root)",
      message: (e.message.split("\n")[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, ""),
    }));
    throw new DomainError(
      "invalid_workflow",
      `The definition is not valid YAML: ${errors[0]?.path}: ${errors[0]?.message}`,
      {
        errors,
      },
    );
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    // The yaml package throws ReferenceError for an alias bomb ("Excessive alias count") and for
    // an alias without its anchor; both are the author's mistake, not ours.
    if (e instanceof ReferenceError || e instanceof RangeError)
      throw invalidSource("yaml", "(root)", e.message);
    throw e;
  }
}

export class Workflows {
  /** Published versions never change, so they are cached without expiry. */
  private readonly versions = new Map<string, Promise<store.WorkflowVersionRow | undefined>>();
  /**
   * Which version is current, for a second: every create reads it. A publish on any node
   * clears it on every node (engine/invalidation.ts).
   */
  private readonly current: TtlCache<string, store.WorkflowVersionRow | undefined>;

  constructor(
    private readonly db: Db,
    private readonly directory: Directory,
    private readonly caches: CacheInvalidation = new CacheInvalidation(db, undefined),
  ) {
    this.current = new TtlCache(1_000, 10_000, caches.canCache);
    caches.on("workflows", () => this.current.clear());
  }

  /** Validates a definition against the teams that exist now, without publishing it. */
  async validate(input: unknown): Promise<WorkflowDef> {
    return validateWorkflow(input, { teams: await this.directory.teamKeys() });
  }

  /**
   * Publishes a definition under `key`. A definition equal to the current version publishes
   * nothing and returns that version, so applying the same file twice is harmless.
   */
  async publish(
    by: Principal,
    key: string,
    { source, format }: { source: string; format: SourceFormat },
  ): Promise<{ key: string; version: number; changed: boolean; definition: WorkflowDef }> {
    if (!by.isAdmin) throw new DomainError("admin_only", "Only an admin can publish workflows.");
    const def = await this.validate(parseDefinition(source, format));
    if (def.key !== key)
      throw new DomainError(
        "invalid_workflow",
        `key: the definition's key "${def.key}" does not match "${key}" in the path`,
        {
          errors: [{ path: "key", message: `does not match "${key}" in the path` }],
        },
      );
    const owner = await store.prefixOwner(this.db, def.prefix, key);
    if (owner)
      throw new DomainError(
        "invalid_workflow",
        `prefix: "${def.prefix}" is already used by workflow "${owner}"`,
        {
          errors: [{ path: "prefix", message: `already used by workflow "${owner}"` }],
        },
      );
    const current = await store.findWorkflowVersion(this.db, key);
    if (current && isDeepStrictEqual(current.definition, def))
      return { key, version: current.version, changed: false, definition: def };
    const version = await store.insertWorkflowVersion(this.db, {
      def,
      source,
      sourceFormat: format,
      publishedBy: by.email,
    });
    await this.caches.announce(["workflows"]);
    return { key, version, changed: true, definition: def };
  }

  /** The current version, or a given one. */
  async get(key: string, version?: number): Promise<store.WorkflowVersionRow> {
    const row =
      version === undefined
        ? await this.current.get(key, () => store.findWorkflowVersion(this.db, key))
        : await this.getVersionCached(key, version);
    if (!row)
      throw new DomainError(
        "not_found",
        version === undefined
          ? `No workflow "${key}".`
          : `Workflow "${key}" has no version ${version}.`,
      );
    return row;
  }

  /** The definition an item runs on (cached: hot path of every command). */
  async definition(key: string, version: number): Promise<WorkflowDef> {
    return (await this.get(key, version)).definition;
  }

  private getVersionCached(
    key: string,
    version: number,
  ): Promise<store.WorkflowVersionRow | undefined> {
    const k = `${key}@${version}`;
    let hit = this.versions.get(k);
    if (!hit) {
      hit = store.findWorkflowVersion(this.db, key, version);
      this.versions.set(k, hit);
      // A miss is not cached: the version may be published a moment later.
      hit.then(
        (r) => r ?? this.versions.delete(k),
        () => this.versions.delete(k),
      );
    }
    return hit;
  }

  list(): Promise<store.WorkflowSummary[]> {
    return store.listWorkflows(this.db);
  }

  async versionsOf(key: string) {
    const versions = await store.listWorkflowVersions(this.db, key);
    if (versions.length === 0) throw new DomainError("not_found", `No workflow "${key}".`);
    return versions;
  }
}

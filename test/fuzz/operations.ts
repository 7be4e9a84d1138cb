import type { Send } from "./world.ts";

/*
 * The routes the fuzzer attacks, read from Baton's own OpenAPI document (/api/docs/json), so a
 * new route is fuzzed the day it is added. Each operation keeps its JSON Schemas (path, query,
 * body) for the generators to build sensible requests from, before spoiling them.
 */

/** The subset of JSON Schema the route schemas use. */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema | JsonSchema[];
  prefixItems?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
  $ref?: string;
}

export interface Parameter {
  name: string;
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: string;
  /** OpenAPI path template, e.g. `/api/v1/items/{key}/accept`. */
  path: string;
  pathParams: Parameter[];
  query: Parameter[];
  /** The JSON body schema, if the route declares one. */
  body: JsonSchema | undefined;
}

/**
 * Routes left out, and why: the live stream never ends (a request to it is answered with a
 * stream that stays open), so it cannot be judged by a time bound.
 */
const skipped = new Set(["GET /api/v1/events/stream"]);

/** Reads the operations from the OpenAPI document the app serves. */
export async function loadOperations(send: Send): Promise<Operation[]> {
  const res = await send({ method: "GET", url: "/api/docs/json", headers: {} });
  if (res.status !== 200) throw new Error(`/api/docs/json answered ${res.status}`);
  const doc = JSON.parse(res.body) as {
    paths: Record<
      string,
      Record<
        string,
        {
          parameters?: { in: string; name: string; required?: boolean; schema: JsonSchema }[];
          requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
        }
      >
    >;
  };
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const m = method.toUpperCase();
      if (!["GET", "POST", "PUT", "PATCH", "DELETE"].includes(m)) continue;
      if (skipped.has(`${m} ${path}`)) continue;
      const params = op.parameters ?? [];
      const param = (p: (typeof params)[number]) => ({
        name: p.name,
        required: p.required ?? p.in === "path",
        schema: p.schema ?? {},
      });
      const content = op.requestBody?.content ?? {};
      ops.push({
        method: m,
        path,
        pathParams: params.filter((p) => p.in === "path").map(param),
        query: params.filter((p) => p.in === "query").map(param),
        body: content["application/json"]?.schema,
      });
    }
  }
  if (ops.length < 20) throw new Error(`only ${ops.length} operations in /api/docs/json`);
  return ops.sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}

import { describe, expect, it } from "vitest";
import { type Item, type ItemEvent, replay } from "../../src/domain/item.ts";
import { webhookBody, webhookItem } from "../../src/domain/webhooks.ts";
import { webhookMessageSchema } from "../../src/http/responses.ts";
import { dbKinds, useBaton } from "../harness.ts";

/*
 * The OpenAPI document a client generator reads: every operation names its answers (201 for
 * creates) with schemas, the shared problem+json errors, and workflow bodies. Every answer the
 * integration tests receive is also checked against these schemas (the harness builds the app
 * with checkResponses), so the document cannot drift from what the API sends.
 */

const kind = dbKinds()[0];

interface Operation {
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<
    string,
    { description?: string; content?: Record<string, { schema: unknown }> }
  >;
}

describe.runIf(kind)("the OpenAPI document", () => {
  const b = useBaton(kind as NonNullable<typeof kind>);

  async function document() {
    const r = await b.app.inject({ url: "/api/docs/json" });
    expect(r.statusCode).toBe(200);
    return r.json() as {
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, unknown> };
    };
  }

  it("gives every operation a typed success answer and the problem+json errors", async () => {
    const doc = await document();
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        name: `${method.toUpperCase()} ${path}`,
        op,
      })),
    );
    expect(operations.length).toBeGreaterThan(40);
    const untyped = operations.filter(({ op }) => {
      const ok = Object.entries(op.responses).filter(([status]) => /^2/.test(status));
      return (
        ok.length === 0 ||
        ok.some(([status, r]) => status !== "204" && !r.content) ||
        op.responses["200"]?.description === "Default Response"
      );
    });
    expect(untyped.map((o) => o.name)).toEqual([]);
    const withoutErrors = operations.filter(
      ({ op }) =>
        !["400", "401", "404", "429"].every(
          (s) => op.responses[s]?.content?.["application/problem+json"],
        ),
    );
    expect(withoutErrors.map((o) => o.name)).toEqual([]);
    expect(doc.components.schemas).toHaveProperty("Item");
    expect(doc.components.schemas).toHaveProperty("Problem");
  });

  it("says 201 for the operations that create", async () => {
    const doc = await document();
    const creates: [string, string][] = [
      ["/api/v1/teams", "post"],
      ["/api/v1/users", "post"],
      ["/api/v1/items", "post"],
      ["/api/v1/items/{key}/comments", "post"],
      ["/api/v1/items/{key}/questions", "post"],
      ["/api/v1/items/{key}/meetings", "post"],
      ["/api/v1/users/me/tokens", "post"],
      ["/api/v1/users/{email}/tokens", "post"],
      ["/api/v1/workflows/{key}", "put"],
    ];
    for (const [path, method] of creates) {
      const responses = doc.paths[path]?.[method]?.responses ?? {};
      expect(Object.keys(responses), `${method} ${path}`).toContain("201");
    }
    expect(
      Object.keys(doc.paths["/api/v1/items/{key}/accept"]?.post?.responses ?? {}),
    ).not.toContain("201");
  });

  it("describes what a webhook receives, and a real message fits that description", async () => {
    const doc = (await b.app.inject({ url: "/api/docs/json" })).json() as {
      webhooks: Record<string, { post: Operation & { parameters: { name: string }[] } }>;
    };
    const post = doc.webhooks.itemEvent?.post;
    expect(post?.parameters.map((p) => p.name)).toEqual([
      "webhook-id",
      "webhook-timestamp",
      "webhook-signature",
    ]);
    expect(post?.requestBody?.content["application/json"]?.schema).toMatchObject({
      type: "object",
      required: ["type", "timestamp", "data"],
    });
    // The body domain/webhooks.ts sends for an event and for a test message parses as described.
    const item = replay([
      {
        type: "item.created",
        actor: "sam@example.com",
        at: "2026-03-02T09:00:00.000Z",
        data: {
          key: "ONB-1",
          title: "ACME",
          workflow: "onboarding",
          workflowVersion: 1,
          step: "sell",
          team: "sales",
          fields: { tier: "smb" },
        },
      } as ItemEvent,
    ]) as Item;
    const event = {
      seq: 1,
      type: "item.created",
      actor: "sam@example.com",
      at: item.createdAt,
      data: {},
    };
    for (const body of [
      webhookBody({
        format: "standard",
        type: "item.created",
        at: item.createdAt,
        item: webhookItem(item),
        event: event as ItemEvent,
      }),
      webhookBody({
        format: "standard",
        type: "webhook.test",
        at: item.createdAt,
        item: null,
        event: null,
      }),
    ])
      expect(webhookMessageSchema.strict().safeParse(JSON.parse(body)).success).toBe(true);
  });

  it("describes the workflow body of publish and validate, as JSON or YAML", async () => {
    const doc = await document();
    for (const op of [
      doc.paths["/api/v1/workflows/{key}"]?.put,
      doc.paths["/api/v1/workflows/validate"]?.post,
    ]) {
      expect(Object.keys(op?.requestBody?.content ?? {}).sort()).toEqual([
        "application/json",
        "application/yaml",
      ]);
      expect(op?.requestBody?.content["application/json"]?.schema).toMatchObject({
        type: "object",
        required: expect.arrayContaining(["key", "steps"]),
      });
    }
  });
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { workflowJsonSchema } from "./workflow.ts";

describe("the published JSON Schema", () => {
  it("docs/workflow.schema.json matches the schema the server validates with (run npm run schema)", () => {
    const file = JSON.parse(
      readFileSync(join(import.meta.dirname, "../../docs/workflow.schema.json"), "utf8"),
    );
    expect(file).toEqual(workflowJsonSchema());
  });
});

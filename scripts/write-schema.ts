// Writes docs/workflow.schema.json from the zod schema the server validates with (npm run schema).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { workflowJsonSchema } from "../src/domain/workflow.ts";

const file = join(import.meta.dirname, "../docs/workflow.schema.json");
writeFileSync(file, `${JSON.stringify(workflowJsonSchema(), null, 2)}\n`);
console.log(`wrote ${file}`);

import type { ApiClient, TestBaton } from "../harness.ts";

/* What the webhook tests subscribe to: a handoff from sales to impl. */

export const hookedWorkflow = `
key: hooked
name: Hooked
prefix: HK
steps:
  - {key: sell, team: sales, handoff: {to: build}}
  - {key: build, team: impl}
`;

/** The teams sales and impl, Lena (who leads sales), Sam (who works in it) and the workflow. */
export async function seedHooked(b: TestBaton): Promise<{ lena: ApiClient; sam: ApiClient }> {
  await b.team("sales");
  await b.team("impl");
  const lena = await b.user("lena@example.com", [{ key: "sales", role: "lead" }]);
  const sam = await b.user("sam@example.com", ["sales"]);
  await b.workflow(hookedWorkflow);
  return { lena, sam };
}

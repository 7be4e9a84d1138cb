import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, oneDbKind, useBaton } from "../harness.ts";
import { runBaton } from "./run-baton.ts";

/* `baton file attach | list | get` as a user runs them, against a real server. */

const contractsYaml = `
key: contracts
name: Contract review
prefix: CTR
fields:
  - {key: contract, type: file, label: Signed contract, accept: [.pdf]}
steps:
  - {key: sell, name: Close the deal, team: sales, handoff: {to: review, requires: [contract]}}
  - {key: review, name: Legal review, team: legal}
`;

// Each step starts the baton command: a few seconds each when the machine is busy.
describe.each(oneDbKind())("baton file on $name", { timeout: 90_000 }, (kind) => {
  const b = useBaton(kind);
  let url: string;
  let dir: string;
  let sam: ApiClient;
  let key: string;
  const asSam = (args: string[]) => runBaton(args, { url, token: sam.token });

  beforeAll(async () => {
    url = await b.app.listen({ port: 0, host: "127.0.0.1" });
    dir = await mkdtemp(join(tmpdir(), "baton-files-"));
    await b.team("sales");
    await b.team("legal");
    await b.workflow(contractsYaml);
    sam = await b.user("sam@example.com", ["sales"]);
    key = (await sam.post("/items", { workflow: "contracts", title: "ACME" })).body.key;
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("attaches a file into its field, lists it and downloads the same bytes", async () => {
    const bytes = Buffer.from("%PDF-1.7\nsigned\n%%EOF\n");
    await writeFile(join(dir, "ACME contract.pdf"), bytes);
    const attached = await asSam([
      "file",
      "attach",
      key,
      join(dir, "ACME contract.pdf"),
      "--field",
      "contract",
    ]);
    expect(attached).toMatchObject({
      code: 0,
      stdout: `Attached ACME contract.pdf (22 B) to ${key} as contract.\n`,
    });

    const listed = await asSam(["file", "list", key]);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ID\s+NAME\s+SIZE\s+BY\s+WHEN$/);
    const id = lines[1]?.split(/\s+/)[0] ?? "";
    expect(lines[1]).toContain("ACME contract.pdf");

    const target = join(dir, "copy.pdf");
    const got = await asSam(["file", "get", key, id, "-o", target]);
    expect(got).toMatchObject({ code: 0, stdout: `Wrote ${target} (22 B).\n` });
    expect((await readFile(target)).equals(bytes)).toBe(true);

    const shown = await asSam(["item", "show", key]);
    expect(shown.stdout).toContain("ACME contract.pdf (22 B)");
  });

  it("says what is wrong: a missing local file, a type the field refuses, an unknown file id", async () => {
    const missing = await asSam(["file", "attach", key, join(dir, "nope.pdf")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no such file");

    await writeFile(join(dir, "notes.txt"), "hello");
    const refused = await asSam([
      "file",
      "attach",
      key,
      join(dir, "notes.txt"),
      "--field",
      "contract",
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('field "contract" accepts only .pdf');

    const unknown = await asSam([
      "file",
      "get",
      key,
      "00000000-0000-4000-8000-000000000000",
      "-o",
      join(dir, "x"),
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`${key} has no file 00000000-0000-4000-8000-000000000000`);
  });
});

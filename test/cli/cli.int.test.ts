import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ADMIN_TOKEN, type ApiClient, dbKinds, useBaton } from "../harness.ts";
import { batonBin, type Run, runBaton } from "./run-baton.ts";

/*
 * The `baton` command as a user runs it: `node bin/baton.js …` in a subprocess, against a real
 * Baton listening on a port, configured only through BATON_URL and BATON_TOKEN. Every run costs
 * a Node start, so the story below is one item going through a full handoff cycle, and
 * independent runs go in parallel. The HTTP suite covers both databases; one is enough here.
 */

const dealYaml = `# A small workflow with a number, a choice and a boolean field.
key: deal
name: Closed deal
prefix: DEAL
fields:
  - {key: customer, type: text, label: Customer}
  - {key: seats, type: number, label: Seats}
  - {key: tier, type: choice, label: Tier, options: [smb, enterprise]}
  - {key: priority, type: boolean, label: Priority customer}
  - {key: contract_url, type: url, label: Signed contract}
steps:
  - key: sell
    name: Close the deal
    team: sales
    checklist: [Contract signed, Contacts verified]
    handoff:
      to: implement
      requires: [customer, seats, contract_url]
      criteria: [Technical requirements attached, Go-live date agreed with the customer]
  - key: implement
    name: Implement
    team: implementation
    checklist: [Environment ready]
`;

/** Section `title` of `baton queue` output, up to the next blank line. */
function section(out: string, title: string): string {
  const start = out.indexOf(`\n${title}`);
  if (start < 0) throw new Error(`no section ${title} in:\n${out}`);
  const end = out.indexOf("\n\n", start + 1);
  return out.slice(start, end < 0 ? undefined : end).trimEnd();
}

/** A port nothing listens on: bind one, then let it go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.each(dbKinds().slice(0, 1))(
  "the baton command against a running server on $name",
  (kind) => {
    const b = useBaton(kind);
    let url: string;
    let dir: string;
    let samToken: string;
    let ivy: ApiClient;
    let key: string;

    /** Runs `baton ARGS` with only the environment a user would set. */
    const baton = (
      args: string[],
      { token = ADMIN_TOKEN, baseUrl = url }: { token?: string; baseUrl?: string } = {},
    ): Promise<Run> => runBaton(args, { url: baseUrl, token });
    const asSam = (args: string[]) => baton(args, { token: samToken });
    const asIvy = (args: string[]) => baton(args, { token: ivy.token });

    beforeAll(async () => {
      url = await b.app.listen({ port: 0, host: "127.0.0.1" });
      dir = await mkdtemp(join(tmpdir(), "baton-cli-"));
      await writeFile(join(dir, "deal.yaml"), dealYaml);
      await writeFile(join(dir, "deal.json"), JSON.stringify(parse(dealYaml), null, 2));
      await writeFile(join(dir, "typo.yaml"), dealYaml.replace("to: implement", "to: implment"));
      // The first run may compile the CLI's TypeScript into tsx's cache; keep that out of a test.
      await baton(["team", "--help"]);
    });
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("an admin creates teams and lists them", async () => {
      const created = await Promise.all([
        baton(["team", "create", "sales", "--name", "Sales"]),
        baton(["team", "create", "implementation", "--name", "Implementation"]),
      ]);
      expect(created.map((r) => [r.code, r.stdout])).toEqual([
        [0, "Created team sales (Sales).\n"],
        [0, "Created team implementation (Implementation).\n"],
      ]);
      const list = await baton(["team", "list"]);
      expect(list.code).toBe(0);
      const lines = list.stdout.trim().split("\n");
      expect(lines[0]).toMatch(/^KEY\s+NAME\s+MEMBERS\s+LEADS$/);
      expect(lines.slice(1)).toEqual([
        expect.stringMatching(/^implementation\s+Implementation\s+0$/),
        expect.stringMatching(/^sales\s+Sales\s+0$/),
      ]);
    });

    it("an admin creates a user in a team and issues their token", async () => {
      const created = await baton([
        "user",
        "create",
        "sam@example.com",
        "--name",
        "Sam Seller",
        "--team",
        "sales:lead",
      ]);
      expect(created.code).toBe(0);
      expect(created.stdout).toContain(
        "Created user sam@example.com (Sam Seller) in sales (lead).",
      );
      const token = await baton(["user", "token", "sam@example.com"]);
      expect(token.code).toBe(0);
      // Nothing but the token, so `export BATON_TOKEN=$(baton user token …)` works.
      expect(token.stdout).toMatch(/^bt_\S+\n$/);
      samToken = token.stdout.trim();
      ivy = await b.user("ivy@example.com", ["implementation"]);
    });

    it("workflow validate names the path of a typo and exits 1; a JSON file validates", async () => {
      const [typo, json] = await Promise.all([
        baton(["workflow", "validate", "-f", join(dir, "typo.yaml")]),
        baton(["workflow", "validate", "-f", join(dir, "deal.json")]),
      ]);
      expect(typo.code).toBe(1);
      expect(typo.stdout).toBe("");
      expect(typo.stderr).toContain('steps[0].handoff.to: unknown step "implment"');
      expect(typo.stderr).toMatch(/^error: /);
      expect(json.code).toBe(0);
      expect(json.stdout).toContain(
        'is valid: deal "Closed deal" (prefix DEAL), 2 steps, 5 fields.',
      );
    });

    it("workflow apply publishes a version; the same file again changes nothing", async () => {
      const first = await baton(["workflow", "apply", "-f", join(dir, "deal.yaml")]);
      expect(first).toMatchObject({ code: 0, stdout: "Published deal version 1.\n" });
      const again = await baton(["workflow", "apply", "-f", join(dir, "deal.yaml")]);
      expect(again.stdout).toBe("deal is unchanged; version 1 stays current.\n");
    });

    it("item create sends --field values with the workflow's types; --json prints the item", async () => {
      const r = await asSam([
        "item",
        "create",
        "deal",
        "--title",
        "ACME Corp",
        "--field",
        "customer=ACME Corp",
        "--field",
        "seats=25",
        "--field",
        "tier=smb",
        "--field",
        "priority=true",
        "--json",
      ]);
      expect(r.code).toBe(0);
      const item = JSON.parse(r.stdout);
      expect(item).toMatchObject({
        key: expect.stringMatching(/^DEAL-\d+$/),
        state: "in_progress",
        step: "sell",
        fields: { customer: "ACME Corp", seats: 25, tier: "smb", priority: true },
      });
      key = item.key;
    });

    it("handoff submit lists everything missing on stderr and exits 1", async () => {
      const r = await asSam(["handoff", "submit", key]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      const lines = r.stderr.split("\n");
      expect(lines[0]).toMatch(/^error: Cannot hand off yet: /);
      expect(lines.slice(1, 6)).toEqual([
        "  - field: Signed contract",
        "  - checklist: Contract signed",
        "  - checklist: Contacts verified",
        "  - criterion not confirmed: Technical requirements attached",
        "  - criterion not confirmed: Go-live date agreed with the customer",
      ]);
      expect(r.stderr).toContain(`baton item set ${key} FIELD=VALUE`);
      expect((await ivy.get(`/items/${key}`)).body.version).toBe(1);
    });

    it("item set and item check fix what was missing; key= clears a field", async () => {
      const set = await asSam([
        "item",
        "set",
        key,
        "contract_url=https://docs.example.com/acme.pdf",
        "seats=30",
        "priority=",
      ]);
      expect(set.code).toBe(0);
      expect(set.stdout).toContain(
        `Updated ${key}: contract_url = https://docs.example.com/acme.pdf, seats = 30, priority cleared.`,
      );
      expect(set.stdout).toContain("  - checklist: Contract signed");
      const fields = (await ivy.get(`/items/${key}`)).body.fields;
      expect(fields).toEqual({
        customer: "ACME Corp",
        seats: 30,
        tier: "smb",
        contract_url: "https://docs.example.com/acme.pdf",
      });

      const byIndex = await asSam(["item", "check", key, "0"]);
      expect(byIndex.stdout).toContain(`Ticked "Contract signed" on ${key}.`);
      const byText = await asSam(["item", "check", key, "Contacts verified"]);
      expect(byText.stdout).toContain(`Ticked "Contacts verified" on ${key}.`);
      expect(byText.stdout).toContain(
        `Ready to hand off: baton handoff submit ${key} --confirm-all`,
      );
    });

    it("item show puts the next team and action first, then fields and checklist", async () => {
      const r = await asSam(["item", "show", key]);
      expect(r.code).toBe(0);
      const lines = r.stdout.split("\n");
      expect(lines.slice(0, 4)).toEqual([
        `${key}  ACME Corp`,
        'NEXT      Sales (sales): Finish "Close the deal" and hand off to Implementation',
        'State     in progress at "Close the deal" (sell), owned by sales',
        "Assignee  nobody",
      ]);
      expect(r.stdout).toMatch(/ {2}Seats \(seats\)\s+30\n/);
      expect(r.stdout).toMatch(/ {2}Priority customer \(priority\)\s+—\n/);
      expect(r.stdout).toContain("  0 [x] Contract signed\n  1 [x] Contacts verified\n");
      expect(r.stdout).toContain("Ready to hand off to implement.");
      expect(r.stdout).toContain(
        "Acceptance criteria to confirm when handing off:\n  - Technical requirements attached\n",
      );
    });

    it("submit --confirm-all hands off; the receiving team sees it under incoming", async () => {
      const r = await asSam([
        "handoff",
        "submit",
        key,
        "--confirm-all",
        "--note",
        "Kick-off Monday",
      ]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(
        `Handed off ${key} to Implementation; it waits for them to accept.\n` +
          "NEXT  Implementation (implementation): Accept or reject the handoff from Sales\n",
      );
      const q = await asIvy(["queue", "implementation"]);
      expect(q.code).toBe(0);
      expect(section(q.stdout, "Incoming")).toContain(key);
      for (const other of ["In progress", "Waiting on others", "Paused"])
        expect(section(q.stdout, other)).toMatch(/\(0\)\n {2}none$/);
    });

    it("the receiver rejects with a reason; show and history tell the sender why", async () => {
      const rejected = await asIvy([
        "handoff",
        "reject",
        key,
        "--reason",
        "incomplete",
        "--comment",
        "The requirements link is empty",
        "--failed",
        "Technical requirements attached",
      ]);
      expect(rejected.code).toBe(0);
      expect(rejected.stdout).toContain(
        `Returned ${key} to Sales (incomplete) for rework at "Close the deal".`,
      );
      const [show, history] = await Promise.all([
        asSam(["item", "show", key]),
        asSam(["item", "history", key]),
      ]);
      expect(show.stdout).toContain("NEXT      Sales (sales): Rework");
      expect(show.stdout).toMatch(
        /Returned for rework by implementation \(ivy@example.com, .*\): incomplete\n/,
      );
      expect(show.stdout).toContain('  "The requirements link is empty"\n');
      expect(show.stdout).toContain("  failed criteria: Technical requirements attached\n");
      const events = history.stdout.trim().split("\n");
      expect(events[0]).toMatch(/^WHEN\s+WHO\s+WHAT$/);
      expect(events.at(-2)).toMatch(
        /sam@example\.com\s+handed off #1: sell \(sales\) → implement \(implementation\); note: Kick-off Monday$/,
      );
      expect(events.at(-1)).toMatch(
        /ivy@example\.com\s+rejected handoff #1: incomplete, "The requirements link is empty" \(failed: Technical requirements attached\)$/,
      );
    });

    it("the sender resubmits confirming each criterion; the receiver accepts", async () => {
      const again = await asSam([
        "handoff",
        "submit",
        key,
        "--confirm",
        "Technical requirements attached",
        "--confirm",
        "Go-live date agreed with the customer",
      ]);
      expect(again.code).toBe(0);
      const accepted = await asIvy(["handoff", "accept", key]);
      expect(accepted.stdout).toBe(
        `Accepted ${key}; Implementation owns it now at "Implement".\n` +
          'NEXT  Implementation (implementation): Finish "Implement" and complete the item\n',
      );
      const list = await asIvy(["item", "list", "--team", "implementation", "--json"]);
      expect(JSON.parse(list.stdout).items).toEqual([
        expect.objectContaining({ key, state: "in_progress", step: "implement", rework: 1 }),
      ]);
    });

    it("output piped into a reader that stops early (| head) ends quietly", async () => {
      // `baton --json item history KEY | head -n 0`: the pipe closes before Baton writes.
      const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(
          "sh",
          ["-c", `"${process.execPath}" "${batonBin}" --json item history ${key} | head -n 0`],
          { env: { PATH: process.env.PATH, BATON_URL: url, BATON_TOKEN: ADMIN_TOKEN } },
        );
        let stderr = "";
        child.stderr.on("data", (d) => {
          stderr += d;
        });
        child.on("close", (code) => resolve({ code, stderr }));
      });
      expect(run).toEqual({ code: 0, stderr: "" });
    });

    it("errors say what went wrong in plain words and exit 1", async () => {
      const port = await closedPort();
      const [unreachable, noToken, notAdmin] = await Promise.all([
        baton(["team", "list"], { baseUrl: `http://127.0.0.1:${port}` }),
        baton(["item", "show", key], { token: "" }),
        asSam(["team", "create", "finance", "--name", "Finance"]),
      ]);
      expect(unreachable).toMatchObject({
        code: 1,
        stderr: `error: cannot reach Baton at http://127.0.0.1:${port} (is it running? npm start)\n`,
      });
      expect(noToken.code).toBe(1);
      expect(noToken.stderr).toMatch(/^error: no API token\. Set BATON_TOKEN or pass --token\./);
      expect(notAdmin).toMatchObject({ code: 1, stderr: "error: Only an admin can do this.\n" });
    });
  },
);

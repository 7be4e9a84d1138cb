import { beforeAll, describe, expect, it } from "vitest";
import { relayYaml } from "../fixtures.ts";
import { type ApiClient, dbKinds, useBaton } from "../harness.ts";
import { type Run, runBaton } from "./run-baton.ts";

/*
 * The editing, search, saved-view and export commands as a user runs them, against a real
 * Baton on a port. Every run is a Node start, so independent runs go in parallel.
 */

describe.each(dbKinds().slice(0, 1))("editing, search and export commands on $name", (kind) => {
  const b = useBaton(kind);
  let url: string;
  let sales: ApiClient;
  let impl: ApiClient;
  let acme: string;
  let globex: string;
  const as = (who: ApiClient) => (args: string[]) => runBaton(args, { url, token: who.token });
  const ok = (r: Run) => {
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return r.stdout;
  };

  beforeAll(async () => {
    url = await b.app.listen({ port: 0, host: "127.0.0.1" });
    for (const t of ["sales", "implementation"]) await b.team(t);
    await b.workflow(relayYaml());
    sales = await b.user("sam@example.com", ["sales"]);
    impl = await b.user("ivy@example.com", ["implementation"]);
    const create = async (title: string, fields: object) =>
      (await sales.post("/items", { workflow: "relay", title, fields })).body.key as string;
    acme = await create("ACME rollout", { customer: "Acme", tier: "enterprise" });
    globex = await create("Globex rollout", { customer: "Globex, Inc.", tier: "smb" });
    await impl.post(`/items/${acme}/comments`, { body: "Kick-off on Mondy" });
  });

  it("item edit renames and re-dates; comment-edit and comment-delete change one's comment", async () => {
    const [edited, comments] = await Promise.all([
      as(sales)(["item", "edit", acme, "--title", "ACME rollout (EU)", "--due", "2026-04-01"]),
      as(impl)(["item", "comments", acme]),
    ]);
    expect(ok(edited)).toContain(`Updated ${acme}: title "ACME rollout (EU)", due `);
    expect(ok(comments)).toMatch(
      /^#\s+WHEN\s+WHO\s+COMMENT\n2\s+.*ivy@example\.com\s+Kick-off on Mondy\n$/,
    );

    const [fixed, refused] = await Promise.all([
      as(impl)(["item", "comment-edit", acme, "2", "Kick-off on Monday"]),
      as(sales)(["item", "comment-delete", acme, "2"]),
    ]);
    expect(ok(fixed)).toContain(`Edited comment #2 on ${acme}.`);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Only ivy@example.com or an admin can delete comment #2");
    expect(ok(await as(impl)(["item", "comments", acme]))).toContain("Kick-off on Monday (edited)");
    const history = ok(await as(sales)(["item", "history", acme]));
    expect(history).toContain('changed the title to "ACME rollout (EU)" and the due date to');
    expect(history).toContain("edited comment #2: Kick-off on Monday");
    expect(ok(await as(impl)(["item", "comment-delete", acme, "2"]))).toContain(
      "Deleted comment #2",
    );
  });

  it("item search finds by words and puts an exact key first; item list filters and prints CSV", async () => {
    const [search, exact, list, csv] = await Promise.all([
      as(impl)(["item", "search", "globex"]),
      as(impl)(["item", "search", globex.toLowerCase(), "--json"]),
      as(impl)(["item", "list", "--field", "tier:enterprise", "--workflow", "relay"]),
      as(impl)(["item", "list", "--search", "rollout", "--field", "tier:smb", "--csv"]),
    ]);
    expect(ok(search)).toMatch(new RegExp(`\\n${globex}\\s+Globex rollout`));
    expect(JSON.parse(ok(exact)).items[0].key).toBe(globex);
    expect(ok(list)).toContain(acme);
    expect(list.stdout).not.toContain(globex);
    const lines = ok(csv).split("\r\n");
    expect(lines[0]).toMatch(/^key,title,workflow,state,/);
    expect(lines[1]).toMatch(new RegExp(`^${globex},Globex rollout,relay,in_progress,`));
    expect(lines[1]).toContain('"{""customer"":""Globex, Inc."",""tier"":""smb""}"');
    expect(lines).toHaveLength(3);
  });

  it("item history --csv prints the timeline as CSV", async () => {
    const lines = ok(await as(sales)(["item", "history", globex, "--csv"])).split("\r\n");
    expect(lines[0]).toBe("seq,at,actor,type,data");
    expect(lines[1]).toMatch(/^1,2026-03-02T09:00:00\.000Z,sam@example\.com,item\.created,"\{/);
  });

  it("view save, list, show and delete keep and share filters", async () => {
    const saved = await as(sales)([
      "view",
      "save",
      "Enterprise rollouts",
      "--field",
      "tier:enterprise",
      "--share",
      "sales",
    ]);
    expect(ok(saved)).toMatch(/^Saved view (\d+) "Enterprise rollouts", shared with sales\.\n$/);
    const id = /view (\d+)/.exec(saved.stdout)?.[1] as string;
    const [list, show, none] = await Promise.all([
      as(sales)(["view", "list"]),
      as(sales)(["view", "show", id]),
      as(impl)(["view", "show", id]),
    ]);
    expect(ok(list)).toMatch(
      new RegExp(
        `${id}\\s+Enterprise rollouts\\s+sam@example\\.com\\s+sales\\s+field=tier%3Aenterprise`,
      ),
    );
    expect(ok(show)).toContain(acme);
    expect(show.stdout).not.toContain(globex);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`no saved view ${id}`);
    expect(ok(await as(sales)(["view", "delete", id]))).toBe(`Deleted view ${id}.\n`);
    expect(ok(await as(sales)(["view", "list"]))).toBe("No saved views.\n");
  });

  it("item reopen sends done work back; item migrate is for admins", async () => {
    await sales.post(`/items/${globex}/checklist`, { index: 0, done: true });
    await sales.post(`/items/${globex}/handoff`);
    await impl.post(`/items/${globex}/accept`);
    await impl.post(`/items/${globex}/complete`);
    const [reopened, migrate] = await Promise.all([
      as(sales)(["item", "reopen", globex, "--reason", "Not live yet"]),
      as(sales)(["item", "migrate", acme]),
    ]);
    expect(ok(reopened)).toContain(`${globex} is reopened at "build" (implementation).`);
    expect(migrate.code).toBe(1);
    expect(migrate.stderr).toContain("Only an admin can move an item");
  });
});

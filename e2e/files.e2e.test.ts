import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { contractsYaml } from "../test/fixtures.ts";
import { useE2e } from "./fixture.ts";

/*
 * A deliverable as a file: Sales uploads the signed contract into its field on the item page;
 * the handoff's list of what is missing loses it at once, the field shows the file as a link,
 * and the download is the same bytes under the same name.
 */

describe("files on the item page", () => {
  const e = useE2e();

  it("Sales uploads the signed contract into its field and downloads it again", async () => {
    await e.baton.workflow(contractsYaml("implementation"));
    const sam = e.api["sam@example.com"];
    if (!sam) throw new Error("no demo user sam");
    const created = await sam.post("/items", {
      workflow: "contracts",
      title: "Umbrella deal",
      fields: { customer: "Umbrella" },
    });
    const key = created.body.key as string;

    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "sam@example.com");
    await page.goto(`/items/${key}`);
    await page.getByRole("button", { name: "Upload Signed contract" }).waitFor();

    const pdf = Buffer.from("%PDF-1.7\nUmbrella contract\n%%EOF");
    await page.locator('input[type="file"]').setInputFiles({
      name: "umbrella-contract.pdf",
      mimeType: "application/pdf",
      buffer: pdf,
    });
    const link = page.getByRole("button", { name: "umbrella-contract.pdf" }).first();
    await link.waitFor();
    await page.getByRole("button", { name: "Replace Signed contract" }).waitFor();

    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    expect(download.suggestedFilename()).toBe("umbrella-contract.pdf");
    const path = await download.path();
    expect((await readFile(path)).equals(pdf)).toBe(true);

    const item = await sam.get(`/items/${key}`);
    expect(item.body.fields.contract).toMatchObject({ name: "umbrella-contract.pdf" });
    expect(item.body.readiness.missing).toEqual([]);
    await e.shot(page, "item-file-field");
  });

  it("a file the field does not accept is refused on the page, with what it accepts", async () => {
    const sam = e.api["sam@example.com"];
    if (!sam) throw new Error("no demo user sam");
    const created = await sam.post("/items", {
      workflow: "contracts",
      title: "Hooli deal",
      fields: { customer: "Hooli" },
    });
    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "sam@example.com");
    await page.goto(`/items/${created.body.key}`);
    await page.getByText("No file yet").waitFor();
    // The picker offers only accepted types; a file dropped in anyway is refused by the server.
    expect(await page.locator('input[type="file"]').getAttribute("accept")).toBe(
      "application/pdf,.pdf",
    );
    await page.locator('input[type="file"]').setInputFiles({
      name: "notes.html",
      mimeType: "text/html",
      buffer: Buffer.from("<p>hi</p>"),
    });
    await page.getByText("accepts only application/pdf, .pdf").waitFor();
    await page.getByText("No file yet").waitFor();
  });
});

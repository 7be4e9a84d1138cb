import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { defaultHttpSettings } from "../../src/http/limits.ts";
import { contractsYaml } from "../fixtures.ts";
import { type ApiClient, dbKinds, useBaton } from "../harness.ts";

const pdf = Buffer.concat([
  Buffer.from("%PDF-1.7\n"),
  Buffer.alloc(3000, 7),
  Buffer.from("\n%%EOF"),
]);

/** A multipart/form-data body as a browser's FormData makes it. */
async function multipart(
  parts: { name: string; data: Buffer; filename: string; type: string }[],
): Promise<{ payload: Buffer; contentType: string }> {
  const form = new FormData();
  for (const p of parts)
    form.append(p.name, new Blob([new Uint8Array(p.data)], { type: p.type }), p.filename);
  const request = new Request("http://baton.test/", { method: "POST", body: form });
  return {
    payload: Buffer.from(await request.arrayBuffer()),
    contentType: request.headers.get("content-type") ?? "",
  };
}

describe.each(dbKinds())("files on items on $name", (kind) => {
  const b = useBaton(kind, { http: { ...defaultHttpSettings, uploadMaxBytes: 64 * 1024 } });
  let sales: ApiClient;
  let legal: ApiClient;

  async function upload(
    client: ApiClient,
    key: string,
    file: { data: Buffer; filename: string; type: string; part?: string },
    query = "",
  ) {
    const body = await multipart([{ name: file.part ?? "file", ...file }]);
    const res = await b.app.inject({
      method: "POST",
      url: `/api/v1/items/${key}/files${query}`,
      headers: { authorization: `Bearer ${client.token}`, "content-type": body.contentType },
      payload: body.payload,
    });
    return { status: res.statusCode, body: JSON.parse(res.body), headers: res.headers };
  }

  function download(client: ApiClient | null, path: string) {
    return b.app.inject({
      method: "GET",
      url: `/api/v1${path}`,
      headers: client ? { authorization: `Bearer ${client.token}` } : {},
    });
  }

  async function newItem(by: ApiClient): Promise<string> {
    const r = await by.post("/items", {
      workflow: "contracts",
      title: "ACME",
      fields: { customer: "ACME" },
    });
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
    return r.body.key;
  }

  it("a signed contract uploaded into its field lets the handoff go, travels in the package and downloads intact", async () => {
    await b.team("sales");
    await b.team("legal");
    await b.workflow(contractsYaml("legal"));
    sales = await b.user("sam@example.com", ["sales"]);
    legal = await b.user("lee@example.com", ["legal"]);
    const key = await newItem(sales);

    const before = await sales.get(`/items/${key}`);
    expect(before.body.readiness.missing).toContainEqual(
      expect.objectContaining({ kind: "field", field: "contract", label: "Signed contract" }),
    );

    const up = await upload(
      sales,
      key,
      { data: pdf, filename: "C:\\Deals\\ACME contract.pdf", type: "application/pdf" },
      "?field=contract",
    );
    expect(up.status).toBe(201);
    const sha256 = createHash("sha256").update(pdf).digest("hex");
    expect(up.body.file).toMatchObject({
      name: "ACME contract.pdf",
      size: pdf.length,
      content_type: "application/pdf",
      sha256,
      uploaded_by: "sam@example.com",
    });
    expect(up.body.item.fields.contract).toMatchObject({ name: "ACME contract.pdf", sha256 });
    expect(up.body.item.readiness.missing).toEqual([]);
    expect(up.headers.location).toBe(`/api/v1/items/${key}/files/${up.body.file.file_id}`);

    const handed = await sales.post(`/items/${key}/handoff`, {});
    expect(handed.status).toBe(200);
    expect(handed.body.handoffs[0].package.contract).toMatchObject({
      name: "ACME contract.pdf",
      size: pdf.length,
    });

    // The receiving team reads the package and downloads the file, byte for byte.
    const got = await download(legal, `/items/${key}/files/${up.body.file.file_id}`);
    expect(got.statusCode).toBe(200);
    expect(got.rawPayload.equals(pdf)).toBe(true);
    expect(got.headers["content-type"]).toBe("application/pdf");
    expect(got.headers["content-disposition"]).toBe(
      `attachment; filename="ACME contract.pdf"; filename*=UTF-8''ACME%20contract.pdf`,
    );
    expect(got.headers["x-content-type-options"]).toBe("nosniff");
    expect(got.headers.etag).toBe(`"${sha256}"`);

    const events = await legal.get(`/items/${key}/events`);
    expect(events.body.events.map((e: { type: string }) => e.type)).toContain("file.attached");
    const listed = await legal.get(`/items/${key}/files`);
    expect(listed.body.files).toHaveLength(1);
  });

  it("refuses a file the field does not accept, a file too large, a forged field value and an upload that is not a form — storing nothing", async () => {
    const key = await newItem(sales);
    const html = await upload(
      sales,
      key,
      { data: Buffer.from("<script>alert(1)</script>"), filename: "x.html", type: "text/html" },
      "?field=contract",
    );
    expect(html.status).toBe(400);
    expect(html.body).toMatchObject({
      code: "invalid_input",
      errors: [
        { path: "file", message: expect.stringContaining("accepts only application/pdf, .pdf") },
      ],
    });

    const big = await upload(
      sales,
      key,
      { data: Buffer.alloc(65 * 1024, 1), filename: "big.pdf", type: "application/pdf" },
      "?field=contract",
    );
    expect(big.status).toBe(413);
    expect(big.body.code).toBe("body_too_large");

    const wrongPart = await upload(sales, key, {
      data: pdf,
      filename: "c.pdf",
      type: "application/pdf",
      part: "document",
    });
    expect(wrongPart.status).toBe(400);
    expect(wrongPart.body.detail).toContain('part named "file"');

    const notAField = await upload(
      sales,
      key,
      { data: pdf, filename: "c.pdf", type: "application/pdf" },
      "?field=customer",
    );
    expect(notAField.body).toMatchObject({
      code: "invalid_input",
      errors: [{ path: "field", message: '"customer" is a text field' }],
    });

    const forged = await sales.patch(`/items/${key}/fields`, {
      contract: {
        file_id: "00000000-0000-4000-8000-000000000000",
        name: "x.pdf",
        size: 1,
        content_type: "application/pdf",
        sha256: "0",
      },
    });
    expect(forged.status).toBe(400);
    expect(forged.body.errors[0]).toMatchObject({
      path: "fields.contract",
      message: expect.stringContaining("uploading a file"),
    });

    const json = await sales.post(`/items/${key}/files`, { file: "abc" });
    expect(json.status).toBe(415);
    expect(json.body.code).toBe("unsupported_media_type");

    expect((await sales.get(`/items/${key}/files`)).body.files).toEqual([]);
    const item = await sales.get(`/items/${key}`);
    expect(item.body.fields.contract).toBeUndefined();
    expect(item.body.version).toBe(1);
  });

  it("other teams may attach to the item but not fill its fields; files are served only to signed-in people, only on their own item", async () => {
    const key = await newItem(sales);
    const other = await newItem(sales);
    const intoField = await upload(
      legal,
      key,
      { data: pdf, filename: "c.pdf", type: "application/pdf" },
      "?field=contract",
    );
    expect(intoField.status).toBe(403);
    expect(intoField.body.code).toBe("not_your_team");

    const note = await upload(legal, key, {
      data: Buffer.from("ask about clause 4"),
      filename: "notes.txt",
      type: "text/plain; charset=utf-8",
    });
    expect(note.status).toBe(201);
    expect(note.body.file).toMatchObject({ name: "notes.txt", content_type: "text/plain" });
    expect(note.body.item.fields.contract).toBeUndefined();
    const path = `/items/${key}/files/${note.body.file.file_id}`;

    expect((await download(null, path)).statusCode).toBe(401);
    expect(
      (await download(sales, `/items/${other}/files/${note.body.file.file_id}`)).statusCode,
    ).toBe(404);
    expect((await download(sales, `/items/${key}/files/not-a-uuid`)).statusCode).toBe(400);
    const got = await download(sales, path);
    expect(got.body).toBe("ask about clause 4");
    expect(got.headers["content-security-policy"]).toContain("sandbox");
  });
});

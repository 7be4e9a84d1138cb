import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DomainError } from "./errors.ts";
import { acceptProblem, cleanFileName, cleanMediaType } from "./files.ts";
import { type FieldDef, validateWorkflow } from "./workflow.ts";

const contract: FieldDef = {
  key: "contract",
  type: "file",
  accept: ["application/pdf", ".docx", "image/*"],
};

/** Upload names with the parts that make trouble: separators, dots, controls, lone surrogates. */
const rawNames = fc
  .array(
    fc.oneof(
      fc.constantFrom("/", "\\", ".", "..", " ", "\u0000", "\t", "\u007f", "\ud800", "é", "名"),
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(""));

describe("file names", () => {
  it("keeps only the last path segment, whichever separator the uploader's system used", () => {
    expect(cleanFileName("C:\\Users\\sam\\ACME contract.pdf")).toEqual({
      name: "ACME contract.pdf",
    });
    expect(cleanFileName("../../etc/passwd")).toEqual({ name: "passwd" });
    expect(cleanFileName("  Vertrag für Müller.pdf ")).toEqual({ name: "Vertrag für Müller.pdf" });
  });

  it("refuses names with nothing left, control characters, lone surrogates or over 255 characters", () => {
    for (const bad of [
      "",
      "dir/",
      "..",
      "a\u0000b.pdf",
      "tab\there",
      "x\ud800.pdf",
      `${"a".repeat(256)}.pdf`,
    ])
      expect(cleanFileName(bad)).toHaveProperty("problem");
  });

  it("never returns a name with a path separator or a control character (property)", () => {
    fc.assert(
      fc.property(rawNames, (raw) => {
        const r = cleanFileName(raw);
        if ("name" in r) {
          expect(r.name).not.toMatch(/[/\\]/);
          // biome-ignore lint/suspicious/noControlCharactersInRegex: what must never pass.
          expect(r.name).not.toMatch(/[\u0000-\u001f\u007f]/);
          expect(r.name.length).toBeGreaterThan(0);
          expect(r.name.length).toBeLessThanOrEqual(255);
        }
      }),
    );
  });
});

describe("media types and accept", () => {
  it("records the declared type without parameters, or octet-stream when it is not a media type", () => {
    expect(cleanMediaType("Text/Plain; charset=utf-8")).toBe("text/plain");
    expect(cleanMediaType(undefined)).toBe("application/octet-stream");
    expect(cleanMediaType("not a type")).toBe("application/octet-stream");
  });

  it("accepts by exact type, by family and by extension; names what it accepts when refusing", () => {
    expect(
      acceptProblem(contract, { name: "c.pdf", content_type: "application/pdf" }),
    ).toBeUndefined();
    expect(
      acceptProblem(contract, { name: "C.DOCX", content_type: "application/octet-stream" }),
    ).toBeUndefined();
    expect(acceptProblem(contract, { name: "scan", content_type: "image/png" })).toBeUndefined();
    expect(acceptProblem(contract, { name: "page.html", content_type: "text/html" })).toBe(
      'field "contract" accepts only application/pdf, .docx, image/*',
    );
    expect(
      acceptProblem({ key: "any", type: "file" }, { name: "x", content_type: "text/html" }),
    ).toBeUndefined();
  });

  it("a workflow may give accept only to file fields, each a type, a family or an extension", () => {
    const problems = (field: Record<string, unknown>) => {
      try {
        validateWorkflow(
          {
            key: "w",
            name: "W",
            prefix: "W",
            fields: [field],
            steps: [{ key: "a", name: "A", team: "t" }],
          },
          { teams: new Set(["t"]) },
        );
        return [];
      } catch (e) {
        return ((e as DomainError).details.errors ?? []).map((x) => `${x.path}: ${x.message}`);
      }
    };
    expect(problems({ key: "f", type: "file", accept: [".pdf", "image/*"] })).toEqual([]);
    expect(problems({ key: "f", type: "text", accept: [".pdf"] })).toEqual([
      "fields[0].accept: only file fields take accept",
    ]);
    expect(problems({ key: "f", type: "file", accept: ["pdf files"] })[0]).toMatch(/media type/);
  });
});

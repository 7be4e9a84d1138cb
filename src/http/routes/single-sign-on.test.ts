import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { safeReturnPath } from "./single-sign-on.ts";

describe("where single sign-on lands", () => {
  it("keeps a path within Baton, with its query and fragment", () => {
    expect(safeReturnPath("/items/ONB-1?tab=history#c-3")).toBe("/items/ONB-1?tab=history#c-3");
    expect(safeReturnPath("/")).toBe("/");
  });

  it("lands on / for anything that could leave Baton", () => {
    for (const raw of [
      undefined,
      "",
      "https://evil.example/",
      "//evil.example",
      "/\\evil.example",
      "\\\\evil.example",
      "javascript:alert(1)",
      "/\t/evil.example",
      "items",
    ])
      expect(safeReturnPath(raw)).toBe("/");
  });

  it("never yields anything but a path on Baton's own origin", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          // The characters that make a URL leave its origin, densely.
          fc.string({ unit: fc.constantFrom("/", "\\", ":", "%", ".", "@", "\t", "a", "h") }),
          fc.string().map((s) => `/${s}`),
        ),
        (raw) => {
          const path = safeReturnPath(raw);
          expect(path.startsWith("/")).toBe(true);
          expect(path.startsWith("//")).toBe(false);
          expect(new URL(path, "https://baton.example").origin).toBe("https://baton.example");
        },
      ),
    );
  });
});

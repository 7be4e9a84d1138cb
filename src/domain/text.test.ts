import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { isStorableText, keyText, text, textProblem, unstorableAt } from "./text.ts";

const NUL = "must not contain the NUL character (U+0000)";
const LONE = "must not contain an unpaired UTF-16 surrogate (invalid Unicode)";

describe("text that PostgreSQL can store", () => {
  it.each([
    ["plain", "ACME Corp"],
    ["empty", ""],
    ["accents and CJK", "Zoë 東京"],
    ["an emoji (a surrogate pair)", "go 🚀 live"],
    ["control characters other than NUL", "tab\there\u0001\u001f"],
    ["a backslash-u0000 written out", "\\u0000"],
  ])("accepts %s", (_what, s) => {
    expect(textProblem(s)).toBeUndefined();
    expect(isStorableText(s)).toBe(true);
    expect(unstorableAt(s)).toBe(-1);
  });

  it.each([
    ["a NUL", "a\u0000b", NUL, 1],
    ["a NUL alone", "\u0000", NUL, 0],
    ["a lone high surrogate", "x\ud800y", LONE, 1],
    ["a high surrogate at the end", "abc\ud83d", LONE, 3],
    ["a lone low surrogate", "\ude00x", LONE, 0],
    ["two high surrogates", "\ud83d\ud83d\ude00", LONE, 0],
    ["a pair reversed", "\ude00\ud83d", LONE, 0],
    ["a NUL after an emoji", "🚀\u0000", NUL, 2],
  ])("refuses %s", (_what, s, problem, at) => {
    expect(textProblem(s)).toBe(problem);
    expect(isStorableText(s)).toBe(false);
    expect(unstorableAt(s)).toBe(at);
  });

  it("agrees with what a UTF-8 round trip keeps, for any string", () => {
    // A string PostgreSQL stores unchanged is one that survives UTF-8 and has no NUL.
    fc.assert(
      fc.property(
        // Halves of pairs, whole pairs, NULs and plain text, in every order.
        fc.string({
          unit: fc.constantFrom("a", "é", "\u0000", "\ud83d", "\ude80", "🚀", "\udbff", "\udc00"),
          maxLength: 12,
        }),
        (s) =>
          isStorableText(s) ===
          (Buffer.from(s, "utf8").toString("utf8") === s && !s.includes("\u0000")),
      ),
      { numRuns: 1000 },
    );
  });
});

describe("the text() zod type", () => {
  const title = text({ max: 10, min: 1, trim: true });

  it("trims, then checks length and storability", () => {
    expect(title.parse("  ACME  ")).toBe("ACME");
    expect(title.safeParse("   ").error?.issues[0]?.message).toBe("must not be empty");
    expect(title.safeParse("x".repeat(11)).error?.issues[0]?.message).toBe(
      "must be at most 10 characters",
    );
    expect(title.safeParse("a\u0000b").error?.issues[0]?.message).toBe(NUL);
    expect(title.safeParse("a\ud800b").error?.issues[0]?.message).toBe(LONE);
    expect(title.safeParse(42).success).toBe(false);
  });

  it("names the path of the value inside a body", () => {
    const body = z.object({ to: keyText, notes: z.array(text({ max: 100 })) });
    const r = body.safeParse({ to: "sales", notes: ["ok", "x\udc00"] });
    expect(r.error?.issues).toEqual([
      expect.objectContaining({ path: ["notes", 1], message: LONE }),
    ]);
  });

  it("keeps its minimum and maximum in the JSON Schema clients see", () => {
    expect(z.toJSONSchema(title)).toMatchObject({ type: "string", minLength: 1, maxLength: 10 });
  });

  it("a key is non-empty and at most 200 characters", () => {
    expect(keyText.safeParse("").success).toBe(false);
    expect(keyText.safeParse("k".repeat(200)).success).toBe(true);
    expect(keyText.safeParse("k".repeat(201)).success).toBe(false);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mentionsIn } from "../src/domain/mentions.ts";
import {
  insertMention,
  type MentionCandidate,
  matchMentions,
  mentionAt,
} from "../web/src/lib/mentions.ts";

/* The comment box's @-completion: what it sees being typed, and that what it inserts is a
 * mention the server tells. */

describe("@ completion in the comment box", () => {
  it("finds the word being typed after an @ where the server's rule would see a mention", () => {
    expect(mentionAt("Over to @sa", 11)).toEqual({ start: 8, query: "sa" });
    expect(mentionAt("@", 1)).toEqual({ start: 0, query: "" });
    expect(mentionAt("(@Ops", 5)).toEqual({ start: 1, query: "ops" });
    expect(mentionAt("to @sam@exa", 11)).toEqual({ start: 3, query: "sam@exa" });
    expect(mentionAt("mail sam@example.com", 20)).toBeNull();
    expect(mentionAt("@sam done", 9)).toBeNull();
    expect(mentionAt("@@sam", 5)).toBeNull();
  });

  it("inserts a mention that the server finds, wherever the caret is", () => {
    const target = fc.oneof(
      fc.constantFrom("sam@example.com", "ivy@example.com", "ann.lee+ops@corp.example.org"),
      fc.constantFrom("sales", "support-enterprise", "l2", "service-desk"),
    );
    const plain = fc.string({ maxLength: 10 }).map((s) => s.replace(/@/g, ""));
    fc.assert(
      fc.property(
        plain,
        fc.string({ maxLength: 3 }),
        plain,
        target,
        (before, typed, after, insert) => {
          const head = `${before}${before === "" || /\s$/.test(before) ? "" : " "}@${typed.replace(/[\s@]/g, "")}`;
          const text = head + after;
          const at = mentionAt(text, head.length);
          if (!at) return; // the character before the @ made it part of a word
          const next = insertMention(text, { start: at.start, caret: head.length, insert });
          const found = mentionsIn(next.text);
          expect([...found.people, ...found.teams]).toContain(insert);
          expect(next.text.slice(0, next.caret)).toMatch(
            new RegExp(`@${insert.replace(/[.+]/g, "\\$&")} $`),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it("lists the best matches first: names or keys that start with the query, people first", () => {
    const c = (kind: "person" | "team", insert: string, label: string): MentionCandidate => ({
      kind,
      insert,
      label,
      detail: kind === "team" ? "team" : insert,
    });
    const all = [
      c("team", "sales", "Sales"),
      c("person", "sam@example.com", "Sam Seller"),
      c("person", "ivy@example.com", "Ivy Implementer"),
      c("team", "support-enterprise", "Enterprise support"),
      c("team", "support", "Support"),
    ];
    expect(matchMentions("sa", all).map((x) => x.insert)).toEqual(["sam@example.com", "sales"]);
    expect(matchMentions("sup", all).map((x) => x.insert)).toEqual([
      "support",
      "support-enterprise",
    ]);
    expect(matchMentions("impl", all).map((x) => x.insert)).toEqual(["ivy@example.com"]);
    expect(matchMentions("", all, 3)).toHaveLength(3);
    expect(matchMentions("zz", all)).toEqual([]);
  });
});

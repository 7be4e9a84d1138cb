import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mentionsIn, splitMentions } from "./mentions.ts";

/* The mention rule as the web app shows it: the pieces give the text back, and the mentions
 * among them are exactly those the server tells. */

const words = fc.array(
  fc.oneof(
    fc.constantFrom(
      "@sales",
      "@ivy@example.com",
      "@l2-",
      "mail@x.io",
      "@",
      "@@a",
      "(@ops)",
      " ",
      "\n",
    ),
    fc.string({ maxLength: 6 }),
  ),
  { maxLength: 12 },
);

describe("splitMentions", () => {
  it("cuts a comment into text and mentions by the server's rule", () => {
    expect(splitMentions("Over to @Ivan@Acme.test and @sales-, not mail@acme.test")).toEqual([
      { text: "Over to " },
      { text: "@Ivan@Acme.test", person: "ivan@acme.test" },
      { text: " and " },
      { text: "@sales", team: "sales" },
      { text: "-, not mail@acme.test" },
    ]);
    expect(splitMentions("no mention")).toEqual([{ text: "no mention" }]);
    expect(splitMentions("")).toEqual([]);
  });

  it("gives the text back, and the mentions mentionsIn finds (the first 20)", () => {
    fc.assert(
      fc.property(words, (ws) => {
        const body = ws.join("");
        const parts = splitMentions(body);
        expect(parts.map((p) => p.text).join("")).toBe(body);
        const people: string[] = [];
        const teams: string[] = [];
        for (const p of parts) {
          if ("person" in p && !people.includes(p.person)) people.push(p.person);
          if ("team" in p && !teams.includes(p.team)) teams.push(p.team);
        }
        const told = mentionsIn(body);
        expect(people).toEqual(expect.arrayContaining(told.people));
        expect(teams).toEqual(expect.arrayContaining(told.teams));
        if (people.length + teams.length <= 20) expect({ people, teams }).toEqual(told);
      }),
      { numRuns: 500 },
    );
  });
});

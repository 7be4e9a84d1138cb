import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseTeamsMap, personFromClaims, teamsFromClaim } from "./sign-in-claims.ts";

describe("claims read at single sign-on", () => {
  const rules = { teamsClaim: "groups", teamsMap: null, trustEmail: false };

  it("takes the e-mail in lower case and the name, falling back to given and family name, then the e-mail", () => {
    const base = { email: " Ada@Acme.Example ", email_verified: true };
    expect(personFromClaims({ ...base, name: "Ada Lovelace" }, rules)).toEqual({
      email: "ada@acme.example",
      name: "Ada Lovelace",
      teams: [],
    });
    expect(
      personFromClaims({ ...base, given_name: "Ada", family_name: "Lovelace" }, rules).name,
    ).toBe("Ada Lovelace");
    expect(personFromClaims(base, rules).name).toBe("ada@acme.example");
    expect(personFromClaims({ ...base, name: "Ada\u0000" }, rules).name).toBe("ada@acme.example");
  });

  it("refuses a missing or unverified e-mail unless the provider is trusted with e-mails", () => {
    expect(() => personFromClaims({ name: "No Mail" }, rules)).toThrow(/no usable e-mail/);
    expect(() => personFromClaims({ email: "x@acme.example" }, rules)).toThrow(/email_verified/);
    expect(() =>
      personFromClaims({ email: "x@acme.example", email_verified: false }, rules),
    ).toThrow(/email_verified/);
    expect(personFromClaims({ email: "x@acme.example", email_verified: "true" }, rules).email).toBe(
      "x@acme.example",
    );
    expect(
      personFromClaims({ email: "x@acme.example" }, { ...rules, trustEmail: true }).email,
    ).toBe("x@acme.example");
  });

  it("leaves teams alone without a teams claim, and reads a nested one by its dotted path", () => {
    const claims = {
      email: "x@acme.example",
      email_verified: true,
      realm_access: { roles: ["sales", "offline_access"] },
    };
    expect(personFromClaims(claims, { trustEmail: false }).teams).toBeUndefined();
    expect(
      personFromClaims(claims, { trustEmail: false, teamsClaim: "realm_access.roles" }).teams,
    ).toEqual([{ key: "sales" }, { key: "offline_access" }]);
  });

  it("maps claim values to teams: by key or group path without a map, only mapped values with one", () => {
    expect(
      teamsFromClaim(["Sales", "/org/support", "not a key", 42, "offline_access"], null),
    ).toEqual([{ key: "sales" }, { key: "support" }, { key: "offline_access" }]);
    expect(teamsFromClaim("sales", null)).toEqual([{ key: "sales" }]);
    expect(teamsFromClaim(undefined, null)).toEqual([]);
    const map = parseTeamsMap("acme-sales=sales, 7f3c-guid=support:lead,/ops=ops:member");
    expect(teamsFromClaim(["acme-sales", "7f3c-guid", "/ops", "sales"], map)).toEqual([
      { key: "sales" },
      { key: "support", role: "lead" },
      { key: "ops", role: "member" },
    ]);
  });

  it("names the wrong entry of a teams map", () => {
    expect(() => parseTeamsMap("acme-sales")).toThrow(/"acme-sales": expected value=team/);
    expect(() => parseTeamsMap("a=Sales Team")).toThrow(/not a team key/);
    expect(() => parseTeamsMap("a=sales:boss")).toThrow(/lead or member/);
    expect(parseTeamsMap(" , ").size).toBe(0);
  });

  it("grants only team keys, from a bounded number of values, whatever the claim holds", () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const teams = teamsFromClaim(value, null);
        expect(teams.length).toBeLessThanOrEqual(1_000);
        for (const t of teams) expect(t.key).toMatch(/^[a-z][a-z0-9_-]{0,62}$/);
      }),
    );
  });
});

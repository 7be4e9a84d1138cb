import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";
import { singleSignOnSettingsOf } from "./engine/single-sign-on.ts";

describe("single sign-on settings", () => {
  const sso = {
    BATON_OIDC_ISSUER: "https://login.acme.example/realms/acme",
    BATON_OIDC_CLIENT_ID: "baton",
    BATON_OIDC_CLIENT_SECRET: "a-secret-of-sixteen+",
    BATON_PUBLIC_URL: "https://baton.acme.example/",
  };

  it("is off unless configured, and derives the callback from the public address", () => {
    expect(singleSignOnSettingsOf(loadConfig({}))).toBeNull();
    expect(singleSignOnSettingsOf(loadConfig(sso))).toMatchObject({
      redirectUrl: "https://baton.acme.example/api/v1/session/oidc/callback",
      scopes: "openid email profile",
      rules: { teamsClaim: undefined, teamsMap: null, trustEmail: false },
    });
    expect(
      singleSignOnSettingsOf(loadConfig({ ...sso, BATON_PUBLIC_URL: "https://acme.example/baton" }))
        ?.redirectUrl,
    ).toBe("https://acme.example/baton/api/v1/session/oidc/callback");
  });

  it("names what is missing or unsafe at start", () => {
    expect(() => loadConfig({ BATON_OIDC_ISSUER: sso.BATON_OIDC_ISSUER })).toThrow(
      /BATON_OIDC_CLIENT_ID: is needed[\s\S]*BATON_OIDC_CLIENT_SECRET: is needed[\s\S]*BATON_OIDC_REDIRECT_URL/,
    );
    expect(() => loadConfig({ ...sso, BATON_OIDC_ISSUER: "http://login.acme.example" })).toThrow(
      /BATON_OIDC_ISSUER: must be https/,
    );
    expect(() =>
      loadConfig({ ...sso, BATON_OIDC_ISSUER: "http://localhost:8080/realms/dev" }),
    ).not.toThrow();
    expect(() => loadConfig({ ...sso, BATON_OIDC_SCOPES: "email profile" })).toThrow(/openid/);
    expect(() => loadConfig({ ...sso, BATON_OIDC_TEAMS_MAP: "acme-sales" })).toThrow(
      /BATON_OIDC_TEAMS_MAP: "acme-sales": expected value=team/,
    );
    expect(() => loadConfig({ BATON_PASSWORD_SIGN_IN: "false" })).toThrow(
      /BATON_PASSWORD_SIGN_IN: can be false only with single sign-on/,
    );
  });
});

describe("background workers", () => {
  it("are all on by default, or the ones named, and an unknown name is refused at start", () => {
    expect(loadConfig({}).BATON_WORKERS).toEqual([
      "timers",
      "notifications",
      "deliveries",
      "metrics",
    ]);
    expect(loadConfig({ BATON_WORKERS: "none" }).BATON_WORKERS).toEqual([]);
    expect(loadConfig({ BATON_WORKERS: "timers, metrics,timers" }).BATON_WORKERS).toEqual([
      "timers",
      "metrics",
    ]);
    expect(() => loadConfig({ BATON_WORKERS: "timers,mail" })).toThrow(
      /BATON_WORKERS: must be all, none or a list of timers, notifications, deliveries, metrics \(not mail\)/,
    );
  });
});

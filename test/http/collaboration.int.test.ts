import { describe, expect, it } from "vitest";
import {
  castOnboarding,
  type OnboardingCast,
  onboardingCriteria,
  readyOnboardingItem,
} from "../fixtures.ts";
import { dbKinds, useBaton } from "../harness.ts";

describe.each(dbKinds())("questions and handoff meetings on $name", (kind) => {
  const b = useBaton(kind);
  let cast: OnboardingCast;

  it("either team can ask another a question; only the asked team answers; ownership stays", async () => {
    cast = await castOnboarding(b);
    const key = await readyOnboardingItem(cast.sales);
    await cast.sales.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });
    const asked = await cast.impl.post(`/items/${key}/questions`, {
      to_team: "sales",
      body: "Which SSO provider?",
    });
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({
      id: 1,
      from_team: "implementation",
      to_team: "sales",
      state: "open",
      asked_by: "ivy@example.com",
    });

    const item = await cast.sales.get(`/items/${key}`);
    expect(item.body).toMatchObject({
      state: "awaiting_acceptance",
      next: { team: "implementation" },
    });
    expect(item.body.questions).toHaveLength(1);

    const wrong = await cast.support.post(`/items/${key}/questions/1/answer`, { body: "Okta" });
    expect(wrong.body.code).toBe("not_your_team");
    const answered = await cast.sales.post(`/items/${key}/questions/1/answer`, { body: "Okta" });
    expect(answered.body).toMatchObject({
      state: "answered",
      answer: { body: "Okta", by: "sam@example.com" },
    });
    expect(
      (await cast.sales.post(`/items/${key}/questions/1/answer`, { body: "again" })).body.code,
    ).toBe("wrong_state");
    expect(
      (await cast.impl.post(`/items/${key}/questions`, { to_team: "nope", body: "?" })).status,
    ).toBe(404);
  });

  it("an enterprise handoff cannot be accepted until its meeting is held with notes", async () => {
    const { sales, impl } = cast;
    const key = await readyOnboardingItem(sales, { tier: "enterprise" });
    await sales.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });
    const early = await impl.post(`/items/${key}/accept`);
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({
      code: "meeting_required",
      detail: expect.stringContaining("none is scheduled"),
    });

    const scheduled = await sales.post(`/items/${key}/meetings`, {
      starts_at: "2026-03-04T14:00:00Z",
      duration_minutes: 45,
      location: "https://meet.example.com/acme",
    });
    expect(scheduled.status).toBe(201);
    expect(scheduled.body).toMatchObject({
      id: 1,
      attendees: ["sales", "implementation"],
      agenda: ["Walk through the requirements", "Confirm the go-live date"],
      sequence: 0,
    });
    const stillEarly = await impl.post(`/items/${key}/accept`);
    expect(stillEarly.body.detail).toContain("not been recorded as held");

    const invite = await b.app.inject({
      method: "GET",
      url: `/api/v1/items/${key}/meetings/1.ics`,
      headers: { authorization: `Bearer ${impl.token}` },
    });
    expect(invite.headers["content-type"]).toMatch(/text\/calendar/);
    expect(invite.body).toContain("BEGIN:VEVENT");
    expect(invite.body).toContain(`UID:${key.toLowerCase()}-meeting-1@baton`);
    expect(invite.body).toContain("DTSTART:20260304T140000Z");
    expect(invite.body).toMatch(/ATTENDEE;[^\r\n]*mailto:sam@example\.com/);
    expect(invite.body).toMatch(/ATTENDEE;[^\r\n]*mailto:ivy@example\.com/);

    await impl.put(`/items/${key}/meetings/1`, { starts_at: "2026-03-05T09:30:00Z" });
    const moved = await b.app.inject({
      method: "GET",
      url: `/api/v1/items/${key}/meetings/1.ics`,
      headers: { authorization: `Bearer ${impl.token}` },
    });
    expect(moved.body).toContain(`UID:${key.toLowerCase()}-meeting-1@baton`);
    expect(moved.body).toContain("SEQUENCE:1");
    expect(moved.body).toContain("DTSTART:20260305T093000Z");

    expect(
      (await cast.outsider.post(`/items/${key}/meetings/1/held`, { notes: "x" })).body.code,
    ).toBe("not_your_team");
    const held = await impl.post(`/items/${key}/meetings/1/held`, {
      notes: "Requirements walked through; go-live 1 May",
      attended: ["sam@example.com", "ivy@example.com"],
    });
    expect(held.body.held).toMatchObject({
      notes: "Requirements walked through; go-live 1 May",
      by: "ivy@example.com",
    });
    const accepted = await impl.post(`/items/${key}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body.meetings[0].held.attended).toEqual(["sam@example.com", "ivy@example.com"]);
    expect(accepted.body.handoffs.at(-1).meetings[0].held.notes).toBe(
      "Requirements walked through; go-live 1 May",
    );
  });

  it("smb handoffs need no meeting", async () => {
    const key = await readyOnboardingItem(cast.sales, { tier: "smb" });
    await cast.sales.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });
    expect((await cast.impl.post(`/items/${key}/accept`)).status).toBe(200);
  });

  it("refuses bad meeting input", async () => {
    const key = await readyOnboardingItem(cast.sales);
    expect(
      (
        await cast.sales.post(`/items/${key}/meetings`, {
          starts_at: "tomorrow",
          duration_minutes: 30,
        })
      ).body.code,
    ).toBe("invalid_input");
    expect(
      (
        await cast.sales.post(`/items/${key}/meetings`, {
          starts_at: "2026-03-04T14:00:00Z",
          duration_minutes: 2,
        })
      ).body.code,
    ).toBe("invalid_input");
    const missing = await b.app.inject({
      method: "GET",
      url: `/api/v1/items/${key}/meetings/9.ics`,
      headers: { authorization: `Bearer ${cast.sales.token}` },
    });
    expect(missing.statusCode).toBe(404);
  });
});

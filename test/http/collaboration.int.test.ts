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
    b.clock.advance(3 * 86_400_000 + 30 * 60_000); // 2026-03-05 09:30: the meeting starts
    const held = await impl.post(`/items/${key}/meetings/1/held`, {
      notes: "Requirements walked through; go-live 1 May",
      attended: ["sam@example.com", "ivy@example.com"],
    });
    expect(held.body.held).toMatchObject({
      notes: "Requirements walked through; go-live 1 May",
      by: "ivy@example.com",
    });
    expect((await impl.get(`/items/${key}`)).body.next).toMatchObject({
      action: "Accept or reject the handoff from Sales",
      can_accept: true,
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

  it("the sending team alone cannot open the meeting gate: no future meeting held, no empty notes, no receiver", async () => {
    const { sales, impl } = cast;
    const key = await readyOnboardingItem(sales, { tier: "enterprise" });
    await sales.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });
    const nextYear = new Date(b.clock.now.getTime() + 300 * 86_400_000).toISOString();
    const scheduled = await sales.post(`/items/${key}/meetings`, {
      starts_at: nextYear,
      duration_minutes: 30,
    });
    expect(scheduled.status).toBe(201);
    const id = scheduled.body.id as number;

    const early = await sales.post(`/items/${key}/meetings/${id}/held`, {
      notes: "Walked through everything with Implementation",
    });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({
      code: "wrong_state",
      detail: expect.stringContaining("once it has taken place"),
    });

    // Even once it has started: "x" is no record, and Sales alone is not the receiving team.
    await sales.put(`/items/${key}/meetings/${id}`, { starts_at: b.clock.now.toISOString() });
    const empty = await sales.post(`/items/${key}/meetings/${id}/held`, { notes: "x" });
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toEqual([
      { path: "notes", message: "must have at least 20 characters besides spaces" },
    ]);
    const alone = await sales.post(`/items/${key}/meetings/${id}/held`, {
      notes: "Walked through everything with Implementation",
      attended: ["sam@example.com"],
    });
    expect(alone.status).toBe(403);
    expect(alone.body).toMatchObject({ code: "not_your_team", team: "implementation" });

    const item = await impl.get(`/items/${key}`);
    expect(item.body.next).toEqual({
      team: "implementation",
      team_name: "Implementation",
      action: "Hold the handoff meeting with Sales, then accept or reject",
      can_accept: false,
      blocked_by: {
        code: "meeting_required",
        detail: "the handoff meeting has not been recorded as held with notes",
      },
    });
    const queue = await impl.get("/teams/implementation/queue");
    expect(queue.body.incoming.find((i: { key: string }) => i.key === key)?.next).toMatchObject({
      can_accept: false,
      blocked_by: { code: "meeting_required" },
    });
    expect((await impl.post(`/items/${key}/accept`)).body.code).toBe("meeting_required");

    // With Ivy among those who attended, Sales may record it; then Implementation accepts.
    const held = await sales.post(`/items/${key}/meetings/${id}/held`, {
      notes: "Walked through everything with Implementation",
      attended: ["sam@example.com", "ivy@example.com"],
    });
    expect(held.status).toBe(200);
    expect(held.body.held).toMatchObject({
      by: "sam@example.com",
      receivingTeam: "implementation",
    });
    expect((await impl.post(`/items/${key}/accept`)).status).toBe(200);
  });

  it.each([
    ["in 1999", () => "1999-03-04T14:00:00Z", "must not be in the past"],
    ["an hour ago", () => new Date(b.clock.now.getTime() - 3_600_000).toISOString(), "in the past"],
    [
      "more than a year ahead",
      () => new Date(b.clock.now.getTime() + 400 * 86_400_000).toISOString(),
      "must be within a year from now",
    ],
  ])("refuses a meeting dated %s", async (_when, startsAt, message) => {
    const key = await readyOnboardingItem(cast.sales, { tier: "enterprise" });
    const r = await cast.sales.post(`/items/${key}/meetings`, {
      starts_at: startsAt(),
      duration_minutes: 30,
    });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: "invalid_input" });
    expect(r.body.errors[0]).toMatchObject({
      path: "starts_at",
      message: expect.stringContaining(message),
    });
    expect((await cast.sales.get(`/items/${key}`)).body.meetings).toEqual([]);
  });

  it("refuses unknown people as invitees or attendees", async () => {
    const { sales, impl } = cast;
    const key = await readyOnboardingItem(sales, { tier: "enterprise" });
    const invited = await sales.post(`/items/${key}/meetings`, {
      starts_at: b.clock.now.toISOString(),
      duration_minutes: 30,
      attendees: ["sales", "IVY@example.com", "ghost@elsewhere.test", "nosuchteam"],
    });
    expect(invited.status).toBe(400);
    expect(invited.body.errors).toEqual([
      { path: "attendees[2]", message: "no user ghost@elsewhere.test" },
      { path: "attendees[3]", message: 'no team or user "nosuchteam"' },
    ]);
    const ok = await sales.post(`/items/${key}/meetings`, {
      starts_at: b.clock.now.toISOString(),
      duration_minutes: 30,
      attendees: ["sales", "IVY@example.com"],
    });
    expect(ok.body.attendees).toEqual(["sales", "ivy@example.com"]);
    const held = await impl.post(`/items/${key}/meetings/${ok.body.id}/held`, {
      notes: "Walked through the requirements together",
      attended: ["ivy@example.com", "ghost@elsewhere.test"],
    });
    expect(held.status).toBe(400);
    expect(held.body.errors).toEqual([
      { path: "attended[1]", message: "no user ghost@elsewhere.test" },
    ]);
  });

  it("a rejection needs a new meeting before the resubmission is accepted", async () => {
    const { sales, impl } = cast;
    const key = await readyOnboardingItem(sales, { tier: "enterprise" });
    await sales.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });
    const m = await impl.post(`/items/${key}/meetings`, {
      starts_at: b.clock.now.toISOString(),
      duration_minutes: 30,
    });
    await impl.post(`/items/${key}/meetings/${m.body.id}/held`, {
      notes: "Requirements walked through; SSO still unclear",
    });
    await impl.post(`/items/${key}/reject`, {
      reason: "incomplete",
      comment: "SSO details missing",
    });
    await sales.post(`/items/${key}/handoff`, { confirm: onboardingCriteria });
    const again = await impl.post(`/items/${key}/accept`);
    expect(again.body).toMatchObject({ code: "meeting_required" });
  });

  it("only teams on the item's path may ask or be asked questions", async () => {
    const { sales, support, outsider } = cast;
    const key = await readyOnboardingItem(sales);
    const offPath = await sales.post(`/items/${key}/questions`, {
      to_team: "finance",
      body: "Can you check the invoice?",
    });
    expect(offPath.status).toBe(403);
    expect(offPath.body).toMatchObject({
      code: "not_on_path",
      team: "finance",
      path_teams: ["sales", "implementation"],
    });
    // Support comes two steps later: not on the path yet.
    const early = await support.post(`/items/${key}/questions`, {
      to_team: "sales",
      body: "When is go-live?",
      from_team: "support",
    });
    expect(early.body.code).toBe("not_on_path");
    expect(
      (await outsider.post(`/items/${key}/questions`, { to_team: "sales", body: "?" })).status,
    ).toBe(403);
    expect(
      (await sales.post(`/items/${key}/questions`, { to_team: "implementation", body: "Ready?" }))
        .status,
    ).toBe(201);
    expect(
      (
        await b.admin.post(`/items/${key}/questions`, {
          to_team: "finance",
          from_team: "sales",
          body: "Admin asks",
        })
      ).status,
    ).toBe(201);
    expect((await sales.get(`/items/${key}`)).body.question_teams).toEqual([
      "sales",
      "implementation",
    ]);
  });
});

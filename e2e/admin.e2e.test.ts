import { describe, expect, it } from "vitest";
import { useE2e } from "./fixture.ts";

/*
 * Admin → Teams: changing a member's role, and a team's business calendar edited in the
 * browser — the server's refusal of a bad interval shown beside it in words, a good calendar
 * saved and still there after a reload, and a team lead editing (and resetting) it too; the
 * create forms of the Teams and People tabs.
 */

describe("teams: roles and calendars", () => {
  const e = useE2e();

  it("an admin edits a team calendar: a bad interval shows the server's message, a good one is saved", async () => {
    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "admin@baton.local");
    await page.goto("/admin");
    const support = page.getByRole("region", { name: "Support", exact: true });
    await support.getByRole("button", { name: "Edit calendar of Support" }).click();
    const form = support.getByRole("form", { name: "Calendar of Support" });

    // An interval that ends before it starts: the server says so beside it, and in the summary.
    await form.getByLabel("Monday interval 1 end").fill("08:00");
    await form.getByRole("button", { name: "Save calendar" }).click();
    await form
      .locator('[data-error-path="hours.mon[0]"]')
      .getByText("Starts at 09:00 but ends at 08:00: the end must come after the start")
      .waitFor();
    await form
      .getByRole("alert")
      .getByText("Monday, interval 1: starts at 09:00 but ends at 08:00", { exact: false })
      .waitFor();
    expect((await e.baton.admin.get("/teams/support/calendar")).body.default).toBe(true);
    await e.shot(page, "calendar-invalid");

    // Mornings and afternoons in Berlin, and Christmas every year.
    await form.getByLabel("Monday interval 1 end").fill("12:00");
    await form.getByRole("button", { name: "Add hours on Monday" }).click();
    await form.getByLabel("Monday interval 2 start").fill("13:00");
    await form.getByLabel("Monday interval 2 end").fill("17:00");
    await form.getByRole("button", { name: "Remove Friday interval 1" }).click();
    await form.getByRole("combobox", { name: "Time zone" }).fill("Europe/Berl");
    await page.getByRole("option", { name: "Europe/Berlin" }).click();
    await form.getByRole("button", { name: "Add holiday" }).click();
    await form.getByLabel("Holiday 1 date").fill("2026-12-25");
    await form.getByLabel("Holiday 1 name").fill("Christmas Day");
    await form.getByRole("checkbox", { name: "Holiday 1 every year" }).check();
    await form.getByRole("button", { name: "Save calendar" }).click();
    await page.getByText("Calendar of Support saved.", { exact: false }).waitFor();
    await form.getByRole("alert").waitFor({ state: "detached" });

    const saved = (await e.baton.admin.get("/teams/support/calendar")).body;
    expect(saved).toMatchObject({
      default: false,
      timezone: "Europe/Berlin",
      hours: {
        mon: [
          ["09:00", "12:00"],
          ["13:00", "17:00"],
        ],
        fri: [],
      },
      holidays: [{ date: "2026-12-25", name: "Christmas Day", yearly: true }],
    });

    await page.reload();
    const summary = support.getByTestId("calendar-summary-support");
    await expect
      .poll(() => summary.textContent())
      .toBe("Mon 09:00–12:00, 13:00–17:00 · Tue–Thu 09:00–17:00 · Europe/Berlin · 1 holiday");
    await support.getByRole("button", { name: "Edit calendar of Support" }).click();
    expect(await form.getByLabel("Monday interval 2 start").inputValue()).toBe("13:00");
    expect(await form.getByLabel("Holiday 1 name").inputValue()).toBe("Christmas Day");
    expect(await form.getByRole("combobox", { name: "Time zone" }).inputValue()).toBe(
      "Europe/Berlin",
    );
    await e.shot(page, "calendar-saved", true);
    await page.context().close();
  });

  it("an admin makes a member a lead, who may then edit and reset the team's calendar", async () => {
    const admin = await (await e.context()).newPage();
    await e.signInQuickly(admin.context(), "admin@baton.local");
    await admin.goto("/admin");
    const support = admin.getByRole("region", { name: "Support", exact: true });
    await support.getByRole("combobox", { name: "Role of Sue Support in Support" }).click();
    await admin.getByRole("option", { name: "Lead" }).click();
    await admin.getByText("Sue Support is now a lead of Support.").waitFor();
    const sue = (await e.baton.admin.get("/users/sue@example.com")).body;
    expect(sue.teams).toEqual(
      expect.arrayContaining([
        { key: "support", role: "lead" },
        { key: "support-enterprise", role: "member" },
      ]),
    );
    await admin.context().close();

    // Sue, now a lead, edits the calendar from her team's queue.
    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "sue@example.com");
    await page.goto("/teams/support");
    await page.getByRole("link", { name: "Calendar" }).click();
    await page.getByRole("heading", { name: "Support calendar", level: 1 }).waitFor();
    const form = page.getByRole("form", { name: "Calendar of Support" });
    await form.getByRole("button", { name: "Add hours on Saturday" }).click();
    await form.getByRole("button", { name: "Save calendar" }).click();
    await page.getByText("Calendar of Support saved.", { exact: false }).waitFor();
    expect((await e.baton.admin.get("/teams/support/calendar")).body.hours.sat).toEqual([
      ["09:00", "17:00"],
    ]);

    await form.getByRole("button", { name: "Reset to default" }).click();
    await page
      .getByRole("dialog", { name: "Reset the calendar of Support?" })
      .getByRole("button", { name: "Reset to default" })
      .click();
    await page.getByText("Support uses the default calendar again.").waitFor();
    expect((await e.baton.admin.get("/teams/support/calendar")).body).toMatchObject({
      default: true,
      timezone: "UTC",
    });

    // In a team she does not lead, the calendar is for reading.
    await page.goto("/teams/support-enterprise/calendar");
    await page.getByText("Only admins and leads of Enterprise support can change it.").waitFor();
    expect(await page.getByRole("form").count()).toBe(0);
    await page.context().close();
  });

  it("an admin creates a team, its key following the name, and adds a person to it", async () => {
    const page = await (await e.context()).newPage();
    await e.signInQuickly(page.context(), "admin@baton.local");
    await page.goto("/admin");
    const team = page.getByRole("form", { name: "Create a team" });
    const createTeam = team.getByRole("button", { name: "Create team" });
    await team.getByLabel("Name").fill("Field Ops");
    expect(await team.getByLabel("Key").inputValue()).toBe("field-ops");
    await team.getByLabel("Key").fill("9ops");
    await team.getByText("Lower case letters, digits, - or _, starting with a letter").waitFor();
    expect(await createTeam.isDisabled()).toBe(true);
    await team.getByLabel("Key").fill("field-ops");
    await createTeam.click();
    await page.getByRole("region", { name: "Field Ops", exact: true }).waitFor();
    expect(await team.getByLabel("Name").inputValue()).toBe("");
    expect((await e.baton.admin.get("/teams/field-ops")).body).toMatchObject({
      key: "field-ops",
      name: "Field Ops",
    });

    await page.getByRole("tab", { name: /^People/ }).click();
    const person = page.getByRole("form", { name: "Add a person" });
    const addPerson = person.getByRole("button", { name: "Add person" });
    await person.getByLabel("Name").fill("Fran Field");
    await person.getByLabel("E-mail").fill("fran@example.com");
    await person.getByLabel("Password", { exact: true }).fill("short");
    await person.getByText("At least 8 characters, or leave empty").waitFor();
    expect(await addPerson.isDisabled()).toBe(true);
    await person.getByLabel("Password", { exact: true }).fill("");
    await person.getByLabel("Teams", { exact: true }).click();
    await page.getByRole("option", { name: "Field Ops" }).click();
    await addPerson.click();
    await expect.poll(async () => (await person.getByLabel("Name").inputValue()) === "").toBe(true);
    expect((await e.baton.admin.get("/users/fran@example.com")).body).toMatchObject({
      name: "Fran Field",
      teams: [{ key: "field-ops", role: "member" }],
    });
    await page.context().close();
  });
});

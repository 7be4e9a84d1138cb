import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rolloutYaml } from "../fixtures.ts";
import { ADMIN_TOKEN, type ApiClient, dbKinds, useBaton } from "../harness.ts";
import { type Run, runBaton } from "./run-baton.ts";

/*
 * Service levels through the `baton` command: team calendars, an item whose accept clock
 * breaches and escalates, a question across the boundary and a handoff meeting. The server runs
 * in this process so the test moves its clock and fires its timers by hand; the command runs
 * as a user runs it, in a subprocess (15 of them in all, as each costs a Node start). TZ=UTC
 * makes the local times the CLI prints predictable.
 */

const workflow = rolloutYaml({ meeting: true });

const salesCalendar = `# Sales works Berlin hours, shorter on Fridays.
timezone: Europe/Berlin
hours:
  mon: [["09:00", "17:00"]]
  tue: [["09:00", "17:00"]]
  wed: [["09:00", "17:00"]]
  thu: [["09:00", "17:00"]]
  fri: [["09:00", "12:00"], ["13:00", "15:00"]]
holidays:
  - {date: 2026-05-01, name: Labour Day, yearly: true}
`;

const badCalendar = `timezone: Mars/Olympus
hours:
  mon: [["17:00", "09:00"]]
`;

describe.each(dbKinds().slice(0, 1))("service levels in the baton command on $name", (kind) => {
  const b = useBaton(kind);
  let url: string;
  let dir: string;
  let sam: ApiClient;
  let ivy: ApiClient;
  let key: string;
  const at = (iso: string) => {
    b.clock.now = new Date(iso);
  };

  /** Runs `baton ARGS` with only the environment a user would set, in UTC. */
  const baton = (args: string[], token = ADMIN_TOKEN): Promise<Run> =>
    runBaton(args, { url, token, tz: "UTC" });

  beforeAll(async () => {
    url = await b.app.listen({ port: 0, host: "127.0.0.1" });
    dir = await mkdtemp(join(tmpdir(), "baton-cli-sla-"));
    await writeFile(join(dir, "sales.yaml"), salesCalendar);
    await writeFile(join(dir, "bad.yaml"), badCalendar);
    for (const t of ["sales", "implementation", "ops"]) await b.team(t);
    sam = await b.user("sam@example.com", ["sales"]);
    ivy = await b.user("ivy@example.com", ["implementation"]);
    await b.user("lena@example.com", [{ key: "implementation", role: "lead" }]);
    await b.user("otto@example.com", ["ops"]);
    await b.workflow(workflow);
    // The first run may compile the CLI's TypeScript into tsx's cache; keep that out of a test.
    await baton(["calendar", "--help"]);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("calendar set takes a YAML file or flags; a bad calendar names each path and exits 1", async () => {
    const [file, flags, bad] = await Promise.all([
      baton(["calendar", "set", "sales", "-f", join(dir, "sales.yaml")]),
      baton([
        "calendar",
        "set",
        "ops",
        "--timezone",
        "America/New_York",
        "--hours",
        "mon-fri=08:00-16:00",
        "--hours",
        "wed=08:00-12:00,13:00-16:00",
        "--holiday",
        "2026-11-27:Day after Thanksgiving",
        "--yearly-holiday",
        "07-04:Independence Day",
      ]),
      baton(["calendar", "set", "sales", "-f", join(dir, "bad.yaml")]),
    ]);
    expect(file.code).toBe(0);
    expect(file.stdout).toContain("Set the calendar of sales; open work's deadlines move with it.");
    expect(flags.code).toBe(0);
    expect(flags.stdout).toContain("Time zone  America/New_York");
    expect(flags.stdout).toContain("Working hours (39 h a week)");
    expect(flags.stdout).toMatch(/\n {2}wed\s+08:00–12:00, 13:00–16:00\n/);
    expect(flags.stdout).toMatch(/\n {2}sat\s+closed\n/);
    expect(flags.stdout).toMatch(/\n {2}07-04 every year\s+Independence Day\n/);
    expect(flags.stdout).toMatch(/\n {2}2026-11-27\s+Day after Thanksgiving\n/);

    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(/^error: /);
    expect(bad.stderr).toContain("  - timezone: must be an IANA time zone");
    expect(bad.stderr).toContain("  - hours.mon[0]: starts at 17:00 but ends at 09:00");
  });

  it("calendar show prints hours per weekday and holidays; reset returns to the default", async () => {
    const [show, reset] = await Promise.all([
      baton(["calendar", "show", "sales"], sam.token),
      baton(["calendar", "reset", "ops"]),
    ]);
    expect(show.code).toBe(0);
    const lines = show.stdout.split("\n");
    expect(lines.slice(0, 2)).toEqual(["Calendar of sales", "Time zone  Europe/Berlin"]);
    expect(show.stdout).toContain("Working hours (37 h a week)");
    expect(show.stdout).toMatch(/\n {2}mon\s+09:00–17:00\n/);
    expect(show.stdout).toMatch(/\n {2}fri\s+09:00–12:00, 13:00–15:00\n/);
    expect(show.stdout).toMatch(/\n {2}sun\s+closed\n/);
    expect(show.stdout).toMatch(/\n {2}05-01 every year\s+Labour Day\n/);

    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain("ops uses the default calendar again");
    expect(reset.stdout).toContain(
      "Calendar of ops: the default (the team has no calendar of its own)\nTime zone  UTC\n",
    );
    expect(reset.stdout).toContain("Holidays   none");
  });

  it("item create --due sets the due date; question ask shows up in the asked team's queue", async () => {
    at("2026-03-02T09:00:00Z"); // a Monday
    const created = await baton(
      ["item", "create", "rollout", "--title", "ACME rollout", "--due", "2026-03-20", "--json"],
      sam.token,
    );
    expect(created.code).toBe(0);
    const item = JSON.parse(created.stdout);
    expect(item.due).toBe("2026-03-20T23:59:59.999Z");
    key = item.key;

    at("2026-03-02T10:00:00Z");
    expect((await sam.post(`/items/${key}/handoff`)).status).toBe(200);
    at("2026-03-02T10:30:00Z");
    const asked = await baton(
      ["question", "ask", key, "--to", "implementation", "Is the test environment ready?"],
      sam.token,
    );
    expect(asked.code).toBe(0);
    expect(asked.stdout).toContain(`Asked implementation on ${key} (question #1).`);
    expect(asked.stdout).toMatch(/Answer due 2026-03-02 12:30 \(.+\)\./);

    const queue = await baton(["queue", "implementation"], ivy.token);
    expect(queue.code).toBe(0);
    expect(queue.stdout).toMatch(/DEADLINE/);
    expect(queue.stdout).toMatch(
      // The nearest deadline: the question asked of the team, before the handoff's 14:00.
      new RegExp(`${key}\\s+ACME rollout.*answer 2026-03-02 12:30 \\(2 h left\\)`),
    );
    const questions = queue.stdout.slice(queue.stdout.indexOf("Questions to answer"));
    expect(questions.split("\n").slice(0, 3)).toEqual([
      "Questions to answer (1)",
      expect.stringMatching(/^ {2}KEY\s+#\s+QUESTION\s+FROM\s+ANSWER DUE$/),
      expect.stringMatching(
        new RegExp(
          `^ {2}${key}\\s+#1\\s+Is the test environment ready\\?\\s+sales\\s+2026-03-02 12:30 \\(`,
        ),
      ),
    ]);
  });

  it("question answer and a meeting scheduled, held and downloaded as an invite", async () => {
    at("2026-03-02T11:00:00Z");
    const [answered, scheduled] = await Promise.all([
      baton(["question", "answer", key, "1", "Yes, since Friday"], ivy.token),
      baton(
        [
          "meeting",
          "schedule",
          key,
          "--at",
          "2026-03-02 11:30",
          "--minutes",
          "30",
          "--location",
          "Room 4",
          "--attendee",
          "sales",
          "--attendee",
          "implementation",
        ],
        ivy.token,
      ),
    ]);
    expect(answered).toMatchObject({
      code: 0,
      stdout: `Answered question #1 of sales on ${key}.\n`,
    });
    expect(scheduled.code).toBe(0);
    expect(scheduled.stdout).toContain(
      `Scheduled meeting #1 on ${key}: 2026-03-02 11:30, 30 min, Room 4.`,
    );
    expect(scheduled.stdout).toContain(`Invite: ${url}/api/v1/items/${key}/meetings/1.ics`);

    at("2026-03-02T12:00:00Z");
    const ics = join(dir, "invite.ics");
    const [held, invite] = await Promise.all([
      baton(
        [
          "meeting",
          "held",
          key,
          "1",
          "--notes",
          "Requirements walked through",
          "--attended",
          "ivy@example.com",
          "--attended",
          "sam@example.com",
        ],
        sam.token,
      ),
      baton(["meeting", "invite", key, "#1", "-o", ics], sam.token),
    ]);
    expect(held).toMatchObject({
      code: 0,
      stdout: `Recorded meeting #1 on ${key} as held, attended by ivy@example.com, sam@example.com.\n`,
    });
    expect(invite).toMatchObject({
      code: 0,
      stdout: `Wrote the invite for meeting #1 on ${key} to ${ics}.\n`,
    });
    const text = await readFile(ics, "utf8");
    expect(text).toMatch(/^BEGIN:VCALENDAR/);
    expect(text).toContain("BEGIN:VEVENT");
  });

  it("an accept clock that runs out shows BREACHED on item show, and the escalation in the outbox", async () => {
    at("2026-03-02T14:05:00Z");
    expect(await b.engine.timers.tick()).toBeGreaterThan(0);
    await b.engine.notifications.tick();
    const [show, outbox] = await Promise.all([
      baton(["item", "show", key], ivy.token),
      baton(["outbox", "--item", key]),
    ]);
    expect(show.code).toBe(0);
    const lines = show.stdout.split("\n");
    expect(lines[1]).toMatch(
      /^NEXT {6}Implementation \(implementation\): .* — BREACHED: over by 5 m, was due 2026-03-02 14:00$/,
    );
    expect(show.stdout).toMatch(/Due {7}2026-03-20 23:59 \(.+\)\n/);
    const clocks = show.stdout.slice(show.stdout.indexOf("Service levels"));
    expect(clocks).toMatch(/\n {2}CLOCK\s+TEAM\s+STATE\s+ELAPSED \/ LIMIT\s+LEFT\s+DUE\n/);
    expect(clocks).toMatch(
      /\n {2}complete prepare\s+sales\s+met\s+1 h \/ 1d\s+met, 7 h to spare\s+ended 2026-03-02 10:00\n/,
    );
    expect(clocks).toMatch(
      /\n {2}accept handoff #1\s+implementation\s+BREACHED\s+4 h 5 m \/ 4h\s+over by 5 m\s+2026-03-02 14:00 \(.+\)\n/,
    );
    expect(clocks).toMatch(
      /\n {2}due date\s+sales\s+running\s+—\s+18 d 9 h left\s+2026-03-20 23:59/,
    );
    expect(show.stdout).toContain(
      `  #1 sales → implementation, asked by sam@example.com 2026-03-02 10:30: "Is the test environment ready?"\n` +
        `     answered by ivy@example.com 2026-03-02 11:00: "Yes, since Friday"\n`,
    );
    expect(show.stdout).toContain(
      "  #1 2026-03-02 11:30, 30 min, Room 4 (handoff #1)\n" +
        "     attendees: sales, implementation\n" +
        "     agenda: Walk through requirements\n" +
        `     held, recorded 2026-03-02 12:00 by sam@example.com (attended: ivy@example.com, sam@example.com): "Requirements walked through"\n` +
        `     invite: ${url}/api/v1/items/${key}/meetings/1.ics\n`,
    );

    expect(outbox.code).toBe(0);
    const breaches = outbox.stdout.split("\n").filter((l) => l.includes("sla.breached"));
    // The outbox stamps messages with the database's time, not the test clock.
    const line = new RegExp(
      `^\\S+ \\S+\\s+${key}\\s+sla\\.breached\\s+\\S+@example\\.com\\s+.*${key} breached: Implementation did not accept`,
    );
    expect(breaches).toEqual([
      expect.stringMatching(line),
      expect.stringMatching(line),
      expect.stringMatching(line),
    ]);
    // The owner team (ivy, lena), its lead (lena) and the escalation team (otto), each once.
    expect(breaches.map((l) => /(\w+)@example\.com/.exec(l)?.[1]).sort()).toEqual([
      "ivy",
      "lena",
      "otto",
    ]);
  });
});

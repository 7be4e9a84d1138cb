import { describe, expect, it } from "vitest";
import type { ItemEventType } from "./item.ts";
import { describeEvent, describeMissing, type EventEntry, type EventWording } from "./wording.ts";

// One event of every type: a new type stops compiling here until it has a sample (and words).
const at = "2026-03-02T14:00:00.000Z";
const sla = { clock: "accept:1", step: "sell", team: "sales", handoff: 1, limitSeconds: 3600 };
const samples: { [T in ItemEventType]: (EventEntry & { type: T })["data"] } = {
  "item.created": {
    key: "ONB-7",
    title: "Globex rollout",
    workflow: "onboarding",
    workflowVersion: 3,
    step: "sell",
    team: "sales",
    fields: {},
    due: null,
  },
  "item.fields_updated": { changes: { tier: "smb", customer: null }, previous: {} },
  "checklist.updated": { step: "sell", index: 0, text: "Contract signed", done: true },
  "item.assigned": { assignee: "sam@example.com" },
  "comment.added": { body: "Looks good" },
  "comment.edited": { comment: 4, body: "Looks fine" },
  "comment.deleted": { comment: 4 },
  "item.edited": { changes: { title: "ACME Corp" }, previous: { title: "ACME" } },
  "item.reopened": { reason: "Deal back", step: "sell", team: "sales" },
  "item.migrated": { fromVersion: 1, toVersion: 2, checklists: {} },
  "file.attached": {
    file_id: "f1",
    name: "contract.pdf",
    size: 2048,
    content_type: "application/pdf",
    sha256: "0".repeat(64),
    field: "contract",
  },
  "handoff.submitted": {
    handoff: 1,
    fromStep: "sell",
    fromTeam: "sales",
    toStep: "implement",
    toTeam: "implementation",
    note: "Call Ana first",
    confirmed: ["Scope agreed"],
    package: { customer: "ACME" },
  },
  "handoff.withdrawn": { handoff: 1 },
  "handoff.accepted": { handoff: 1, assignee: null },
  "handoff.rejected": {
    handoff: 1,
    reason: "incomplete",
    comment: "No contract",
    failedCriteria: [],
    assignee: null,
  },
  "item.completed": {},
  "item.cancelled": { reason: "Deal lost" },
  "item.paused": { reason: "Waiting on the customer" },
  "item.resumed": {},
  "question.asked": { question: 1, fromTeam: "implementation", toTeam: "sales", body: "Which?" },
  "question.answered": { question: 1, body: "This one" },
  "meeting.scheduled": {
    meeting: 1,
    handoff: 1,
    startsAt: at,
    durationMinutes: 30,
    location: null,
    attendees: [],
    agenda: [],
  },
  "meeting.rescheduled": { meeting: 1, startsAt: at, durationMinutes: 30, location: null },
  "meeting.held": { meeting: 1, notes: "Walked through it", attended: [] },
  "sla.warning": { ...sla, kind: "accept", dueAt: at },
  "sla.breached": { ...sla, kind: "accept", dueAt: at },
  "item.stalled": { step: "sell", team: "sales", since: at, stallAfter: "2d" },
};
const events = Object.entries(samples).map(
  ([type, data], seq) => ({ type, data, seq: seq + 1 }) as EventEntry,
);

const log: EventWording = { style: "log", time: (iso) => iso.slice(0, 16) };
const names = { sales: "Sales", implementation: "Implementation" } as Record<string, string>;
const sentence: EventWording = {
  style: "sentence",
  time: (iso) => iso.slice(0, 16),
  team: (k) => names[k] ?? k,
  step: (k) => (k === "sell" ? "Close the deal" : k),
};

describe("the words of events and gaps, shared by the server, the CLI and the web app", () => {
  it("every event type has its own line in the CLI's log, never the raw type and its data", () => {
    for (const e of events) {
      const line = describeEvent(e, log);
      expect(line, e.type).not.toContain(JSON.stringify(e.data));
      expect(line.length, e.type).toBeGreaterThan(0);
    }
  });

  it("the CLI logs keys and ids where the web app names teams and steps", () => {
    const created = events.find((e) => e.type === "item.created") as EventEntry;
    expect(describeEvent(created, log)).toBe(
      'created "Globex rollout" (onboarding v3) at sell, team sales',
    );
    expect(describeEvent(created, sentence)).toBe("created the item at “Close the deal” for Sales");
    const handed = events.find((e) => e.type === "handoff.submitted") as EventEntry;
    expect(describeEvent(handed, log)).toBe(
      "handed off #1: sell (sales) → implement (implementation); note: Call Ana first",
    );
    expect(describeEvent(handed, sentence)).toBe("handed it off from Sales to Implementation");
  });

  it("a missing field reads as the server's detail, the CLI's line and the web app's to-do", () => {
    const m = { kind: "field", field: "contract", label: "Signed contract" } as const;
    expect(describeMissing(m, "inline")).toBe('field "Signed contract"');
    expect(describeMissing(m, "line")).toBe("field: Signed contract");
    expect(describeMissing(m, "todo")).toBe("Fill in “Signed contract”");
  });
});

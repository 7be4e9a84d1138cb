import type { ApiClient } from "../test/harness.ts";
import type { E2e } from "./fixture.ts";

/*
 * Eight weeks of customer onboarding, played through the API on the harness's clock so the
 * review page and its charts show real shapes: handoffs Sales → Implementation that are often
 * accepted in an hour and sometimes only the next morning (limbo p85 above the 4 h limit),
 * rejections that keep asking for the go-live date (a field Sales is not required to fill),
 * questions after acceptance, pauses, both surveys with comments, and Implementation → Support
 * handoffs whose "Runbook written" criterion never fails. Four weeks in, version 2 also requires
 * the customer success manager, and rejections drop. Every item's steps are scheduled at
 * instants and all of them run in time order, so the clock only moves forward; whatever would
 * happen after now does not, which leaves items in limbo (stalled), in progress and ageing.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const CUSTOMERS = [
  "Acme Corp",
  "Globex",
  "Initech",
  "Umbrella",
  "Hooli",
  "Stark Industries",
  "Wayne Enterprises",
  "Wonka",
  "Soylent",
  "Tyrell",
  "Cyberdyne",
  "Vandelay",
  "Aperture",
  "Oscorp",
  "Massive Dynamic",
  "Pied Piper",
  "Dunder Mifflin",
  "Gringotts",
  "Monarch",
  "Nakatomi",
];

const SELL_CRITERIA = ["Technical requirements attached", "Go-live date agreed with the customer"];
const IMPLEMENT_CRITERIA = ["Customer signed off the setup", "Runbook written"];

/** The reject comments of Sales → Implementation: three of four ask for the go-live date. */
const SELL_REJECTIONS: {
  reason: string;
  comment: string;
  failed: string[];
}[] = [
  {
    reason: "incomplete",
    comment: "No go-live date agreed yet, we cannot plan the setup.",
    failed: ["Go-live date agreed with the customer"],
  },
  {
    reason: "incorrect",
    comment: "The requirements link points to another customer's document.",
    failed: ["Technical requirements attached"],
  },
  {
    reason: "incomplete",
    comment: "Customer success manager not named: who signs off the go-live date?",
    failed: ["Go-live date agreed with the customer"],
  },
  {
    reason: "other",
    comment: "Contract still unsigned on page 3.",
    failed: [],
  },
];

const RECEIVER_COMMENTS = [
  "Had to chase the go-live date again.",
  "Everything was there, thanks.",
  "Requirements were thin on integrations.",
  "",
  "Good handoff meeting notes.",
];
const SENDER_COMMENTS = ["Quick and clear.", "", "Took a day to hear back.", "Criteria were fine."];

/** A small seeded generator (mulberry32): the same history on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Step = { at: number; run: () => Promise<void> };

/** Moves a time to the next working moment (Mon–Fri 09:00–17:00 UTC), keeping its minutes. */
function workingTime(t: number): number {
  let d = new Date(t);
  for (let i = 0; i < 10; i++) {
    const day = d.getUTCDay();
    const h = d.getUTCHours();
    if (day === 0 || day === 6 || h >= 17) {
      d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1, 9, 10));
      continue;
    }
    if (h < 9) d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 9, 10));
    break;
  }
  return d.getTime();
}

// The API's answers are read loosely here, as the tests' ApiClient returns them.
// biome-ignore lint/suspicious/noExplicitAny: a seeding helper over untyped JSON answers
async function ok(p: Promise<{ status: number; body: any }>, what: string): Promise<any> {
  const r = await p;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export interface ReviewHistory {
  /** Items created, with their keys in creation order. */
  keys: string[];
  /** When version 2 (requires the customer success manager) was published. */
  version2At: Date;
}

/**
 * Plays the history into the test's Baton, ending a few minutes before now; returns the clock
 * to real time afterwards.
 */
export async function seedReviewHistory(
  e: E2e,
  { weeks = 8, seed = 7 }: { weeks?: number; seed?: number } = {},
): Promise<ReviewHistory> {
  const sam = e.api["sam@example.com"] as ApiClient;
  const ivy = e.api["ivy@example.com"] as ApiClient;
  const sue = e.api["sue@example.com"] as ApiClient;
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const now = Date.now();
  const end = now - 5 * MIN;
  const start = Date.UTC(
    new Date(now - weeks * 7 * DAY).getUTCFullYear(),
    new Date(now - weeks * 7 * DAY).getUTCMonth(),
    new Date(now - weeks * 7 * DAY).getUTCDate(),
    9,
    0,
  );
  const version2At = workingTime(start + Math.floor((weeks / 2) * 7) * DAY);
  const steps: Step[] = [];
  const keys: string[] = [];
  const source = (await ok(e.baton.admin.get("/workflows/onboarding"), "workflow"))
    .source as string;
  steps.push({
    at: version2At,
    run: async () => {
      await ok(
        e.baton.admin.put(
          "/workflows/onboarding",
          source.replace(
            "requires: [customer, contract_url, tier, requirements_url]",
            "requires: [customer, contract_url, tier, requirements_url, csm]",
          ),
        ),
        "publish version 2",
      );
    },
  });

  let n = 0;
  for (let day = start; day < end; day += DAY) {
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    // One or two new customers a working day.
    const today = rnd() < 0.35 ? 2 : 1;
    for (let j = 0; j < today; j++) {
      const index = n++;
      const customer = `${CUSTOMERS[index % CUSTOMERS.length]}${index >= CUSTOMERS.length ? ` ${Math.floor(index / CUSTOMERS.length) + 1}` : ""}`;
      const item = { key: "" };
      const isV2 = day + HOUR >= version2At;
      let t = day + Math.floor(rnd() * 5 * HOUR) + 30 * MIN;
      steps.push({
        at: t,
        run: async () => {
          const created = await ok(
            sam.post("/items", {
              workflow: "onboarding",
              title: `Onboard ${customer}`,
              fields: {
                customer,
                contract_url: `https://docs.example.com/${index}/contract.pdf`,
                tier: "smb",
                requirements_url: `https://docs.example.com/${index}/requirements`,
                ...(isV2 ? { csm: "sue@example.com" } : {}),
              },
            }),
            "create",
          );
          item.key = created.key;
          keys.push(created.key);
          for (const i of [0, 1])
            await ok(sam.post(`/items/${item.key}/checklist`, { index: i, done: true }), "tick");
        },
      });
      // Sales hands off, is rejected now and then (far less once version 2 asks for the CSM).
      t = workingTime(t + HOUR + rnd() * 3 * HOUR);
      const rejections = rnd() < (isV2 ? 0.12 : 0.45) ? (rnd() < 0.3 ? 2 : 1) : 0;
      for (let r = 0; r <= rejections; r++) {
        steps.push({
          at: t,
          run: () =>
            ok(sam.post(`/items/${item.key}/handoff`, { confirm: SELL_CRITERIA }), "handoff"),
        });
        // Most handoffs are picked up within the hour; one in three waits until the next day.
        t =
          rnd() < 0.33
            ? workingTime(t + 21 * HOUR + rnd() * 6 * HOUR)
            : t + 15 * MIN + rnd() * HOUR;
        if (r < rejections) {
          const why = pick(SELL_REJECTIONS);
          steps.push({
            at: t,
            run: () =>
              ok(
                ivy.post(`/items/${item.key}/reject`, {
                  reason: why.reason,
                  comment: why.comment,
                  failed_criteria: why.failed,
                }),
                "reject",
              ),
          });
          t = workingTime(t + 2 * HOUR + rnd() * 4 * HOUR);
        }
      }
      steps.push({ at: t, run: () => ok(ivy.post(`/items/${item.key}/accept`), "accept") });
      if (rnd() < 0.75) {
        const score = rejections > 0 ? 2 + Math.floor(rnd() * 2) : 3 + Math.floor(rnd() * 3);
        const comment = pick(RECEIVER_COMMENTS);
        steps.push({
          at: t + 5 * MIN,
          run: () =>
            ok(
              ivy.post(`/items/${item.key}/survey`, {
                role: "receiver",
                score,
                ...(comment ? { comment } : {}),
              }),
              "receiver survey",
            ),
        });
      }
      // Implementation asks Sales something now and then (the go-live date, mostly).
      if (rnd() < 0.3) {
        const asked = t + 2 * HOUR;
        const q = { id: 0 };
        steps.push({
          at: asked,
          run: async () => {
            const body = await ok(
              ivy.post(`/items/${item.key}/questions`, {
                to_team: "sales",
                body:
                  rnd() < 0.7
                    ? "What go-live date did the customer agree to?"
                    : "Who is the customer's admin contact?",
              }),
              "question",
            );
            q.id = body.id;
          },
        });
        steps.push({
          at: asked + HOUR + rnd() * 3 * HOUR,
          run: () =>
            ok(
              sam.post(`/items/${item.key}/questions/${q.id}/answer`, {
                body: "See the contract notes.",
              }),
              "answer",
            ),
        });
      }
      // Implementation works one to six days, sometimes paused waiting on the customer.
      let work = t + DAY + rnd() * 5 * DAY;
      if (rnd() < 0.15) {
        const paused = t + 4 * HOUR;
        steps.push({
          at: paused,
          run: () =>
            ok(
              ivy.post(`/items/${item.key}/pause`, {
                reason: "Waiting for the customer's VPN access",
              }),
              "pause",
            ),
        });
        steps.push({
          at: paused + 2 * DAY,
          run: () => ok(ivy.post(`/items/${item.key}/resume`), "resume"),
        });
        work += 2 * DAY;
      }
      work = workingTime(work);
      steps.push({
        at: work,
        run: async () => {
          await ok(ivy.patch(`/items/${item.key}/fields`, { go_live: "2027-01-15" }), "go-live");
          for (const i of [0, 1])
            await ok(ivy.post(`/items/${item.key}/checklist`, { index: i, done: true }), "tick");
          await ok(
            ivy.post(`/items/${item.key}/handoff`, { confirm: IMPLEMENT_CRITERIA }),
            "handoff 2",
          );
        },
      });
      let handed = work;
      if (rnd() < 0.1) {
        steps.push({
          at: handed + 3 * HOUR,
          run: () =>
            ok(
              sue.post(`/items/${item.key}/reject`, {
                reason: "incomplete",
                comment: "Setup not signed off yet: no sign-off e-mail attached.",
                failed_criteria: ["Customer signed off the setup"],
              }),
              "reject 2",
            ),
        });
        handed = workingTime(handed + DAY);
        steps.push({
          at: handed,
          run: () =>
            ok(
              ivy.post(`/items/${item.key}/handoff`, { confirm: IMPLEMENT_CRITERIA }),
              "handoff 2b",
            ),
        });
      }
      if (rnd() < 0.6) {
        const score = 3 + Math.floor(rnd() * 3);
        const comment = pick(SENDER_COMMENTS);
        steps.push({
          at: handed + 10 * MIN,
          run: () =>
            ok(
              sam.post(`/items/${item.key}/survey`, {
                role: "sender",
                score,
                ...(comment ? { comment } : {}),
              }),
              "sender survey",
            ),
        });
      }
      const accepted = handed + HOUR + rnd() * 8 * HOUR;
      steps.push({
        at: accepted,
        run: () => ok(sue.post(`/items/${item.key}/accept`), "accept 2"),
      });
      if (rnd() < 0.5) {
        const comment = pick(["Runbook was clear.", "", "Missing the admin contact.", "Smooth."]);
        const score = comment.startsWith("Missing") ? 2 : 4 + Math.floor(rnd() * 2);
        steps.push({
          at: accepted + 5 * MIN,
          run: () =>
            ok(
              sue.post(`/items/${item.key}/survey`, {
                role: "receiver",
                score,
                ...(comment ? { comment } : {}),
              }),
              "receiver survey 2",
            ),
        });
      }
      const done = workingTime(accepted + DAY + rnd() * 3 * DAY);
      steps.push({
        at: done,
        run: async () => {
          await ok(sue.post(`/items/${item.key}/checklist`, { index: 0, done: true }), "tick 3");
          await ok(sue.post(`/items/${item.key}/complete`), "complete");
        },
      });
      if (rnd() < 0.4)
        steps.push({
          at: done + 30 * MIN,
          run: () =>
            ok(
              ivy.post(`/items/${item.key}/survey`, {
                role: "sender",
                score: 4,
                comment: "Support picked it up fast.",
              }),
              "sender survey 2",
            ),
        });
    }
  }

  // Three handoffs awaiting Implementation now, whatever the history left: four days (over the
  // limit on any weekday: two working days lie in between), a day and an hour.
  for (const [i, ago] of [4 * DAY, DAY, HOUR].entries()) {
    const item = { key: "" };
    steps.push({
      at: end - ago - 2 * HOUR,
      run: async () => {
        item.key = (
          await ok(
            sam.post("/items", {
              workflow: "onboarding",
              title: `Onboard Late ${i + 1}`,
              fields: {
                customer: `Late ${i + 1}`,
                contract_url: "https://docs.example.com/late/contract.pdf",
                tier: "smb",
                requirements_url: "https://docs.example.com/late/requirements",
                csm: "sue@example.com",
              },
            }),
            "create late",
          )
        ).key;
        keys.push(item.key);
        for (const x of [0, 1])
          await ok(sam.post(`/items/${item.key}/checklist`, { index: x, done: true }), "tick");
      },
    });
    steps.push({
      at: end - ago,
      run: () => ok(sam.post(`/items/${item.key}/handoff`, { confirm: SELL_CRITERIA }), "late"),
    });
  }

  // Each item's steps in time order (a stable sort keeps an item's same-instant steps in order).
  const due = steps.filter((s) => s.at < end).sort((a, b) => a.at - b.at);
  const clock = e.baton.clock;
  const realTime = Object.getOwnPropertyDescriptor(clock, "now") as PropertyDescriptor;
  try {
    for (const s of due) {
      Object.defineProperty(clock, "now", {
        value: new Date(Math.round(s.at)),
        writable: true,
        configurable: true,
      });
      await s.run();
    }
  } finally {
    Object.defineProperty(clock, "now", realTime);
  }
  return { keys, version2At: new Date(version2At) };
}

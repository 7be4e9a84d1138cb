import type { Handoff, Item } from "./item.ts";
import type { WorkflowDef } from "./workflow.ts";

/*
 * Two-sided handoff surveys. After a handoff is accepted its receiving team is asked "Did you have
 * what you needed?" (1–5) and "What was missing or unclear?"; once the receiver has finished the
 * step it accepted the work into, the sending team is asked "Were the criteria clear and the
 * response timely?" (1–5) and a comment. Each person answers each handoff once per role. A
 * workflow turns them off or samples a share of handoffs (`surveys: {enabled, sample}`); the
 * sample is decided by the item key and handoff, so every node and both sides agree. Pure.
 */

export type SurveyRole = "receiver" | "sender";

export const SURVEY_QUESTIONS: Record<SurveyRole, { score: string; comment: string }> = {
  receiver: {
    score: "Did you have what you needed?",
    comment: "What was missing or unclear?",
  },
  sender: {
    score: "Were the criteria clear and the response timely?",
    comment: "Anything to add?",
  },
};

/** The longest survey comment, in characters. */
export const SURVEY_COMMENT_MAX = 2_000;

/** The workflow's survey settings with their defaults (on, every handoff). */
export function surveyPolicy(def: WorkflowDef): { enabled: boolean; sample: number } {
  return { enabled: def.surveys?.enabled ?? true, sample: def.surveys?.sample ?? 1 };
}

/** FNV-1a over the text: a stable, well-spread number for sampling. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Whether a handoff is in the workflow's sample (the same answer for both roles and every node). */
export function isSampled(key: string, handoff: number, sample: number): boolean {
  if (sample >= 1) return true;
  if (sample <= 0) return false;
  return hash(`${key}#${handoff}`) % 10_000 < Math.round(sample * 10_000);
}

/** A survey someone may answer: the handoff and the side they were on. */
export interface SurveyAsk {
  role: SurveyRole;
  handoff: number;
  fromTeam: string;
  toTeam: string;
  fromStep: string;
  toStep: string;
}

/** Whether the receiving team has finished the step `h` brought the item into. */
function receiverFinished(item: Item, h: Handoff): boolean {
  const later = item.handoffs.filter((x) => x.id > h.id);
  if (later.some((x) => x.fromStep === h.toStep && x.outcome !== "withdrawn")) return true;
  // Completed at that step (no later acceptance moved it elsewhere).
  return (
    item.status === "done" && item.step === h.toStep && !later.some((x) => x.outcome === "accepted")
  );
}

/**
 * The surveys an item asks of the members of `teams` now, newest handoff first: the receiver's
 * of each accepted handoff, and the sender's of each accepted handoff whose receiver has
 * finished its step. Answered ones are filtered by the caller (they live in their own table).
 */
export function surveysAsked(item: Item, def: WorkflowDef, teams: readonly string[]): SurveyAsk[] {
  const policy = surveyPolicy(def);
  if (!policy.enabled) return [];
  const accepted = item.handoffs.filter(
    (h) => h.outcome === "accepted" && isSampled(item.key, h.id, policy.sample),
  );
  const ask = (role: SurveyRole, h: Handoff): SurveyAsk => ({
    role,
    handoff: h.id,
    fromTeam: h.fromTeam,
    toTeam: h.toTeam,
    fromStep: h.fromStep,
    toStep: h.toStep,
  });
  const out: SurveyAsk[] = [];
  for (const h of [...accepted].reverse()) {
    if (teams.includes(h.toTeam)) out.push(ask("receiver", h));
    if (teams.includes(h.fromTeam) && receiverFinished(item, h)) out.push(ask("sender", h));
  }
  return out;
}

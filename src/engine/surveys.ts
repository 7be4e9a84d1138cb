import { DomainError } from "../domain/errors.ts";
import type { Item } from "../domain/item.ts";
import {
  SURVEY_QUESTIONS,
  type SurveyAsk,
  type SurveyRole,
  surveysAsked,
} from "../domain/surveys.ts";
import type { WorkflowDef } from "../domain/workflow.ts";
import type { Db } from "../store/db.ts";
import { findItem } from "../store/items.ts";
import * as store from "../store/metrics.ts";
import type { Principal } from "./directory.ts";
import type { Workflows } from "./workflows.ts";

/** A survey as the item API offers it to the caller. */
export interface PendingSurvey {
  role: SurveyRole;
  handoff: number;
  from_team: string;
  to_team: string;
  from_step: string;
  to_step: string;
  question: string;
  comment_question: string;
}

function present(a: SurveyAsk): PendingSurvey {
  return {
    role: a.role,
    handoff: a.handoff,
    from_team: a.fromTeam,
    to_team: a.toTeam,
    from_step: a.fromStep,
    to_step: a.toStep,
    question: SURVEY_QUESTIONS[a.role].score,
    comment_question: SURVEY_QUESTIONS[a.role].comment,
  };
}

/* Two-sided handoff surveys: what the caller is asked on an item, and recording an answer. */
export class Surveys {
  constructor(
    private readonly db: Db,
    private readonly workflows: Workflows,
    private readonly clock: () => Date,
  ) {}

  /** The survey the item asks of `by` now (newest handoff first), or null. */
  async pendingFor(by: Principal, item: Item, def: WorkflowDef): Promise<PendingSurvey | null> {
    const asked = surveysAsked(item, def, by.teams);
    if (asked.length === 0) return null;
    // Neither answered nor skipped: a skipped survey is not offered again.
    const closed = new Set(await store.surveysClosedByKey(this.db, item.key, by.user.id));
    const next = asked.find((a) => !closed.has(`${a.handoff}:${a.role}`));
    return next ? present(next) : null;
  }

  /**
   * Records that `by` skipped the item's survey in `role` (for `handoff`, or the newest one
   * offered): it is not offered to them again. Skipping one already skipped changes nothing;
   * one already answered, or none asked, is refused.
   */
  async skip(
    by: Principal,
    key: string,
    input: { role: SurveyRole; handoff?: number | undefined },
  ): Promise<{ item: string; handoff: number; role: SurveyRole; skipped_at: string }> {
    const row = await findItem(this.db, key);
    if (!row) throw new DomainError("not_found", `No item ${key}.`);
    const def = await this.workflows.definition(row.item.workflow, row.item.workflowVersion);
    const asked = surveysAsked(row.item, def, by.teams).filter(
      (a) => a.role === input.role && (input.handoff === undefined || a.handoff === input.handoff),
    );
    const [answered, skipped] = await Promise.all([
      store.surveysAnswered(this.db, row.id, by.user.id),
      store.surveysSkipped(this.db, row.id, by.user.id),
    ]);
    const isAnswered = (a: SurveyAsk) => answered.includes(`${a.handoff}:${a.role}`);
    const isSkipped = (a: SurveyAsk) => skipped.includes(`${a.handoff}:${a.role}`);
    const open = asked.find((a) => !isAnswered(a) && !isSkipped(a));
    const at = this.clock().toISOString();
    if (!open) {
      // A second Skip (a double click, another tab) is answered as the first was.
      const done = asked.find(isSkipped);
      if (done) return { item: key, handoff: done.handoff, role: done.role, skipped_at: at };
      if (asked.length > 0)
        throw new DomainError(
          "already_exists",
          `You already answered the ${input.role} survey of this handoff.`,
        );
      throw new DomainError(
        "wrong_state",
        `${key} asks no ${input.role} survey of you, so there is none to skip.`,
      );
    }
    await store.insertSurveySkip(this.db, {
      itemId: row.id,
      handoff: open.handoff,
      role: open.role,
      userId: by.user.id,
      at,
    });
    return { item: key, handoff: open.handoff, role: open.role, skipped_at: at };
  }

  /**
   * Records `by`'s answer to the item's survey in `role` (for `handoff`, or the newest one the
   * item asks of them). One answer per person, handoff and role.
   */
  async answer(
    by: Principal,
    key: string,
    input: {
      role: SurveyRole;
      score: number;
      comment: string | null;
      handoff?: number | undefined;
    },
  ) {
    const row = await findItem(this.db, key);
    if (!row) throw new DomainError("not_found", `No item ${key}.`);
    const def = await this.workflows.definition(row.item.workflow, row.item.workflowVersion);
    const asked = surveysAsked(row.item, def, by.teams).filter(
      (a) => a.role === input.role && (input.handoff === undefined || a.handoff === input.handoff),
    );
    const answered = new Set(await store.surveysAnswered(this.db, row.id, by.user.id));
    const open = asked.find((a) => !answered.has(`${a.handoff}:${a.role}`));
    if (!open) {
      if (asked.length > 0)
        throw new DomainError(
          "already_exists",
          `You already answered the ${input.role} survey of this handoff.`,
        );
      throw new DomainError(
        "wrong_state",
        input.role === "receiver"
          ? `${key} asks no receiver survey of you: it is asked of the receiving team once a handoff is accepted (and only when the workflow samples it).`
          : `${key} asks no sender survey of you: it is asked of the sending team once the receiver has finished its step (and only when the workflow samples it).`,
      );
    }
    const at = this.clock().toISOString();
    const inserted = await store.insertSurvey(this.db, {
      itemId: row.id,
      handoff: open.handoff,
      role: open.role,
      userId: by.user.id,
      score: input.score,
      comment: input.comment,
      at,
    });
    if (!inserted)
      throw new DomainError(
        "already_exists",
        `You already answered the ${input.role} survey of this handoff.`,
      );
    return {
      item: key,
      handoff: open.handoff,
      role: open.role,
      score: input.score,
      comment: input.comment,
      answered_at: at,
    };
  }
}

import { isDeepStrictEqual } from "node:util";
import {
  type BusinessCalendar,
  DEFAULT_CALENDAR,
  parseCalendar,
  readStoredCalendar,
} from "../domain/calendar.ts";
import type { Clock } from "../domain/clocks.ts";
import { DomainError } from "../domain/errors.ts";
import { alertKey, type Item, isClosed } from "../domain/item.ts";
import {
  itemClocks,
  itemTimers,
  stallOf,
  stallTimerKey,
  stallTimerStands,
  urgencyOf,
} from "../domain/sla.ts";
import type { WorkflowDef } from "../domain/workflow.ts";
import type { Db } from "../store/db.ts";
import { listCalendars, setCalendar } from "../store/directory.ts";
import { isConnectionError } from "../store/health.ts";
import {
  appendMany,
  CLOSED_SLA,
  type ItemSla,
  type ItemWrite,
  listOpenSlaAfter,
  type StoredSla,
} from "../store/items.ts";
import { TtlCache } from "./cache.ts";
import type { Principal } from "./directory.ts";
import { CacheInvalidation } from "./invalidation.ts";
import { type EngineLogger, silentLogger } from "./logger.ts";

/*
 * Team calendars and what the service levels of an item come to at a moment: its clocks for
 * people, its urgency for queue order, its timers for the worker. Clocks are always computed
 * from the item's log and today's calendars, so a changed calendar or limit recomputes them.
 */

/** A write's service-level summary, with the clocks of an open item (none computed if closed). */
export type SlaWithClocks = ItemSla & { clocks?: Clock[] };

export class ServiceLevels {
  /**
   * Parsed calendars by team, as one lookup function; the same objects and function are reused
   * while the set is unchanged, so the calendar math and the clock layouts can cache by them.
   */
  private readonly calendars: TtlCache<"all", (team: string) => BusinessCalendar>;

  constructor(
    private readonly db: Db,
    private readonly clock: () => Date,
    /** The definition an item runs on (the workflows' cache). */
    private readonly definitionOf: (workflow: string, version: number) => Promise<WorkflowDef>,
    private readonly onError: (e: unknown) => void = () => {},
    /** Clears the calendars on every node when one changes. */
    private readonly caches: CacheInvalidation = new CacheInvalidation(db, undefined),
    private readonly logger: EngineLogger = silentLogger,
  ) {
    this.calendars = new TtlCache(10_000, 1, caches.canCache);
    caches.on("calendars", () => this.calendars.clear());
  }

  /** The chain of background recomputes (see setCalendar). */
  private recomputing: Promise<void> = Promise.resolve();

  /** {@link recompute} of every team's items, asked for by an admin (POST /sla/recompute). */
  recomputeAll(by: Principal): Promise<number> {
    if (!by.isAdmin)
      throw new DomainError("admin_only", "Only an admin can recompute service levels.");
    return this.recompute();
  }

  /**
   * Recomputes what is stored about open items' service levels (queue urgency, next deadline,
   * timers) from today's calendars. Clocks shown to people are always computed fresh; this keeps
   * the stored summaries and timers in step after a calendar change. With `team`, only the items
   * whose running clocks count on that team's calendar (see listOpenSlaAfter). Pages of
   * `batchSize` items are read by id and written in one statement each, and only the items whose
   * stored figures change are written (or whose timers wait on a retry after a failure: a
   * calendar change may be what cures them). An item that cannot be computed or written is
   * logged and skipped. Returns how many items it updated; an item changed meanwhile by a
   * command already got fresh figures from that command.
   */
  async recompute({
    team,
    batchSize = 500,
  }: {
    team?: string | undefined;
    batchSize?: number;
  } = {}): Promise<number> {
    const calendarOf = await this.calendarOf();
    const now = this.clock();
    let afterId = "0";
    let updated = 0;
    for (;;) {
      const page = await listOpenSlaAfter(this.db, { afterId, limit: batchSize, team });
      if (page.length === 0) return updated;
      const writes: ItemWrite[] = [];
      for (const stored of page) {
        try {
          const { item } = stored;
          const def = await this.definitionOf(item.workflow, item.workflowVersion);
          const { clocks: _, ...sla } = this.slaWith(item, def, calendarOf, now);
          if (isUnchanged(stored, sla)) continue;
          writes.push({ id: stored.id, fromVersion: item.version, item, events: [], sla });
        } catch (err) {
          if (isConnectionError(err)) throw err;
          this.logger.warn({ item: stored.item.key, err }, "recompute: item skipped");
        }
      }
      updated += (await this.writeAll(writes)).size;
      afterId = page.at(-1)?.id ?? afterId;
    }
  }

  /** A page of recomputed items in one statement; one by one if that fails, skipping bad rows. */
  private async writeAll(writes: ItemWrite[]): Promise<Set<string>> {
    try {
      return await appendMany(this.db, writes);
    } catch (err) {
      if (isConnectionError(err)) throw err;
      if (writes.length === 1) {
        this.logger.warn({ item: writes[0]?.item.key, err }, "recompute: item skipped");
        return new Set();
      }
    }
    const written = new Set<string>();
    for (const w of writes)
      try {
        if ((await appendMany(this.db, [w])).has(w.id)) written.add(w.id);
      } catch (err) {
        if (isConnectionError(err)) throw err;
        this.logger.warn({ item: w.item.key, err }, "recompute: item skipped");
      }
    return written;
  }

  /** Resolves once the background recomputes started by calendar changes have finished. */
  idle(): Promise<void> {
    return this.recomputing;
  }

  /**
   * Each team's calendar, the default for teams without one. Stored calendars are read without
   * the checks added later (see readStoredCalendar), so one saved before them cannot fail reads;
   * and each is read when first asked for, so one that cannot be read at all (an unknown time
   * zone) fails only the clocks on that team's calendar, not every team's.
   */
  async calendarOf(): Promise<(team: string) => BusinessCalendar> {
    return this.calendars.get("all", async () => {
      const raws = await listCalendars(this.db);
      const parsed = new Map<string, BusinessCalendar | Error>();
      return (team) => {
        let c = parsed.get(team);
        if (c === undefined) {
          const raw = raws.get(team);
          try {
            c = raw ? readStoredCalendar(raw) : DEFAULT_CALENDAR;
          } catch (e) {
            c = new Error(
              `the stored calendar of team ${team} is invalid: ${(e as Error).message}`,
            );
          }
          parsed.set(team, c);
        }
        if (c instanceof Error) throw c;
        return c;
      };
    });
  }

  async getCalendar(team: string): Promise<{ calendar: BusinessCalendar; isDefault: boolean }> {
    const raw = (await listCalendars(this.db)).get(team);
    if (raw === undefined) throw new DomainError("not_found", `No team "${team}".`);
    return raw
      ? { calendar: readStoredCalendar(raw), isDefault: false }
      : { calendar: DEFAULT_CALENDAR, isDefault: true };
  }

  /** Sets a team's calendar (admins and the team's leads); null returns it to the default. */
  async setCalendar(by: Principal, team: string, input: unknown): Promise<BusinessCalendar> {
    const isLead = by.user.teams.some((t) => t.key === team && t.role === "lead");
    if (!by.isAdmin && !isLead)
      throw new DomainError(
        "admin_only",
        `Only an admin or a lead of ${team} can change its calendar.`,
      );
    const calendar = input === null ? null : parseCalendar(input);
    if (!(await this.caches.change(["calendars"], (tx) => setCalendar(tx, team, calendar))))
      throw new DomainError("not_found", `No team "${team}".`);
    // Deadlines on this team's calendar move with it: bring the stored urgency and timers of its
    // items along, in the background. Recomputes run one after another, so an older one can
    // never overwrite what a newer calendar gave.
    this.recomputing = this.recomputing
      .then(() => this.recompute({ team }))
      .then(
        () => {},
        (e) => this.onError(e),
      );
    return calendar ?? DEFAULT_CALENDAR;
  }

  /** The clocks an item shows now. */
  async clocks(
    item: Item,
    def: WorkflowDef,
    now = this.clock(),
  ): Promise<{ current: Clock[]; history: Clock[] }> {
    return itemClocks({ item, def, calendarOf: await this.calendarOf(), now });
  }

  /** The current clocks of many items at once (a queue page), with calendars loaded once. */
  async currentClocksOf(
    views: readonly { item: Item; def: WorkflowDef }[],
    now = this.clock(),
  ): Promise<Clock[][]> {
    const calendarOf = await this.calendarOf();
    return views.map(({ item, def }) => itemClocks({ item, def, calendarOf, now }).current);
  }

  /**
   * What a write stores beside the item: its urgency, open questions' teams and its timers; and,
   * for an open item, the clocks it shows at `now` (the command's answer presents them).
   */
  async slaOf(item: Item, def: WorkflowDef, now = this.clock()): Promise<SlaWithClocks> {
    return this.slaWith(item, def, await this.calendarOf(), now);
  }

  /**
   * Whether a command's write may leave the stored timers alone: `next` has no clock deadline
   * and only a stall timer that stands as stored (see stallTimerStands). The caller must also know
   * that `item` had no deadline (its row's `next_due_at`), or its clock timers would outlive it.
   */
  async timersStand(
    before: { item: Item; def: WorkflowDef },
    after: { item: Item; sla: ItemSla },
  ): Promise<boolean> {
    const [only, ...more] = after.sla.timers;
    if (!only || more.length > 0 || after.sla.nextDueAt !== null) return false;
    if ((only.payload as { fire?: string }).fire !== "stall") return false;
    const calendarOf = await this.calendarOf();
    // The new stall moment is the timer's (slaWith just computed it): only the old one is new work.
    return stallTimerStands(
      { item: before.item, stall: stallOf({ ...before, calendarOf }) },
      { item: after.item, stall: { at: only.dueAt } },
    );
  }

  /** `slaOf` with calendars already loaded (the timer worker's batches). */
  slaWith(
    item: Item,
    def: WorkflowDef,
    calendarOf: (team: string) => BusinessCalendar,
    now: Date,
  ): SlaWithClocks {
    const questionTeams = [
      ...new Set(item.questions.filter((q) => !q.answer).map((q) => q.toTeam)),
    ];
    if (isClosed(item.status)) return { ...CLOSED_SLA, questionTeams: [], timers: [] };
    const input = { item, def, calendarOf, now };
    const clocks = itemClocks(input).current;
    const { urgency, nextDueAt } = urgencyOf(clocks);
    // An alert already raised needs no timer (and its own, being fired now, must not be rewritten).
    const timers: ItemSla["timers"] = itemTimers(input)
      .filter((t) => !item.alerts.includes(alertKey(t.clock_id, t.fire)))
      .map((t) => ({ key: alertKey(t.clock_id, t.fire), dueAt: t.fire_at, payload: t }));
    // One stall timer while work waits on someone and has not stalled yet; each activity moves
    // it, and firing it (timer-worker.ts) re-checks the moment, so it fires once per idle spell.
    const stall = item.stalled ? null : stallOf(input);
    if (stall) {
      const key = stallTimerKey(item);
      timers.push({ key, dueAt: stall.at, payload: { clock_id: key, fire: "stall" } });
    }
    return { urgency, nextDueAt, questionTeams, timers, clocks };
  }
}

/**
 * Whether what is stored about an item already equals what was just computed: the same urgency,
 * deadline and question teams, and the same unfired timers (key, due time, payload), none of
 * them waiting on a retry. Such an item needs no write.
 */
function isUnchanged(stored: StoredSla, sla: ItemSla): boolean {
  if (
    stored.urgency !== sla.urgency ||
    (stored.nextDueAt?.getTime() ?? null) !== (sla.nextDueAt ? Date.parse(sla.nextDueAt) : null) ||
    !isDeepStrictEqual([...stored.questionTeams].sort(), [...sla.questionTeams].sort()) ||
    stored.timers.length !== sla.timers.length
  )
    return false;
  const byKey = new Map(stored.timers.map((t) => [t.key, t]));
  return sla.timers.every((t) => {
    const s = byKey.get(t.key);
    return (
      s !== undefined &&
      s.attempts === 0 &&
      Date.parse(s.dueAt) === Date.parse(t.dueAt) &&
      // As stored: JSON without undefined members (jsonb key order does not matter here).
      isDeepStrictEqual(s.payload, JSON.parse(JSON.stringify(t.payload)))
    );
  });
}

import {
  type BusinessCalendar,
  DEFAULT_CALENDAR,
  parseCalendar,
  readStoredCalendar,
} from "../domain/calendar.ts";
import type { Clock } from "../domain/clocks.ts";
import { DomainError } from "../domain/errors.ts";
import { alertKey, type Item, isClosed } from "../domain/item.ts";
import { itemClocks, itemTimers, urgencyOf } from "../domain/sla.ts";
import type { WorkflowDef } from "../domain/workflow.ts";
import type { Db } from "../store/db.ts";
import { listCalendars, setCalendar } from "../store/directory.ts";
import { appendEvents, type ItemSla, listOpenItemsAfter } from "../store/items.ts";
import { listOutbox, type OutboxRow } from "../store/timers.ts";
import { TtlCache } from "./cache.ts";
import type { Principal } from "./directory.ts";
import { CacheInvalidation } from "./invalidation.ts";

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
  ) {
    this.calendars = new TtlCache(10_000, 1, caches.canCache);
    caches.on("calendars", () => this.calendars.clear());
  }

  /**
   * Recomputes what is stored about open items' service levels (queue urgency, next deadline,
   * timers) from today's calendars. Clocks shown to people are always computed fresh; this keeps
   * the stored summaries and timers in step after a calendar change. Returns how many items it
   * updated; an item changed meanwhile by a command already got fresh figures from that command.
   */
  async recompute({ batchSize = 500 }: { batchSize?: number } = {}): Promise<number> {
    const calendarOf = await this.calendarOf();
    const now = this.clock();
    let after = "0";
    let updated = 0;
    for (;;) {
      const page = await listOpenItemsAfter(this.db, after, batchSize);
      if (page.length === 0) return updated;
      for (const { id, item } of page) {
        const def = await this.definitionOf(item.workflow, item.workflowVersion);
        const sla = this.slaWith(item, def, calendarOf, now);
        if (await appendEvents(this.db, { id, fromVersion: item.version, item, events: [], sla }))
          updated++;
      }
      after = page.at(-1)?.id ?? after;
    }
  }

  /**
   * Each team's calendar, the default for teams without one. Stored calendars are read without
   * the checks added later (see readStoredCalendar), so one saved before them cannot fail reads.
   */
  async calendarOf(): Promise<(team: string) => BusinessCalendar> {
    return this.calendars.get("all", async () => {
      const all = new Map<string, BusinessCalendar>();
      for (const [team, raw] of await listCalendars(this.db))
        if (raw) all.set(team, readStoredCalendar(raw));
      return (team) => all.get(team) ?? DEFAULT_CALENDAR;
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
    // Deadlines move with the calendar: bring stored urgency and timers along, in the background.
    void this.recompute().catch(this.onError);
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
    if (isClosed(item.status))
      return { urgency: 3, nextDueAt: null, questionTeams: [], timers: [] };
    const input = { item, def, calendarOf, now };
    const clocks = itemClocks(input).current;
    const { urgency, nextDueAt } = urgencyOf(clocks);
    // An alert already raised needs no timer (and its own, being fired now, must not be rewritten).
    const timers = itemTimers(input)
      .filter((t) => !item.alerts.includes(alertKey(t.clock_id, t.fire)))
      .map((t) => ({ key: alertKey(t.clock_id, t.fire), dueAt: t.fire_at, payload: t }));
    return { urgency, nextDueAt, questionTeams, timers, clocks };
  }

  /** Messages queued for delivery (escalations, warnings), newest first. */
  outbox(filter: { itemKey?: string | undefined; limit?: number }): Promise<OutboxRow[]> {
    return listOutbox(this.db, {
      limit: filter.limit ?? 100,
      ...(filter.itemKey ? { itemKey: filter.itemKey } : {}),
    });
  }
}

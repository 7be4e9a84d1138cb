import type { Clock } from "../domain/clocks.ts";
import {
  type BreachForecast,
  breachChance,
  buildHistory,
  type CompletionForecast,
  completionForecast,
  type History,
  queueDepthAt,
} from "../domain/forecast.ts";
import { type Item, isClosed } from "../domain/item.ts";
import { itemClocks } from "../domain/sla.ts";
import type { Db } from "../store/db.ts";
import { recentItemsOf } from "../store/history.ts";
import type { ItemView } from "./items.ts";
import type { ServiceLevels } from "./service-levels.ts";
import type { Workflows } from "./workflows.ts";

/*
 * Forecasts for open items (src/domain/forecast.ts), from the recent history of their workflow.
 * A workflow's history is read once and kept for a minute per node: forecasts move slowly, and
 * a queue page asks for hundreds at once.
 */

/** Past items per workflow a forecast learns from (the most recently changed). */
const HISTORY_ITEMS = 5_000;
/** How long a node reuses a workflow's history (ms). */
export const HISTORY_MAX_AGE_MS = 60_000;

/** What GET /items/{key}/forecast answers. */
export interface ItemForecast {
  key: string;
  /** One per running clock with a limit. */
  breach: BreachForecast[];
  completion: CompletionForecast;
  /** Items waiting for the same team's acceptance (a handoff awaiting acceptance only). */
  queueDepth: number | null;
}

export class Forecasts {
  private readonly histories = new Map<string, { at: number; history: Promise<History> }>();

  constructor(
    private readonly db: Db,
    private readonly workflows: Workflows,
    private readonly sla: ServiceLevels,
    private readonly clock: () => Date,
    /** 0: read the history for every forecast (tests that build history and ask at once). */
    private readonly maxAgeMs = HISTORY_MAX_AGE_MS,
  ) {}

  /**
   * The pooled history of a workflow (all its versions). Read once; after a minute the next ask
   * starts a fresh read and is answered from the old one meanwhile, so no request waits for it.
   */
  private history(workflow: string): Promise<History> {
    const now = Date.now();
    const cached = this.histories.get(workflow);
    if (cached && now - cached.at < this.maxAgeMs) return cached.history;
    const fresh = this.load(workflow);
    if (this.maxAgeMs === 0) return fresh;
    if (cached) {
      cached.at = now; // one refresh at a time
      fresh.then(
        () => this.histories.set(workflow, { at: Date.now(), history: fresh }),
        () => {},
      );
      return cached.history;
    }
    this.histories.set(workflow, { at: now, history: fresh });
    fresh.catch(() => this.histories.delete(workflow));
    return fresh;
  }

  private async load(workflow: string): Promise<History> {
    const [items, calendarOf] = await Promise.all([
      recentItemsOf(this.db, workflow, HISTORY_ITEMS),
      this.sla.calendarOf(),
    ]);
    const now = this.clock();
    const defs = new Map(
      await Promise.all(
        [...new Set(items.map((i) => i.workflowVersion))].map(
          async (v) => [v, await this.workflows.definition(workflow, v)] as const,
        ),
      ),
    );
    return buildHistory(
      items,
      (item: Item) => {
        const def = defs.get(item.workflowVersion);
        return def ? itemClocks({ item, def, calendarOf, now }).history : [];
      },
      calendarOf,
    );
  }

  /** The chance each running clock of the item breaches (`current`: its clocks, if computed). */
  private async breachOf(
    history: History,
    { item, def }: ItemView,
    current?: readonly Clock[],
  ): Promise<BreachForecast[]> {
    if (isClosed(item.status)) return [];
    const clocks =
      current ??
      itemClocks({ item, def, calendarOf: await this.sla.calendarOf(), now: this.clock() }).current;
    return clocks
      .filter((c) => c.endedAt === null && c.kind !== "due")
      .map((c) => breachChance(history, c, queueDepthAt(history, c.team, Date.parse(c.startedAt))));
  }

  /** The forecast of one item: its clocks' breach chances and when it may be done. */
  async forItem(view: ItemView): Promise<ItemForecast> {
    const { item, def } = view;
    const history = await this.history(item.workflow);
    const now = this.clock();
    const pending = item.handoffs.at(-1);
    return {
      key: item.key,
      breach: await this.breachOf(history, view),
      completion: completionForecast(history, item, def, await this.sla.calendarOf(), now),
      queueDepth:
        item.status === "awaiting_acceptance" && pending?.outcome === "pending"
          ? queueDepthAt(history, pending.toTeam, now.getTime())
          : null,
    };
  }

  /**
   * Each item's risk for a queue: the highest chance that one of its running clocks breaches,
   * or null where no clock runs or history is too thin.
   */
  async riskOf(
    views: readonly ItemView[],
    clocks?: readonly (readonly Clock[])[],
  ): Promise<(number | null)[]> {
    // Most rows run no clock with a limit: then there is nothing to estimate, nor history to read.
    const counts = (c: Clock) => c.endedAt === null && c.kind !== "due";
    if (clocks && !clocks.some((cs) => cs.some(counts))) return views.map(() => null);
    return Promise.all(
      views.map(async (v, i) => {
        const breach = await this.breachOf(await this.history(v.item.workflow), v, clocks?.[i]);
        const known = breach.flatMap((b) => (b.probability === null ? [] : [b.probability]));
        return known.length === 0 ? null : Math.max(...known);
      }),
    );
  }
}

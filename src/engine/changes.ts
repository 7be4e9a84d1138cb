import { type Item, nextTeam } from "../domain/item.ts";
import type { Db } from "../store/db.ts";
import { ITEMS_CHANNEL, type Listener, listen, notify } from "../store/notify.ts";
import { afterCommit } from "../store/scope.ts";

/**
 * What a watcher learns when an item changes: enough to know which views it concerns. A team's
 * queue can hold the item only if the team is one of `next_team`, `owner_team`, `teams` (every
 * team the item passed) or `question_teams` (asked and not answered yet), or held it before.
 */
export interface ItemChange {
  key: string;
  version: number;
  type: string;
  state: string;
  next_team: string | null;
  owner_team: string;
  teams: string[];
  question_teams: string[];
  workflow: string;
}

export function changeOf(item: Item, type: string): ItemChange {
  return {
    key: item.key,
    version: item.version,
    type,
    state: item.status,
    next_team: nextTeam(item),
    owner_team: item.ownerTeam,
    teams: item.teams,
    question_teams: [...new Set(item.questions.filter((q) => !q.answer).map((q) => q.toTeam))],
    workflow: item.workflow,
  };
}

type Subscriber<T> = { fn: (change: T) => void; onResync: (() => void) | undefined };

/**
 * The live feed of item changes across all Baton nodes. Commands publish after their write
 * committed; changes from one event-loop turn go out as one NOTIFY. Every node LISTENs (from the
 * first subscriber on) and hands what arrives, its own changes included, to its subscribers, so
 * a browser sees the same stream whichever node it is connected to.
 */
export class ChangeFeed<T = ItemChange> {
  private pending: T[] = [];
  private flushing: Promise<void> | null = null;
  private readonly subscribers = new Set<Subscriber<T>>();
  private listener: Listener | null = null;
  private readonly local: ((change: T) => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly url: string | undefined,
    private readonly onError: (e: unknown) => void = () => {},
    /** The NOTIFY channel (item changes by default; new notifications use their own). */
    private readonly channel: string = ITEMS_CHANNEL,
  ) {}

  publish(change: T): void {
    // Inside a request's transaction (Idempotency-Key), only once it committed.
    afterCommit(() => {
      for (const fn of this.local) fn(change);
      this.pending.push(change);
      if (this.pending.length === 1) setImmediate(() => void this.flush());
    });
  }

  /**
   * Calls `fn` with every change this node publishes, once committed, before it goes out (no
   * LISTEN needed): the metrics worker learns here which items to derive again.
   */
  onLocal(fn: (change: T) => void): void {
    this.local.push(fn);
  }

  /** Sends what is pending; resolves when it was handed to PostgreSQL. */
  async flush(): Promise<void> {
    await this.flushing;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.flushing = notify(this.db, this.channel, batch).catch(this.onError);
    await this.flushing;
    this.flushing = null;
  }

  /**
   * Calls `fn` for every change on any node until `unsubscribe` is called. `ready` resolves when
   * changes made from then on are sure to arrive; `onResync` runs when the feed reconnected and
   * changes may have been missed.
   */
  subscribe(
    fn: (change: T) => void,
    { onResync }: { onResync?: () => void } = {},
  ): { unsubscribe: () => void; ready: Promise<void> } {
    if (!this.url) throw new Error("the change feed needs the database URL to listen");
    const entry = { fn, onResync };
    this.subscribers.add(entry);
    this.listener ??= listen(this.url, this.channel, {
      onMessages: (messages) => {
        for (const m of messages as T[]) for (const s of this.subscribers) s.fn(m);
      },
      onReconnect: () => {
        for (const s of this.subscribers) s.onResync?.();
      },
      onError: this.onError,
    });
    return { unsubscribe: () => this.subscribers.delete(entry), ready: this.listener.ready };
  }

  async close(): Promise<void> {
    await this.flush();
    await this.listener?.close();
    this.listener = null;
    this.subscribers.clear();
  }
}

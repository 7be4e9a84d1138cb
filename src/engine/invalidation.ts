import type { Db } from "../store/db.ts";
import { CACHES_CHANNEL, type Listener, listen, notify } from "../store/notify.ts";

/*
 * Every node caches facts it reads on each request (a token's user, a session, team names,
 * calendars). A change made on one node must reach every other node's caches at once, not after
 * their time-to-live: a revoked token or a removed member must stop working everywhere on the
 * next request. The node making the change sends a notice (LISTEN/NOTIFY) in the same
 * transaction as the change, so the notice goes out exactly when the change commits, and every
 * node (this one included) clears the caches of that topic when it arrives.
 *
 * Notices sent while a node's listening connection is down are lost. So while it is down a node
 * keeps nothing it loads (every request reads the database), and when it is back it clears
 * everything, then trusts its caches again.
 */

/** What went stale: each topic names a group of caches to clear. */
export type CacheTopic = "directory" | "calendars" | "workflows";

const TOPICS: readonly CacheTopic[] = ["directory", "calendars", "workflows"];

export class CacheInvalidation {
  private readonly clears = new Map<CacheTopic, (() => void)[]>();
  private readonly listener: Listener | null;

  /**
   * Without `url` the node is taken to be alone on its database (the CLI's local commands, some
   * tests): its caches are cleared by its own writes and expire by their time-to-live.
   */
  constructor(
    private readonly db: Db,
    url: string | undefined,
    onError: (e: unknown) => void = () => {},
  ) {
    this.listener = url
      ? listen(url, CACHES_CHANNEL, {
          onMessages: (topics) => {
            for (const t of topics)
              if (TOPICS.includes(t as CacheTopic)) this.clear(t as CacheTopic);
          },
          onDisconnect: () => this.clearAll(),
          onReconnect: () => this.clearAll(),
          onError,
        })
      : null;
  }

  /**
   * Whether a cache may keep what it just loaded: alone, always; with other nodes, only while
   * this node is listening (else it could not hear that the value went stale).
   */
  readonly canCache = (): boolean => this.listener === null || this.listener.isListening;

  /** Resolves once notices sent from now on reach this node. */
  get ready(): Promise<void> {
    return this.listener?.ready ?? Promise.resolve();
  }

  /** Registers `clear` to run when `topic` goes stale (on any node). */
  on(topic: CacheTopic, clear: () => void): void {
    this.clears.set(topic, [...(this.clears.get(topic) ?? []), clear]);
  }

  /**
   * Runs `change` in a transaction that also sends the notice for `topics`: the notice goes out
   * when (and only if) the change commits. This node's caches are cleared after the commit
   * without waiting for its own notice.
   */
  async change<T>(topics: readonly CacheTopic[], change: (tx: Db) => Promise<T>): Promise<T> {
    const result = await this.db.transaction().execute(async (tx) => {
      const r = await change(tx);
      await notify(tx, CACHES_CHANNEL, topics);
      return r;
    });
    for (const t of topics) this.clear(t);
    return result;
  }

  /** Sends the notice for `topics` on its own, for a change that has already committed. */
  async announce(topics: readonly CacheTopic[]): Promise<void> {
    for (const t of topics) this.clear(t);
    await notify(this.db, CACHES_CHANNEL, topics);
  }

  private clear(topic: CacheTopic): void {
    for (const c of this.clears.get(topic) ?? []) c();
  }

  private clearAll(): void {
    for (const t of TOPICS) this.clear(t);
  }

  async close(): Promise<void> {
    await this.listener?.close();
  }
}

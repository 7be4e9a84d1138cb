/**
 * A small time-bounded cache. Used for facts read on every request (a token's user, team names)
 * that change rarely. Writers on any node clear it at once (engine/invalidation.ts); `ttlMs`
 * only bounds how long a value lives should a notice still go astray.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();
  /** Bumped by every clear: a load that began before a clear may have read the stale value. */
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    /** Whether a loaded value may be kept now (false while changes could go unheard). */
    private readonly canStore: () => boolean = () => true,
  ) {}

  async get(key: K, load: () => Promise<V>): Promise<V> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.value;
    const generation = this.generation;
    const value = await load();
    if (generation !== this.generation || !this.canStore()) return value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, until: now + this.ttlMs });
    return value;
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}

/** The most recently used `maxEntries` values by key; older ones are dropped. */
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly maxEntries: number) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.maxEntries)
      this.entries.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}

import pg from "pg";
import { type Db, runStatement, type Statement } from "./db.ts";

/*
 * Cross-node change notices over PostgreSQL LISTEN/NOTIFY. Notices are sent after the change
 * committed, batched into payloads under PostgreSQL's 8000-byte limit.
 */

export const ITEMS_CHANNEL = "baton_items";
/** Notices that a node's cached facts (tokens, sessions, memberships, teams) went stale. */
export const CACHES_CHANNEL = "baton_caches";
const MAX_PAYLOAD = 7_000;

/** Sends each message (a JSON-serialisable object) on `channel`, packed into as few notices as fit. */
export async function notify(db: Db, channel: string, messages: readonly unknown[]): Promise<void> {
  const batches: string[][] = [[]];
  let size = 0;
  for (const m of messages) {
    const json = JSON.stringify(m);
    if (size + json.length > MAX_PAYLOAD && (batches.at(-1)?.length ?? 0) > 0) {
      batches.push([]);
      size = 0;
    }
    batches.at(-1)?.push(json);
    size += json.length + 1;
  }
  const payloads = batches.filter((b) => b.length > 0).map((b) => `[${b.join(",")}]`);
  if (payloads.length === 0) return;
  await runStatement(db, NOTIFY, [channel, payloads]);
}

const NOTIFY: Statement = {
  name: "notify",
  text: "select pg_notify($1, p) from unnest($2::text[]) as p",
};

export interface Listener {
  /** Resolves once the first LISTEN is in place: notices sent after that arrive. */
  ready: Promise<void>;
  /** Whether the LISTEN is in place now (false before the first, and while reconnecting). */
  readonly isListening: boolean;
  close(): Promise<void>;
}

/** How often an idle listening connection is checked, and how long its answer may take. */
const HEARTBEAT_MS = 10_000;

/**
 * Listens on `channel` with a dedicated connection, reconnecting with backoff if it drops.
 * `onMessages` gets each notice's messages; `onDisconnect` runs as soon as the connection is
 * known lost and `onReconnect` after the LISTEN is back, since notices sent in between are lost
 * and listeners may need to refresh. A connection that stops answering (a half-open TCP
 * connection sends no error) is found by a heartbeat query and replaced.
 */
export function listen(
  url: string,
  channel: string,
  {
    onMessages,
    onReconnect,
    onDisconnect,
    onError,
    heartbeatMs = HEARTBEAT_MS,
  }: {
    onMessages: (messages: unknown[]) => void;
    onReconnect?: () => void;
    onDisconnect?: () => void;
    onError?: (e: unknown) => void;
    heartbeatMs?: number;
  },
): Listener {
  let client: pg.Client | null = null;
  let closed = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  // Each connection attempt has its own generation: events of a connection given up on (its
  // late `error` or `end`) must not start yet another one, or two connections would listen
  // and every notice would arrive twice.
  let generation = 0;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  /** Drops a connection that answered nothing within a heartbeat (no 'end' may ever come). */
  const check = (c: pg.Client) => {
    let answered = false;
    const deadline = setTimeout(() => {
      if (answered || client !== c) return;
      onError?.(new Error(`the ${channel} listener did not answer within ${heartbeatMs} ms`));
      retry();
      // Ends the socket without waiting for a goodbye the server may never send.
      (
        c as unknown as { connection?: { stream?: { destroy(): void } } }
      ).connection?.stream?.destroy();
    }, heartbeatMs);
    deadline.unref();
    c.query("select 1").then(
      () => {
        answered = true;
        clearTimeout(deadline);
      },
      () => {
        answered = true;
        clearTimeout(deadline);
      },
    );
  };

  const connect = async (): Promise<void> => {
    const gen = ++generation;
    const lost = () => {
      if (gen === generation) retry();
    };
    const c = new pg.Client({
      connectionString: url,
      application_name: "baton-listen",
      keepAlive: true,
    });
    c.on("notification", (n) => {
      if (gen !== generation || n.channel !== channel || !n.payload) return;
      try {
        onMessages(JSON.parse(n.payload) as unknown[]);
      } catch (e) {
        onError?.(e);
      }
    });
    c.on("error", (e) => {
      if (gen === generation) onError?.(e);
      lost();
    });
    c.on("end", lost);
    try {
      await c.connect();
      await c.query(`listen ${pg.escapeIdentifier(channel)}`);
      if (closed || gen !== generation) {
        await c.end();
        return;
      }
      client = c;
      markReady();
      if (attempt > 0) onReconnect?.();
      attempt = 0;
      clearInterval(heartbeat);
      heartbeat = setInterval(() => {
        if (client === c) check(c);
      }, heartbeatMs);
      heartbeat.unref();
    } catch (e) {
      if (gen === generation) onError?.(e);
      c.removeAllListeners("end");
      await c.end().catch(() => {});
      lost();
    }
  };

  /** Drops the current connection (if any) and connects again after a backoff (≤ 5 s). */
  const retry = () => {
    if (closed || timer) return;
    const old = client;
    const wasListening = old !== null;
    client = null;
    clearInterval(heartbeat);
    if (old) {
      old.removeAllListeners("end");
      old.end().catch(() => {});
    }
    attempt++;
    if (wasListening) onDisconnect?.();
    timer = setTimeout(
      () => {
        timer = undefined;
        void connect();
      },
      // Capped low: after the database comes back (a restart takes seconds), live updates
      // should resume within seconds too, and a connection attempt costs little.
      Math.min(5_000, 250 * 2 ** attempt),
    );
  };

  void connect();
  return {
    ready,
    get isListening() {
      return client !== null;
    },
    close: async () => {
      closed = true;
      markReady();
      clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      if (c) {
        c.removeAllListeners("end");
        await c.end().catch(() => {});
      }
    },
  };
}

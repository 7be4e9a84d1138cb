import pg from "pg";
import { type Db, runStatement, type Statement } from "./db.ts";

/*
 * Cross-node change notices over PostgreSQL LISTEN/NOTIFY. Notices are sent after the change
 * committed, batched into payloads under PostgreSQL's 8000-byte limit.
 */

export const ITEMS_CHANNEL = "baton_items";
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
  close(): Promise<void>;
}

/**
 * Listens on `channel` with a dedicated connection, reconnecting with backoff if it drops.
 * `onMessages` gets each notice's messages; `onReconnect` runs after a reconnection, since
 * notices sent while disconnected are lost and listeners may need to refresh.
 */
export function listen(
  url: string,
  channel: string,
  {
    onMessages,
    onReconnect,
    onError,
  }: {
    onMessages: (messages: unknown[]) => void;
    onReconnect?: () => void;
    onError?: (e: unknown) => void;
  },
): Listener {
  let client: pg.Client | null = null;
  let closed = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url, application_name: "baton-listen" });
    c.on("notification", (n) => {
      if (n.channel !== channel || !n.payload) return;
      try {
        onMessages(JSON.parse(n.payload) as unknown[]);
      } catch (e) {
        onError?.(e);
      }
    });
    c.on("error", (e) => {
      onError?.(e);
      retry();
    });
    c.on("end", () => retry());
    try {
      await c.connect();
      await c.query(`listen ${pg.escapeIdentifier(channel)}`);
      if (closed) {
        await c.end();
        return;
      }
      client = c;
      markReady();
      if (attempt > 0) onReconnect?.();
      attempt = 0;
    } catch (e) {
      onError?.(e);
      c.removeAllListeners("end");
      await c.end().catch(() => {});
      retry();
    }
  };

  const retry = () => {
    if (closed || timer) return;
    client = null;
    attempt++;
    timer = setTimeout(
      () => {
        timer = undefined;
        void connect();
      },
      Math.min(30_000, 250 * 2 ** attempt),
    );
  };

  void connect();
  return {
    ready,
    close: async () => {
      closed = true;
      markReady();
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

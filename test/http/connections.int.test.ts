import { once } from "node:events";
import { request as httpRequest } from "node:http";
import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { defaultHttpSettings } from "../../src/http/limits.ts";
import { ADMIN_TOKEN, dbKinds, useBaton } from "../harness.ts";

/*
 * Time limits and the per-address connection cap, on a real listening server with real sockets
 * (app.inject has neither sockets nor time limits). Short limits keep the file quick; the
 * defaults are the same mechanism with larger figures.
 */

const kind = dbKinds()[0];
const REQUEST_TIMEOUT = 1_000;

/** Opens a raw TCP connection and collects what the server sends until it closes. */
async function rawConnection(port: number) {
  const socket = connect(port, "127.0.0.1");
  await once(socket, "connect");
  let received = "";
  socket.setEncoding("utf8");
  socket.on("data", (d: string) => {
    received += d;
  });
  const started = Date.now();
  const closed = new Promise<number>((resolve) =>
    socket.once("close", () => resolve(Date.now() - started)),
  );
  socket.on("error", () => {});
  return { socket, closed, received: () => received };
}

/** Resolves with the time until close, or null if the socket is still open after `ms`. */
function closedWithin(closed: Promise<number>, ms: number): Promise<number | null> {
  return Promise.race([closed, sleep(ms).then(() => null)]);
}

describe.runIf(kind)("request time limits and the connection cap on a real server", () => {
  const b = useBaton(kind as NonNullable<typeof kind>, {
    http: {
      ...defaultHttpSettings,
      requestTimeoutMs: REQUEST_TIMEOUT,
      headersTimeoutMs: REQUEST_TIMEOUT,
      maxConnectionsPerIp: 6,
    },
  });
  let port = 0;
  beforeAll(async () => {
    await b.app.listen({ port: 0, host: "127.0.0.1" });
    port = (b.app.server.address() as { port: number }).port;
  });

  it("closes a connection that trickles its body, with a 408 problem", async () => {
    const c = await rawConnection(port);
    c.socket.write(
      `POST /api/v1/teams HTTP/1.1\r\nHost: baton\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`,
    );
    const trickle = setInterval(() => c.socket.writable && c.socket.write(" "), 100);
    try {
      const after = await closedWithin(c.closed, 5_000);
      expect(after, "still open after 5 s").not.toBeNull();
      // The limit plus Node's checking interval (a quarter of the limit here), with slack.
      expect(after).toBeLessThan(REQUEST_TIMEOUT * 2.5);
      expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
      expect(c.received()).toContain("application/problem+json");
      expect(c.received()).toContain('"code":"request_timeout"');
    } finally {
      clearInterval(trickle);
      c.socket.destroy();
    }
  });

  it("closes a connection that trickles its headers", async () => {
    const c = await rawConnection(port);
    c.socket.write("GET /api/v1/teams HTTP/1.1\r\nHost: baton\r\n");
    const trickle = setInterval(() => c.socket.writable && c.socket.write("X-A: b\r\n"), 100);
    try {
      const after = await closedWithin(c.closed, 5_000);
      expect(after, "still open after 5 s").not.toBeNull();
      expect(after).toBeLessThan(REQUEST_TIMEOUT * 2.5);
    } finally {
      clearInterval(trickle);
      c.socket.destroy();
    }
  });

  it("keeps a live stream open well past the request time limit", async () => {
    const req = httpRequest({
      host: "127.0.0.1",
      port,
      path: "/api/v1/events/stream",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    req.end();
    const [res] = (await once(req, "response")) as [import("node:http").IncomingMessage];
    expect(res.statusCode).toBe(200);
    let text = "";
    let ended = false;
    res.setEncoding("utf8");
    res.on("data", (d: string) => {
      text += d;
    });
    res.on("close", () => {
      ended = true;
    });
    await sleep(REQUEST_TIMEOUT * 3);
    expect(ended).toBe(false);
    expect(text).toContain("event: ready");
    req.destroy();
  });

  it("refuses connections from one address beyond the cap, and takes new ones once some close", async () => {
    const open: Socket[] = [];
    try {
      // A connection is counted from accept until close; give the server a moment to count.
      for (let i = 0; i < 6; i++) open.push((await rawConnection(port)).socket);
      await sleep(100);
      const extra = await rawConnection(port);
      expect(
        await closedWithin(extra.closed, 2_000),
        "the 7th connection stays open",
      ).not.toBeNull();
      expect(extra.received()).toBe("");

      open.pop()?.destroy();
      await sleep(100);
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/users/me`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(res.status).toBe(200);
    } finally {
      for (const s of open) s.destroy();
    }
  });
});

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addressProblem, checkTarget, sendWebhook } from "./webhook-http.ts";

describe("webhook targets (SSRF)", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "link-local"],
    ["100.64.0.1", "shared address space (CGNAT)"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "reserved"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:a9fe:a9fe", "link-local"],
    ["64:ff9b::7f00:1", "loopback"],
    ["2002:7f00:1::", "loopback"],
    ["fc00::1", "private"],
    ["fd12:3456::1", "private"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "documentation"],
  ])("%s is refused as %s", (address, problem) => {
    expect(addressProblem(address)).toBe(problem);
  });

  it.each([
    "93.184.216.34",
    "8.8.8.8",
    "172.32.0.1",
    "2606:4700::1111",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
  ])("%s is public", (address) => expect(addressProblem(address)).toBeNull());

  it("any loopback or private IPv4, also written as IPv4-mapped IPv6, is refused", () => {
    const octet = fc.integer({ min: 0, max: 255 });
    const privateV4 = fc.oneof(
      fc.tuple(fc.constant(127), octet, octet, octet),
      fc.tuple(fc.constant(10), octet, octet, octet),
      fc.tuple(fc.constant(192), fc.constant(168), octet, octet),
      fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), octet, octet),
      fc.tuple(fc.constant(169), fc.constant(254), octet, octet),
    );
    fc.assert(
      fc.property(privateV4, ([a, b, c, d]) => {
        const v4 = `${a}.${b}.${c}.${d}`;
        const hex = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
        expect(addressProblem(v4)).not.toBeNull();
        expect(addressProblem(`::ffff:${v4}`)).not.toBeNull();
        expect(addressProblem(`::ffff:${hex}`)).not.toBeNull();
      }),
    );
  });

  it("checks the URL's scheme, credentials and every resolved address, naming the problem", async () => {
    const refused = async (url: string) =>
      checkTarget(url, { allowPrivate: false }).then(
        () => null,
        (e: { code: string; message: string; details?: { reason?: string } }) => e,
      );
    expect((await refused("http://127.0.0.1:9/hook"))?.details?.reason).toBe("loopback");
    expect((await refused("http://[::ffff:127.0.0.1]/hook"))?.details?.reason).toBe("loopback");
    expect((await refused("http://[fe80::1]/hook"))?.details?.reason).toBe("link-local");
    expect((await refused("http://localhost/hook"))?.details?.reason).toBe("loopback");
    expect((await refused("ftp://example.com/x"))?.message).toContain("only http: and https:");
    expect((await refused("https://user:pw@example.com/x"))?.code).toBe("webhook_target_refused");
    expect((await refused("not a url"))?.code).toBe("invalid_input");
    expect(await checkTarget("http://127.0.0.1:9/hook", { allowPrivate: true })).toBeInstanceOf(
      URL,
    );
  });

  it("a try to a name that resolves to loopback is refused at connect, a literal address before it", async () => {
    const server = createServer((_req, res) => res.end("ok"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const options = { timeoutMs: 2_000, maxResponseBytes: 1024, allowPrivate: false };
    try {
      const byName = await sendWebhook(
        `http://localhost:${port}/`,
        { headers: {}, body: "{}" },
        options,
      );
      expect(byName).toMatchObject({ ok: false, status: null });
      expect(byName.ok ? "" : byName.error).toContain("loopback");
      const byAddress = await sendWebhook(
        `http://127.0.0.1:${port}/`,
        { headers: {}, body: "{}" },
        options,
      );
      expect(byAddress.ok ? "" : byAddress.error).toContain("loopback");
      // Allowed, the same receiver answers.
      const allowed = await sendWebhook(
        `http://localhost:${port}/`,
        { headers: {}, body: "{}" },
        { ...options, allowPrivate: true },
      );
      expect(allowed.ok).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

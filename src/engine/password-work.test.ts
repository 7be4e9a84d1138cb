import { describe, expect, it } from "vitest";
import { DomainError } from "../domain/errors.ts";
import { hashPassword, limitPasswordWork, verifyPassword } from "./password-work.ts";

describe("password checks under a flood", () => {
  it("runs a bounded number at once and refuses the rest with rate_limited instead of queueing them all", async () => {
    const hash = await hashPassword("correct horse");
    limitPasswordWork({ concurrency: 1, maxWaiting: 2 });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => verifyPassword(hash, i === 0 ? "correct horse" : "no")),
    );
    const refused = results.filter(
      (r) =>
        r.status === "rejected" &&
        r.reason instanceof DomainError &&
        r.reason.code === "rate_limited",
    );
    // One running, two waiting; seven refused at once.
    expect(refused).toHaveLength(7);
    expect(results[0]).toEqual({ status: "fulfilled", value: true });
    expect(results.slice(1, 3)).toEqual([
      { status: "fulfilled", value: false },
      { status: "fulfilled", value: false },
    ]);
    // Once the flood has passed, checks run again.
    expect(await verifyPassword(hash, "correct horse")).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { commitFailure } from "./idempotency.ts";

describe("a request with an Idempotency-Key whose commit fails", () => {
  it("answers 503 unavailable with Retry-After when the database was lost, not 500", () => {
    for (const lost of [
      new Error("Connection terminated unexpectedly"),
      Object.assign(new Error("terminating connection due to administrator command"), {
        code: "57P01",
      }),
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
    ]) {
      const answer = commitFailure(lost);
      expect(answer.status).toBe(503);
      expect(answer.headers["retry-after"]).toMatch(/^\d+$/);
      expect(answer.body).toMatchObject({ status: 503, code: "unavailable" });
    }
  });

  it("stays a 500 for any other failure", () => {
    const answer = commitFailure(
      Object.assign(new Error("could not serialize access"), { code: "40001" }),
    );
    expect(answer.status).toBe(500);
    expect(answer.body).toMatchObject({ code: "internal" });
  });
});

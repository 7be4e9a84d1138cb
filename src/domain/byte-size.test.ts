import { describe, expect, it } from "vitest";
import { formatBytes } from "./byte-size.ts";

describe("formatBytes", () => {
  it("says bytes, kilobytes and megabytes in decimal units, one decimal past bytes", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(812)).toBe("812 B");
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1000)).toBe("1.0 KB");
    expect(formatBytes(14_200)).toBe("14.2 KB");
    expect(formatBytes(3_100_000)).toBe("3.1 MB");
  });
});

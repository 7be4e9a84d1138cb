import { describe, expect, it } from "vitest";
import { csvCell, toCsv } from "./csv.ts";

describe("CSV export cells", () => {
  it.each([
    ["plain", "plain"],
    ["a, b", '"a, b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    ["=1+2", "'=1+2"],
    ["+31 20 123", "'+31 20 123"],
    ["-5", "'-5"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tindent", "'\tindent"],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    [null, ""],
    [undefined, ""],
    [42, "42"],
    [true, "true"],
    [{ tier: "smb" }, '"{""tier"":""smb""}"'],
  ])("%j is written as %s", (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it("writes a header and CRLF-terminated rows", () => {
    expect(toCsv(["key", "title"], [["ONB-1", "ACME, Inc."]])).toBe(
      'key,title\r\nONB-1,"ACME, Inc."\r\n',
    );
  });
});

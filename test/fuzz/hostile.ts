import fc from "fast-check";

/*
 * Values that careless or hostile clients send. Each list is small and named, so a failure's
 * reproduction shows which one it was; the generators mix them into otherwise sensible requests.
 */

/** Strings PostgreSQL, JSON, URLs or people handle badly. */
export const hostileStrings: readonly string[] = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "x\ud800y",
  "\udfff",
  "end\ud83d",
  "😀👩‍👩‍👧",
  "\u202eevil",
  "\ufeff",
  "\uffff\ufffe",
  "\r\n\t",
  "%00",
  "%ff",
  "../../etc/passwd",
  "<script>alert(1)</script>",
  "'; drop table items; --",
  "null",
  "true",
  "0",
  "-1",
  "1e309",
  "NaN",
  "Infinity",
  "2147483648",
  "99999999999999999999",
  "__proto__",
  "constructor",
  "2026-02-31",
  "0000-01-01",
  "2026-13-01",
  "9999-12-31T23:59:59.999Z",
  "+275760-09-13T00:00:00.000Z",
  "2026-03-02T25:61:00Z",
  "1999-01-01T00:00:00Z",
  "a".repeat(201),
  "a".repeat(10_001),
  "é".repeat(100_000),
];

/** Numbers at and past every limit a parser, zod or PostgreSQL has. */
export const hostileNumbers: readonly number[] = [
  0,
  -0,
  -1,
  0.5,
  -2.5,
  1.0000001,
  2147483647,
  2147483648,
  -2147483649,
  4294967296,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 63),
  1e21,
  1e308,
  -1e308,
  Number.MIN_VALUE,
];

/**
 * Raw number texts JSON.parse accepts but JavaScript numbers cannot hold (1e400 is Infinity),
 * spliced into JSON bodies as text.
 */
export const hostileNumberTexts: readonly string[] = [
  "1e400",
  "-1e400",
  "99999999999999999999",
  "0.0000000000000000000000000001",
  "-0",
  "1E+2",
  "123456789012345678901234567890",
];

/** Bodies that are not the JSON the route expects, or not JSON at all. */
export const malformedJsonTexts: readonly string[] = [
  "",
  "{",
  "}",
  '{"a":',
  "[1,2",
  "nul",
  "NaN",
  "Infinity",
  "undefined",
  "'single'",
  "{'a': 1}",
  '{"a": 1,}',
  '{"a": 1} trailing',
  '{"__proto__": {"isAdmin": true}}',
  '{"constructor": {"prototype": {"isAdmin": true}}}',
  '"just a string"',
  "42",
  "true",
  "null",
  "[]",
  '{"a":"\\u0000"}',
  '{"a":"\\ud800"}',
  '{"a":"\\x00"}',
  '{"a": 1e400}',
  "\u0000",
  "\ufeff{}",
  `${"[".repeat(10_000)}${"]".repeat(10_000)}`,
  `${'{"a":'.repeat(5_000)}1${"}".repeat(5_000)}`,
  `{"a":"${"b".repeat(1_100_000)}"}`,
];

/** YAML texts that expand, nest, or use tags and anchors in unexpected ways. */
export const hostileYamlTexts: readonly string[] = [
  billionLaughs(9, 9),
  billionLaughs(4, 40),
  `${"- ".repeat(1)}${"[".repeat(5_000)}${"]".repeat(5_000)}`,
  "key: !!js/function 'function(){ return 1 }'",
  "key: !!binary aGVsbG8=",
  "key: !!timestamp 2026-02-31",
  "a: &a [*a]",
  "<<: {key: x}\nkey: y",
  "key: x\nkey: y",
  "? [a, b]\n: c",
  "%YAML 1.1\n---\nkey: yes",
  "key: 0o777\nname: .inf\nprefix: .nan",
  "\u0000",
  "key: \u0000",
  "--- |\n  text\n...\n--- second",
  "\t- tab indented",
  `${"a: ".repeat(2_000)}b`,
];

/** `lol9` refers to `lol8` `width` times, and so on: `width ** depth` nodes once expanded. */
export function billionLaughs(depth: number, width: number): string {
  const lines = ['a0: &a0 ["lol"]'];
  for (let d = 1; d <= depth; d++)
    lines.push(`a${d}: &a${d} [${Array.from({ length: width }, () => `*a${d - 1}`).join(", ")}]`);
  lines.push(`key: *a${depth}`);
  return lines.join("\n");
}

/** Business durations, valid-looking and absurd. */
export const hostileDurations: readonly string[] = [
  "99999999999999999999w",
  "1e7w",
  "10000000w",
  "100000000w",
  "0m",
  "0.0001m",
  "-1h",
  "1.5.5h",
  "9999999d wall",
  "260w",
  "261w",
  "1y",
  "4 h",
  "",
];

/** Date-ish strings for `due`, `starts_at`, holidays and date fields. */
export const hostileDates: readonly string[] = [
  "2026-02-31",
  "2026-02-29",
  "2028-02-29",
  "0000-01-01",
  "0001-01-01",
  "9999-12-31",
  "10000-01-01",
  "2026-3-2",
  "2026-03-02T09:00:00",
  "2026-03-02T09:00:00Z",
  "2026-03-02T09:00:00+25:00",
  "2026-03-02T24:00:00Z",
  "1999-12-31T23:59:59Z",
  "2099-01-01T00:00:00Z",
  "-000001-01-01T00:00:00Z",
  "+275760-09-13T00:00:00.000Z",
  "1970-01-01T00:00:00Z",
  "yesterday",
  "2026-03-02T09:00:00.123456789Z",
];

/** Junk for a path segment, already percent-encoded as it goes on the wire. */
export const hostilePathSegments: readonly string[] = [
  "%00",
  "INC-%00",
  "a%00b",
  "%ff",
  "%fe%ff",
  "%ed%a0%80",
  "%c0%ae%c0%ae",
  "%",
  "%zz",
  "%2e%2e",
  "..",
  "%2F",
  "%20",
  "%E2%80%AE",
  "ONB-0",
  "ONB--1",
  "ONB-2147483648",
  "ONB-99999999999999999999",
  "ONB-1.5",
  "onb-1",
  "x".repeat(201),
  "x".repeat(5_000),
  "%F0%9F%98%80",
  "null",
  "__proto__",
];

/** Junk for a query string value, percent-encoded. */
export const hostileQueryValues: readonly string[] = [
  "a%00b",
  "%00",
  "%ff",
  "%",
  "-1",
  "0",
  "1.5",
  "2147483648",
  "99999999999999999999",
  "1e400",
  "NaN",
  "Infinity",
  "%ed%a0%80",
  "x".repeat(3_000),
  "in_progress,%00",
  ",",
  "",
];

/** Content types a route may receive instead of the one it expects. */
export const hostileContentTypes: readonly (string | undefined)[] = [
  undefined,
  "",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  "multipart/form-data; boundary=x",
  "application/xml",
  "application/json; charset=utf-16",
  "application/json; charset=latin1",
  "application/JSON",
  "application/problem+json",
  "application/yaml",
  "text/yaml",
  "*/*",
  "foo",
  "application/octet-stream",
];

/** If-Match values besides a plain version. */
export const hostileIfMatch: readonly string[] = [
  "*",
  '"1"',
  'W/"1"',
  '"0"',
  '"-1"',
  '"1.5"',
  '"2147483648"',
  '"99999999999999999999"',
  '"abc"',
  "",
  '"1", "2"',
];

/** Authorization headers that are not a usable bearer token. */
export const hostileAuthorizations: readonly string[] = [
  "Bearer",
  "Bearer ",
  "Bearer a b",
  "Basic YWRtaW46YWRtaW4=",
  "bearer bt_nope",
  `Bearer ${"x".repeat(10_000)}`,
  "Bearer %00",
  "Token abc",
];

/** Any JSON value a client could send in place of the expected one. */
export function hostileJson(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...hostileStrings) },
    { weight: 3, arbitrary: fc.constantFrom(...hostileNumbers) },
    {
      weight: 2,
      arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [null], { "": "" }),
    },
    { weight: 1, arbitrary: fc.constant(deepArray(2_000)) },
    { weight: 1, arbitrary: fc.constant(deepObject(2_000)) },
    {
      weight: 1,
      arbitrary: fc.constant(Array.from({ length: 10_001 }, (_, i) => i)),
    },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  );
}

/** [[[…]]] `depth` deep. */
export function deepArray(depth: number): unknown {
  let v: unknown = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** {"a": {"a": …}} `depth` deep. */
export function deepObject(depth: number): unknown {
  let v: unknown = {};
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

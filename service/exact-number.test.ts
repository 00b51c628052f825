import { describe, expect, it } from "vitest";
import { ExactNumber, parseJsonExact, readDecimal, scanJson } from "./exact-number.ts";

describe("readDecimal: DynamoDB's canonical form and limits", () => {
  it.each([
    ["0", "0"],
    ["-0.0", "0"],
    ["0e99", "0"],
    ["1.50e2", "150"],
    ["1E-130", `0.${"0".repeat(129)}1`],
    ["-0.000120", "-0.00012"],
    ["12345678901234567890123", "12345678901234567890123"],
    ["0.12345678901234567890123456789012345678", "0.12345678901234567890123456789012345678"],
    ["9.9999999999999999999999999999999999999E+125", `${"9".repeat(38)}${"0".repeat(88)}`],
    ["100000000000000000000000000000000000000000", `1${"0".repeat(41)}`],
  ])("reads %s as %s", (source, text) => {
    expect(readDecimal(source)).toMatchObject({ ok: true, text });
  });

  it.each([
    ["1e-400", /too small/],
    ["9.99e-131", /too small/],
    ["1E+126", /too large/],
    ["0.123456789012345678901234567890123456789", /39 significant digits/],
    ["1.2.3", /not a decimal number/],
    ["NaN", /not a decimal number/],
  ])("refuses %s", (source, reason) => {
    const reading = readDecimal(source);
    expect(reading.ok).toBe(false);
    if (!reading.ok) expect(reading.reason).toMatch(reason);
  });
});

describe("parseJsonExact and ExactNumber", () => {
  it("keeps every number's source text and prints it back unchanged", () => {
    const text = '{"a":0.12345678901234567890123,"b":[1e-400,12345678901234567890123],"c":"1"}';
    const value = parseJsonExact(text) as { a: ExactNumber; b: ExactNumber[]; c: string };
    expect(value.a).toBeInstanceOf(ExactNumber);
    expect(value.a.value).toBe("0.12345678901234567890123");
    expect(value.c).toBe("1");
    expect(JSON.stringify(value)).toBe(text);
  });
});

describe("scanJson", () => {
  it("measures nesting outside strings", () => {
    expect(scanJson('{"a":[[1]],"s":"[[[[{{"}').maxDepth).toBe(3);
    expect(scanJson(`${"[".repeat(5000)}${"]".repeat(5000)}`).maxDepth).toBe(5000);
    expect(scanJson('"\\"[["').maxDepth).toBe(0);
  });

  it("asks for exact numbers only when a double could round them", () => {
    expect(
      scanJson('{"n":123456789012345,"f":0.000123456789012345,"t":true,"s":"1e-400"}').needsExactNumbers,
    ).toBe(false);
    expect(scanJson('{"n":1234567890123456}').needsExactNumbers).toBe(true);
    expect(scanJson('{"n":1e-400}').needsExactNumbers).toBe(true);
    expect(scanJson('{"n":-2.5E3}').needsExactNumbers).toBe(true);
  });
});

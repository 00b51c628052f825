import { describe, expect, it } from "vitest";
import { parseFunctionRef } from "./function-ref.ts";

describe("--function NAME|ARN", () => {
  it("takes a name, a full ARN (with its region) and a partial ARN", () => {
    expect(parseFunctionRef("orders", "--function")).toEqual({ name: "orders" });
    expect(parseFunctionRef("arn:aws:lambda:eu-west-1:123456789012:function:orders", "--function")).toEqual({
      name: "orders",
      region: "eu-west-1",
      accountId: "123456789012",
    });
    expect(
      parseFunctionRef("arn:aws-cn:lambda:cn-north-1:123456789012:function:o", "--function").region,
    ).toBe("cn-north-1");
    expect(parseFunctionRef("123456789012:function:orders", "--function")).toEqual({
      name: "orders",
      accountId: "123456789012",
    });
  });

  it("refuses a qualified one (alias, version, $LATEST) with the reason and the unqualified form", () => {
    const arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders";
    for (const qualifier of ["live", "7", "$LATEST"]) {
      expect(() => parseFunctionRef(`${arn}:${qualifier}`, "--function")).toThrow(
        `invalid --function "${arn}:${qualifier}": expected an unqualified function name or ARN, but it is qualified with "${qualifier}" (a version or alias): the sweep publishes its own versions and points the alias itself; pass ${arn}`,
      );
    }
    expect(() => parseFunctionRef("orders:live", "--function")).toThrow(/pass orders$/);
    expect(() => parseFunctionRef("123456789012:function:orders:3", "--function")).toThrow(
      /pass 123456789012:function:orders$/,
    );
  });

  it("refuses what is no function reference", () => {
    for (const bad of ["", "has space", "x".repeat(65), "arn:aws:s3:::bucket"]) {
      expect(() => parseFunctionRef(bad, "--function")).toThrow(/expected a function name \(1-64 letters/);
    }
  });
});

/** `npm run calibrate`'s flags (the run itself: stage/calibration/calibrate.integration.test.ts). */
import { describe, expect, it } from "vitest";
import { parseCalibrateArgs } from "./calibrate.ts";

describe("npm run calibrate flags", () => {
  it("rejects bad flags with one line naming the flag and what it expects", () => {
    expect(() => parseCalibrateArgs(["--cold-starts", "0"])).toThrow(
      'invalid --cold-starts "0": expected an integer from 1 to 50',
    );
    expect(() => parseCalibrateArgs(["--bogus"])).toThrow(/^unknown flag --bogus/);
    expect(parseCalibrateArgs(["--json", "--quick"])).toEqual({ json: true, quick: true });
    expect(() => parseCalibrateArgs(["--capacity", "cap"])).toThrow(
      'invalid --capacity "cap": expected auto or off',
    );
    expect(() => parseCalibrateArgs(["--idle-fill", "yes"])).toThrow(
      'invalid --idle-fill "yes": expected on or off',
    );
    expect(parseCalibrateArgs(["--capacity", "off", "--idle-fill", "off"])).toEqual({
      json: false,
      quick: false,
      capacity: "off",
      idleFill: "off",
    });
  });
});

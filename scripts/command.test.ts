/**
 * The shared command layer (issue 19, "Errors"): one line with the fix, "did you mean", negative numbers
 * taken as values, --help only when asked, exit codes 0/1/2 defined once.
 */
import { describe, expect, it } from "vitest";
import { ConfigError } from "../loadtests/errors.ts";
import { ReportOptionError } from "../reports/errors.ts";
import { InvalidSweepOptionError } from "../tuning/errors.ts";
import {
  type CommandSpec,
  closestFlag,
  EXIT,
  errorLine,
  invalidFlag,
  numberFlag,
  parseCommandLine,
  renderHelp,
  runCommand,
  UsageError,
} from "./command.ts";

const SPEC = {
  name: "bench",
  summary: "Sweeps memory sizes.",
  flags: {
    memory: { type: "string", value: "<list>", help: "memory sizes", default: "128,512" },
    rate: { type: "string", value: "<req/s>", help: "load rate" },
    json: { type: "boolean", help: "print JSON" },
    folder: { type: "string", value: "<name>", help: "a folder", multiple: true },
  },
  gate: "a regression",
} as const satisfies CommandSpec;

function capture() {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    io: {
      stdout: (t: string) => {
        out.stdout += t;
      },
      stderr: (t: string) => {
        out.stderr += t;
      },
      debug: false,
    },
  };
}

describe("parseCommandLine", () => {
  it("suggests the flag the user meant", () => {
    expect(() => parseCommandLine(SPEC, ["--memroy", "128"])).toThrow(
      "unknown flag --memroy: did you mean --memory? (npm run bench -- --help lists the flags)",
    );
    expect(() => parseCommandLine(SPEC, ["--jsn"])).toThrow("did you mean --json?");
    expect(() => parseCommandLine(SPEC, ["--mem", "1"])).toThrow("did you mean --memory?");
    expect(() => parseCommandLine(SPEC, ["--zzzzzzzz"])).toThrow(
      "unknown flag --zzzzzzzz (npm run bench -- --help lists the flags)",
    );
    expect(closestFlag("xyz", ["memory", "rate"])).toBeUndefined();
    expect(closestFlag("memory-mb", ["memory", "rate"])).toBe("memory");
  });

  it("takes a negative number as a value (Node's parseArgs calls it ambiguous), so the flag's check speaks", () => {
    expect(parseCommandLine(SPEC, ["--rate", "-5"]).values.rate).toBe("-5");
    expect(parseCommandLine(SPEC, ["--rate", "-0.5"]).values.rate).toBe("-0.5");
    expect(() => numberFlag("rate", "-5", { min: 0, minExclusive: true })).toThrow(
      'invalid --rate "-5": expected a number > 0',
    );
  });

  it("names a missing value, a value given to a switch, a repeated flag and a stray argument", () => {
    expect(() => parseCommandLine(SPEC, ["--rate"])).toThrow("--rate needs a value <req/s>");
    expect(() => parseCommandLine(SPEC, ["--memory", "--json"])).toThrow(
      "--memory needs a value <list>, e.g. --memory 128,512",
    );
    expect(() => parseCommandLine(SPEC, ["--json=yes"])).toThrow("--json is a switch and takes no value");
    expect(() => parseCommandLine(SPEC, ["--rate", "1", "--rate", "2"])).toThrow("--rate is given twice");
    expect(() => parseCommandLine(SPEC, ["128"])).toThrow(
      'unexpected argument "128": bench takes flags only',
    );
    expect(parseCommandLine(SPEC, ["--folder", "a", "--folder=b"]).values.folder).toEqual(["a", "b"]);
  });

  it("checks positionals when the command takes some", () => {
    const report = { ...SPEC, name: "report", positionals: { names: "<results.json>", min: 1, max: 1 } };
    expect(() => parseCommandLine(report, [])).toThrow(
      "missing <results.json>: npm run report -- <results.json>",
    );
    expect(parseCommandLine(report, ["r.json"]).positionals).toEqual(["r.json"]);
    expect(parseCommandLine(report, ["--help"]).help).toBe(true);
  });
});

describe("runCommand", () => {
  it("prints one line, without a class name or the usage, and exits 1 on an error", async () => {
    const { out, io } = capture();
    const code = await runCommand(SPEC, ["--memroy", "128"], async () => EXIT.ok, io);
    expect(code).toBe(1);
    expect(out.stderr).toBe(
      "bench: unknown flag --memroy: did you mean --memory? (npm run bench -- --help lists the flags)\n",
    );
    expect(out.stdout).toBe("");
    class InvalidSweepOptionError extends Error {
      override name = "InvalidSweepOptionError";
    }
    const failed = capture();
    const thrown = await runCommand(
      SPEC,
      [],
      async () => {
        throw new InvalidSweepOptionError('invalid --memory "64": expected an integer from 128 to 10240 MB');
      },
      failed.io,
    );
    expect(thrown).toBe(EXIT.error);
    expect(failed.out.stderr).toBe(
      'bench: invalid --memory "64": expected an integer from 128 to 10240 MB\n',
    );
  });

  it("prints the help only when asked, with every flag, its default and the exit codes", async () => {
    const { out, io } = capture();
    expect(await runCommand(SPEC, ["--help"], async () => EXIT.gate, io)).toBe(EXIT.ok);
    expect(out.stdout).toBe(`${renderHelp(SPEC)}\n`);
    expect(out.stdout).toContain("--memory <list>");
    expect(out.stdout).toContain("(default: 128,512)");
    expect(out.stdout).toContain(
      "Exit codes: 0 ok; 1 error (bad flag, config or file, interrupted, crashed); 2 a regression.",
    );
  });

  it("passes the command's own exit code through: 2 for a gate", async () => {
    const { io } = capture();
    expect(await runCommand(SPEC, [], async () => EXIT.gate, io)).toBe(2);
    expect(EXIT).toEqual({ ok: 0, error: 1, gate: 2 });
  });

  it("errorLine keeps the first line of a message only", () => {
    expect(errorLine(SPEC, new UsageError("first\nsecond"))).toBe("bench: first");
    expect(errorLine(SPEC, "text")).toBe("bench: text");
  });
});

// issue 21: "invalid X: expected Y" was written three times (tuning, reports, loadtests); one template now
describe("one invalid-input line for every area", () => {
  it("prints what was wrong, the value given and what was expected, the same way in each area", () => {
    const expected = 'invalid --memory "64": expected an integer from 128 to 10240 MB';
    expect(new InvalidSweepOptionError("--memory", "64", "an integer from 128 to 10240 MB").message).toBe(
      expected,
    );
    expect(new ReportOptionError("--memory", "64", "an integer from 128 to 10240 MB").message).toBe(expected);
    expect(invalidFlag("memory", "64", "expected an integer from 128 to 10240 MB").message).toBe(expected);
    expect(() => numberFlag("memory", "64", { integer: true, min: 128, max: 10240 })).toThrow(
      'invalid --memory "64": expected an integer from 128 to 10240',
    );
    expect(new ConfigError("--seed", 'expected a whole number, got "x"').message).toBe(
      'invalid --seed: expected a whole number, got "x"',
    );
  });
});

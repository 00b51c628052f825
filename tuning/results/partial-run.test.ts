import { describe, expect, it } from "vitest";
import { partialRun } from "./partial-run.ts";

const planned = ["x86_64-256", "x86_64-512", "x86_64-1024"];

describe("partialRun", () => {
  it("is absent when every planned setting was measured", () => {
    const measured = planned.map((id) => ({ id, failures: [] }));
    expect(partialRun(planned, measured, { aborted: false })).toBeUndefined();
  });

  it("names the signal, the setting it cut short, and what did not run", () => {
    const measured = [
      { id: "x86_64-256", failures: [] },
      {
        id: "x86_64-512",
        failures: [
          {
            kind: "load" as const,
            message: "interrupted during its load window: the measurements are partial",
          },
        ],
      },
    ];
    expect(partialRun(planned, measured, { aborted: true, reason: "SIGINT" })).toEqual({
      reason: "interrupted",
      message: "interrupted by SIGINT during x86_64-512",
      settingsPlanned: 3,
      settingsRun: 1,
      notRun: ["x86_64-512", "x86_64-1024"],
    });
  });

  it("an interruption between settings", () => {
    const measured = [{ id: "x86_64-256", failures: [] }];
    expect(partialRun(planned, measured, { aborted: true })?.message).toBe("interrupted during x86_64-512");
  });
});

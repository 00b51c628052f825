/** Exactly-once interrupts: the wrappers' echoes within the window are ignored, a later signal is deliberate. */
import { afterEach, describe, expect, it } from "vitest";
import { handleInterrupts } from "./interrupts.ts";

let off: (() => void) | undefined;
afterEach(() => off?.());

describe("handleInterrupts", () => {
  it("takes the first signal, ignores echoes within the window, takes a deliberate second one after it", () => {
    let nowMs = 0;
    const seen: string[] = [];
    off = handleInterrupts(
      { first: (s) => seen.push(`first ${s}`), again: (s) => seen.push(`again ${s}`) },
      { repeatWindowMs: 1_000, now: () => nowMs },
    );
    process.emit("SIGINT"); // the terminal's Ctrl-C
    nowMs = 3;
    process.emit("SIGINT"); // npm forwards it
    nowMs = 40;
    process.emit("SIGTERM"); // a wrapper relays as SIGTERM
    expect(seen).toEqual(["first SIGINT"]);
    nowMs = 2_500;
    process.emit("SIGINT"); // the user presses Ctrl-C again after the message
    expect(seen).toEqual(["first SIGINT", "again SIGINT"]);
  });
});

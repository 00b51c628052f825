/**
 * Where environment groups go on cgroup v2 (locateV2), against the machine's real cgroup2 mount. Where that
 * mount lacks the cpu and memory controllers (a cgroup-v1 host with a v2 mount for systemd, as here), every
 * candidate is refused: the reason names each, in the order tried, and nothing is left behind.
 */
import { existsSync, readFileSync, rmdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CGROUP_DIR_ENV, locateV2 } from "./cgroups.ts";

const v2Mount = readFileSync("/proc/self/mountinfo", "utf8")
  .split("\n")
  .find((line) => line.split(" - ")[1]?.startsWith("cgroup2 "))
  ?.split(" ")[4];
const offersCpuAndMemory =
  v2Mount !== undefined &&
  ["cpu", "memory"].every((c) =>
    readFileSync(path.join(v2Mount, "cgroup.controllers"), "utf8").split(/\s+/).includes(c),
  );

describe("cgroup v2 placement", () => {
  it.skipIf(v2Mount === undefined || offersCpuAndMemory || process.getuid?.() !== 0)(
    "tries the named group, its own cgroup, then the hierarchy root, and says why each was refused",
    () => {
      const named = path.join(v2Mount as string, `powerbench-test-${process.pid}`);
      try {
        const result = locateV2({ [CGROUP_DIR_ENV]: named });
        expect(typeof result).toBe("string");
        const reason = result as string;
        const order = [`${CGROUP_DIR_ENV}:`, "own cgroup:", "hierarchy root:"].map((label) =>
          reason.indexOf(label),
        );
        expect(order.every((index) => index >= 0)).toBe(true);
        expect([...order].sort((a, b) => a - b)).toEqual(order);
        expect(reason).toMatch(/does not offer the cpu and memory controllers/);
        expect(reason).toContain(`set ${CGROUP_DIR_ENV}`);
        // Nothing is left behind: the named group made for the attempt is removed again, and the
        // hierarchy-root candidate is refused before it creates anything.
        expect(existsSync(named)).toBe(false);
        expect(existsSync(path.join(v2Mount as string, "powerbench"))).toBe(false);
      } finally {
        if (existsSync(named)) rmdirSync(named);
      }
    },
  );
});

/**
 * The group's throttled time, read through a descriptor kept open (a pread from offset 0 per read): each read
 * must see the kernel's current figure, not the first one, or HostCpuWait would stop subtracting the quota.
 */

import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { sleep } from "../../test/support/wait.ts";
import { detectCgroups, type EnvironmentCgroup } from "./cgroups.ts";

const { scaling, manager } = detectCgroups();
const groups: EnvironmentCgroup[] = [];

afterAll(async () => {
  for (const group of groups) await group.remove();
});

describe.skipIf(scaling.mode === "none")(`cgroup throttled time (${scaling.mode})`, () => {
  it("grows between reads while a busy loop runs over a 128 MB quota, and is gone after remove", async () => {
    // Prepare: a 128 MB group (7 % of a core) with a busy loop in it.
    const group = manager?.create(128);
    if (!group) throw new Error("cgroups detected without a manager");
    groups.push(group);
    group.limitCpu();
    const child = spawn(
      process.execPath,
      ["-e", "const end = Date.now() + 3000; while (Date.now() < end);"],
      {
        stdio: "ignore",
      },
    );
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      group.joinMemory(child.pid ?? -1);
      group.joinCpu(child.pid ?? -1);
      const first = group.throttledMs();

      // Act: let the quota hold it back for a while, then read again through the same descriptor.
      await sleep(600);
      const second = group.throttledMs();

      // Assess: the kernel's figure moved on (at 7 % of a core, most of 600 ms is throttled on an idle host; 20 ms is enough to tell).
      expect(first).toBeDefined();
      expect(second).toBeGreaterThan((first ?? 0) + 20);
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    await group.remove();
    groups.pop();
    expect(group.throttledMs()).toBeUndefined();
  });
});

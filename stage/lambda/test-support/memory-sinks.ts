/**
 * Test support: in-memory MetricSink and LogSink (the CloudWatch emulation's real stores live in
 * stage/cloudwatch/; these keep the emulator's tests independent of them), the test functions' directory,
 * and helpers to check that no process or cgroup outlives an emulator.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { LogEvent, LogSink, MetricDatum, MetricSink } from "../../contracts.ts";

export const TEST_FUNCTIONS_DIR = fileURLToPath(new URL("../test-functions/", import.meta.url));

export class MemoryMetricSink implements MetricSink {
  readonly data: MetricDatum[] = [];

  put(datum: MetricDatum): void {
    this.data.push(datum);
  }

  /** Values of `metricName` whose dimensions are exactly `dimensions`. */
  values(metricName: string, dimensions: Record<string, string>): number[] {
    const wanted = JSON.stringify(Object.entries(dimensions).sort());
    return this.data
      .filter(
        (d) => d.metricName === metricName && JSON.stringify(Object.entries(d.dimensions).sort()) === wanted,
      )
      .map((d) => d.value);
  }
}

export class MemoryLogSink implements LogSink {
  /** "<group>\n<stream>" → events. */
  readonly streams = new Map<string, LogEvent[]>();

  append(logGroupName: string, logStreamName: string, events: LogEvent[]): void {
    const key = `${logGroupName}\n${logStreamName}`;
    const stream = this.streams.get(key) ?? [];
    stream.push(...events);
    this.streams.set(key, stream);
  }

  /** Stream names of a group. */
  streamNames(logGroupName: string): string[] {
    return [...this.streams.keys()]
      .filter((k) => k.startsWith(`${logGroupName}\n`))
      .map((k) => k.split("\n")[1] ?? "");
  }

  /** Every message of a group, stream by stream in order of creation. */
  messages(logGroupName: string): string[] {
    return [...this.streams.entries()]
      .filter(([key]) => key.startsWith(`${logGroupName}\n`))
      .flatMap(([, events]) => events.map((e) => e.message));
  }
}

/** True when the process exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/**
 * This process's own cgroup directory in each mounted hierarchy (v1 cpu, memory, ...; v2), or only in the v1
 * hierarchies of `controllers`.
 */
export function ownCgroupParents(controllers?: string[]): string[] {
  if (!existsSync("/proc/self/cgroup")) return [];
  const parents: string[] = [];
  for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    const [, names = "", cgroupPath = "/"] = match;
    if (controllers && !names.split(",").some((name) => controllers.includes(name))) continue;
    const candidates =
      names === ""
        ? [path.join("/sys/fs/cgroup", cgroupPath), path.join("/sys/fs/cgroup/unified", cgroupPath)]
        : names
            .split(",")
            .filter((c) => c && !c.startsWith("name="))
            .map((c) => path.join("/sys/fs/cgroup", c, cgroupPath));
    for (const dir of candidates) if (existsSync(dir)) parents.push(dir);
  }
  return [...new Set(parents)];
}

/** Directories named powerbench-<this pid>-* under every cgroup hierarchy this process belongs to. */
export function ownCgroupDirs(): string[] {
  const prefix = `powerbench-${process.pid}-`;
  return ownCgroupParents().flatMap((dir) =>
    readdirSync(dir)
      .filter((entry) => entry.startsWith(prefix))
      .map((entry) => path.join(dir, entry)),
  );
}

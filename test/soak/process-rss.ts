/**
 * RSS of the stage's processes from /proc (Linux): the stage process itself and every descendant (each Lambda
 * execution environment is a child process of the stage; esbuild's service process is one too).
 */
import { readdirSync, readFileSync } from "node:fs";

export interface ProcessRss {
  pid: number;
  /** "stage", "lambda-env <pid>", "esbuild <pid>" or "child <pid>". */
  label: string;
  rssKb: number;
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined; // the process is gone
  }
}

/** Direct children of `pid`, from /proc/<pid>/task/<tid>/children. */
export function childPids(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tasks.flatMap((tid) =>
    (read(`/proc/${pid}/task/${tid}/children`) ?? "")
      .split(" ")
      .filter((s) => s.trim() !== "")
      .map(Number),
  );
}

/** `pid` and all its descendants. */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    out.push(next);
    queue.push(...childPids(next));
  }
  return out;
}

/** VmRSS in kB, or undefined when the process is gone or is a zombie. */
export function rssKb(pid: number): number | undefined {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(read(`/proc/${pid}/status`) ?? "");
  return match?.[1] ? Number(match[1]) : undefined;
}

function label(pid: number, rootPid: number): string {
  if (pid === rootPid) return "stage";
  const cmdline = (read(`/proc/${pid}/cmdline`) ?? "").replaceAll("\0", " ");
  if (/lambda-runtime-[0-9a-f]+\.mjs/.test(cmdline)) return `lambda-env ${pid}`;
  if (/esbuild/.test(cmdline)) return `esbuild ${pid}`;
  return `child ${pid}`;
}

/** One RSS sample of every process of the tree rooted at `rootPid`. */
export function sampleProcessTree(rootPid: number): ProcessRss[] {
  return processTree(rootPid).flatMap((pid) => {
    const rss = rssKb(pid);
    return rss === undefined ? [] : [{ pid, label: label(pid, rootPid), rssKb: rss }];
  });
}

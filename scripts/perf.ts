/**
 * `npm run perf`: runs every benchmark file (`<area>/**\/*.perf.ts`) in its own process, one after the
 * other so they do not compete for the two cores, and writes their Markdown sections to docs/perf.md.
 * Each benchmark measures a ratio against a reference run side by side in the same process.
 *
 * Usage: npm run perf [-- <substring filter>]
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type CommandSpec, EXIT, type ExitCode, exitWith, runCommand, UsageError } from "./command.ts";

const AREAS = ["service", "stage", "loadtests", "tuning", "reports", "postman"] as const;

function findPerfFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === "node_modules" || entry === "out") continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) found.push(...findPerfFiles(full));
    else if (entry.endsWith(".perf.ts")) found.push(full);
  }
  return found;
}

export const PERF_COMMAND = {
  name: "perf",
  summary:
    "Runs every benchmark file (<area>/**/*.perf.ts) in its own process, one after the other, and writes\ntheir sections to docs/perf.md. A filter keeps the files whose path contains it.",
  positionals: { names: "[<substring filter>]", min: 0, max: 1 },
  flags: {},
} as const satisfies CommandSpec;

async function main(filter: string | undefined): Promise<ExitCode> {
  const files = AREAS.flatMap((area) => findPerfFiles(area))
    .filter((f) => !filter || f.includes(filter))
    .sort();
  if (files.length === 0)
    throw new UsageError(
      `no benchmark files matched${filter ? ` "${filter}"` : ""}: expected <area>/**/*.perf.ts`,
    );

  // Sections are keyed by file, so a filtered run replaces only its own sections in docs/perf.md.
  const DOC = path.join("docs", "perf.md");
  const MARK = /^<!-- perf: (\S+) -->$/;
  const sections = new Map<string, string>();
  if (existsSync(DOC)) {
    let current: string | undefined;
    for (const line of readFileSync(DOC, "utf8").split("\n")) {
      const m = MARK.exec(line);
      if (m?.[1]) {
        current = m[1];
        sections.set(current, "");
      } else if (current) sections.set(current, `${sections.get(current) ?? ""}${line}\n`);
    }
  }
  const cpus = os.cpus();
  const machine = `${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, Node ${process.version}`;
  for (const file of files) {
    console.error(`perf: running ${file}`);
    const startedAt = new Date().toISOString();
    const load = os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(", ");
    const out = execFileSync(process.execPath, ["--import", "tsx", file], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 16 * 1024 * 1024,
    });
    // Each section says when it was measured: a run of one file leaves the others' sections as they were.
    sections.set(
      file,
      `${out.trim()}\n\n_Measured ${startedAt} on ${machine}; load average at its start ${load}._\n`,
    );
  }

  const header = [
    "# Performance",
    "",
    "Produced by `npm run perf` (scripts/perf.ts runs every `*.perf.ts` file). Each figure is a ratio against",
    "a reference measured side by side in the same run, so it holds across machines better than absolute rates.",
    "",
    `Last run: ${new Date().toISOString()} (${files.length === 1 ? "1 file" : `${files.length} files`}: ${files.join(", ")}); each section`,
    "ends with the time it was measured.",
    "",
  ].join("\n");
  const body = [...sections.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([file, text]) => `<!-- perf: ${file} -->\n${text.trim()}\n`)
    .join("\n");
  writeFileSync(DOC, `${header}\n${body}`);
  console.log(`perf: wrote ${DOC}`);
  return EXIT.ok;
}

void runCommand(PERF_COMMAND, process.argv.slice(2), ({ positionals }) => main(positionals[0])).then((code) =>
  exitWith(code),
);

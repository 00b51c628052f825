/**
 * `npm run k6-operator -- --target <url> [--profile baseline] [--parallelism 4] [--rate] [--duration]
 * [--namespace] [--image] [--out testrun.yaml]`: emits a k6-operator TestRun manifest for the CRUD scenario,
 * to stdout or a file, and prints (to stderr) the commands that build the ConfigMap it refers to.
 */
import { writeFileSync } from "node:fs";
import { stringify } from "yaml";
import { parseDurationMs } from "../loadtests/cli.ts";
import { archiveCommands, renderTestRun, type TestRunInput } from "../loadtests/engines/k6/operator.ts";
import { parseSeed } from "../loadtests/seed.ts";
import { type CommandSpec, EXIT, type ExitCode, exitWith, numberFlag, runCommand } from "./command.ts";

export const K6_OPERATOR_COMMAND = {
  name: "k6-operator",
  summary:
    "Emits a k6-operator TestRun manifest for the CRUD scenario (stdout or --out) and prints the commands\nthat build the ConfigMap it refers to.",
  flags: {
    target: { type: "string", value: "<url>", help: "API base URL the k6 runners load (required)" },
    profile: {
      type: "string",
      value: "<name>",
      help: "smoke | baseline | ramp | spike | soak",
      default: "baseline",
    },
    parallelism: { type: "string", value: "<n>", help: "number of k6 runner pods", default: "2" },
    rate: { type: "string", value: "<req/s>", help: "peak arrival rate over all runners" },
    duration: { type: "string", value: "<time>", help: "run length: 30s, 2m, 1500ms" },
    seed: {
      type: "string",
      value: "<int>",
      help: "workload seed, 0 to 4294967295 (each runner mixes in its segment)",
    },
    name: { type: "string", value: "<name>", help: "TestRun name", default: "powerbench-<profile>" },
    namespace: { type: "string", value: "<ns>", help: "Kubernetes namespace" },
    image: { type: "string", value: "<image>", help: "k6 runner image", default: "grafana/k6:latest" },
    separate: { type: "boolean", help: "runners on different nodes" },
    out: { type: "string", value: "<file>", help: "write the manifest there instead of stdout" },
  },
} as const satisfies CommandSpec;

async function main(
  v: Partial<Record<keyof typeof K6_OPERATOR_COMMAND.flags, string | boolean>>,
): Promise<ExitCode> {
  const text = (value: string | boolean | undefined) => (typeof value === "string" ? value : undefined);
  const input: TestRunInput = {
    target: text(v.target) ?? "",
    profile: text(v.profile) ?? "baseline",
    parallelism: Number(text(v.parallelism) ?? 2),
  };
  const rate = text(v.rate);
  if (rate !== undefined) input.ratePerSec = numberFlag("rate", rate, { min: 0, minExclusive: true });
  const duration = text(v.duration);
  if (duration !== undefined) input.durationMs = parseDurationMs(duration);
  const seed = text(v.seed);
  if (seed !== undefined) input.seed = parseSeed(seed);
  const name = text(v.name);
  if (name) input.name = name;
  const namespace = text(v.namespace);
  if (namespace) input.namespace = namespace;
  const image = text(v.image);
  if (image) input.image = image;
  if (v.separate) input.separate = true;
  const manifest = `# k6-operator TestRun for the powerbench CRUD scenario. Build its ConfigMap first:\n${archiveCommands(
    input,
  )
    .map((c) => `#   ${c}`)
    .join("\n")}\n${stringify(renderTestRun(input), { lineWidth: 0 })}`;
  const out = text(v.out);
  if (out) {
    writeFileSync(out, manifest);
    console.error(`k6-operator: wrote ${out}`);
  } else process.stdout.write(manifest);
  console.error(`k6-operator: build the ConfigMap with:\n  ${archiveCommands(input).join("\n  ")}`);
  return EXIT.ok;
}

void runCommand(K6_OPERATOR_COMMAND, process.argv.slice(2), ({ values }) =>
  main(values as Partial<Record<keyof typeof K6_OPERATOR_COMMAND.flags, string | boolean>>),
).then((code) => exitWith(code));

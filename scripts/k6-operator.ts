/**
 * `npm run k6-operator -- --target <url> [--profile baseline] [--parallelism 4] [--rate] [--duration]
 * [--namespace] [--image] [--out testrun.yaml]`: emits a k6-operator TestRun manifest for the CRUD scenario,
 * to stdout or a file, and prints (to stderr) the commands that build the ConfigMap it refers to.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { parseDurationMs } from "../loadtests/cli.ts";
import { archiveCommands, renderTestRun, type TestRunInput } from "../loadtests/k6-operator.ts";
import { parseSeed } from "../loadtests/seed.ts";

const USAGE = `Usage: npm run k6-operator -- --target <url> [options]

  --target <url>        API base URL the k6 runners load (required)
  --profile <name>      smoke | baseline | ramp | spike | soak (default: baseline)
  --parallelism <n>     number of k6 runner pods (default: 2)
  --rate <req/s>        peak arrival rate over all runners
  --duration <time>     run length: 30s, 2m, 1500ms
  --seed <int>          workload seed, a whole number from 0 to 4294967295 (each runner mixes in its segment)
  --name <name>         TestRun name (default: powerbench-<profile>)
  --namespace <ns>      Kubernetes namespace
  --image <image>       k6 runner image (default: grafana/k6:latest)
  --separate            runners on different nodes
  --out <file>          write the manifest there instead of stdout`;

try {
  const { values: v } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      target: { type: "string" },
      profile: { type: "string" },
      parallelism: { type: "string" },
      rate: { type: "string" },
      duration: { type: "string" },
      seed: { type: "string" },
      name: { type: "string" },
      namespace: { type: "string" },
      image: { type: "string" },
      separate: { type: "boolean" },
      out: { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (v.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const input: TestRunInput = {
    target: v.target ?? "",
    profile: v.profile ?? "baseline",
    parallelism: Number(v.parallelism ?? 2),
  };
  if (v.rate !== undefined) {
    input.ratePerSec = Number(v.rate);
    if (!(input.ratePerSec > 0)) throw new Error(`invalid --rate: expected a number > 0, got "${v.rate}"`);
  }
  if (v.duration !== undefined) input.durationMs = parseDurationMs(v.duration);
  if (v.seed !== undefined) input.seed = parseSeed(v.seed);
  if (v.name) input.name = v.name;
  if (v.namespace) input.namespace = v.namespace;
  if (v.image) input.image = v.image;
  if (v.separate) input.separate = true;
  const manifest = `# k6-operator TestRun for the powerbench CRUD scenario. Build its ConfigMap first:\n${archiveCommands(
    input,
  )
    .map((c) => `#   ${c}`)
    .join("\n")}\n${stringify(renderTestRun(input), { lineWidth: 0 })}`;
  if (v.out) {
    writeFileSync(v.out, manifest);
    console.error(`k6-operator: wrote ${v.out}`);
  } else process.stdout.write(manifest);
  console.error(`k6-operator: build the ConfigMap with:\n  ${archiveCommands(input).join("\n  ")}`);
} catch (error) {
  console.error(`k6-operator: ${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}

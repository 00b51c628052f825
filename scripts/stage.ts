/**
 * `npm run stage`: starts the local stage in the foreground and prints its endpoints; Ctrl-C stops it.
 *
 * Usage: npm run stage -- [--port <n>] [--dynamodb-path <dir>] [--memory <MB>] [--template <template.yaml>]
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type StageOptions, startStage } from "../stage/stage.ts";
import {
  type CommandSpec,
  EXIT,
  type ExitCode,
  exitWith,
  invalidFlag,
  numberFlag,
  parseCommandLine,
  runCommand,
} from "./command.ts";
import { handleInterrupts } from "./interrupts.ts";

export const STAGE_COMMAND = {
  name: "stage",
  summary:
    "Starts the local stage (API Gateway, Lambda, CloudWatch, DynamoDB on 127.0.0.1) and prints its endpoints.\nCtrl-C stops it.",
  flags: {
    port: { type: "string", value: "<n>", help: "port of the API", default: "any free port" },
    "dynamodb-path": {
      type: "string",
      value: "<dir>",
      help: "keep DynamoDB data on disk in <dir>",
      default: "in memory",
    },
    memory: {
      type: "string",
      value: "<MB>",
      help: "memory of the function, 128 to 10240",
      default: "the template's MemorySize",
    },
    template: {
      type: "string",
      value: "<template.yaml>",
      help: "deploy this SAM template (your API: function, table, Api events) instead of the bundled service's",
      default: "service/template.yaml",
    },
    "code-root": {
      type: "string",
      value: "<dir>",
      multiple: true,
      help: "also let CreateFunction/UpdateFunctionCode take code from under <dir> (the project is always allowed)",
    },
  },
} as const satisfies CommandSpec;

/** Parses the command line; throws UsageError naming the flag and what it expects. */
export function parseStageArgs(argv: readonly string[]): StageOptions | "help" {
  const line = parseCommandLine(STAGE_COMMAND, argv);
  if (line.help) return "help";
  const values = line.values as Partial<
    Record<Exclude<keyof typeof STAGE_COMMAND.flags, "code-root">, string>
  > & {
    "code-root"?: string[];
  };
  const options: StageOptions = {};
  if (values.port !== undefined)
    options.port = numberFlag("port", values.port, { integer: true, min: 0, max: 65535 });
  if (values.memory !== undefined) {
    if (!/^\d+$/.test(values.memory) || Number(values.memory) < 128 || Number(values.memory) > 10240)
      throw invalidFlag("memory", values.memory, `expected an integer from 128 to 10240 MB`);
    options.memoryMb = Number(values.memory);
  }
  if (values["dynamodb-path"] !== undefined) {
    if (values["dynamodb-path"] === "")
      throw invalidFlag("dynamodb-path", "", `expected a directory for the DynamoDB data`);
    options.dynamodbPath = values["dynamodb-path"];
  }
  if (values.template !== undefined) {
    const template = path.resolve(values.template);
    if (!existsSync(template))
      throw invalidFlag("template", values.template, `no file at ${template}; expected a SAM template`);
    options.template = template;
  }
  if (values["code-root"] !== undefined) {
    const roots = values["code-root"].map((dir) => path.resolve(dir));
    const missing = roots.find((dir) => !existsSync(dir));
    if (missing !== undefined) throw invalidFlag("code-root", missing, `expected an existing directory`);
    options.codeRoots = roots;
  }
  return options;
}

async function main(argv: readonly string[]): Promise<ExitCode> {
  const options = parseStageArgs(argv);
  if (options === "help") return EXIT.ok; // runCommand printed the help
  const local = await startStage(options);
  const { stage } = local;
  const scaling = stage.cpuScaling;
  console.log(
    [
      "local stage running (Ctrl-C to stop)",
      `  API URL:            ${stage.apiUrl}`,
      `  AWS endpoint:       ${stage.awsEndpoint}   (Lambda, CloudWatch, CloudWatch Logs, CloudFormation)`,
      `  DynamoDB endpoint:  ${stage.dynamodbEndpoint}`,
      `  region:             ${stage.region}`,
      `  credentials:        ${stage.credentials?.accessKeyId} / ${stage.credentials?.secretAccessKey}   (SigV4, AWS endpoint)`,
      `  table:              ${stage.tableName}`,
      `  function / alias:   ${stage.functionName} / ${stage.alias}`,
      `  stack:              ${local.stackName}   (bench --stage aws --stack-name ${local.stackName} --endpoint-url ${stage.awsEndpoint})`,
      `  CPU scaling:        ${scaling?.mode ?? "unknown"}${scaling?.reason ? ` (${scaling.reason})` : ""}`,
    ].join("\n"),
  );
  // One Ctrl-C reaches this process more than once (npm forwards it too): the stop runs exactly once, and
  // only a deliberate second Ctrl-C, after the message, exits before the environments are cleaned up.
  return new Promise<ExitCode>((resolve) => {
    handleInterrupts({
      first(signal) {
        console.log(`\nstage: ${signal}, stopping (Ctrl-C again to exit at once, leaving cgroups behind)`);
        local.stop().then(
          () => {
            console.log("stage: stopped");
            resolve(EXIT.ok);
          },
          (error: unknown) => {
            console.error(`stage: stopping failed: ${(error as Error).message}`);
            resolve(EXIT.error);
          },
        );
      },
      again(signal) {
        console.error(`stage: ${signal} again: exiting now; leftover cgroups are removed at the next start`);
        process.exit(EXIT.error);
      },
    });
  });
}

const isMain =
  process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const argv = process.argv.slice(2);
  // exitWith: a lingering keep-alive socket cannot hold the process after the stage stopped.
  void runCommand(STAGE_COMMAND, argv, () => main(argv)).then((code) => exitWith(code));
}

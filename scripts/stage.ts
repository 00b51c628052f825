/**
 * `npm run stage`: starts the local stage in the foreground and prints its endpoints; Ctrl-C stops it.
 *
 * Usage: npm run stage -- [--port <n>] [--dynamodb-path <dir>] [--memory <MB>]
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type StageOptions, startStage } from "../stage/stage.ts";
import {
  type CommandSpec,
  EXIT,
  type ExitCode,
  exitWith,
  numberFlag,
  parseCommandLine,
  runCommand,
  UsageError,
} from "./command.ts";

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
  },
} as const satisfies CommandSpec;

/** Parses the command line; throws UsageError naming the flag and what it expects. */
export function parseStageArgs(argv: readonly string[]): StageOptions | "help" {
  const line = parseCommandLine(STAGE_COMMAND, argv);
  if (line.help) return "help";
  const values = line.values as Partial<Record<keyof typeof STAGE_COMMAND.flags, string>>;
  const options: StageOptions = {};
  if (values.port !== undefined)
    options.port = numberFlag("port", values.port, { integer: true, min: 0, max: 65535 });
  if (values.memory !== undefined) {
    if (!/^\d+$/.test(values.memory) || Number(values.memory) < 128 || Number(values.memory) > 10240)
      throw new UsageError(`invalid --memory "${values.memory}": expected an integer from 128 to 10240 MB`);
    options.memoryMb = Number(values.memory);
  }
  if (values["dynamodb-path"] !== undefined) {
    if (values["dynamodb-path"] === "")
      throw new UsageError('invalid --dynamodb-path "": expected a directory for the DynamoDB data');
    options.dynamodbPath = values["dynamodb-path"];
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
      `  AWS endpoint:       ${stage.awsEndpoint}   (Lambda, CloudWatch, CloudWatch Logs)`,
      `  DynamoDB endpoint:  ${stage.dynamodbEndpoint}`,
      `  region:             ${stage.region}`,
      `  credentials:        ${stage.credentials?.accessKeyId} / ${stage.credentials?.secretAccessKey}`,
      `  table:              ${stage.tableName}`,
      `  function / alias:   ${stage.functionName} / ${stage.alias}`,
      `  CPU scaling:        ${scaling?.mode ?? "unknown"}${scaling?.reason ? ` (${scaling.reason})` : ""}`,
    ].join("\n"),
  );
  return new Promise<ExitCode>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`\nstage: ${signal}, stopping`);
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
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
}

const isMain =
  process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const argv = process.argv.slice(2);
  // exitWith: a lingering keep-alive socket cannot hold the process after the stage stopped.
  void runCommand(STAGE_COMMAND, argv, () => main(argv)).then((code) => exitWith(code));
}

/**
 * `npm run stage`: starts the local stage in the foreground and prints its endpoints; Ctrl-C stops it.
 *
 * Usage: npm run stage -- [--port <n>] [--dynamodb-path <dir>] [--memory <MB>]
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type StageOptions, startStage } from "../stage/stage.ts";
import { handleInterrupts } from "./interrupts.ts";

export const USAGE = `Usage: npm run stage -- [options]

Starts the local stage (API Gateway, Lambda, CloudWatch, DynamoDB on 127.0.0.1) and prints its endpoints.
Ctrl-C stops it.

Options:
  --port <n>             port of the API (default: any free port)
  --dynamodb-path <dir>  keep DynamoDB data on disk in <dir> (default: in memory)
  --memory <MB>          memory of the function, 128 to 10240 (default: the template's MemorySize)
  --code-root <dir>      also let CreateFunction/UpdateFunctionCode take code from under <dir> (repeatable;
                         the project folder is always allowed)
  --help                 show this help`;

export class StageArgsError extends Error {
  override readonly name = "StageArgsError";
}

/** Parses the command line; throws StageArgsError naming the flag and what it expects. */
export function parseStageArgs(argv: readonly string[]): StageOptions | "help" {
  let parsed: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      args: [...argv],
      options: {
        port: { type: "string" },
        "dynamodb-path": { type: "string" },
        memory: { type: "string" },
        "code-root": { type: "string", multiple: true },
        help: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    });
  }
  try {
    parsed = parse();
  } catch (error) {
    throw new StageArgsError(`${(error as Error).message}`);
  }
  const { values } = parsed;
  if (values.help) return "help";
  const options: StageOptions = {};
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535)
      throw new StageArgsError(`invalid --port "${values.port}": expected an integer from 0 to 65535`);
    options.port = port;
  }
  if (values.memory !== undefined) {
    const memoryMb = Number(values.memory);
    if (!/^\d+$/.test(values.memory) || memoryMb < 128 || memoryMb > 10240)
      throw new StageArgsError(
        `invalid --memory "${values.memory}": expected an integer from 128 to 10240 MB`,
      );
    options.memoryMb = memoryMb;
  }
  if (values["dynamodb-path"] !== undefined) {
    if (values["dynamodb-path"] === "")
      throw new StageArgsError('invalid --dynamodb-path "": expected a directory for the DynamoDB data');
    options.dynamodbPath = values["dynamodb-path"];
  }
  if (values["code-root"] !== undefined) {
    const roots = values["code-root"].map((dir) => path.resolve(dir));
    const missing = roots.find((dir) => !existsSync(dir));
    if (missing !== undefined)
      throw new StageArgsError(`invalid --code-root "${missing}": expected an existing directory`);
    options.codeRoots = roots;
  }
  return options;
}

/** Exits as soon as nothing is left running, or after a grace period (a lingering keep-alive socket, say). */
function exitSoon(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 2_000).unref();
}

async function main(): Promise<void> {
  let options: StageOptions | "help";
  try {
    options = parseStageArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`stage: ${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options === "help") {
    console.log(USAGE);
    return;
  }
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
      `  credentials:        ${stage.credentials?.accessKeyId} / ${stage.credentials?.secretAccessKey}   (SigV4, AWS endpoint)`,
      `  table:              ${stage.tableName}`,
      `  function / alias:   ${stage.functionName} / ${stage.alias}`,
      `  CPU scaling:        ${scaling?.mode ?? "unknown"}${scaling?.reason ? ` (${scaling.reason})` : ""}`,
    ].join("\n"),
  );
  // One Ctrl-C reaches this process more than once (npm forwards it too): the stop runs exactly once, and
  // only a deliberate second Ctrl-C, after the message, exits before the environments are cleaned up.
  handleInterrupts({
    first(signal) {
      console.log(`\nstage: ${signal}, stopping (Ctrl-C again to exit at once, leaving cgroups behind)`);
      local.stop().then(
        () => {
          console.log("stage: stopped");
          exitSoon(0);
        },
        (error: unknown) => {
          console.error(`stage: stopping failed: ${(error as Error).message}`);
          exitSoon(1);
        },
      );
    },
    again(signal) {
      console.error(`stage: ${signal} again: exiting now; leftover cgroups are removed at the next start`);
      process.exit(130);
    },
  });
}

const isMain =
  process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  main().catch((error: unknown) => {
    console.error(`stage: ${(error as Error).message}`);
    process.exitCode = 1;
  });
}

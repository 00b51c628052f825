/**
 * `npm run newman`: starts the local stage, runs the Postman collection through Newman, writes a JUnit
 * report under reports/out/newman/, stops the stage. Exit code 2 when the collection fails, 1 on an error.
 *
 *   npm run newman                                   # own local stage, then stop it
 *   npm run newman -- --base-url http://127.0.0.1:3000/prod   # a stage that is already running
 *   npm run newman -- --folder "Bad input" --junit reports/out/newman/bad-input.xml
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { runCollection } from "../postman/run-collection.ts";
import {
  type CommandLine,
  type CommandSpec,
  EXIT,
  type ExitCode,
  exitWith,
  runCommand,
  UsageError,
} from "./command.ts";

export const DEFAULTS = {
  /** @default "reports/out/newman/junit.xml" */
  junitPath: "reports/out/newman/junit.xml",
} as const;

interface Args {
  baseUrl?: string;
  tableName?: string;
  junitPath: string;
  folders?: string[];
}

export const NEWMAN_COMMAND = {
  name: "newman",
  summary:
    "Runs the Postman collection through Newman against the local stage (started and stopped here) or a\nrunning stage, and writes a JUnit report.",
  flags: {
    "base-url": {
      type: "string",
      value: "<url>",
      help: "run against a running stage, e.g. http://127.0.0.1:3000/prod, instead of starting one",
    },
    "table-name": {
      type: "string",
      value: "<name>",
      help: "the service's table, for the command API's checks (default: the stage's)",
    },
    junit: { type: "string", value: "<path>", help: "JUnit report path", default: DEFAULTS.junitPath },
    folder: {
      type: "string",
      value: "<name>",
      help: "run only this folder of the collection",
      multiple: true,
    },
  },
  gate: "the collection failed (an assertion of the API's contract)",
} as const satisfies CommandSpec;

function readArgs(values: CommandLine["values"]): Args {
  const baseUrl = values["base-url"] as string | undefined;
  if (baseUrl !== undefined && !/^https?:\/\/[^/]+/.test(baseUrl)) {
    throw new UsageError(
      `invalid --base-url "${baseUrl}": expected an http(s) URL with the stage path, e.g. http://127.0.0.1:3000/prod`,
    );
  }
  const tableName = values["table-name"] as string | undefined;
  const folders = values.folder as string[] | undefined;
  return {
    ...(baseUrl === undefined ? {} : { baseUrl }),
    ...(tableName === undefined ? {} : { tableName }),
    junitPath: resolve((values.junit as string | undefined) ?? DEFAULTS.junitPath),
    ...(folders === undefined ? {} : { folders }),
  };
}

async function main(values: CommandLine["values"]): Promise<ExitCode> {
  const args = readArgs(values);
  mkdirSync(dirname(args.junitPath), { recursive: true });

  // The stage is loaded only when this script starts one (--base-url runs need none of it).
  const local =
    args.baseUrl === undefined ? await (await import("../stage/stage.ts")).startStage() : undefined;
  try {
    const baseUrl = args.baseUrl ?? (local?.stage.apiUrl as string);
    const tableName = args.tableName ?? local?.stage.tableName;
    console.log(`newman: running postman/powerbench.postman_collection.json against ${baseUrl}`);
    const gate = await runCollection({
      baseUrl,
      ...(tableName === undefined ? {} : { envVars: { tableName } }),
      junitPath: args.junitPath,
      cli: true,
      ...(args.folders ? { folders: args.folders } : {}),
    });
    console.log(
      `newman: ${gate.passed ? "PASSED" : "FAILED"}: ${gate.assertions - gate.failedAssertions}/${gate.assertions} ` +
        `assertions passed, mean response ${gate.meanResponseMs.toFixed(1)} ms; JUnit report: ${args.junitPath}`,
    );
    for (const failure of gate.failures) console.log(`  - ${failure}`);
    return gate.passed ? EXIT.ok : EXIT.gate;
  } finally {
    await local?.stop();
  }
}

// The stage is stopped by now, so the process should end by itself; if a stray handle keeps it alive,
// exitWith ends it anyway (its timer is unref'd, so it never delays a clean exit).
void runCommand(NEWMAN_COMMAND, process.argv.slice(2), ({ values }) => main(values)).then((code) =>
  exitWith(code, 5_000),
);

/**
 * `npm run newman`: starts the local stage, runs the Postman collection through Newman, writes a JUnit
 * report under reports/out/newman/, stops the stage. Exit code 2 when the collection fails, 1 on an error.
 *
 *   npm run newman                                   # own local stage, then stop it
 *   npm run newman -- --base-url http://127.0.0.1:3000/prod   # a stage that is already running
 *   npm run newman -- --folder "Bad input" --junit reports/out/newman/bad-input.xml
 *   npm run newman -- --template my/template.yaml --collection my.postman_collection.json --environment env.json
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { COLLECTION_PATH, readCollection, runCollection } from "../postman/run-collection.ts";
import { formatMs } from "../reports/format.ts";
import {
  type CommandLine,
  type CommandSpec,
  EXIT,
  type ExitCode,
  exitWith,
  invalidFlag,
  runCommand,
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
  collection?: string;
  environment?: string;
  template?: string;
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
    collection: {
      type: "string",
      value: "<file>",
      help: "your Postman v2.1 collection instead of the bundled one (baseUrl and tableName are set for it)",
      default: "postman/powerbench.postman_collection.json",
    },
    environment: {
      type: "string",
      value: "<file>",
      help: "a Postman environment for --collection",
    },
    template: {
      type: "string",
      value: "<template.yaml>",
      help: "the SAM template the local stage deploys when no --base-url is given",
      default: "service/template.yaml",
    },
  },
  gate: "the collection failed (an assertion of the API's contract)",
} as const satisfies CommandSpec;

function readArgs(values: CommandLine["values"]): Args {
  const baseUrl = values["base-url"] as string | undefined;
  if (baseUrl !== undefined && !/^https?:\/\/[^/]+/.test(baseUrl)) {
    throw invalidFlag(
      "base-url",
      baseUrl,
      `expected an http(s) URL with the stage path, e.g. http://127.0.0.1:3000/prod`,
    );
  }
  const tableName = values["table-name"] as string | undefined;
  const folders = values.folder as string[] | undefined;
  const collection = values.collection as string | undefined;
  const environment = values.environment as string | undefined;
  const template = values.template as string | undefined;
  if (environment !== undefined && collection === undefined)
    throw invalidFlag("environment", environment, `it belongs to a --collection; give that too`);
  if (template !== undefined && baseUrl !== undefined)
    throw invalidFlag(
      "template",
      template,
      `--base-url runs against a stage already running; drop one of them`,
    );
  // Unreadable or non-JSON files fail here, in one line, before a stage starts.
  if (collection !== undefined) readCollection(collection);
  if (environment !== undefined) readCollection(environment);
  return {
    ...(collection === undefined ? {} : { collection: resolve(collection) }),
    ...(environment === undefined ? {} : { environment: resolve(environment) }),
    ...(template === undefined ? {} : { template: resolve(template) }),
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
    args.baseUrl === undefined
      ? await (await import("../stage/stage.ts")).startStage(args.template ? { template: args.template } : {})
      : undefined;
  try {
    const baseUrl = args.baseUrl ?? (local?.stage.apiUrl as string);
    const tableName = args.tableName ?? local?.stage.tableName;
    console.log(`newman: running ${args.collection ?? COLLECTION_PATH} against ${baseUrl}`);
    const gate = await runCollection({
      baseUrl,
      ...(args.collection === undefined
        ? {}
        : { collection: args.collection, environment: args.environment ?? { values: [] } }),
      ...(tableName === undefined ? {} : { envVars: { tableName } }),
      junitPath: args.junitPath,
      cli: true,
      ...(args.folders ? { folders: args.folders } : {}),
    });
    console.log(
      `newman: ${gate.passed ? "PASSED" : "FAILED"}: ${gate.assertions - gate.failedAssertions}/${gate.assertions} ` +
        `assertions passed, mean response ${formatMs(gate.meanResponseMs)}; JUnit report: ${args.junitPath}`,
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

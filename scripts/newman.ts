/**
 * `npm run newman`: starts the local stage, runs the Postman collection through Newman, writes a JUnit
 * report under reports/out/newman/, stops the stage. Exit code 1 when the collection fails.
 *
 *   npm run newman                                   # own local stage, then stop it
 *   npm run newman -- --base-url http://127.0.0.1:3000/prod   # a stage that is already running
 *   npm run newman -- --folder "Bad input" --junit reports/out/newman/bad-input.xml
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { runCollection } from "../postman/run-collection.ts";

const USAGE = `usage: npm run newman -- [--base-url <url>] [--table-name <name>] [--junit <path>] [--folder <name>]...

  --base-url    run against a stage that is already running (e.g. http://127.0.0.1:3000/prod)
                instead of starting the local stage
  --table-name  the service's table, for the command API's tableName checks
                (default: the local stage's table, or the environment file's)
  --junit       JUnit report path (default: reports/out/newman/junit.xml)
  --folder      run only this folder of the collection (repeatable)`;

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

function readArgs(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      "base-url": { type: "string" },
      "table-name": { type: "string" },
      junit: { type: "string" },
      folder: { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const baseUrl = values["base-url"];
  if (baseUrl !== undefined && !/^https?:\/\/[^/]+/.test(baseUrl)) {
    throw new Error(
      `invalid --base-url "${baseUrl}": expected an http(s) URL with the stage path, e.g. http://127.0.0.1:3000/prod`,
    );
  }
  return {
    ...(baseUrl === undefined ? {} : { baseUrl }),
    ...(values["table-name"] === undefined ? {} : { tableName: values["table-name"] }),
    junitPath: resolve(values.junit ?? DEFAULTS.junitPath),
    ...(values.folder === undefined ? {} : { folders: values.folder }),
  };
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = readArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
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
    return gate.passed ? 0 : 1;
  } finally {
    await local?.stop();
  }
}

function exitSoon(code: number): void {
  process.exitCode = code;
  // The stage is stopped by now, so the process should end by itself; if a stray handle keeps it alive,
  // end it anyway (the timer is unref'd, so it never delays a clean exit).
  setTimeout(() => process.exit(code), 5_000).unref();
}

main().then(exitSoon, (err: unknown) => {
  console.error(`newman: ${err instanceof Error ? err.message : String(err)}`);
  exitSoon(1);
});

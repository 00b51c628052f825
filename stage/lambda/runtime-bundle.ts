/**
 * The runtime that runs inside each execution environment is TypeScript (runtime/runtime-main.ts). Spawning
 * it through tsx would add ~150 ms to every cold start, so it is bundled once with esbuild into a cache file
 * named by its content hash (dist/stage/lambda-runtime-<hash>.mjs); concurrent builders write the same bytes
 * through a temporary file and a rename, so they never see a half-written file.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { RuntimeBundleError } from "./errors.ts";

const RUNTIME_ENTRY = fileURLToPath(new URL("./runtime/runtime-main.ts", import.meta.url));
/** @default <repo>/dist/stage */
export const DEFAULT_RUNTIME_CACHE_DIR = fileURLToPath(new URL("../../dist/stage/", import.meta.url));

const built = new Map<string, Promise<string>>();

/** Returns the path of the bundled runtime, building it on first use in this process. */
export function runtimeBundlePath(cacheDir: string = DEFAULT_RUNTIME_CACHE_DIR): Promise<string> {
  let pending = built.get(cacheDir);
  if (!pending) {
    pending = bundle(cacheDir);
    built.set(cacheDir, pending);
    pending.catch(() => built.delete(cacheDir));
  }
  return pending;
}

async function bundle(cacheDir: string): Promise<string> {
  let code: string;
  try {
    const result = await build({
      entryPoints: [RUNTIME_ENTRY],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      write: false,
      logLevel: "silent",
    });
    code = result.outputFiles[0]?.text ?? "";
  } catch (error) {
    throw new RuntimeBundleError(
      `could not bundle the Lambda runtime ${RUNTIME_ENTRY} with esbuild: ${(error as Error).message}. ` +
        "Check that esbuild is installed (npm ci) and the runtime compiles (npx tsc --noEmit).",
      { cause: error },
    );
  }
  const hash = createHash("sha256").update(code).digest("hex").slice(0, 12);
  const file = path.join(cacheDir, `lambda-runtime-${hash}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(cacheDir, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, code);
    renameSync(temporary, file);
  }
  return file;
}

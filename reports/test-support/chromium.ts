/**
 * The Chromium the browser tests drive, found the same way on every machine: the headless shell that
 * `@sparticuz/chromium` ships brotli-compressed inside its npm tarball (no download, no install script),
 * inflated once into `node_modules/.cache/powerbench-chromium/<version>/` with a temp file and a rename, so
 * two test runs at once never launch a half-written binary. `CHROMIUM_PATH` overrides it; Debian's
 * `/usr/bin/chromium` is the fallback where the package has no binary (it ships x86-64 Linux only).
 * Why this package and not another: docs/report.md, "The browser test".
 */
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createBrotliDecompress } from "node:zlib";

const DEBIAN_CHROMIUM = "/usr/bin/chromium";

/** What the test set-up found, or why it found nothing (with the fix). */
export type ChromiumLookup =
  | { found: true; executablePath: string; source: "CHROMIUM_PATH" | "@sparticuz/chromium" | "debian" }
  | { found: false; reason: string };

export interface ChromiumLookupOptions {
  /** @default process.env.CHROMIUM_PATH */
  chromiumPath?: string | undefined;
  /** @default the repository's node_modules/.cache/powerbench-chromium */
  cacheDir?: string;
  /** @default process.platform + process.arch */
  platform?: string;
  /** @default /usr/bin/chromium */
  fallbackPath?: string;
}

/** The folder of `@sparticuz/chromium`'s compressed binaries and its version, or undefined when not installed. */
function sparticuzPackage(): { binDir: string; version: string } | undefined {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve("@sparticuz/chromium");
  } catch {
    return undefined;
  }
  // entry is <package>/build/index.js; the package's exports do not expose package.json
  const root = path.resolve(path.dirname(entry), "..");
  const { version } = require(path.join(root, "package.json")) as { version: string };
  return { binDir: path.join(root, "bin"), version };
}

/** Inflates `chromium.br` into `target` unless a complete copy is there; atomic (temp file + rename). */
async function inflateOnce(source: string, target: string): Promise<void> {
  if (existsSync(target) && statSync(target).size > 0) return;
  mkdirSync(path.dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.tmp`;
  try {
    await pipeline(
      createReadStream(source),
      createBrotliDecompress(),
      createWriteStream(temp, { mode: 0o755 }),
    );
    renameSync(temp, target);
  } finally {
    rmSync(temp, { force: true });
  }
}

/**
 * Finds (and on first use inflates) the Chromium for the browser tests.
 * @example const chromium = await findChromium(); if (!chromium.found) throw new Error(chromium.reason);
 */
export async function findChromium(options: ChromiumLookupOptions = {}): Promise<ChromiumLookup> {
  const chromiumPath = "chromiumPath" in options ? options.chromiumPath : process.env.CHROMIUM_PATH;
  if (chromiumPath) {
    if (!existsSync(chromiumPath))
      return {
        found: false,
        reason: `CHROMIUM_PATH=${chromiumPath} does not exist: unset it to use the Chromium that npm ci installs`,
      };
    return { found: true, executablePath: chromiumPath, source: "CHROMIUM_PATH" };
  }
  const platform = options.platform ?? `${process.platform}-${process.arch}`;
  const sparticuz = sparticuzPackage();
  const shipped = sparticuz && path.join(sparticuz.binDir, "chromium.br");
  if (platform === "linux-x64" && sparticuz && shipped && existsSync(shipped)) {
    const cacheDir =
      options.cacheDir ??
      path.resolve(import.meta.dirname, "..", "..", "node_modules", ".cache", "powerbench-chromium");
    const executablePath = path.join(cacheDir, sparticuz.version, "chromium");
    await inflateOnce(shipped, executablePath);
    return { found: true, executablePath, source: "@sparticuz/chromium" };
  }
  const fallback = options.fallbackPath ?? DEBIAN_CHROMIUM;
  if (existsSync(fallback)) return { found: true, executablePath: fallback, source: "debian" };
  return {
    found: false,
    reason:
      `no Chromium for the browser tests on ${platform}: @sparticuz/chromium ships linux-x64 only ` +
      `(run npm ci), else install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`,
  };
}

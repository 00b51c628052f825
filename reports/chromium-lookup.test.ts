/**
 * The browser tests' Chromium comes from npm (issue 19: `npm ci && npm test` on a fresh machine, with no
 * /usr/bin/chromium): the shipped binary is inflated once, reused, and a missing browser is a failure that
 * names the fix, never a skip.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findChromium } from "./test-support/chromium.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "powerbench-chromium-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("findChromium", () => {
  it("inflates the binary @sparticuz/chromium ships, atomically, and reuses it on the next call", async () => {
    const first = await findChromium({ chromiumPath: undefined, cacheDir: dir, platform: "linux-x64" });
    expect(first).toMatchObject({ found: true, source: "@sparticuz/chromium" });
    if (!first.found) return;
    expect(first.executablePath.startsWith(dir)).toBe(true);
    expect(statSync(first.executablePath).size).toBeGreaterThan(100_000_000);
    expect(statSync(first.executablePath).mode & 0o111).not.toBe(0);
    // no temp file left beside it
    expect(readdirSync(path.dirname(first.executablePath))).toEqual(["chromium"]);
    const mtimeMs = statSync(first.executablePath).mtimeMs;
    const second = await findChromium({ chromiumPath: undefined, cacheDir: dir, platform: "linux-x64" });
    expect(second).toEqual(first);
    expect(statSync(first.executablePath).mtimeMs).toBe(mtimeMs);
  });

  it("takes CHROMIUM_PATH when set, and says so when it points at nothing", async () => {
    expect(await findChromium({ chromiumPath: process.execPath })).toEqual({
      found: true,
      executablePath: process.execPath,
      source: "CHROMIUM_PATH",
    });
    const missing = await findChromium({ chromiumPath: path.join(dir, "nope") });
    expect(missing).toMatchObject({ found: false });
    if (!missing.found) expect(missing.reason).toMatch(/does not exist: unset it/);
  });

  it("falls back to Debian's chromium where the package has no binary, else names the fix", async () => {
    const fallback = await findChromium({
      chromiumPath: undefined,
      platform: "linux-arm64",
      fallbackPath: process.execPath,
    });
    expect(fallback).toEqual({ found: true, executablePath: process.execPath, source: "debian" });
    const none = await findChromium({
      chromiumPath: undefined,
      platform: "linux-arm64",
      fallbackPath: path.join(dir, "no-chromium"),
    });
    expect(none).toMatchObject({ found: false });
    if (!none.found) expect(none.reason).toMatch(/linux-arm64.*apt-get install chromium.*CHROMIUM_PATH/);
    expect(existsSync(path.join(dir, "no-chromium"))).toBe(false);
  });
});

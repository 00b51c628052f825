/**
 * Where CreateFunction and UpdateFunctionCode may take code from, through the local AWS endpoint: only
 * directories under a root the user allowed (by default the project, which holds the service bundle and the
 * test functions; `npm run stage -- --code-root <dir>` adds one). Symbolic links are resolved first, so a
 * link inside a root cannot point out of it.
 */
import { existsSync, realpathSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AwsWireError } from "./errors.ts";

/** The project folder: dist/service (the bundle), stage/lambda/test-functions, test/faults/functions. */
export const DEFAULT_CODE_ROOTS: readonly string[] = [fileURLToPath(new URL("../../", import.meta.url))];

function real(p: string): string {
  const resolved = path.resolve(p);
  return existsSync(resolved) ? realpathSync(resolved) : resolved;
}

/** Throws 403 AccessDeniedException unless `dir` is inside one of `roots`. */
export function checkCodeRoot(dir: unknown, roots: readonly string[]): void {
  if (typeof dir !== "string") return; // the control plane names what is missing
  const target = real(dir);
  const inside = roots.some((root) => {
    const relative = path.relative(real(root), target);
    return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
  });
  if (!inside) {
    throw new AwsWireError(
      "AccessDeniedException",
      403,
      `code directory ${JSON.stringify(dir)} is outside the folders the local stage takes code from ` +
        `(${roots.join(", ")}): start the stage with --code-root <dir> to allow another`,
    );
  }
}

/**
 * Live progress of `npm run bench`: on a TTY one line per setting rewritten in place (phase, elapsed,
 * requests, errors); elsewhere (CI logs) one plain line per phase change. Rendering is pure
 * (`renderProgress`), the reporter only writes.
 */

import { formatNumber } from "../reports/format.ts";
import type { SweepProgress } from "../tuning/sweep.ts";

export function renderProgress(p: SweepProgress): string {
  if (p.phase === "restore") return "restoring the function's original configuration";
  const where = `[${p.index + 1}/${p.total}] ${p.settingId}${p.round !== undefined ? ` r${p.round}/${p.rounds}` : ""}`;
  const figures =
    p.requests !== undefined
      ? ` ${(p.elapsedMs ?? 0) >= 0 && p.elapsedMs !== undefined ? `${formatNumber(p.elapsedMs / 1000, 0)}s ` : ""}${p.requests} req, ${p.errors ?? 0} err`
      : "";
  return `${where.padEnd(p.round !== undefined ? 28 : 22)} ${p.phase.padEnd(9)}${figures}${p.message ? ` — ${p.message}` : ""}`;
}

export interface ProgressReporter {
  update(p: SweepProgress): void;
  done(): void;
}

export function createProgressReporter(stream: NodeJS.WriteStream): ProgressReporter {
  const tty = stream.isTTY === true;
  let lastKey = "";
  let open = false;
  return {
    update(p) {
      const line = renderProgress(p);
      if (tty) {
        // Rewrite the current setting's line; a new setting (or a final phase) starts a new line.
        stream.write(`\r\x1b[2K${line}`);
        open = true;
        if (p.phase === "done" || p.phase === "failed" || p.phase === "restore") {
          stream.write("\n");
          open = false;
        }
        return;
      }
      const key = `${p.settingId}:${p.round ?? 1}:${p.phase}`;
      if (key !== lastKey) stream.write(`${line}\n`);
      lastKey = key;
    },
    done() {
      if (open) stream.write("\n");
      open = false;
    },
  };
}

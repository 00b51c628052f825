/**
 * The Newman gate's own process (postman/gate-process.ts starts it): per message from its parent, a whole
 * collection run (answered with the gate outcome and any report-write problem) or one Newman run (answered with
 * its summary, as plain data). Runs that arrive together run at once. Exits when its parent goes.
 */
import type { NewmanRunSummary } from "newman";
import type { GateReply, GateRequest, PlainError } from "./gate-process.ts";
import { runCollection, runNewman } from "./run-collection.ts";

const reply = (message: GateReply) => process.send?.(message);

/** The parts of a summary the gate reads (postman/gate-outcome.ts), without Newman's objects and their cycles. */
function plainSummary(summary: NewmanRunSummary): Extract<GateReply, { summary: unknown }>["summary"] {
  const failures = summary.run.failures.map((failure) => ({
    at: failure.at,
    ...(failure.source?.name !== undefined ? { source: { name: failure.source.name } } : {}),
    ...(failure.error
      ? { error: { name: failure.error.name, test: failure.error.test, message: failure.error.message } }
      : {}),
  }));
  return {
    ...(summary.error !== undefined && summary.error !== null ? { error: plainError(summary.error) } : {}),
    run: {
      stats: summary.run.stats,
      failures: failures as unknown as NewmanRunSummary["run"]["failures"],
      timings: { responseAverage: summary.run.timings.responseAverage },
    },
  };
}

function plainError(error: unknown): PlainError {
  const fields = (error ?? {}) as { message?: unknown; code?: unknown; path?: unknown; syscall?: unknown };
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  const code = text(fields.code);
  const path = text(fields.path);
  const syscall = text(fields.syscall);
  return {
    message: error instanceof Error ? error.message : (text(fields.message) ?? String(error)),
    ...(code !== undefined ? { code } : {}),
    ...(path !== undefined ? { path } : {}),
    ...(syscall !== undefined ? { syscall } : {}),
  };
}

const failed = (id: number) => (error: unknown) =>
  reply({ id, error: error instanceof Error ? error.message : String(error) });

process.on("message", (request: GateRequest) => {
  if (request.kind === "newman") {
    runNewman(request.options).then(
      (summary) => reply({ id: request.id, summary: plainSummary(summary) }),
      failed(request.id),
    );
    return;
  }
  const reportErrors: string[] = [];
  runCollection({ ...request.options, onReportError: (message) => reportErrors.push(message) }).then(
    (outcome) => reply({ id: request.id, outcome, reportErrors }),
    failed(request.id),
  );
});
process.on("disconnect", () => process.exit(0));

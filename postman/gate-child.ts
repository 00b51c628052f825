/**
 * The Newman gate's own process (postman/gate-process.ts starts it): one collection run per message from its
 * parent, answered with the gate outcome and any report-write problem. Exits when its parent goes.
 */
import type { GateReply, GateRequest } from "./gate-process.ts";
import { runCollection } from "./run-collection.ts";

const reply = (message: GateReply) => process.send?.(message);

process.on("message", (request: GateRequest) => {
  const reportErrors: string[] = [];
  runCollection({ ...request.options, onReportError: (message) => reportErrors.push(message) }).then(
    (outcome) => reply({ id: request.id, outcome, reportErrors }),
    (error: unknown) =>
      reply({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
process.on("disconnect", () => process.exit(0));

/**
 * Contracts between the parts of the local stage. Each part lives in its own folder:
 *
 * - `stage/lambda/`     the Lambda emulator (execution environments, versions, aliases, logs)
 * - `stage/cloudwatch/` the metric store and the CloudWatch / CloudWatch Logs emulation
 * - `stage/aws/`        the one local AWS endpoint (Lambda REST-JSON, CloudWatch JSON 1.0, Logs JSON 1.1)
 * - `stage/apigateway/` the API Gateway front (REST proxy events, payload format 1.0)
 * - `stage/stage.ts`    assembly: dynalite + the service + the front, start/stop
 *
 * The parts talk to each other in-process through these interfaces only.
 */

/** One data point for the CloudWatch emulation, as PutMetricData would carry it. */
export interface MetricDatum {
  /** e.g. "AWS/Lambda", "AWS/ApiGateway" */
  namespace: string;
  /** e.g. "Duration", "Invocations", "Latency", "4XXError" */
  metricName: string;
  /** Dimension name → value, e.g. { FunctionName: "crud", Resource: "crud:bench" } */
  dimensions: Record<string, string>;
  value: number;
  /** CloudWatch unit name: "Milliseconds", "Count", ... */
  unit: string;
  /** Epoch milliseconds at which the value was observed. */
  timestampMs: number;
}

/** Where stage parts write metrics. The CloudWatch emulation implements it. */
export interface MetricSink {
  put(datum: MetricDatum): void;
}

/** A request to invoke a function, as the Lambda Invoke API or the API Gateway front makes it. */
export interface InvokeRequest {
  functionName: string;
  /** Version number, alias name or "$LATEST" (the default). */
  qualifier?: string;
  /** The event, serialised as JSON text. */
  payload: string;
  /** When true, the outcome carries the last 4 KB of the invocation's log (LogType: Tail). */
  logTail?: boolean;
}

/** Fields every invocation outcome carries. */
interface InvokeOutcomeBase {
  /** The Lambda request id of this invocation (also in its START/END/REPORT lines). */
  requestId: string;
  /** The version that ran ("$LATEST", "1", ...). */
  executedVersion: string;
  /** Last 4 KB of the invocation's log lines, only when `logTail` was asked for. */
  logTail?: string;
}

/**
 * The outcome of one invocation. Throttles and unknown functions are not invocations:
 * they never reach an execution environment.
 */
export type InvokeOutcome =
  | (InvokeOutcomeBase & { status: "ok"; payload: string })
  | (InvokeOutcomeBase & {
      status: "function-error";
      /** "Unhandled" for a thrown error, a timeout or a crashed runtime (X-Amz-Function-Error). */
      functionError: "Unhandled" | "Handled";
      /** JSON text: {"errorType","errorMessage"} as Lambda returns it. */
      payload: string;
    })
  | { status: "throttled"; message: string }
  | { status: "not-found"; message: string };

/** Anything that can invoke a function: the Lambda emulator implements it, the API Gateway front uses it. */
export interface LambdaInvoker {
  invoke(request: InvokeRequest): Promise<InvokeOutcome>;
}

/** How the stage scales CPU with memory. Reports show it. */
export interface CpuScaling {
  mode: "cgroup-v1" | "cgroup-v2" | "none";
  /** Why scaling is off (mode "none"), e.g. "no write access to /sys/fs/cgroup/cpu". */
  reason?: string;
}

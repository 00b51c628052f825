/**
 * Contracts between the parts of the local stage. Each part lives in its own folder:
 *
 * - `stage/lambda/`     the Lambda emulator (execution environments, versions, aliases, logs)
 * - `stage/cloudwatch/` the metric store and the CloudWatch / CloudWatch Logs emulation
 * - `stage/aws-api/`        the one local AWS endpoint (Lambda REST-JSON, CloudWatch JSON 1.0, Logs JSON 1.1)
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

/** One log event, as CloudWatch Logs stores it. */
export interface LogEvent {
  timestampMs: number;
  message: string;
}

/** Where the Lambda emulator writes log lines (START/END/REPORT and the function's own output). */
export interface LogSink {
  /** Appends events to `/aws/lambda/<function>` style groups and Lambda-named streams; creates both as needed. */
  append(logGroupName: string, logStreamName: string, events: LogEvent[]): void;
}

/**
 * An error of the Lambda control plane, carrying the Lambda API's error code and HTTP status, so the
 * AWS endpoint can answer in the REST-JSON error shape the SDK client turns into the same exception class.
 *
 * @example new LambdaApiError("ResourceNotFoundException", 404, "Function not found: arn:...:function:crud:7")
 */
export class LambdaApiError extends Error {
  override readonly name = "LambdaApiError";
  constructor(
    /** e.g. ResourceNotFoundException, ResourceConflictException, InvalidParameterValueException, TooManyRequestsException */
    readonly code: string,
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The Lambda control plane the emulator implements and the AWS endpoint serves over REST-JSON. Shapes are the
 * Lambda API's own (as `@aws-sdk/client-lambda` types them: FunctionConfiguration, AliasConfiguration, ...),
 * expressed here as plain JSON objects. Every method throws LambdaApiError for API-level errors.
 */
export interface LambdaControlPlane extends LambdaInvoker {
  /** CreateFunction. `Code` is local: `{ LocalPath: "<dir of the bundle>" }` (the stage's way to register code). */
  createFunction(input: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** GetFunction: `{ Configuration, Code, Concurrency? }`. */
  getFunction(functionName: string, qualifier?: string): Promise<Record<string, unknown>>;
  getFunctionConfiguration(functionName: string, qualifier?: string): Promise<Record<string, unknown>>;
  /** UpdateFunctionConfiguration: MemorySize, Timeout, Environment, LoggingConfig, ... LastUpdateStatus goes InProgress → Successful. */
  updateFunctionConfiguration(
    functionName: string,
    input: Record<string, unknown>,
  ): Promise<Record<string, unknown>>;
  /** UpdateFunctionCode (Architectures live here on the real API). */
  updateFunctionCode(functionName: string, input: Record<string, unknown>): Promise<Record<string, unknown>>;
  publishVersion(functionName: string, input: Record<string, unknown>): Promise<Record<string, unknown>>;
  listVersionsByFunction(functionName: string): Promise<Record<string, unknown>[]>;
  createAlias(functionName: string, input: Record<string, unknown>): Promise<Record<string, unknown>>;
  updateAlias(
    functionName: string,
    aliasName: string,
    input: Record<string, unknown>,
  ): Promise<Record<string, unknown>>;
  getAlias(functionName: string, aliasName: string): Promise<Record<string, unknown>>;
  listAliases(functionName: string): Promise<Record<string, unknown>[]>;
  deleteAlias(functionName: string, aliasName: string): Promise<void>;
  /** DeleteFunction; with a qualifier, deletes that version only. */
  deleteFunction(functionName: string, qualifier?: string): Promise<void>;
  putFunctionConcurrency(
    functionName: string,
    reservedConcurrentExecutions: number,
  ): Promise<Record<string, unknown>>;
  getFunctionConcurrency(functionName: string): Promise<Record<string, unknown>>;
  deleteFunctionConcurrency(functionName: string): Promise<void>;
  listFunctions(): Promise<Record<string, unknown>[]>;
}

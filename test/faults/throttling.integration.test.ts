/**
 * Fault: throttling at the concurrency limit. Reserved concurrency 1 (PutFunctionConcurrency through the real
 * Lambda client) and four requests at once while DynamoDB hangs: one request gets the only execution slot (and
 * ends in a Lambda timeout, 502), the other three are throttled by Lambda. A REST API's Lambda proxy
 * integration answers a Lambda throttle with 500 {"message":"Internal server error"} (docs/stage.md; API
 * Gateway's own 429 is for its stage/account throttling, which the local front does not emulate).
 */
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DeleteFunctionConcurrencyCommand, PutFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultStage, startFaultStage } from "./fault-stage.ts";
import { expectGatewayError, expectRestored, expectServing } from "./restore-check.ts";

describe("fault: throttling at the concurrency limit", () => {
  let fault: FaultStage;
  beforeAll(async () => {
    fault = await startFaultStage();
  });
  afterAll(async () => {
    await fault?.stop();
  });

  it("throttles all but one concurrent request, then serves again without the limit", async () => {
    await fault.deploy({ Timeout: 2 });
    await fault.lambda.send(
      new PutFunctionConcurrencyCommand({
        FunctionName: fault.functionName,
        ReservedConcurrentExecutions: 1,
      }),
    );
    expect((await fault.api("POST", "/items", { id: "one-at-a-time" })).status).toBe(201);

    await fault.dynamo.set("blackhole");
    const answers = await Promise.all([1, 2, 3, 4].map(() => fault.api("GET", "/items/one-at-a-time")));
    const throttled = answers.filter((a) => a.status === 500);
    const timedOut = answers.filter((a) => a.status === 502);
    expect(throttled).toHaveLength(3);
    expect(timedOut).toHaveLength(1);
    for (const answer of throttled) expectGatewayError(answer, 500, "Internal server error");

    // The throttles are in CloudWatch, as the tuner reads them (the real client against the stage's endpoint).
    const { stage } = fault.local;
    const cloudwatch = new CloudWatchClient({
      endpoint: stage.awsEndpoint,
      region: stage.region,
      credentials: stage.credentials,
      maxAttempts: 1,
    });
    const metrics = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(Date.now() - 10 * 60_000),
        EndTime: new Date(Date.now() + 60_000),
        MetricDataQueries: [
          {
            Id: "throttles",
            MetricStat: {
              Metric: {
                Namespace: "AWS/Lambda",
                MetricName: "Throttles",
                Dimensions: [{ Name: "FunctionName", Value: fault.functionName }],
              },
              Period: 3600,
              Stat: "Sum",
            },
          },
        ],
      }),
    );
    cloudwatch.destroy();
    expect(metrics.MetricDataResults?.[0]?.Values?.reduce((a, b) => a + b, 0)).toBe(3);

    await fault.dynamo.set("forward");
    // Still limited to one at a time, but serving.
    await expectServing(fault, "throttle-survivor");
    await fault.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: fault.functionName }));
    const parallel = await Promise.all([1, 2, 3].map(() => fault.api("GET", "/items/throttle-survivor")));
    expect(parallel.map((a) => a.status)).toEqual([200, 200, 200]);
    await expectRestored(fault);
  });
});

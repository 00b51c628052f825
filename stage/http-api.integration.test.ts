/**
 * The CRUD service behind an HTTP API (service/template.http-api.yaml) on the local stage: the front serves
 * the template's HttpApi routes at the $default stage with payload format 2.0 through the real Lambda emulator
 * and dynalite, and a short bench tunes it the same way as the REST API (Newman gate included), priced as an
 * HTTP API.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newmanGate } from "../postman/newman-gate.ts";
import { sleep } from "../test/support/wait.ts";
import { createAwsClients } from "../tuning/adapters/aws-clients.ts";
import { collectApiGatewayMetrics } from "../tuning/adapters/collect.ts";
import { resolveBenchConfig } from "../tuning/config/bench-config.ts";
import { DEFAULT_PRICE_TABLE } from "../tuning/core/price-table.ts";
import { runBench } from "../tuning/run-bench.ts";
import { type LocalStage, startStage } from "./stage.ts";

const TEMPLATE = path.resolve(import.meta.dirname, "../service/template.http-api.yaml");
let local: LocalStage;
const out = mkdtempSync(path.join(os.tmpdir(), "powerbench-http-api-"));

beforeAll(async () => {
  local = await startStage({ template: TEMPLATE, cpuScaling: "off" });
}, 120_000);

afterAll(async () => {
  await local?.stop();
  rmSync(out, { recursive: true, force: true });
});

describe("an HTTP API on the local stage", () => {
  it("serves the template's HttpApi routes at the $default stage, payload format 2.0", async () => {
    expect(local.template.apiType).toBe("HTTP");
    expect(local.stage.apiType).toBe("HTTP");
    expect(local.stage.apiStageName).toBe("$default");
    expect(local.stage.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const created = await fetch(`${local.stage.apiUrl}/items`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: "http-1", name: "first" }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("apigw-requestid")).toBeTruthy();
    const read = await fetch(`${local.stage.apiUrl}/items/http-1`);
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id: "http-1", name: "first" });
    // An HTTP API answers a route it does not have with 404 {"message":"Not Found"} (a REST API: 403).
    const missing = await fetch(`${local.stage.apiUrl}/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: "Not Found" });
    const wrongMethod = await fetch(`${local.stage.apiUrl}/items/http-1`, { method: "POST" });
    expect(wrongMethod.status).toBe(404);
  });

  // issue 18: the stage published an HTTP API's metrics under ApiName (a REST API's dimension), and the
  // collector asked by ApiName: on AWS an HTTP API publishes ApiId and Stage, with 4xx and 5xx.
  it("publishes its AWS/ApiGateway metrics by ApiId and Stage (4xx, 5xx), and the collector asks by them", async () => {
    // Into the next whole second first: the previous test's last request could arrive within a millisecond
    // of this one's start (a 404 the front answers itself), and a 1 s period sums by second.
    await sleep(1005 - (Date.now() % 1000));
    const startMs = Date.now();
    const ok = await fetch(`${local.stage.apiUrl}/items/metrics-1`);
    expect(ok.status).toBe(404); // the handler's own 404 for a missing item, a 4xx all the same
    const missing = await fetch(`${local.stage.apiUrl}/no-such-route`);
    expect(missing.status).toBe(404);
    const read = await fetch(`${local.stage.apiUrl}/items`);
    expect(read.status).toBe(200);
    const endMs = Date.now() + 1;
    expect(local.stage.apiId).toMatch(/^[a-z0-9]{10}$/);
    // requestContext.apiId and the stack's AWS::ApiGatewayV2::Api are the same id
    const clients = createAwsClients(local.stage);
    try {
      const query = (dims: Record<string, string>, metricName: string) =>
        clients.cloudwatch.send(
          new GetMetricDataCommand({
            StartTime: new Date(startMs),
            EndTime: new Date(endMs),
            MetricDataQueries: [
              {
                Id: "m",
                MetricStat: {
                  Metric: {
                    Namespace: "AWS/ApiGateway",
                    MetricName: metricName,
                    Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })),
                  },
                  Period: 1,
                  Stat: "Sum",
                },
              },
            ],
          }),
        );
      const total = async (dims: Record<string, string>, metricName: string) =>
        ((await query(dims, metricName)).MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0);
      const byId = { ApiId: local.stage.apiId as string, Stage: "$default" };
      expect(await total(byId, "Count")).toBe(3);
      expect(await total(byId, "4xx")).toBe(2);
      expect(await total(byId, "4XXError")).toBe(0);
      expect(await total({ ApiName: local.stage.apiName, Stage: "$default" }, "Count")).toBe(0);
      const collected = await collectApiGatewayMetrics(
        clients.cloudwatch,
        {
          functionName: local.stage.functionName,
          alias: local.stage.alias,
          version: "1",
          apiName: local.stage.apiName,
          apiStageName: local.stage.apiStageName,
          apiType: "HTTP",
          apiId: local.stage.apiId as string,
        },
        { startMs, endMs },
        "exact",
      );
      expect(collected).toMatchObject({ count: 3, errors4xx: 2, errors5xx: 0 });
    } finally {
      clients.destroy();
    }
  });

  it("is tuned by a short bench like a REST API, priced as an HTTP API with the user's table and monthly volume", async () => {
    // The user's own table (--price-table): us-east-1 as the snapshot has it, under the user's version.
    const snapshot = JSON.parse(readFileSync("tuning/core/prices/snapshot.json", "utf8"));
    const priceTable = path.join(out, "my-prices.json");
    writeFileSync(
      priceTable,
      JSON.stringify({
        version: "my-table-1",
        date: "2026-12-07",
        currency: "USD",
        regions: { "us-east-1": snapshot.regions["us-east-1"] },
      }),
    );
    const config = resolveBenchConfig(
      {},
      {
        memoryMb: [256, 512],
        profile: "smoke",
        ratePerSec: 10,
        durationS: 2,
        warmupS: 1,
        engine: "builtin",
        gate: true,
        coldStarts: 1,
        outDir: out,
        priceTable,
        monthlyRequests: 400_000_000,
      },
    );
    // Warm as many environments as the table's preseed uses at once (8), without a deadline: on a loaded
    // machine 8 simultaneous cold starts can outlast the preseed's 10 s per-request timeout.
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        fetch(`${local.stage.apiUrl}/items/warm-${i}`).then((r) => r.arrayBuffer()),
      ),
    );
    const gateWarnings: string[] = [];
    const gate = newmanGate({
      apiUrl: local.stage.apiUrl,
      tableName: local.stage.tableName,
      reportDir: path.join(out, "newman"),
      onWarning: (message) => gateWarnings.push(message),
    });
    const output = await runBench({ config, stage: local.stage, signal: new AbortController().signal, gate });
    const { results } = output;
    expect(results.run.stage.apiType).toBe("HTTP");
    expect(results.run.priceTable).toMatchObject({
      version: "my-table-1",
      region: "us-east-1",
      monthlyRequests: 400_000_000,
      origin: priceTable,
      // the table's API Gateway prices at the run's tier, for the report's lever (issue 18)
      apiGateway: { REST: { perMillionUsd: 2.8 }, HTTP: { perMillionUsd: 0.9 } },
    });
    const completed = results.settings.filter((s) => s.status === "ok");
    expect(completed).toHaveLength(2);
    // 400M calls a month reach the HTTP API's second tier in us-east-1: $0.90 per 1M (first 300M: $1.00).
    const httpPerMillion = DEFAULT_PRICE_TABLE.regions["us-east-1"]?.apiGateway?.HTTP?.tiers[1]?.usd ?? 0;
    expect(httpPerMillion).toBe(0.9);
    for (const setting of completed) {
      // issue 18: the exchanges' body sizes measured (the CRUD bodies are far below 512 KiB: 1 call each)
      const payload = setting.client?.payload;
      expect(payload?.requests, setting.id).toBe(setting.client?.requests);
      expect(payload?.exchangesBy512KiB, setting.id).toEqual({ "1": setting.client?.requests });
      expect(payload?.requestBytes).toBeGreaterThan(0);
      expect(payload?.responseBytes).toBeGreaterThan(0);
      expect(setting.cost?.apiGatewayPerMillionUsd).toBeCloseTo(httpPerMillion, 9);
      expect(setting.client?.requests).toBeGreaterThan(0);
      // The Newman gate passed at every setting through the HTTP API.
      expect(setting.gate?.passed, setting.id).toBe(true);
    }
  }, 240_000);
});

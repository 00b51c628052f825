/**
 * issue 18: an HTTP API's payload was never measured (every request priced as one 512 KB call). The built-in
 * engine now measures each exchange's body sizes against a real server on 127.0.0.1, and the cost model meters
 * each exchange in 512 KiB blocks (AWS: "HTTP APIs are metered in 512 KB increments").
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createBuiltinEngine } from "../../loadtests/engines/builtin/engine.ts";
import { EXCHANGE_BLOCK_BYTES, poolPayloads } from "../../loadtests/run-result.ts";
import { measurementLines } from "../../reports/measurement-summary.ts";
import { sampleResults } from "../results/test-support/sample-results.ts";
import { computeCost, meteredCallsPerRequest } from "./cost-model.ts";
import { clientMeasurements } from "./measurements.ts";

const engine = createBuiltinEngine({ handleSigint: false });
const HTTP_USD_PER_MILLION = 1; // us-east-1 HTTP API, first tier, in the committed snapshot

describe("HTTP API payload metering", () => {
  it("meters each exchange, not the mean: 90 small + 10 of 600 KiB is 1.1 calls per request", () => {
    expect(meteredCallsPerRequest({ "1": 90, "2": 10 })).toBeCloseTo(1.1, 12);
    expect(meteredCallsPerRequest({})).toBeUndefined();
    const at = (calls: number | undefined) =>
      computeCost(
        {
          architecture: "x86_64",
          memoryMb: 512,
          billedDurationMeanMs: 10,
          apiType: "HTTP",
          ...(calls === undefined ? {} : { httpApiMeteredCallsPerRequest: calls }),
        },
        { region: "us-east-1" },
      ).apiGatewayPerMillionUsd;
    expect(at(1.1)).toBeCloseTo(1.1 * HTTP_USD_PER_MILLION, 9);
    expect(at(undefined)).toBeCloseTo(HTTP_USD_PER_MILLION, 9);
    // the mean exchange (0.9 × 1 KiB + 0.1 × 600 KiB ≈ 61 KiB) would have metered 1 call: 10 % under the bill
    // a REST API counts calls whatever the size
    expect(
      computeCost(
        {
          architecture: "x86_64",
          memoryMb: 512,
          billedDurationMeanMs: 10,
          apiType: "REST",
          httpApiMeteredCallsPerRequest: 2,
        },
        { region: "us-east-1" },
      ).apiGatewayPerMillionUsd,
    ).toBeCloseTo(3.5, 9);
  });

  it("the built-in engine measures request and response bodies of every answered request", async () => {
    // Answers a list with 600 KiB (2 blocks with any request body), anything else with a small JSON body.
    const big = "x".repeat(600 * 1024);
    const server = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        const isList = req.method === "GET" && /\/items(\?|$)/.test(req.url ?? "");
        const body = isList ? big : '{"ok":true}';
        const status = req.method === "POST" ? 201 : req.method === "DELETE" ? 204 : 200;
        res.writeHead(status, { "content-type": "application/json" }).end(status === 204 ? undefined : body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const result = await engine.run({
        target: `http://127.0.0.1:${port}/prod`,
        profile: "baseline",
        ratePerSec: 40,
        durationMs: 1000,
        seed: 3,
      });
      const payload = result.payload;
      expect(payload?.requests).toBe(result.overall.requests);
      const lists = result.operations.list?.requests ?? 0;
      expect(lists).toBeGreaterThan(0);
      expect(payload?.exchangesBy512KiB["2"]).toBe(lists);
      expect(payload?.exchangesBy512KiB["1"]).toBe(result.overall.requests - lists);
      expect(payload?.responseBytes).toBeGreaterThanOrEqual(lists * big.length);
      expect(payload?.requestBytes).toBeGreaterThan(0); // the creates and updates sent bodies
      expect(payload?.maxExchangeBytes).toBeGreaterThan(EXCHANGE_BLOCK_BYTES);
      // carried into results.json's client measurements and priced from there
      const client = clientMeasurements(result);
      expect(client.payload).toEqual(payload);
      const calls = meteredCallsPerRequest(client.payload?.exchangesBy512KiB ?? {});
      expect(calls).toBeCloseTo(1 + lists / result.overall.requests, 12);
      // two rounds pool their counts
      expect(poolPayloads([payload, payload])?.requests).toBe(2 * (payload?.requests ?? 0));
      expect(poolPayloads([payload, undefined])).toBeUndefined();
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("summary.md reports the bodies and metered calls per request, priced for an HTTP API only", () => {
    const results = sampleResults();
    for (const s of results.settings)
      if (s.client)
        s.client.payload = {
          requests: 100,
          requestBytes: 20_000,
          responseBytes: 60_000_000,
          maxExchangeBytes: 614_600,
          exchangesBy512KiB: { "1": 90, "2": 10 },
        };
    const line = (r: typeof results) => measurementLines(r).find((l) => l.startsWith("- Bodies per request"));
    expect(line(results)).toBe(
      "- Bodies per request: request identical at every setting (200 bytes), response identical at every setting (600,000 bytes); largest exchange 614,600 bytes; HTTP API metered calls per request (512 KiB blocks) identical at every setting (1.1) (not priced: a REST API counts calls).",
    );
    results.run.stage.apiType = "HTTP";
    expect(line(results)).toMatch(/\(1\.1\) \(priced\)\.$/);
    // a k6 script's bound says what it is
    for (const s of results.settings) if (s.client?.payload) s.client.payload.source = "k6-iteration-bytes";
    expect(line(results)).toMatch(
      /^- Bodies per request \(upper bound: k6's bytes on the wire per iteration, headers included\): request /,
    );
    expect(line(sampleResults())).toBeUndefined();
  });
});

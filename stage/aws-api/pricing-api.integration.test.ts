/**
 * The Price List Query API (AWS JSON 1.1) through the real @aws-sdk/client-pricing against the local endpoint:
 * filters, pagination, a bad token, and signatures checked like every other operation.
 */
import { GetProductsCommand, PricingClient } from "@aws-sdk/client-pricing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PriceListEndpoint, startPriceListEndpoint } from "./test-support/price-list-endpoint.ts";

let endpoint: PriceListEndpoint;
let client: PricingClient;

beforeAll(async () => {
  endpoint = await startPriceListEndpoint();
  client = new PricingClient({
    endpoint: endpoint.url,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  await endpoint.close();
});

describe("GetProducts", () => {
  it("filters by service code and attributes and returns the entries as JSON strings", async () => {
    const out = await client.send(
      new GetProductsCommand({
        ServiceCode: "AmazonDynamoDB",
        Filters: [{ Type: "TERM_MATCH", Field: "regionCode", Value: "ap-northeast-1" }],
        FormatVersion: "aws_v1",
      }),
    );
    expect(out.FormatVersion).toBe("aws_v1");
    const usageTypes = (out.PriceList ?? []).map((e: string) => JSON.parse(e).product.attributes.usagetype);
    expect(usageTypes).toEqual(["APN1-WriteRequestUnits", "APN1-ReadRequestUnits"]);
  });

  it("pages with NextToken and refuses a token it did not issue", async () => {
    const ask = (NextToken?: string) =>
      client.send(
        new GetProductsCommand({
          ServiceCode: "AWSLambda",
          Filters: [{ Type: "TERM_MATCH", Field: "regionCode", Value: "us-east-1" }],
          MaxResults: 2,
          ...(NextToken ? { NextToken } : {}),
        }),
      );
    const seen: string[] = [];
    let page = await ask();
    seen.push(...(page.PriceList ?? []));
    while (page.NextToken) {
      page = await ask(page.NextToken);
      seen.push(...(page.PriceList ?? []));
    }
    expect(seen).toHaveLength(5);
    await expect(ask("bm90LWEtbnVtYmVy")).rejects.toMatchObject({ name: "InvalidNextTokenException" });
  });

  it("refuses a request signed with other credentials", async () => {
    const stranger = new PricingClient({
      endpoint: endpoint.url,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "wrong" },
      maxAttempts: 1,
    });
    await expect(stranger.send(new GetProductsCommand({ ServiceCode: "AWSLambda" }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
    stranger.destroy();
  });
});

/**
 * A small catalog of Price List entries in the real GetProducts shape (product with attributes and sku,
 * serviceCode, OnDemand terms with price dimensions, version, publicationDate), for the local Price List API.
 * Figures are the snapshot's published ones for us-east-1 and ap-northeast-1 (tuning/core/prices/snapshot.json);
 * neighbours a refresh must not pick are included: Standard-IA request units, Provisioned Concurrency,
 * ARM requests, the Global free tier, another region's product.
 */

interface Dimension {
  begin: number;
  end: number | null;
  usd: string;
  unit: string;
  description: string;
}

const PUBLICATION = "2026-10-01T18:22:01Z";
let serial = 0;

function sku(): string {
  serial += 1;
  return `PBFX${String(serial).padStart(4, "0")}K7Q2ZC9W`.slice(0, 16);
}

/** One entry, as the Price List returns it: a JSON string. */
export function priceListEntry(options: {
  serviceCode: string;
  serviceName: string;
  productFamily: string;
  regionCode: string;
  location: string;
  usageType: string;
  group?: string;
  operation?: string;
  dimensions: Dimension[];
}): string {
  const id = sku();
  const term = `${id}.JRTCKXETXF`;
  const priceDimensions: Record<string, unknown> = {};
  options.dimensions.forEach((d, i) => {
    const rateCode = `${term}.${["6YS6EN2CT7", "PGHJ3S3EYE", "M6FXQCT5BQ", "JGQ7JHMJRV"][i] ?? `R${i}`}`;
    priceDimensions[rateCode] = {
      unit: d.unit,
      endRange: d.end === null ? "Inf" : String(d.end),
      description: d.description,
      appliesTo: [],
      rateCode,
      beginRange: String(d.begin),
      pricePerUnit: { USD: d.usd },
    };
  });
  return JSON.stringify({
    product: {
      productFamily: options.productFamily,
      attributes: {
        servicecode: options.serviceCode,
        location: options.location,
        locationType: "AWS Region",
        regionCode: options.regionCode,
        usagetype: options.usageType,
        ...(options.group ? { group: options.group } : {}),
        operation: options.operation ?? "",
        servicename: options.serviceName,
      },
      sku: id,
    },
    serviceCode: options.serviceCode,
    terms: {
      OnDemand: {
        [term]: {
          priceDimensions,
          sku: id,
          effectiveDate: "2026-10-01T00:00:00Z",
          offerTermCode: "JRTCKXETXF",
          termAttributes: {},
        },
      },
    },
    version: "20261001182201",
    publicationDate: PUBLICATION,
  });
}

const one = (usd: string, unit: string, description: string): Dimension[] => [
  { begin: 0, end: null, usd, unit, description },
];

function region(
  code: string,
  location: string,
  prefix: string,
  prices: Record<string, Dimension[]>,
): string[] {
  const lambda = (usageType: string, group: string, dims: Dimension[]) =>
    priceListEntry({
      serviceCode: "AWSLambda",
      serviceName: "AWS Lambda",
      productFamily: "Serverless",
      regionCode: code,
      location,
      usageType: `${prefix}${usageType}`,
      group,
      dimensions: dims,
    });
  const entries: string[] = [];
  for (const [key, dims] of Object.entries(prices)) {
    if (key === "Lambda-GB-Second") entries.push(lambda(key, "AWS-Lambda-Duration", dims));
    else if (key === "Lambda-GB-Second-ARM") entries.push(lambda(key, "AWS-Lambda-Duration-ARM", dims));
    else if (key === "Request") entries.push(lambda(key, "AWS-Lambda-Requests", dims));
    else if (key === "Request-ARM") entries.push(lambda(key, "AWS-Lambda-Requests-ARM", dims));
    else if (key === "Lambda-Provisioned-Concurrency")
      entries.push(lambda(key, "AWS-Lambda-Provisioned-Concurrency", dims));
    else if (key.startsWith("ApiGateway"))
      entries.push(
        priceListEntry({
          serviceCode: "AmazonApiGateway",
          serviceName: "Amazon API Gateway",
          productFamily: "API Calls",
          regionCode: code,
          location,
          usageType: `${prefix || "USE1-"}${key}`,
          operation: key === "ApiGatewayHttpRequest" ? "ApiGatewayHttpApi" : "ApiGatewayRequest",
          dimensions: dims,
        }),
      );
    else if (key.endsWith("RequestUnits"))
      entries.push(
        priceListEntry({
          serviceCode: "AmazonDynamoDB",
          serviceName: "Amazon DynamoDB",
          productFamily: "Amazon DynamoDB PayPerRequest Throughput",
          regionCode: code,
          location,
          usageType: `${prefix}${key}`,
          group: key.includes("Write") ? "DDB-WriteUnits" : "DDB-ReadUnits",
          operation: "PayPerRequestThroughput",
          dimensions: dims,
        }),
      );
    else
      entries.push(
        priceListEntry({
          serviceCode: "AmazonCloudWatch",
          serviceName: "AmazonCloudWatch",
          productFamily: "Data Payload",
          regionCode: code,
          location,
          usageType: `${prefix}${key}`,
          operation: "PutLogEvents",
          dimensions: dims,
        }),
      );
  }
  return entries;
}

/** us-east-1 (every component, with tiers) and ap-northeast-1 (what the snapshot has for Tokyo). */
export function priceListFixture(): string[] {
  serial = 0;
  return [
    ...region("us-east-1", "US East (N. Virginia)", "", {
      "Lambda-GB-Second": [
        {
          begin: 0,
          end: 6e9,
          usd: "0.0000166667",
          unit: "Lambda-GB-Second",
          description:
            "AWS Lambda - Total Compute - US East (Northern Virginia) - 0 GB-seconds to 6B GB-seconds",
        },
        {
          begin: 6e9,
          end: 15e9,
          usd: "0.0000150000",
          unit: "Lambda-GB-Second",
          description: "next 9B GB-seconds",
        },
        {
          begin: 15e9,
          end: null,
          usd: "0.0000133334",
          unit: "Lambda-GB-Second",
          description: "over 15B GB-seconds",
        },
      ],
      "Lambda-GB-Second-ARM": [
        {
          begin: 0,
          end: 7.5e9,
          usd: "0.0000133334",
          unit: "Lambda-GB-Second",
          description: "first 7.5B GB-seconds",
        },
        {
          begin: 7.5e9,
          end: 18.75e9,
          usd: "0.0000120001",
          unit: "Lambda-GB-Second",
          description: "next 11.25B GB-seconds",
        },
        {
          begin: 18.75e9,
          end: null,
          usd: "0.0000106667",
          unit: "Lambda-GB-Second",
          description: "over 18.75B GB-seconds",
        },
      ],
      Request: one("0.0000002000", "Requests", "AWS Lambda - Requests Free Tier - 1,000,000 Requests"),
      "Request-ARM": one("0.0000002000", "Requests", "AWS Lambda - Requests ARM"),
      "Lambda-Provisioned-Concurrency": one("0.0000041667", "Lambda-GB-Second", "Provisioned Concurrency"),
      ApiGatewayRequest: [
        {
          begin: 0,
          end: 333e6,
          usd: "0.0000035000",
          unit: "Requests",
          description: "$3.50/million requests - API Gateway REST API (first 333 million)",
        },
        {
          begin: 333e6,
          end: 1e9,
          usd: "0.0000028000",
          unit: "Requests",
          description: "$2.80/million requests - next 667 million",
        },
        {
          begin: 1e9,
          end: 20e9,
          usd: "0.0000023800",
          unit: "Requests",
          description: "$2.38/million requests - next 19 billion",
        },
        {
          begin: 20e9,
          end: null,
          usd: "0.0000015100",
          unit: "Requests",
          description: "$1.51/million requests - over 20 billion",
        },
      ],
      ApiGatewayHttpRequest: [
        {
          begin: 0,
          end: 300e6,
          usd: "0.0000010000",
          unit: "Requests",
          description: "$1/million requests - API Gateway HTTP API (first 300 million)",
        },
        {
          begin: 300e6,
          end: null,
          usd: "0.0000009000",
          unit: "Requests",
          description: "$0.90/million requests - API Gateway HTTP API (300 million+)",
        },
      ],
      WriteRequestUnits: one(
        "0.0000006250",
        "WriteRequestUnits",
        "$0.625 per million write request units (N. Virginia)",
      ),
      ReadRequestUnits: one(
        "0.0000001250",
        "ReadRequestUnits",
        "$0.125 per million read request units (N. Virginia)",
      ),
      "IA-WriteRequestUnits": one("0.0000007813", "WriteRequestUnits", "Standard-IA write request units"),
      "DataProcessing-Bytes": [
        {
          begin: 0,
          end: 5,
          usd: "0.0000000000",
          unit: "GB",
          description: "First 5GB per month of log data ingested is free",
        },
        {
          begin: 5,
          end: null,
          usd: "0.5000000000",
          unit: "GB",
          description: "$0.50 per GB custom log data ingested",
        },
      ],
    }),
    ...region("ap-northeast-1", "Asia Pacific (Tokyo)", "APN1-", {
      "Lambda-GB-Second": one("0.0000166667", "Lambda-GB-Second", "Total Compute - Tokyo"),
      Request: one("0.0000002000", "Requests", "Requests - Tokyo"),
      ApiGatewayHttpRequest: one(
        "0.0000012900",
        "Requests",
        "$1.29/million requests - API Gateway HTTP API (Tokyo)",
      ),
      WriteRequestUnits: one(
        "0.0000007150",
        "WriteRequestUnits",
        "$0.715 per million write request units (Tokyo)",
      ),
      ReadRequestUnits: one(
        "0.0000001425",
        "ReadRequestUnits",
        "$0.1425 per million read request units (Tokyo)",
      ),
      "DataProcessing-Bytes": one("0.7600000000", "GB", "$0.76 per GB custom log data ingested - Tokyo"),
    }),
  ];
}

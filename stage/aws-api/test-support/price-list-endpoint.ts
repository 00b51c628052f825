/**
 * TEST SUPPORT: the local AWS endpoint serving the Price List Query API from the real-shaped fixture
 * (price-list-fixture.ts), with its own Lambda, metric and log stores. `close()` stops the endpoint, then the Lambda.
 */
import { LogStore } from "../../cloudwatch/log-store.ts";
import { MetricStore } from "../../cloudwatch/metric-store.ts";
import { LocalLambda } from "../../lambda/local-lambda.ts";
import { startAwsEndpoint } from "../endpoint.ts";
import { PriceListCatalog } from "../pricing-api.ts";
import { priceListFixture } from "./price-list-fixture.ts";

export interface PriceListEndpoint {
  /** The endpoint's base URL (http://127.0.0.1:PORT). */
  url: string;
  close(): Promise<void>;
}

export async function startPriceListEndpoint(): Promise<PriceListEndpoint> {
  const metrics = new MetricStore();
  const logs = new LogStore();
  const lambda = new LocalLambda({ metricSink: metrics, logSink: logs });
  const endpoint = await startAwsEndpoint({
    lambda,
    metrics,
    logs,
    priceList: new PriceListCatalog(priceListFixture()),
  });
  return {
    url: endpoint.url,
    async close() {
      await endpoint.close();
      await lambda.close();
    },
  };
}

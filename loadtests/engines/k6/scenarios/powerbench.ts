/**
 * A helper for your own k6 script run by `npm run bench -- --k6-script my-test.ts`: import it and call
 * `recordLambdaRequestId(res)` after each request, so the tuner prices exactly your requests' Lambda
 * invocations (their `x-lambda-request-id` response header) and, for an HTTP API, meters each request by its
 * own body sizes (the request body sent, the response body received; a discarded response body is sized by
 * its Content-Length). Without it the sweep attributes by time window and bounds the HTTP API's metered
 * calls by k6's bytes on the wire per iteration (docs/cost-model.md).
 *
 *   import { recordLambdaRequestId } from "<path to powerbench>/loadtests/engines/k6/scenarios/powerbench.ts";
 *   const res = http.get(`${__ENV.BASE_URL}/users/u1/notes`);
 *   recordLambdaRequestId(res);
 */
import exec from "k6/execution";
import type { RefinedResponse, ResponseType } from "k6/http";
import { Counter } from "k6/metrics";
import { bodyBytes, responseBodyBytes, withExchangeMetadata } from "../exchange-size.ts";
import { ANSWERED_COUNTER, LAMBDA_REQUEST_ID_HEADER, LAMBDA_REQUEST_ID_METADATA } from "../options.ts";

const answered = new Counter(ANSWERED_COUNTER);

/**
 * Records one answered request: its Lambda request id when the response carries it, and its body sizes when
 * k6 can tell them (always for the request; for the response from the body or its Content-Length).
 */
export function recordLambdaRequestId(res: RefinedResponse<ResponseType | undefined>): void {
  if (res.status === 0) return;
  const metadata = exec.vu.metrics.metadata;
  const id = res.headers[LAMBDA_REQUEST_ID_HEADER];
  if (id) metadata[LAMBDA_REQUEST_ID_METADATA] = id;
  const clearSizes = withExchangeMetadata(
    metadata,
    bodyBytes(res.request.body),
    responseBodyBytes(res.body, res.headers),
  );
  answered.add(1);
  clearSizes();
  if (id) delete metadata[LAMBDA_REQUEST_ID_METADATA];
}

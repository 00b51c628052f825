/**
 * A helper for your own k6 script run by `npm run bench -- --k6-script my-test.ts`: import it and call
 * `recordLambdaRequestId(res)` after each request, so the tuner prices exactly your requests' Lambda
 * invocations (their `x-lambda-request-id` response header). Without it the sweep attributes by time window.
 *
 *   import { recordLambdaRequestId } from "<path to powerbench>/loadtests/engines/k6/scenarios/powerbench.ts";
 *   const res = http.get(`${__ENV.BASE_URL}/users/u1/notes`);
 *   recordLambdaRequestId(res);
 */
import exec from "k6/execution";
import type { RefinedResponse, ResponseType } from "k6/http";
import { Counter } from "k6/metrics";
import { ANSWERED_COUNTER, LAMBDA_REQUEST_ID_HEADER, LAMBDA_REQUEST_ID_METADATA } from "../options.ts";

const answered = new Counter(ANSWERED_COUNTER);

/** Records one answered request and, when the response carries it, its Lambda request id. */
export function recordLambdaRequestId(res: RefinedResponse<ResponseType | undefined>): void {
  if (res.status === 0) return;
  const id = res.headers[LAMBDA_REQUEST_ID_HEADER];
  if (id) exec.vu.metrics.metadata[LAMBDA_REQUEST_ID_METADATA] = id;
  answered.add(1);
  if (id) delete exec.vu.metrics.metadata[LAMBDA_REQUEST_ID_METADATA];
}

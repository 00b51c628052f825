import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
  ThrottlingException,
} from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import {
  ConflictError,
  NotFoundError,
  PayloadTooLargeError,
  RETRY_AFTER_SECONDS,
  ResponseTooLargeError,
  toHttpError,
  ValidationError,
} from "./errors.ts";

const metadata = { $metadata: { httpStatusCode: 400 } };

describe("toHttpError: the one mapping to HTTP", () => {
  it.each([
    [
      new ProvisionedThroughputExceededException({
        message: "Rate of requests exceeds capacity",
        ...metadata,
      }),
    ],
    [new ThrottlingException({ message: "Throughput exceeds the current capacity", ...metadata })],
  ])("maps the SDK's %s to 429 Throttled with Retry-After", (sdkError) => {
    const mapped = toHttpError(sdkError, "req-1");
    expect(mapped.statusCode).toBe(429);
    expect(mapped.headers["retry-after"]).toBe(String(RETRY_AFTER_SECONDS));
    expect(mapped.body.error).toMatchObject({ code: "Throttled", requestId: "req-1" });
    expect(mapped.body.error.message).toContain(sdkError.name);
  });

  it.each([
    [new ValidationError("item.id must be ..."), 400, "ValidationError"],
    [new NotFoundError("item x does not exist"), 404, "NotFound"],
    [new ConflictError("item x already exists"), 409, "Conflict"],
    [new PayloadTooLargeError("item is 500000 bytes"), 413, "PayloadTooLarge"],
    [new ResponseTooLargeError("the answer would be 7000000 bytes"), 413, "ResponseTooLarge"],
  ])("maps %s to its status and code, message kept", (err, status, code) => {
    const mapped = toHttpError(err, "req-2");
    expect(mapped).toEqual({
      statusCode: status,
      headers: {},
      body: { error: { code, message: err.message, requestId: "req-2" } },
    });
  });

  it("answers anything else with 500 InternalError that reveals nothing but the request id", () => {
    const internal = new Error("connect ECONNREFUSED 10.0.0.5:8000 at secret/path.ts:12");
    const unmapped = new ConditionalCheckFailedException({
      message: "The conditional request failed",
      ...metadata,
    });
    for (const err of [internal, unmapped, "a string", undefined]) {
      const mapped = toHttpError(err, "req-3");
      expect(mapped.statusCode).toBe(500);
      expect(mapped.body.error.code).toBe("InternalError");
      expect(mapped.body.error.requestId).toBe("req-3");
      const text = JSON.stringify(mapped.body);
      expect(text).not.toMatch(/ECONNREFUSED|secret|conditional|stack/i);
      expect(text).toContain("req-3");
    }
  });
});

/**
 * Answers that fit through Lambda. A synchronous invocation's response is at most 6 MB (Lambda answers
 * Function.ResponseSizeTooLarge past it, and API Gateway turns that into a 502 for everyone who lists). A
 * proxy response carries its body as a JSON string inside the JSON response, so one stored byte can cost 7:
 * the control character U+0001 is `\u0001` in the body and `\\u0001` in the response. List pages therefore
 * stop at an encoded-size budget (the cursor continues after the last item on the page), and any answer still
 * over the limit becomes a 413 ResponseTooLarge instead of a 502.
 *
 * An item of at most 400 KB (the limit every write enforces) is at most 7 × 409,600 bytes ≈ 2.9 MB encoded,
 * so a single item written through the service always fits; only pages of several items need the budget.
 * Pure module.
 */
import { ResponseTooLargeError } from "./errors.ts";

/** Lambda's synchronous response limit (6 MB; the stage's emulator uses 6 × 1024 × 1024 bytes). */
export const RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024;
/** Bytes of items a list page may carry once encoded; the rest of the limit is headroom for headers. */
export const PAGE_BUDGET_BYTES = 5 * 1024 * 1024;

const utf8 = new TextEncoder();

function countEscapedInString(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) count++;
  }
  return count;
}

/** Bytes `json` (JSON text) takes once embedded as a string in the proxy response (quotes not counted). */
export function embeddedJsonBytes(json: string): number {
  return utf8.encode(json).length + countEscapedInString(json);
}

/** Bytes one item takes in a list page inside the proxy response, its separating comma included. */
export function encodedItemBytes(item: unknown): number {
  return embeddedJsonBytes(JSON.stringify(item)) + 1;
}

/**
 * The longest prefix of `items` whose encoded size fits `budgetBytes`; always at least one item, so a list
 * never stalls on one large item (that item alone is then judged by the response limit).
 */
export function fitPage<T>(items: readonly T[], budgetBytes: number = PAGE_BUDGET_BYTES): T[] {
  let total = 0;
  for (let i = 0; i < items.length; i++) {
    total += encodedItemBytes(items[i]);
    if (total > budgetBytes) return items.slice(0, Math.max(i, 1));
  }
  return [...items];
}

/**
 * A cheap upper bound for the common case: a UTF-16 code unit of the body costs at most 3 bytes in the
 * response (non-ASCII: 3 UTF-8 bytes, never escaped; `"` and `\\`: 2), headers well under 16 KB. Only a
 * body this bound cannot clear is measured exactly (`serializedBytes`).
 */
export function mayExceedLimit(body: string, limitBytes: number = RESPONSE_LIMIT_BYTES): boolean {
  return body.length * 3 + 16 * 1024 > limitBytes;
}

/** Exact size of a response object as the Lambda runtime serialises it. */
export function serializedBytes(value: unknown): number {
  return utf8.encode(JSON.stringify(value) ?? "null").length;
}

/** Room left under the limit for the headers the handler adds after the check (capacity, request ids). */
export const HEADER_ROOM_BYTES = 8 * 1024;

/** ResponseTooLargeError when an answer of `sizeBytes` (serialised) would not fit Lambda's response. */
export function assertFits(sizeBytes: number): void {
  if (sizeBytes > RESPONSE_LIMIT_BYTES - HEADER_ROOM_BYTES) {
    throw new ResponseTooLargeError(
      `the answer would be ${sizeBytes} bytes, over Lambda's ${RESPONSE_LIMIT_BYTES}-byte response limit: ` +
        "ask for fewer items (limit) or read the item's attributes another way",
    );
  }
}

/** The response itself, or ResponseTooLargeError when Lambda could not carry it (measured only when it may not). */
export function fitResponse<T extends { body: string }>(response: T): T {
  if (mayExceedLimit(response.body)) assertFits(serializedBytes(response));
  return response;
}

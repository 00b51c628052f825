/**
 * Random bytes for the ids the front makes on every request (x-amz-apigw-id, the trace id). A synchronous
 * `randomBytes(n)` asks the system for entropy on each call (2.5–5 µs here, twice per request); drawing the
 * same bytes from a pool refilled 4 KB at a time costs a copy.
 */
import { randomFillSync } from "node:crypto";

const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

/** `length` fresh random bytes (at most 4 KB), never handed out twice. */
export function pooledRandomBytes(length: number): Buffer {
  if (length > POOL_BYTES)
    throw new RangeError(`pooledRandomBytes: at most ${POOL_BYTES} bytes, got ${length}`);
  if (offset + length > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  // A copy: the pool's bytes are overwritten at the next refill.
  const bytes = Buffer.from(pool.subarray(offset, offset + length));
  offset += length;
  return bytes;
}

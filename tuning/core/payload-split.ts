/**
 * Weighted payloads split as aws-lambda-power-tuning splits them (pure): payload i gets
 * floor(weight_i × num / total weight) invocations, in order, and the last takes whatever is left; a payload
 * whose share rounds to less than one invocation is an error (num too small).
 */
import { InvalidSweepOptionError } from "../errors.ts";

export interface Weighted<T> {
  payload: T;
  weight: number;
}

/**
 * The payload of each of `num` invocations.
 *
 * @example splitPayloads([{ payload: "a", weight: 1 }, { payload: "b", weight: 2 }], 10) // a×3, b×7
 */
export function splitPayloads<T>(payloads: ReadonlyArray<Weighted<T>>, num: number): T[] {
  if (payloads.length === 0)
    throw new InvalidSweepOptionError("direct.payloads", payloads, "at least one payload");
  if (num < payloads.length) {
    throw new InvalidSweepOptionError(
      "direct.invocations",
      num,
      `at least one invocation per payload (${payloads.length} payloads): increase direct.invocations`,
    );
  }
  const total = payloads.reduce((sum, p) => sum + p.weight, 0);
  const out: T[] = [];
  payloads.forEach((p, i) => {
    let howMany = Math.floor((p.weight * num) / total);
    if (howMany < 1) {
      throw new InvalidSweepOptionError(
        `direct.payloads[${i}].weight`,
        p.weight,
        `a weight whose share of ${num} invocations is at least one (${p.weight}/${total} × ${num} < 1): increase direct.invocations or the weight`,
      );
    }
    if (i === payloads.length - 1) howMany = num - out.length;
    for (let k = 0; k < howMany; k++) out.push(p.payload);
  });
  return out;
}

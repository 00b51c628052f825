// Reference function "cpu-sha256": chains SHA-256 over its own digest event.iterations times, one thread,
// as the published CPU benchmark's handler does (its figures are for 500,000 iterations; calibrate compares
// ratios to 1,769 MB, so fewer iterations do).
const { createHash } = require("node:crypto");

exports.handler = async (event) => {
  const iterations = event?.iterations ?? 500_000;
  let data = Buffer.from("powerbench calibration: SHA-256 chained over its own digest");
  for (let i = 0; i < iterations; i++) data = createHash("sha256").update(data).digest();
  return { iterations, hash: data.toString("hex") };
};

// Allocates and touches memory in 8 MB steps until event.limitMb (default: far past the function's memory).
export const handler = async (event) => {
  const limitMb = event?.limitMb ?? 4096;
  const kept = [];
  for (let mb = 0; mb < limitMb; mb += 8) kept.push(Buffer.alloc(8 * 1024 * 1024, 1));
  return { allocatedMb: kept.length * 8 };
};

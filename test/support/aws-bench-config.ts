/**
 * TEST SUPPORT: the bench config (the `--config` JSON) for a run on the AWS path (`--stage aws`) of a local
 * stage started in a process of its own (test/soak/stage-child.ts): its endpoints, two memory sizes on x86_64,
 * the smoke profile at 10 requests/s with the built-in engine. A test changes what it needs through `overrides`.
 */
import type { StageEndpoints } from "../soak/stage-child.ts";

export function awsPathBenchConfig(
  e: StageEndpoints,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    stage: "aws",
    region: e.region,
    apiUrl: e.apiUrl,
    function: e.functionName,
    alias: e.alias,
    tableName: e.tableName,
    apiName: e.apiName,
    apiStageName: e.apiStageName,
    apiType: "REST",
    memory: [128, 256],
    arch: ["x86_64"],
    profile: "smoke",
    rate: 10,
    warmup: 1,
    engine: "builtin",
    ...overrides,
  };
}

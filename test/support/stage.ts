/**
 * TEST SUPPORT: the real local stage with the tuner's real SDK clients pointed at it (tuning/adapters/aws-clients.ts),
 * set up once for every integration test. `useStage()` starts it before a file's tests and stops it after;
 * `startStageWithClients()` is the same for a test that starts its own.
 */
import { afterAll, beforeAll } from "vitest";
import { type LocalStage, type StageOptions, startStage } from "../../stage/stage.ts";
import {
  type AwsClientOptions,
  type AwsClients,
  createAwsClients,
} from "../../tuning/adapters/aws-clients.ts";

export interface StageWithClients {
  local: LocalStage;
  /** Lambda, CloudWatch and Logs clients for the stage's endpoints, as a bench run builds them. */
  clients: AwsClients;
  /** Destroys the clients, then stops the stage. */
  stop(): Promise<void>;
}

export async function startStageWithClients(
  options: StageOptions = {},
  clientOptions: AwsClientOptions = {},
): Promise<StageWithClients> {
  const local = await startStage(options);
  const clients = createAwsClients(local.stage, clientOptions);
  return {
    local,
    clients,
    async stop() {
      clients.destroy();
      await local.stop();
    },
  };
}

/**
 * Starts the stage in `beforeAll` and stops it in `afterAll` of the calling file. The fields are there from
 * the first test on.
 *
 * @example const env = useStage({ cpuScaling: "off" }); it("…", () => env.clients.lambda.send(…));
 */
export function useStage(options: StageOptions = {}, clientOptions: AwsClientOptions = {}): StageWithClients {
  let started: StageWithClients | undefined;
  const get = (): StageWithClients => {
    if (!started) throw new Error("useStage(): the stage is not started yet (use it inside a test or hook)");
    return started;
  };
  beforeAll(async () => {
    started = await startStageWithClients(options, clientOptions);
  }, 60_000);
  afterAll(async () => {
    await started?.stop();
  });
  return {
    get local() {
      return get().local;
    },
    get clients() {
      return get().clients;
    },
    stop: () => get().stop(),
  };
}

/**
 * The request sequence as the k6 scenario reads it: the JSON file the tuner writes from its planned sequence
 * (loadtests/request-sequence.ts, common random numbers), opened once in k6's init context into a SharedArray
 * (`-e SEQUENCE=<file>`); iteration `exec.scenario.iterationInTest` sends request number that. Only the fields
 * k6 uses are named here. Pure (no imports but types): the scenario imports it.
 */
import type { OperationName } from "../../run-result.ts";
import type { HttpMethod } from "../../workload/model.ts";

/** One planned request, as in the sequence file. */
export interface SequenceFileRequest {
  index: number;
  operation: OperationName;
  method: HttpMethod;
  path: string;
  body?: string;
  id?: string;
  expectedStatuses: number[];
  /** A workload file's route name (the `name` tag). */
  route?: string;
  headers?: Record<string, string>;
}

/** The parts of a request sequence the k6 side reads and reports. */
export interface SequenceFile {
  format: number;
  seed: number;
  kind: "measure" | "warmup";
  idPrefix: string;
  requests: SequenceFileRequest[];
}

/** The sequence formats the scenario reads. */
export const SEQUENCE_FORMATS = [1];

/** The requests of a sequence file's text; throws one line naming what is wrong. */
export function sequenceRequests(text: string, file: string): SequenceFileRequest[] {
  let data: Partial<SequenceFile>;
  try {
    data = JSON.parse(text) as Partial<SequenceFile>;
  } catch (error) {
    throw new Error(`request sequence ${file} is not JSON: ${(error as Error).message}`);
  }
  if (!SEQUENCE_FORMATS.includes(data.format as number) || !Array.isArray(data.requests)) {
    throw new Error(
      `request sequence ${file}: expected format ${SEQUENCE_FORMATS.join(" or ")} with a requests list, got format ${JSON.stringify(data.format)}`,
    );
  }
  data.requests.forEach((request, i) => {
    if (request.index !== i) {
      throw new Error(`request sequence ${file}: request ${i} has index ${request.index}; expected ${i}`);
    }
  });
  return data.requests;
}

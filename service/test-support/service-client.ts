/**
 * Test support: calls the service's handler in-process with API Gateway events (either payload format) or
 * bare command events, and returns the answer with its parsed body and the request's log lines.
 */
import { createHandler, type HandlerOptions } from "../handler.ts";
import { type EventInput, httpApiEvent, restEvent } from "./events.ts";

export type EventFormat = "1.0" | "2.0";

/** Parsed JSON as tests read it. */
// biome-ignore lint/suspicious/noExplicitAny: tests index freely into parsed response bodies
export type Json = any;

export interface ServiceAnswer {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON body (undefined when empty). */
  body: Json;
  /** Log lines written during the call, parsed. */
  logs: Json[];
}

export interface ServiceClient {
  http(format: EventFormat, input: EventInput): Promise<ServiceAnswer>;
  /** A direct invocation with a bare event; `result` is what the handler returned, as JSON (as Lambda sends it). */
  invoke(event: unknown): Promise<{ result: Json; logs: Json[] }>;
}

let counter = 0;

export function serviceClient(options: Omit<HandlerOptions, "writeLine"> = {}): ServiceClient {
  let lines: string[] = [];
  const handler = createHandler({ ...options, writeLine: (line) => lines.push(line) });
  const take = () => {
    const taken = lines.map((l) => JSON.parse(l));
    lines = [];
    return taken;
  };
  return {
    async http(format, input) {
      const event = format === "1.0" ? restEvent(input) : httpApiEvent(input);
      const out = (await handler(event, { awsRequestId: `req-${++counter}` })) as {
        statusCode: number;
        headers: Record<string, string>;
        body: string;
      };
      return {
        status: out.statusCode,
        headers: out.headers,
        body: out.body === "" ? undefined : JSON.parse(out.body),
        logs: take(),
      };
    },
    async invoke(event) {
      const returned = await handler(event, { awsRequestId: `req-${++counter}` });
      // The Lambda runtime serialises the result with JSON.stringify (ExactNumber prints its text).
      const result = returned === undefined ? undefined : JSON.parse(JSON.stringify(returned));
      return { result, logs: take() };
    },
  };
}

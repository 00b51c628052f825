/**
 * Engine selection: `auto` runs k6 when a k6 binary is available (K6_BINARY or PATH), else the built-in
 * engine; the RunResult's `engine.name` says which one ran.
 */
import { type BuiltinEngineOptions, createBuiltinEngine } from "./engine/builtin-engine.ts";
import { ConfigError } from "./errors.ts";
import { createK6Engine, type Env, findK6Binary, type K6EngineOptions } from "./k6-adapter.ts";
import type { LoadEngine } from "./load-engine.ts";

export type { LoadEngine, LoadProgress, LoadRunOptions } from "./load-engine.ts";

export const ENGINE_CHOICES = ["auto", "builtin", "k6"] as const;
export type EngineChoice = (typeof ENGINE_CHOICES)[number];

export interface CreateEngineOptions {
  /** Where K6_BINARY and PATH are read. @default process.env */
  env?: Env;
  builtin?: BuiltinEngineOptions;
  k6?: K6EngineOptions;
}

/**
 * @example const engine = createEngine("auto"); const result = await engine.run({ target, profile: "smoke" });
 */
export function createEngine(
  choice: EngineChoice | string = "auto",
  options: CreateEngineOptions = {},
): LoadEngine {
  const env = options.env ?? process.env;
  if (!(ENGINE_CHOICES as readonly string[]).includes(choice)) {
    throw new ConfigError("engine", `expected one of ${ENGINE_CHOICES.join(", ")}, got "${choice}"`);
  }
  if (choice === "builtin") return createBuiltinEngine(options.builtin);
  if (choice === "k6") return createK6Engine({ env, ...options.k6 });
  const binary = options.k6?.binary ?? findK6Binary(env);
  if (binary && options.builtin?.maxConnections !== undefined) {
    throw new ConfigError(
      "max-connections",
      `applies to the built-in engine only, and --engine auto found k6 (${binary}): add --engine builtin, or drop the connection cap`,
    );
  }
  return binary ? createK6Engine({ env, ...options.k6, binary }) : createBuiltinEngine(options.builtin);
}

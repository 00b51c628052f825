/**
 * Engine selection: `auto` runs k6 when a k6 binary is available (K6_BINARY, .tools/bin/k6 or PATH), else the built-in
 * engine; the RunResult's `engine.name` says which one ran.
 */
import { ConfigError } from "../errors.ts";
import { type BuiltinEngineOptions, createBuiltinEngine } from "./builtin/engine.ts";
import { createK6Engine, type Env, findK6Binary, type K6EngineOptions } from "./k6/engine.ts";
import { ENGINE_CHOICES, type EngineChoice } from "./names.ts";
import type { LoadEngine } from "./port.ts";

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
  const binary =
    choice === "k6" ? undefined : (options.k6?.binary ?? findK6Binary(env, options.k6?.toolsBinDir));
  if (choice === "auto" && !binary) return createBuiltinEngine(options.builtin);
  // k6 runs: a built-in-only option is refused, not dropped in silence (k6 opens one connection per VU).
  if (options.builtin?.maxConnections !== undefined) {
    const why = choice === "k6" ? "--engine k6 runs k6" : `--engine auto found k6 (${binary})`;
    throw new ConfigError(
      "max-connections",
      `applies to the built-in engine only, and ${why}: add --engine builtin, or drop the connection cap`,
    );
  }
  return createK6Engine({ env, ...options.k6, ...(binary ? { binary } : {}) });
}

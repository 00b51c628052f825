/**
 * The load engines' names, defined once (pure, imports nothing: the run result, the k6 scenario and the bench
 * config all read them). Three different things carry an engine name, and each has its own type:
 * - `EngineName`: a load engine, what `LoadEngine.name` is (loadtests/engines/port.ts).
 * - `EngineChoice`: what `--engine` accepts, an engine or "auto" (k6 when installed, else the built-in one).
 * - `LoadSourceName`: what a run result's `engine.name` records as having made the requests: a load engine, or
 *   "direct" (tuning/adapters/direct-invoke.ts invokes the function itself, through no API and no engine).
 */

/** The load engines. */
export const ENGINE_NAMES = ["builtin", "k6"] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** What `--engine` accepts (`npm run loadtest`, `npm run bench` and the bench config file). */
export const ENGINE_CHOICES = ["auto", ...ENGINE_NAMES] as const;
export type EngineChoice = (typeof ENGINE_CHOICES)[number];

/** What a run result's `engine.name` can say made the requests. */
export type LoadSourceName = EngineName | "direct";

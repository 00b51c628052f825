/**
 * SIGINT / SIGTERM handled exactly once, whatever wraps the process. A Ctrl-C in a terminal reaches every
 * process of the foreground group at once, and the wrappers forward it again: npm forwards it to its child,
 * and tsx's CLI relays it to its worker too. So one key press arrives two or three times within a few
 * milliseconds. The first signal starts the orderly stop; repeats within `repeatWindowMs` are those echoes
 * and are ignored; a signal after that is a deliberate second Ctrl-C, which the caller has announced in its
 * message.
 */

export const INTERRUPT_DEFAULTS = {
  /** Signals this soon after the first are the wrappers' echoes, not a second key press. @default 1000 */
  repeatWindowMs: 1_000,
} as const;

export type InterruptSignal = "SIGINT" | "SIGTERM";

export interface InterruptHandlers {
  /** The first signal: stop in order. */
  first(signal: InterruptSignal): void;
  /** A deliberate second signal, after the window: stop at once. */
  again(signal: InterruptSignal): void;
}

/**
 * Installs the handlers; returns a function that removes them.
 *
 * @example
 * const off = handleInterrupts({ first: () => controller.abort(), again: () => process.exit(EXIT.error) });
 */
export function handleInterrupts(
  handlers: InterruptHandlers,
  options: { repeatWindowMs?: number; now?: () => number } = {},
): () => void {
  const windowMs = options.repeatWindowMs ?? INTERRUPT_DEFAULTS.repeatWindowMs;
  const now = options.now ?? Date.now;
  let firstAt: number | undefined;
  const on = (signal: InterruptSignal) => {
    const t = now();
    if (firstAt === undefined) {
      firstAt = t;
      handlers.first(signal);
    } else if (t - firstAt >= windowMs) handlers.again(signal);
  };
  const onInt = () => on("SIGINT");
  const onTerm = () => on("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return () => {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  };
}

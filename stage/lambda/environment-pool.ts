/**
 * Warm execution environments, per pool key (function, version, configuration revision). The most recently
 * used idle environment is reused first; idle ones are reclaimed after `idleTimeoutMs`; retired ones (their
 * configuration changed, their version was deleted) finish what they run and then go. An environment is frozen
 * when it comes back idle and no invocation takes it in the same turn of the event loop (environment.ts
 * `freeze`), and thawed by its next invocation or when it is killed.
 */
import type { ExecutionEnvironment } from "./environment.ts";

export class EnvironmentPool {
  private readonly idle = new Map<string, ExecutionEnvironment[]>();
  private readonly all = new Set<ExecutionEnvironment>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly idleTimeoutMs: number,
    /** Beyond this many idle environments (all functions and versions), the least recently used go. */
    private readonly maxIdle: number = Number.POSITIVE_INFINITY,
  ) {}

  /** Idle environments right now. */
  get idleCount(): number {
    let count = 0;
    for (const stack of this.idle.values()) count += stack.length;
    return count;
  }

  /** Environments alive right now (idle and busy). */
  get size(): number {
    return this.all.size;
  }

  /** Process ids of every live environment (for tests and diagnostics). */
  pids(): number[] {
    return [...this.all].map((env) => env.pid);
  }

  /** An idle environment for `key`, or undefined when a cold start is needed. */
  take(key: string): ExecutionEnvironment | undefined {
    const stack = this.idle.get(key);
    while (stack && stack.length > 0) {
      const env = stack.pop();
      if (env?.alive && !env.retired) return env;
    }
    return undefined;
  }

  /** Environments frozen so far (each time one went idle with no invocation waiting for it). */
  freezes = 0;

  /** Whether `env` waits in its idle stack (released and not taken since). */
  private isIdle(env: ExecutionEnvironment): boolean {
    return this.idle.get(env.poolKey)?.includes(env) === true;
  }

  /** Registers a new environment (busy until released). */
  add(env: ExecutionEnvironment): void {
    this.all.add(env);
  }

  /**
   * Returns an environment after an invocation (its response and log lines, the REPORT line included, taken):
   * frozen and back to the idle stack, or disposed.
   */
  release(env: ExecutionEnvironment): void {
    if (!env.alive || env.retired) {
      void this.dispose(env);
      return;
    }
    // Frozen once this turn of the event loop is over, unless an invocation waiting for it took it meanwhile:
    // Lambda freezes a sandbox when its runtime asks for the next event and none is waiting, and a freeze and
    // thaw back to back would only cost the host's CPU (two thread wake-ups per environment).
    setImmediate(() => {
      if (!this.isIdle(env)) return;
      env.freeze();
      if (env.frozen) this.freezes++;
    }).unref();
    env.lastUsedMs = Date.now();
    const stack = this.idle.get(env.poolKey);
    if (stack) stack.push(env);
    else this.idle.set(env.poolKey, [env]);
    this.startSweeper();
    if (this.idleCount > this.maxIdle) this.evictLeastRecentlyUsed();
  }

  private evictLeastRecentlyUsed(): void {
    let oldest: ExecutionEnvironment | undefined;
    for (const stack of this.idle.values()) {
      // Stacks are in order of release: the first is the stack's least recently used.
      const first = stack[0];
      if (first && (!oldest || first.lastUsedMs < oldest.lastUsedMs)) oldest = first;
    }
    if (oldest) void this.dispose(oldest);
  }

  /** Forgets an environment whose process exited. */
  forget(env: ExecutionEnvironment): void {
    this.all.delete(env);
    const stack = this.idle.get(env.poolKey);
    if (!stack) return;
    const index = stack.indexOf(env);
    if (index >= 0) stack.splice(index, 1);
    if (stack.length === 0) this.idle.delete(env.poolKey);
  }

  /** Retires every environment whose key matches: idle ones go now, busy ones after their invocation. */
  retire(matches: (key: string) => boolean): void {
    for (const env of this.all) {
      if (!matches(env.poolKey)) continue;
      env.retired = true;
    }
    for (const [key, stack] of this.idle) {
      if (!matches(key)) continue;
      this.idle.delete(key);
      for (const env of stack) void this.dispose(env);
    }
  }

  private async dispose(env: ExecutionEnvironment): Promise<void> {
    this.forget(env);
    await env.dispose();
  }

  private startSweeper(): void {
    if (this.sweeper) return;
    const periodMs = Math.min(Math.max(Math.floor(this.idleTimeoutMs / 4), 10), 5_000);
    this.sweeper = setInterval(() => this.sweep(), periodMs);
    this.sweeper.unref();
  }

  /** Reclaims environments idle for idleTimeoutMs or longer. */
  sweep(nowMs: number = Date.now()): void {
    for (const [key, stack] of this.idle) {
      const keep = stack.filter((env) => nowMs - env.lastUsedMs < this.idleTimeoutMs);
      const expired = stack.filter((env) => !keep.includes(env));
      if (keep.length === 0) this.idle.delete(key);
      else this.idle.set(key, keep);
      for (const env of expired) void this.dispose(env);
    }
    if (this.idle.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  /** Kills every environment now, without waiting (the process is exiting). */
  killAll(): void {
    for (const env of this.all) env.kill();
  }

  /** Kills every environment and waits until all are gone. */
  async closeAll(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.idle.clear();
    const envs = [...this.all];
    this.all.clear();
    await Promise.all(envs.map((env) => env.dispose()));
  }
}

/** The slice of autocannon's programmatic API the benchmark uses (the package ships no types). */
declare module "autocannon" {
  interface AutocannonOptions {
    url: string;
    connections?: number;
    /** seconds */
    duration?: number;
    overallRate?: number;
    /** Requests in flight per connection. @default 1 */
    pipelining?: number;
    /** Extra request headers. */
    headers?: Record<string, string>;
  }
  interface AutocannonResult {
    requests: { total: number; average: number };
    latency: { p50: number; p99: number };
    errors: number;
    non2xx: number;
  }
  function autocannon(options: AutocannonOptions): Promise<AutocannonResult>;
  export default autocannon;
}

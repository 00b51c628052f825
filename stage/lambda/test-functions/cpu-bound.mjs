// A CPU-bound loop of event.iterations (default 20 million) steps: its Duration scales with the CPU share.
// Returns the CPU time the loop consumed, which does not depend on how much CPU the environment gets.
export const handler = async (event) => {
  const iterations = event?.iterations ?? 20_000_000;
  const before = process.cpuUsage();
  let x = 0;
  for (let i = 0; i < iterations; i++) x = (x * 31 + i) % 1_000_003;
  const used = process.cpuUsage(before);
  return { x, cpuMs: (used.user + used.system) / 1000 };
};

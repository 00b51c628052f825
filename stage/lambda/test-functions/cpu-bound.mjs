// A CPU-bound loop of event.iterations (default 20 million) steps: its Duration scales with the CPU share.
export const handler = async (event) => {
  const iterations = event?.iterations ?? 20_000_000;
  let x = 0;
  for (let i = 0; i < iterations; i++) x = (x * 31 + i) % 1_000_003;
  return { x };
};

// Fills the V8 heap with small objects until the runtime dies of "JavaScript heap out of memory". JS heap,
// not Buffers: the heap limit the runtime sets from MemorySize stops it even where no memory cgroup exists.
export const handler = async () => {
  const kept = [];
  for (;;) kept.push({ a: Math.random(), b: [1, 2, 3], c: "x".repeat(16) + kept.length });
};

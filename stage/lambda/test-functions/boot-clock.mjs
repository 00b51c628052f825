// Returns how long after its process started this module was evaluated: performance.now() counts from the
// process's start, so this is the runtime's own boot plus everything before the handler's import.
const loadedAfterProcessStartMs = performance.now();
export const handler = async () => ({ loadedAfterProcessStartMs });

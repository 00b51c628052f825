// Fails during INIT (module evaluation), before any handler runs.
throw new Error("init failed on purpose");
